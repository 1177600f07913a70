/**
 * Figure 3: 1,000 concurrent calls on a cold client must share exactly one token request. The
 * credential takes 50 ms to answer, so every call arrives while the first refresh is in flight.
 * @packageDocumentation
 */
import type { BenchContext } from '../context.js';
import { benchClient, countingCredential } from '../fixtures.js';
import type { Row } from '../table.js';

const CALLS = 1_000;

/** Measures figure 3. */
export async function tokenRequestsFigure(ctx: BenchContext): Promise<Row> {
  const credential = countingCredential(ctx.token, 50);
  const client = benchClient(ctx.server.url, credential);
  const before = ctx.server.counts.incident;
  const started = performance.now();
  const outcomes = await Promise.allSettled(Array.from({ length: CALLS }, (_, i) => client.incidents.get(String(1000 + i))));
  const ms = performance.now() - started;
  const failed = outcomes.filter((o) => o.status === 'rejected');
  const served = ctx.server.counts.incident - before;
  const firstError = failed[0]?.status === 'rejected' ? ` (first: ${String((failed[0] as PromiseRejectedResult).reason).slice(0, 80)})` : '';
  const ok = credential.calls === 1 && failed.length === 0 && served === CALLS;
  return {
    figure: '3 1,000 concurrent calls, cold client',
    sdk: `${credential.calls} token request${credential.calls === 1 ? '' : 's'}; ${CALLS - failed.length}/${CALLS} calls ok in ${ms.toFixed(0)} ms${firstError}`,
    baseline: '—',
    ratio: '—',
    target: 'exactly 1 token request',
    verdict: ok ? 'pass' : 'FAIL',
  };
}
