/**
 * Figure 1: one page of 100 realistic incidents on a warm client. The SDK's first `byPage()` page
 * (request, JSON parse, zod validation, mapping to the public model) against the faster of the
 * two raw calls with a bearer header (`res.text()` + `JSON.parse`, `res.json()`; see `raw.ts`).
 * @packageDocumentation
 */
import type { BenchContext } from '../context.js';
import { benchClient, countingCredential } from '../fixtures.js';
import { rawBaseline, READ } from '../raw.js';
import { compareMany, formatMs } from '../stats.js';
import { formatRatio, type Row } from '../table.js';

const TARGET = 1.25;

/** Measures figure 1. */
export async function incidentsPageFigure(ctx: BenchContext): Promise<Row> {
  const client = benchClient(ctx.server.url, countingCredential(ctx.token));
  const url = `${ctx.server.url}/api/incidents?$top=100&$skip=0`;
  const headers = { authorization: `Bearer ${ctx.token}`, accept: 'application/json' };
  const counts = { sdk: 0, text: 0, json: 0 };
  const sdk = async () => {
    const page = await client.incidents.list({ pageSize: 100 }).byPage().next();
    if (page.done) throw new Error('the SDK returned no page');
    counts.sdk = page.value.items.length;
  };
  const raw = (side: 'text' | 'json') => async () => {
    const body = (await READ[side](await fetch(url, { headers }))) as { value: unknown[] };
    counts[side] = body.value.length;
  };
  const result = await compareMany({ sdk, text: raw('text'), json: raw('json') }, ctx.quick ? { warmup: 10, samples: 40 } : { warmup: 30, samples: 150 });
  if (counts.sdk !== 100 || counts.text !== 100 || counts.json !== 100) throw new Error(`expected 100 incidents, got ${JSON.stringify(counts)}`);
  const base = rawBaseline(result.text, result.json);
  const ratio = result.sdk.median / base.summary.median;
  return {
    figure: '1 incidents page, 100 incidents (warm)',
    sdk: formatMs(result.sdk),
    baseline: base.cell,
    ratio: formatRatio(ratio),
    target: `≤ ${TARGET.toFixed(2)}×`,
    verdict: ratio <= TARGET ? 'pass' : 'FAIL',
  };
}
