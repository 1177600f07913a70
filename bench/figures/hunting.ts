/**
 * Figures 2 and 2b: a 100,000-row × 10-column hunting result (about 40 MB of JSON).
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
import { collectGarbage, comparePaired, formatMb, formatMs, summarize, type Summary } from '../stats.js';
import { formatRatio, notMeasured, type Row } from '../table.js';

/** Rows in the result (the service's cap). */
export const HUNTING_ROWS = 100_000;
const QUERY = 'DeviceProcessEvents | take 100000';
const CHILD = fileURLToPath(new URL('../hunting-child.mjs', import.meta.url));

type Variant = 'fetch' | 'sdk' | 'stream';
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
  let sdkRows = 0;
  let baselineRows = 0;
  const sdk = async () => {
    sdkRows = (await client.advancedHunting.run(QUERY)).rows.length;
  };
  const baseline = async () => {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ Query: QUERY }) });
    baselineRows = ((await res.json()) as { Results: unknown[] }).Results.length;
  };
  const sampling = ctx.quick ? { warmup: 1, samples: 4, gcBetween: true } : { warmup: 2, samples: 10, gcBetween: true };
  ctx.log(`  2: timing run() vs fetch (${sampling.samples} samples each)`);
  const time = await comparePaired(sdk, baseline, sampling);
  if (sdkRows !== HUNTING_ROWS || baselineRows !== HUNTING_ROWS) throw new Error(`expected ${HUNTING_ROWS} rows, got SDK ${sdkRows} / fetch ${baselineRows}`);
  const rows: Row[] = [
    {
      figure: '2 hunting 100k rows: time',
      sdk: formatMs(time.subject),
      baseline: formatMs(time.baseline),
      ratio: formatRatio(time.ratio),
      target: '≤ 1.30×',
      verdict: time.ratio <= 1.3 ? 'pass' : 'FAIL',
    },
  ];

  const stream = streamOf(client);
  let streamTime: Awaited<ReturnType<typeof comparePaired>> | undefined;
  if (stream) {
    let streamed = 0;
    const consume = async () => {
      streamed = 0;
      for await (const row of stream(QUERY)) if (row) streamed++;
    };
    ctx.log(`  2b: timing stream() vs fetch (${sampling.samples} samples each)`);
    streamTime = await comparePaired(consume, baseline, sampling);
    if (streamed !== HUNTING_ROWS) throw new Error(`stream() yielded ${streamed} rows, not ${HUNTING_ROWS}`);
  }
  collectGarbage();

  const runs = ctx.quick ? 2 : 4;
  let memory: Map<Variant, Summary> | undefined;
  let memoryProblem: string | undefined;
  if (!ctx.dist.ok) {
    memoryProblem = `needs a build (${ctx.dist.note})`;
  } else {
    const variants: Variant[] = stream ? ['fetch', 'sdk', 'stream'] : ['fetch', 'sdk'];
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
    const base = memory.get('fetch')!;
    const ratio = subject.median / base.median;
    return { figure, sdk: formatMb(subject), baseline: formatMb(base), ratio: formatRatio(ratio), target: `≤ ${target.toFixed(2)}×`, verdict: ratio <= target ? 'pass' : 'FAIL' };
  };
  rows.push(memoryRow('2 hunting 100k rows: peak RSS', 'sdk', 1.2));

  if (!stream || !streamTime) {
    rows.push(notMeasured('2b stream() 100k rows', 'stream() — not implemented yet', 'time ≤ 1.50×, RSS ≤ 0.50×'));
  } else {
    rows.push({
      figure: '2b stream() 100k rows: time',
      sdk: formatMs(streamTime.subject),
      baseline: formatMs(streamTime.baseline),
      ratio: formatRatio(streamTime.ratio),
      target: '≤ 1.50×',
      verdict: streamTime.ratio <= 1.5 ? 'pass' : 'FAIL',
    });
    rows.push(memoryRow('2b stream() 100k rows: peak RSS', 'stream', 0.5));
  }
  return rows;
}
