/**
 * Lease failover between two sync worker processes (test/support/lease-worker.ts), each running
 * `incidents.sync({ follow: true })` with a RedisLease and a RedisCheckpointStore in one real
 * redis-server, on one churning simulator:
 *  - the holder is killed (SIGKILL) after it was handed a batch and before it committed it: the
 *    standby takes the lease (fence 2), delivers that batch again and commits under fence 2;
 *  - the holder is stopped (SIGSTOP) past its lease's time to live: the standby takes over and
 *    commits; resumed (SIGCONT), the old holder stops with LeaseLostError and writes nothing.
 * At the end the tenant's record says nothing was lost, and the store's writes form one version
 * sequence: the dead or stale holder's fence never follows the new one's.
 *
 * Nothing is bounded by this machine's speed: the tenant's clock moves only with the requests it
 * answers (15 simulated seconds each), the checks are on events, counts and fences, and the
 * takeover time (on Redis's clock) is reported, not asserted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisCheckpointStore } from '../../src/redis/index.js';
import { startSimulator, type Simulator } from '../../src/testing/index.js';
import { checkAgainstChurn, expectNothingLost } from '../support/churn-oracle.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';

/** The lease's time to live: renewed every third of it, so a busy machine's pauses do not lose it. */
const TTL_MS = 6_000;
/** Simulated time each request to the tenant takes: the churn goes on while a worker reads. */
const REQUEST_MS = 15_000;
/** The checkpoint's name on each API: the feed's default (`<api>:incidents`). */
const KEY = { defender: 'defender:incidents', graph: 'graph:incidents' } as const;

/** One JSON line of a worker (see lease-worker.ts). */
interface WorkerEvent {
  event: 'acquire' | 'write' | 'batch' | 'paused' | 'committed' | 'stats' | 'end';
  fence?: number | null;
  at?: number;
  expected?: number | null;
  ok?: boolean;
  n?: number;
  keys?: string[];
  polls?: number;
  error?: string | null;
}

/** A running worker and everything it said, in order. */
interface Worker {
  readonly child: ChildProcess;
  readonly events: WorkerEvent[];
  /** Resolves with the first event (from index `from` on) that matches. */
  next(match: (e: WorkerEvent) => boolean, from?: number): Promise<WorkerEvent>;
  send(line: string): void;
  readonly exited: Promise<void>;
}

let redis: TestRedis;
const children: ChildProcess[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await redis?.close();
});

function startWorker(sim: Simulator, api: 'defender' | 'graph', pauseAt: number): Worker {
  const script = fileURLToPath(new URL('../support/lease-worker.ts', import.meta.url));
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, redis.url, String(TTL_MS), String(pauseAt)], {
    cwd: root,
    env: { ...process.env, ...sim.env, DEFENDER_API: api },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const events: WorkerEvent[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line) as WorkerEvent);
    for (const wake of waiters) wake();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const wake of waiters) wake();
  });
  return {
    child,
    events,
    exited,
    send: (line) => void child.stdin!.write(`${line}\n`),
    next: async (match, from = 0) => {
      for (;;) {
        const found = events.slice(from).find(match);
        if (found) return found;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the worker exited (${child.exitCode ?? child.signalCode}) before: ${JSON.stringify(events.slice(-3))}`);
        await new Promise<void>((resolve) => {
          const wake = () => (waiters.delete(wake), resolve());
          waiters.add(wake);
        });
      }
    },
  };
}

/** Redis's clock, in ms. */
async function redisNow(conn: { sendCommand(args: string[]): Promise<unknown> }): Promise<number> {
  const [seconds, micros] = (await conn.sendCommand(['TIME'])) as [string, string];
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/** The batches a worker was handed, and those it committed (version keys). */
function deliveries(worker: Worker): { delivered: string[][]; committed: Set<number> } {
  const delivered: string[][] = [];
  const committed = new Set<number>();
  for (const e of worker.events) {
    if (e.event === 'batch') delivered[e.n! - 1] = e.keys!;
    if (e.event === 'committed') committed.add(e.n!);
  }
  return { delivered, committed };
}

/** The successful checkpoint writes of both workers, in the store's version order. */
function versionSequence(workers: Worker[]): { version: number; fence: number | null | undefined; by: number }[] {
  return workers
    .flatMap((w, by) => w.events.filter((e) => e.event === 'write' && e.ok).map((e) => ({ version: (e.expected ?? 0) + 1, fence: e.fence, by })))
    .sort((a, b) => a.version - b.version);
}

/** A churning simulator whose clock moves 15 simulated seconds with each request it answers, until `stop()`. */
async function churningSimulator(seed: number): Promise<{ sim: Simulator; stop: () => number }> {
  let moving = true;
  let sim: Simulator | undefined;
  sim = await startSimulator({
    caDir: process.env.M365D_E2E_CA_DIR!,
    seed,
    incidents: 60,
    huntingRows: 0,
    startTime: Date.now(),
    timeScale: 1e-9,
    quotas: false,
    churn: { perMinute: 6, lateMs: 2 * 60_000, lateShare: 0.15, sameTimestampShare: 0.1, createShare: 0.2, mergeShare: 0.03 },
    onRequest: () => {
      if (moving) sim?.tenant.clock.advance(REQUEST_MS);
    },
  });
  // a backlog of an hour's changes before the workers start, and more with each request they send
  sim.tenant.clock.advance(60 * 60_000);
  return {
    sim,
    stop: () => {
      moving = false;
      sim!.tenant.churn!.apply();
      return sim!.tenant.clock.now();
    },
  };
}

/**
 * Stops the churn, lets `worker` (the holder) complete a poll that began after it, stops the
 * worker and checks everything both workers delivered against the tenant's record.
 */
async function finish(sim: Simulator, stopClock: () => number, worker: Worker, both: Worker[]): Promise<{ items: number; versions: number; changes: number }> {
  const stoppedAt = stopClock();
  const statsOf = async () => {
    const from = worker.events.length;
    worker.send('stats');
    return (await worker.next((e) => e.event === 'stats', from)).polls!;
  };
  // Poll p may have begun before the clock stopped; p + 1 began after it, and p + 2 begins once p + 1 completed (its last batch committed).
  const first = await statsOf();
  while ((await statsOf()) < first + 2) await new Promise((resolve) => setTimeout(resolve, 100));
  const from = worker.events.length;
  worker.send('stop');
  expect((await worker.next((e) => e.event === 'end', from)).error).toBe('Error');
  await worker.exited;

  // A worker handles (writes) each batch it is handed before committing it: handed over is written.
  const delivered = new Set(both.flatMap((w) => deliveries(w).delivered.flat()));
  const violations: string[] = [];
  // Delivered again after a commit: a key in a committed batch of the first worker, or an earlier committed batch of the second, handed out by the second.
  const [old, current] = both as [Worker, Worker];
  const committedBefore = new Set<string>();
  const oldRun = deliveries(old);
  for (const n of oldRun.committed) for (const key of oldRun.delivered[n - 1]!) committedBefore.add(key);
  const newRun = deliveries(current);
  for (const [i, keys] of newRun.delivered.entries()) {
    for (const key of keys) if (committedBefore.has(key)) violations.push(key);
    if (newRun.committed.has(i + 1)) for (const key of keys) committedBefore.add(key);
  }
  const findings = checkAgainstChurn(sim.tenant.churn!.versions, 'incident', { delivered, written: delivered, completed: [{ start: stoppedAt, end: stoppedAt }] });
  expectNothingLost(findings, violations);
  expect(findings.required).toBeGreaterThan(50);
  // the tenant churned while the workers read: creations, updates and merges, some indexed late
  expect(sim.tenant.churn!.stats.changes).toBeGreaterThanOrEqual(300);
  return { items: delivered.size, versions: sim.tenant.churn!.versions.filter((v) => v.kind === 'incident').length, changes: sim.tenant.churn!.stats.changes };
}

/** Every key of `keys` the `worker` delivered later, or whose version the tenant replaced (then the new one is what counts). */
function expectDeliveredAgain(sim: Simulator, keys: readonly string[], worker: Worker): void {
  const again = new Set(deliveries(worker).delivered.flat());
  const replaced = new Set(sim.tenant.churn!.versions.filter((v) => v.replacedAt !== undefined).map((v) => `${v.kind}:${v.id}@${v.lastUpdate}`));
  expect(keys.filter((key) => !again.has(key) && !replaced.has(key))).toEqual([]);
}

describe('two sync workers sharing a RedisLease and a RedisCheckpointStore', () => {
  it('api defender: the holder killed (SIGKILL) mid-batch; the standby takes over with fence 2, delivers the batch again, and nothing is lost', async () => {
    const { sim, stop } = await churningSimulator(41);
    const conn = await createClient({ url: redis.url }).on('error', () => {}).connect();
    try {
      const a = startWorker(sim, 'defender', 3);
      expect((await a.next((e) => e.event === 'acquire')).fence).toBe(1);
      const b = startWorker(sim, 'defender', 0);
      // b is a standby: it found the lease held
      expect((await b.next((e) => e.event === 'acquire')).fence).toBeNull();
      const paused = await a.next((e) => e.event === 'paused');
      const killedBatch = deliveries(a).delivered[paused.n! - 1]!;
      expect(killedBatch.length).toBeGreaterThan(0);
      // a has not committed the batch it holds; b has taken nothing yet
      expect(deliveries(a).committed.has(paused.n!)).toBe(false);
      expect(b.events.every((e) => e.event === 'acquire' && e.fence === null)).toBe(true);
      const aWritesBefore = a.events.filter((e) => e.event === 'write').length;

      a.child.kill('SIGKILL');
      await a.exited;
      const killedAt = await redisNow(conn);
      const taken = await b.next((e) => e.event === 'acquire' && e.fence !== null);
      expect(taken.fence).toBe(2);
      // b commits under fence 2 (its claim, then its batches)
      await b.next((e) => e.event === 'committed');
      const takeoverMs = taken.at! - killedAt;

      // The killed holder wrote nothing after the kill (it could not) and none of its writes follows fence 2.
      expect(a.events.filter((e) => e.event === 'write')).toHaveLength(aWritesBefore);
      expect(a.events.filter((e) => e.event === 'write').every((e) => e.fence === 1)).toBe(true);
      expect(b.events.filter((e) => e.event === 'write').every((e) => e.fence === 2)).toBe(true);
      expectDeliveredAgain(sim, killedBatch, b);

      const figures = await finish(sim, stop, b, [a, b]);
      const sequence = versionSequence([a, b]);
      // one version sequence, each version written once: fence 1's writes, then fence 2's
      expect(sequence.map((w) => w.version)).toEqual(sequence.map((_, i) => i + 1));
      expect(sequence.map((w) => w.fence)).toEqual([...sequence.filter((w) => w.fence === 1).map(() => 1), ...sequence.filter((w) => w.fence === 2).map(() => 2)]);
      expect(sequence.filter((w) => w.fence === 1).length).toBeGreaterThanOrEqual(3);
      expect(sequence.filter((w) => w.fence === 2).length).toBeGreaterThanOrEqual(3);
      expect(await new RedisCheckpointStore(conn).get(KEY.defender)).toMatchObject({ version: sequence.length, fence: 2 });
      console.log(
        `lease failover (SIGKILL, api defender): lease ttl ${TTL_MS} ms, standby retry every ${Math.floor(TTL_MS / 3)} ms; takeover ${takeoverMs} ms after the kill on Redis's clock; ` +
          `killed holder: ${deliveries(a).committed.size} batches committed, batch ${paused.n} (${killedBatch.length} items) delivered and not committed; ` +
          `standby: ${deliveries(b).delivered.length} batches; ${sequence.length} checkpoint versions (${sequence.filter((w) => w.fence === 1).length} under fence 1); ` +
          `${figures.changes} changes; ${figures.items} versions delivered of ${figures.versions} incident versions the tenant produced.`,
      );
    } finally {
      conn.destroy();
      await sim.close();
    }
  }, 300_000);

  it('api graph: the holder stopped (SIGSTOP) past its ttl; the standby takes over and commits; resumed, the old holder stops with LeaseLostError and writes nothing', async () => {
    const { sim, stop } = await churningSimulator(43);
    const conn = await createClient({ url: redis.url }).on('error', () => {}).connect();
    try {
      const a = startWorker(sim, 'graph', 2);
      expect((await a.next((e) => e.event === 'acquire')).fence).toBe(1);
      const b = startWorker(sim, 'graph', 0);
      expect((await b.next((e) => e.event === 'acquire')).fence).toBeNull();
      const paused = await a.next((e) => e.event === 'paused');
      const heldBatch = deliveries(a).delivered[paused.n! - 1]!;

      a.child.kill('SIGSTOP');
      const stoppedAt = await redisNow(conn);
      const taken = await b.next((e) => e.event === 'acquire' && e.fence !== null);
      expect(taken.fence).toBe(2);
      await b.next((e) => e.event === 'committed');
      const aEventsBefore = a.events.length;

      a.child.kill('SIGCONT');
      a.send('go');
      const end = await a.next((e) => e.event === 'end', aEventsBefore);
      expect(end).toMatchObject({ error: 'LeaseLostError', fence: 1 });
      await a.exited;
      // after it resumed: no write tried, no commit, no batch
      expect(a.events.slice(aEventsBefore).map((e) => e.event)).toEqual(['end']);
      expect(deliveries(a).committed.has(paused.n!)).toBe(false);
      expectDeliveredAgain(sim, heldBatch, b);
      expect(await new RedisCheckpointStore(conn).get(KEY.graph)).toMatchObject({ fence: 2 });

      const figures = await finish(sim, stop, b, [a, b]);
      const sequence = versionSequence([a, b]);
      expect(sequence.map((w) => w.version)).toEqual(sequence.map((_, i) => i + 1));
      expect(sequence.map((w) => w.fence)).toEqual([...sequence.filter((w) => w.fence === 1).map(() => 1), ...sequence.filter((w) => w.fence === 2).map(() => 2)]);
      expect(sequence.filter((w) => w.fence === 2).length).toBeGreaterThanOrEqual(3);
      expect(await new RedisCheckpointStore(conn).get(KEY.graph)).toMatchObject({ version: sequence.length, fence: 2 });
      console.log(
        `lease failover (SIGSTOP, api graph): lease ttl ${TTL_MS} ms; takeover ${taken.at! - stoppedAt} ms after the stop on Redis's clock; ` +
          `the resumed holder ended with LeaseLostError (fence 1) and wrote nothing; ${sequence.length} checkpoint versions ` +
          `(${sequence.filter((w) => w.fence === 1).length} under fence 1); ${figures.changes} changes; ${figures.items} versions delivered of ${figures.versions} incident versions the tenant produced.`,
      );
    } finally {
      conn.destroy();
      await sim.close();
    }
  }, 300_000);
});
