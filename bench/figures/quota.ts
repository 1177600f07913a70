/**
 * Figure 6: listing 3,000 incidents under the service's quota, against the theoretical minimum
 * (calls ÷ quota), with no 429 received. The fake tenant (`m365-defender/testing`) serves the
 * Defender API in process through msw, with its documented quotas (50 list calls a minute, 1,500
 * an hour) on a clock running `TIME_SCALE` times faster than real time; the client's pacer gets
 * the same windows divided by `TIME_SCALE`. A small `pageSize` makes the per-minute quota bind:
 * 3,000 incidents in pages of 10 are 300 calls, 6 simulated minutes, 6 real seconds.
 * @packageDocumentation
 */
import { setupServer } from 'msw/node';
import { DefenderClient } from '../../src/index.js';
import { createFakeTenant } from '../../src/testing/index.js';
import { handlers } from '../../src/testing/msw.js';
import type { BenchContext } from '../context.js';
import { formatRatio, type Row } from '../table.js';

const FIGURE = '6 list 3,000 incidents under quota';
const TARGET_RATIO = 1.1;
const TARGET = `≤ ${TARGET_RATIO.toFixed(2)}× min, 0 × 429`;

/** What the figure lists, and how. */
export interface QuotaRun {
  /** Incidents in the tenant, all listed. */
  incidents: number;
  /** Incidents per call (`pageSize`). */
  pageSize: number;
  /** Simulated seconds per real second. */
  timeScale: number;
}

/** What one run measured. */
export interface QuotaResult {
  /** Incidents the client listed. */
  listed: number;
  /** List calls the tenant answered (any status). */
  calls: number;
  /** How many of them were 429s. */
  tooManyRequests: number;
  /** Real milliseconds from the first call to the last page. */
  elapsedMs: number;
  /** The theoretical minimum: the calls the listing needs ÷ quota, in real milliseconds. */
  minimumMs: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** The service's quota of the incidents family (reference §3.2): the minute window binds here. */
const PER_MINUTE = 50;
const PER_HOUR = 1_500;

/** Lists every incident of a time-scaled fake tenant with a paced client, and counts calls and 429s. */
export async function measureQuotaRun(run: QuotaRun): Promise<QuotaResult> {
  const tenant = createFakeTenant({
    seed: 6,
    incidents: run.incidents,
    huntingRows: 10,
    timeScale: run.timeScale,
    // Tokens outlive the run (a short simulated lifetime would add token calls, not list calls).
    tokenLifetimeSeconds: 30 * 24 * 3600,
  });
  const server = setupServer(...handlers(tenant));
  server.listen({ onUnhandledFrame: 'bypass' });
  try {
    const client = new DefenderClient({
      credential: tenant.credential(),
      silenceDeprecationWarnings: true,
      rateLimit: {
        limits: {
          incidents: [
            { limit: PER_MINUTE, intervalMs: Math.round(MINUTE / run.timeScale) },
            { limit: PER_HOUR, intervalMs: Math.round(HOUR / run.timeScale) },
          ],
        },
      },
    });
    // The token first (and @azure/identity loaded): the figure is about list calls.
    await client.auth.inspect();
    const before = tenant.requests.length;
    const started = performance.now();
    let listed = 0;
    for await (const page of client.incidents.list({ pageSize: run.pageSize }).byPage()) listed += page.items.length;
    const elapsedMs = performance.now() - started;
    const lists = tenant.requests.slice(before).filter((request) => request.route === 'defender.listIncidents');
    const tooManyRequests = lists.filter((request) => request.status === 429).length;
    // The minimum counts the calls the listing needs, not the ones a 429 made it repeat.
    const needed = lists.length - tooManyRequests;
    return { listed, calls: lists.length, tooManyRequests, elapsedMs, minimumMs: (needed / PER_MINUTE) * (MINUTE / run.timeScale) };
  } finally {
    server.close();
  }
}

function row(figure: string, run: QuotaRun, result: QuotaResult, informative: boolean): Row {
  if (result.listed !== run.incidents) throw new Error(`listed ${result.listed} of ${run.incidents} incidents`);
  const ratio = result.elapsedMs / result.minimumMs;
  const met = ratio <= TARGET_RATIO && result.tooManyRequests === 0;
  return {
    figure,
    sdk: `${(result.elapsedMs / 1000).toFixed(2)} s for ${result.calls} calls of ${run.pageSize}; ${result.tooManyRequests} × 429 received`,
    baseline: `minimum ${(result.minimumMs / 1000).toFixed(2)} s (${result.calls - result.tooManyRequests} calls ÷ ${PER_MINUTE}/min, clock ×${run.timeScale})`,
    ratio: formatRatio(ratio),
    target: TARGET,
    verdict: informative ? 'info' : met ? 'pass' : 'FAIL',
  };
}

/** Measures figure 6: the client's own pacing (its windows carry a 1 % guard) against the tenant's quota. */
export async function quotaFigure(ctx: BenchContext): Promise<Row[]> {
  const run: QuotaRun = { incidents: 3_000, pageSize: 10, timeScale: 60 };
  const result = await measureQuotaRun(run);
  ctx.log(`  ${result.calls} calls in ${(result.elapsedMs / 1000).toFixed(2)} s, ${result.tooManyRequests} × 429`);
  return [row(FIGURE, run, result, false)];
}
