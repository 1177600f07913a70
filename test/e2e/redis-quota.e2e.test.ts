/**
 * One app's quota shared by four worker processes through Redis, against one simulator whose
 * `incidents.get` quota is small (30 a simulated minute, at a time scale of 6: a minute is ten
 * seconds). Each worker sends as fast as its pacer lets it. With RedisQuotaStore the four pace as
 * one: no 429, and the tenant's throughput is at least 0.9 of the quota.
 * With memory only (each worker counts alone) the same run meets 429s.
 *
 * What is counted is the simulator's record (status, and arrival on its simulated clock), not
 * this machine's speed: a slow machine sends later, not more. The workers pace with a window 5%
 * longer than the tenant's (plus the pacer's own 1%): the gap between two processes' request
 * latencies, up to 600 ms here, must not make a call arrive early.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { useSimulator } from './support.js';

const TIME_SCALE = 6;
const LIMIT = 30;
const SIM_WINDOW_MS = 60_000;
/** The workers' window in real milliseconds: the tenant's, scaled, and 5% longer. */
const CLIENT_WINDOW_MS = Math.round((SIM_WINDOW_MS / TIME_SCALE) * 1.05);
const WORKERS = 4;
/** Four windows' worth in all: a first burst, then three windows paced. */
const CALLS_PER_WORKER = LIMIT;

const sim = useSimulator({ seed: 14, incidents: 5, timeScale: TIME_SCALE, quotas: { 'defender.incident.get': [{ limit: LIMIT, intervalMs: SIM_WINDOW_MS }] } });
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});

interface WorkerResult {
  ok: number;
  limited: number;
  failed: number;
}

/** Starts the workers, lets them all go at once when all are signed in, and collects their counts. */
async function runWorkers(where: string, id: string): Promise<WorkerResult[]> {
  const worker = fileURLToPath(new URL('../support/quota-worker.ts', import.meta.url));
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const children = Array.from({ length: WORKERS }, () =>
    spawn(process.execPath, ['--import', 'tsx', worker, where, id, String(CALLS_PER_WORKER), String(CLIENT_WINDOW_MS), String(LIMIT)], {
      cwd: root,
      env: { ...process.env, ...sim().env },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const lines = children.map((child) => createInterface({ input: child.stdout! })[Symbol.asyncIterator]());
  for (const next of lines) expect((await next.next()).value).toBe('ready');
  for (const child of children) child.stdin!.write('go\n');
  return await Promise.all(lines.map(async (next) => JSON.parse((await next.next()).value as string) as WorkerResult));
}

/** The simulator's record of the run's incident gets: how many got 429, and the successes' arrivals. */
function recordSince(before: number): { limited: number; arrivals: number[] } {
  const gets = sim()
    .tenant.requests.slice(before)
    .filter((r) => r.route === 'defender.getIncident');
  return { limited: gets.filter((r) => r.status === 429).length, arrivals: gets.filter((r) => r.status === 200).map((r) => r.at) };
}

describe('four processes of one app against one quota', () => {
  it('pace as one through RedisQuotaStore: no 429, throughput at least 0.9 of the quota; memory alone meets 429s', async () => {
    const id = String([...sim().tenant.incidents.keys()][0]);

    const start = sim().tenant.requests.length;
    const shared = await runWorkers(redis.url, id);
    const withRedis = recordSince(start);
    expect(shared).toEqual(Array.from({ length: WORKERS }, () => ({ ok: CALLS_PER_WORKER, limited: 0, failed: 0 })));
    expect(withRedis.limited).toBe(0);
    expect(withRedis.arrivals).toHaveLength(WORKERS * CALLS_PER_WORKER);
    // calls per simulated window over the run, its last window counted whole: under a sliding
    // window of LIMIT calls, N calls (a multiple of LIMIT) span at least (N / LIMIT - 1) windows, so
    // this is at most LIMIT, and exactly LIMIT for a run that wastes no slot
    const span = Math.max(...withRedis.arrivals) - Math.min(...withRedis.arrivals);
    const perWindow = (withRedis.arrivals.length / (span + SIM_WINDOW_MS)) * SIM_WINDOW_MS;

    const again = sim().tenant.requests.length;
    const alone = await runWorkers('memory', id);
    const withMemory = recordSince(again);
    console.log(
      `shared quota, ${WORKERS} processes, quota ${LIMIT} per simulated minute (time scale ${TIME_SCALE}): ` +
        `RedisQuotaStore: ${withRedis.limited} x 429, ${withRedis.arrivals.length} calls, ${perWindow.toFixed(1)} per simulated minute (${(perWindow / LIMIT).toFixed(2)} of the quota); ` +
        `memory only: ${withMemory.limited} x 429 of ${withMemory.limited + withMemory.arrivals.length} calls.`,
    );
    expect(perWindow).toBeGreaterThanOrEqual(0.9 * LIMIT);
    expect(perWindow).toBeLessThanOrEqual(LIMIT);
    expect(withMemory.limited).toBeGreaterThan(0);
    expect(alone.reduce((n, r) => n + r.limited, 0)).toBe(withMemory.limited);
  }, 300_000);
});
