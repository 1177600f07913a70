/**
 * Figure 1: one page of 100 realistic incidents on a warm client. The SDK's first `byPage()` page
 * (request, JSON parse, zod validation, mapping to the public model) against `fetch` +
 * `res.json()` with a bearer header.
 * @packageDocumentation
 */
import type { BenchContext } from '../context.js';
import { benchClient, countingCredential } from '../fixtures.js';
import { comparePaired, formatMs } from '../stats.js';
import { formatRatio, type Row } from '../table.js';

const TARGET = 1.25;

/** Measures figure 1. */
export async function incidentsPageFigure(ctx: BenchContext): Promise<Row> {
  const client = benchClient(ctx.server.url, countingCredential(ctx.token));
  const url = `${ctx.server.url}/api/incidents?$top=100&$skip=0`;
  const headers = { authorization: `Bearer ${ctx.token}`, accept: 'application/json' };
  let sdkCount = 0;
  let baselineCount = 0;
  const sdk = async () => {
    const page = await client.incidents.list({ pageSize: 100 }).byPage().next();
    if (page.done) throw new Error('the SDK returned no page');
    sdkCount = page.value.items.length;
  };
  const baseline = async () => {
    const res = await fetch(url, { headers });
    const body = (await res.json()) as { value: unknown[] };
    baselineCount = body.value.length;
  };
  const result = await comparePaired(sdk, baseline, ctx.quick ? { warmup: 10, samples: 40 } : { warmup: 30, samples: 150 });
  if (sdkCount !== 100 || baselineCount !== 100) throw new Error(`expected 100 incidents, got SDK ${sdkCount} / fetch ${baselineCount}`);
  return {
    figure: '1 incidents page, 100 incidents (warm)',
    sdk: formatMs(result.subject),
    baseline: formatMs(result.baseline),
    ratio: formatRatio(result.ratio),
    target: `≤ ${TARGET.toFixed(2)}×`,
    verdict: result.ratio <= TARGET ? 'pass' : 'FAIL',
  };
}
