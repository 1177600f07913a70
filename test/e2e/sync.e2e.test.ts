/**
 * The change feed end to end, on both APIs, over real TLS: a tenant churning for simulated days
 * (thousands of creations, updates and merges; shared timestamps; late-indexed changes), and a
 * consumer run from a timer that crashes at seeded points (after handling a batch but before its
 * commit, in the middle of a batch, during a page fetch) and restarts from its FileCheckpointStore.
 * At the end, checked against the tenant's record of every version it made visible:
 *  (a) every version that stayed visible for a whole completed poll was written, and the latest
 *      version of every item was;
 *  (b) nothing was delivered that the tenant never produced;
 *  (c) nothing was delivered again after the batch that delivered it was committed.
 *
 * Nothing here depends on the machine's speed: the tenant's clock moves only when the test moves
 * it (a time scale of 1e-9, then `clock.advance`: the timer's interval, 15 simulated seconds for
 * every request the tenant answers, so that changes land between the pages of one read, and
 * 200 ms for every item the consumer writes), so the changes, the polls and the crash points
 * follow from the seeds alone: the figures printed are the same on every machine. The client's
 * own quota pacing is off: it paces by this machine's clock, which here does not move with the
 * tenant's, and would only slow the test down. The tenant's quotas stay on, counted in simulated
 * time, and the test checks the consumer, polling like a timer, never met one.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionError, FileCheckpointStore, ServerError, type Alert, type DefenderClient, type Incident, type SyncFeed } from '../../src/index.js';
import { prng } from '../../src/testing/data/random.js';
import { startSimulator, type Simulator } from '../../src/testing/index.js';
import { checkAgainstChurn, expectNothingLost } from '../support/churn-oracle.js';
import { envClient } from './support.js';

type Api = 'defender' | 'graph';
type Feed = 'incidents' | 'alerts';
type Item = Incident | Alert;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Simulated time each request to the tenant takes. */
const REQUEST_MS = 15_000;
/** Simulated time the consumer takes to write one item. */
const WRITE_MS = 200;

interface Scenario {
  feed: Feed;
  days: number;
  perMinute: number;
  seed: number;
}

/** A thrown "crash" of the consumer (its process dying). */
class Crash extends Error {}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The identity of one version of a delivered item: what the tenant's record calls it. */
function versionKey(feed: Feed, item: Item): string {
  if (feed === 'incidents') return `incident:${item.id}@${(item as Incident).lastUpdateDateTime.getTime()}`;
  const alert = item as Alert;
  return `alert:${alert.id}@${(alert.lastUpdateDateTime ?? alert.createdDateTime)!.getTime()}`;
}

/** Runs a scenario on a simulator of its own: its tenant churns at `perMinute`; returns the figures and what the oracle found. */
async function runScenario(api: Api, scenario: Scenario) {
  const { perMinute, seed } = scenario;
  const dir = await mkdtemp(join(tmpdir(), 'm365d-sync-e2e-'));
  dirs.push(dir);
  const checkpointFile = join(dir, 'checkpoint.json');
  const startTime = Date.now();
  let moving = true;
  let throttled = 0;
  let sim: Simulator | undefined;
  sim = await startSimulator({
    caDir: process.env.M365D_E2E_CA_DIR!,
    seed,
    incidents: 200,
    huntingRows: 0,
    startTime,
    timeScale: 1e-9,
    churn: { perMinute, lateMs: 4 * MINUTE, lateShare: 0.15, sameTimestampShare: 0.1, createShare: 0.2, mergeShare: 0.03 },
    onRequest: (line) => {
      if (line.status === 429) throttled += 1;
      if (moving) sim?.tenant.clock.advance(REQUEST_MS);
    },
  });
  try {
    return await consume(api, scenario, sim, checkpointFile, startTime, () => (moving = false), () => throttled);
  } finally {
    await sim.close();
  }
}

/** The consumer's life against a running simulator, and the oracle at the end. */
async function consume(api: Api, { feed, days, seed }: Scenario, sim: Simulator, checkpointFile: string, startTime: number, stopClock: () => void, throttled: () => number) {
  const { tenant } = sim;
  const churn = tenant.churn!;
  const listRoute = api === 'defender' ? 'defender.listIncidents' : feed === 'incidents' ? 'graph.listIncidents' : 'graph.listAlerts';
  const newClient = (): DefenderClient =>
    envClient(sim, { DEFENDER_API: api }, { maxRetries: 0, rateLimit: { limits: { incidents: [], alerts: [] } }, silenceDeprecationWarnings: true });
  const random = prng(seed * 7 + (api === 'graph' ? 1 : 0));
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

  const figures = {
    changes: 0, polls: 0, completedPolls: 0, batches: 0, items: 0, duplicatesSkipped: 0, redeliveries: 0, pages: 0, windowsSplit: 0,
    commits: 0, crashes: { afterHandling: 0, break: 0, midBatch: 0, pageFetch: 0 }, largestCheckpoint: 0,
  };
  const delivered = new Set<string>();
  const committed = new Set<string>();
  const written = new Set<string>();
  const violations: string[] = [];
  const completed: { start: number; end: number }[] = [];
  let client = newClient();

  /** One run of the consumer, as a timer starts it; `crashes` decides whether and where it dies. */
  async function poll(crashes: boolean): Promise<number> {
    figures.polls += 1;
    const plan = crashes && random() < 0.3 ? (['afterHandling', 'break', 'midBatch', 'pageFetch'] as const)[int(0, 3)] : undefined;
    const crashAt = plan === 'pageFetch' ? int(-1, 2) : int(0, 2);
    if (plan === 'pageFetch' && crashAt === -1) tenant.faults.add(listRoute, random() < 0.5 ? { status: 500 } : { network: { kind: 'reset' } });
    const started = tenant.clock.now();
    // The simulated clock runs days ahead of this machine's: items stamped up to a month ahead are real.
    const options = { checkpoint: new FileCheckpointStore(checkpointFile), start: new Date(startTime - 31 * DAY), batchSize: 40, maxWindowItems: 300, maxClockSkewMs: 31 * DAY };
    const run: SyncFeed<Item> = feed === 'incidents' ? client.incidents.sync(options) : client.alerts.sync(options);
    let handedOver: string[] | undefined;
    let items = 0;
    let stopped = false;
    const commit = (keys: string[]) => {
      for (const key of keys) committed.add(key);
      figures.commits += 1;
    };
    try {
      let index = 0;
      for await (const batch of run) {
        // Asking for this batch committed the one before.
        if (handedOver) commit(handedOver);
        const keys = batch.items.map((item) => versionKey(feed, item));
        handedOver = keys;
        items += keys.length;
        for (const key of keys) {
          if (committed.has(key)) violations.push(key);
          else if (delivered.has(key)) figures.redeliveries += 1;
          delivered.add(key);
        }
        for (const [i, key] of keys.entries()) {
          if (plan === 'midBatch' && index === crashAt && i === Math.floor(keys.length / 2)) throw new Crash('mid-batch');
          written.add(key);
          tenant.clock.advance(WRITE_MS);
        }
        if (plan === 'afterHandling' && index === crashAt) throw new Crash('after handling, before commit');
        if (plan === 'break' && index === crashAt) {
          figures.crashes.break += 1;
          handedOver = undefined;
          stopped = true;
          break;
        }
        if (plan === 'pageFetch' && index === crashAt) tenant.faults.add(listRoute, random() < 0.5 ? { status: 500 } : { network: { kind: 'reset' } });
        if (random() < 0.5) {
          await batch.commit();
          commit(keys);
          handedOver = undefined;
        }
        index += 1;
      }
      if (!stopped) {
        // The loop ended normally: the last batch was committed.
        if (handedOver) commit(handedOver);
        completed.push({ start: started, end: tenant.clock.now() });
        figures.completedPolls += 1;
      }
    } catch (error) {
      if (error instanceof Crash) {
        figures.crashes[plan === 'midBatch' ? 'midBatch' : 'afterHandling'] += 1;
      } else if (error instanceof ServerError || error instanceof ConnectionError) {
        // The page failed after the consumer asked for more, which committed the batch before.
        if (handedOver) commit(handedOver);
        figures.crashes.pageFetch += 1;
      } else {
        throw error;
      }
      client = newClient(); // the process restarts
    } finally {
      figures.largestCheckpoint = Math.max(figures.largestCheckpoint, (await stat(checkpointFile).catch(() => ({ size: 0 }))).size);
      figures.batches += run.stats.batches;
      figures.items += run.stats.items;
      figures.duplicatesSkipped += run.stats.duplicatesSkipped;
      figures.pages += run.stats.pages;
      figures.windowsSplit += run.stats.windowsSplit;
    }
    return items;
  }

  // The timer: every 5 to 45 simulated minutes, now and then after an outage of hours.
  const end = startTime + days * DAY;
  while (tenant.clock.now() < end) {
    tenant.clock.advance(random() < 0.03 ? int(2, 8) * HOUR : int(5, 45) * MINUTE);
    await poll(true);
  }
  // Catch up with the clock stopped, once the late changes are visible: no crash, nothing new at last.
  tenant.clock.advance(5 * MINUTE);
  tenant.faults.clear();
  stopClock();
  let rounds = 0;
  while ((await poll(false)) > 0) expect(++rounds).toBeLessThan(5);
  churn.apply();
  figures.changes = churn.stats.changes;

  // The oracle.
  const kind = feed === 'incidents' ? 'incident' : 'alert';
  const findings = checkAgainstChurn(churn.versions, kind, { delivered, written, completed });
  const versions = churn.versions.filter((version) => version.kind === kind);
  console.log(
    `sync e2e ${feed} on ${api}: ${days} simulated days, ${figures.changes} changes, ${versions.length} ${kind} versions (${findings.required} visible through a whole poll), ` +
      `${figures.polls} polls (${figures.completedPolls} completed), ${figures.batches} batches, ${figures.items} items, ${figures.commits} commits, ` +
      `${figures.duplicatesSkipped} duplicates skipped, ${figures.redeliveries} re-deliveries, crashes ${JSON.stringify(figures.crashes)}, ` +
      `${figures.pages} pages, ${figures.windowsSplit} windows split, ${throttled()} throttled, checkpoint at most ${figures.largestCheckpoint} bytes`,
  );
  return { figures, violations, findings, throttled: throttled(), required: findings.required };
}

/** What every run must show: nothing invented, lost or repeated after a commit, no 429, and the crashes it claims. */
function expectSound(result: Awaited<ReturnType<typeof runScenario>>): void {
  expectNothingLost(result.findings, result.violations);
  expect(result.throttled).toBe(0);
  // The run did what it claims: crashes of every kind, batches delivered again after them, windows narrowed.
  for (const count of Object.values(result.figures.crashes)) expect(count).toBeGreaterThan(0);
  expect(result.figures.redeliveries).toBeGreaterThan(0);
  expect(result.figures.windowsSplit).toBeGreaterThan(0);
}

describe.each<Api>(['defender', 'graph'])('the change feed on api %s, against a churning tenant, with a consumer that crashes', (api) => {
  // Its cost is counted, not timed: ~100 polls, ~115-160 list requests of up to 100 incidents over TLS, 4,000+ changes the
  // simulator makes and the oracle checks; nothing waits on a clock, so a busy box only stretches it (7-23 s at a load of
  // 6-9 on two cores, three days took 10-23 s; CI runs three Node versions on two cores at once): twice the e2e default.
  it('incidents.sync: over 2 simulated days and 4,000+ changes, loses no version, invents none, and repeats only uncommitted batches', { timeout: 120_000 }, async () => {
    // Two days hold every event the oracle needs (crashes of each kind, re-deliveries, windows split, late changes, merges).
    const result = await runScenario(api, { feed: 'incidents', days: 2, perMinute: 1.5, seed: 13 });
    const { figures } = result;
    expect(figures.changes).toBeGreaterThanOrEqual(4_000);
    expectSound(result);
    expect(figures.duplicatesSkipped).toBeGreaterThan(0);
    expect(result.required).toBeGreaterThan(2_000);
    // The checkpoint holds the watermark and the last overlap's hashes, not the thousands delivered.
    expect(figures.largestCheckpoint).toBeLessThan(2_048);
  });

  it('alerts.sync: over a simulated day, the same', async () => {
    const result = await runScenario(api, { feed: 'alerts', days: 1, perMinute: 2, seed: 17 });
    const { figures } = result;
    expect(figures.changes).toBeGreaterThanOrEqual(2_000);
    expectSound(result);
    // On the Defender API it also keeps the alerts read through their incidents until a complete poll settles them.
    expect(figures.largestCheckpoint).toBeLessThan(32_768);
  });
});
