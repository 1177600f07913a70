/**
 * Figures 2 and 2b: a 100,000-row × 10-column hunting result (about 40 MB of JSON), against the
 * faster of the two raw calls (`res.text()` + `JSON.parse`, `res.json()`; see `raw.ts`).
 *
 * Time is measured in this process (warm client, alternating with the baseline). Peak memory is
 * measured in separate child processes, one per run and variant, so that one variant's heap
 * never inflates the other's: each child makes one call and reports `resourceUsage().maxRSS`.
 * @packageDocumentation
 */
import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext } from '../context.js';
import { benchClient, countingCredential } from '../fixtures.js';
import { rawBaseline, READ, type RawSide } from '../raw.js';
import { collectGarbage, compareMany, formatMb, formatMs, summarize, type Summary } from '../stats.js';
import { formatRatio, notMeasured, type Row } from '../table.js';

/** Rows in the result (the service's cap). */
export const HUNTING_ROWS = 100_000;
const QUERY = 'DeviceProcessEvents | take 100000';
const CHILD = fileURLToPath(new URL('../hunting-child.mjs', import.meta.url));

/** Targets against the faster raw call (issue 18: `stream()` ≤ 1.2× the time at ≤ 0.5× the peak RSS). */
const RUN_TIME_TARGET = 1.3;
const RUN_RSS_TARGET = 1.2;
const STREAM_TIME_TARGET = 1.2;
const STREAM_RSS_TARGET = 0.5;

/** `fetch`: `res.json()`; `text`: `res.text()` + `JSON.parse`; `sdk`: `run()`; `stream`: `stream()`. */
type Variant = 'fetch' | 'text' | 'sdk' | 'stream';
interface ChildResult {
  variant: Variant;
  rows: number;
  ms: number;
  maxRssKb: number;
}

function runChild(ctx: BenchContext, variant: Variant): Promise<ChildResult> {
  const args = [CHILD, variant, ctx.server.url, pathToFileURL(ctx.dist.esmEntry).href, ctx.token];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${variant} child failed: ${(stderr || error.message).trim().split('\n').slice(-3).join(' ')}`));
      try {
        const result = JSON.parse(stdout.trim()) as ChildResult;
        if (result.rows !== HUNTING_ROWS) return reject(new Error(`${variant} child read ${result.rows} rows, not ${HUNTING_ROWS}`));
        resolve(result);
      } catch {
        reject(new Error(`${variant} child printed no result: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

/** Peak RSS of each variant over `runs` fresh processes each, interleaved. */
async function peakRss(ctx: BenchContext, variants: readonly Variant[], runs: number): Promise<Map<Variant, Summary>> {
  const samples = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) samples.get(variant)!.push((await runChild(ctx, variant)).maxRssKb);
  }
  return new Map([...samples].map(([variant, kb]) => [variant, summarize(kb)]));
}

/** The SDK's `stream()` when this build has it (issue 6, second part); feature-detected at run time. */
type StreamFn = (query: string) => AsyncIterable<unknown>;
function streamOf(client: unknown): StreamFn | undefined {
  const hunting = (client as { advancedHunting?: { stream?: unknown } }).advancedHunting;
  return typeof hunting?.stream === 'function' ? (hunting.stream as StreamFn).bind(hunting) : undefined;
}

/** Measures figures 2 (time, peak RSS) and 2b (stream, when present). */
export async function huntingFigures(ctx: BenchContext): Promise<Row[]> {
  const client = benchClient(ctx.server.url, countingCredential(ctx.token));
  const headers = { authorization: `Bearer ${ctx.token}`, accept: 'application/json', 'content-type': 'application/json' };
  const url = `${ctx.server.url}/api/advancedhunting/run`;
  const counts: Record<string, number> = {};
  const sdk = async () => {
    counts['sdk'] = (await client.advancedHunting.run(QUERY)).rows.length;
  };
  const raw = (side: RawSide) => async () => {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ Query: QUERY }) });
    counts[side] = ((await READ[side](res)) as { Results: unknown[] }).Results.length;
  };
  const stream = streamOf(client);
  const consume = async () => {
    let streamed = 0;
    for await (const row of stream!(QUERY)) if (row) streamed++;
    counts['stream'] = streamed;
  };
  const sampling = ctx.quick ? { warmup: 1, samples: 4, gcBetween: true } : { warmup: 2, samples: 10, gcBetween: true };
  ctx.log(`  2${stream ? ', 2b' : ''}: timing run()${stream ? ', stream()' : ''}, text+JSON.parse and res.json() (${sampling.samples} rounds)`);
  const sides: Record<string, () => Promise<void>> = { sdk, text: raw('text'), json: raw('json') };
  if (stream) sides['stream'] = consume;
  const time = await compareMany(sides, sampling);
  const wrong = Object.entries(counts).filter(([, n]) => n !== HUNTING_ROWS);
  if (wrong.length > 0) throw new Error(`expected ${HUNTING_ROWS} rows, got ${JSON.stringify(counts)}`);
  const base = rawBaseline(time['text']!, time['json']!);
  const timeRow = (figure: string, subject: Summary, target: number): Row => {
    const ratio = subject.median / base.summary.median;
    return { figure, sdk: formatMs(subject), baseline: base.cell, ratio: formatRatio(ratio), target: `≤ ${target.toFixed(2)}×`, verdict: ratio <= target ? 'pass' : 'FAIL' };
  };
  const rows: Row[] = [timeRow('2 hunting 100k rows: run() time', time['sdk']!, RUN_TIME_TARGET)];
  collectGarbage();

  const runs = ctx.quick ? 2 : 4;
  let memory: Map<Variant, Summary> | undefined;
  let memoryProblem: string | undefined;
  if (!ctx.dist.ok) {
    memoryProblem = `needs a build (${ctx.dist.note})`;
  } else {
    const variants: Variant[] = stream ? ['text', 'fetch', 'sdk', 'stream'] : ['text', 'fetch', 'sdk'];
    ctx.log(`  2: peak RSS in child processes (${runs} × ${variants.join(', ')})`);
    try {
      memory = await peakRss(ctx, variants, runs);
    } catch (error) {
      memoryProblem = error instanceof Error ? error.message : String(error);
    }
  }
  const memoryRow = (figure: string, variant: Variant, target: number): Row => {
    if (!memory) return notMeasured(figure, memoryProblem ?? 'not measured', `≤ ${target.toFixed(2)}×`);
    const subject = memory.get(variant)!;
    const text = memory.get('text')!;
    const json = memory.get('fetch')!;
    // Against the lower of the two raw calls' peaks.
    const base = text.median <= json.median ? text : json;
    const ratio = subject.median / base.median;
    const baseline = `${formatMb(text)} text+JSON.parse; res.json() ${formatMb(json)}`;
    return { figure, sdk: formatMb(subject), baseline, ratio: formatRatio(ratio), target: `≤ ${target.toFixed(2)}×`, verdict: ratio <= target ? 'pass' : 'FAIL' };
  };
  rows.push(memoryRow('2 hunting 100k rows: run() peak RSS', 'sdk', RUN_RSS_TARGET));

  if (!time['stream']) {
    rows.push(notMeasured('2b stream() 100k rows', 'stream() — not implemented yet', `time ≤ ${STREAM_TIME_TARGET.toFixed(2)}×, RSS ≤ ${STREAM_RSS_TARGET.toFixed(2)}×`));
  } else {
    rows.push(timeRow('2b stream() 100k rows: time', time['stream'], STREAM_TIME_TARGET));
    rows.push(memoryRow('2b stream() 100k rows: peak RSS', 'stream', STREAM_RSS_TARGET));
  }
  return rows;
}
