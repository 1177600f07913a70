/**
 * Figure 4: cold start. How long a fresh `node` takes to import the built package (ESM) or
 * require it (CJS), over importing zod alone and over bare `node`, as the median over interleaved
 * rounds of the difference within each round (the spread is its p25–p75), and whether `@azure/identity` gets loaded
 * (it must not be: it costs ~300 ms and is needed only by the built-in credentials).
 * @packageDocumentation
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchContext } from '../context.js';
import { rotate, summarize, type Summary } from '../stats.js';
import { notMeasured, type Row } from '../table.js';

const BUDGET_MS = 50;

function time(root: string, args: readonly string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr.trim().split('\n').slice(-2).join(' ')}`);
  return ms;
}

/**
 * A `--import` module that registers a resolve hook writing every `@azure/*` module the process
 * resolves to `logPath`. Hooks do not see `require()` on Node 20, so CJS runs also list
 * `require.cache`.
 */
function azureTraceImport(logPath: string): string {
  const hook = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.includes('/node_modules/@azure/')) appendFileSync(${JSON.stringify(logPath)}, result.url + '\\n');
  return result;
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  return `data:text/javascript,${encodeURIComponent(register)}`;
}

/** Which `@azure/*` modules importing and requiring the package loads (empty: none). */
function azureModulesLoaded(ctx: BenchContext): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'm365d-bench-'));
  const log = join(dir, 'azure.log');
  try {
    const trace = azureTraceImport(log);
    const esm = `import(${JSON.stringify(pathToFileURL(ctx.dist.esmEntry).href)}).then(() => {})`;
    const cjs = `require(${JSON.stringify(ctx.dist.cjsEntry)});
const loaded = Object.keys(require.cache).filter((k) => k.includes('/node_modules/@azure/'));
if (loaded.length) require('node:fs').appendFileSync(${JSON.stringify(log)}, loaded.join('\\n') + '\\n');`;
    time(ctx.root, ['--import', trace, '-e', esm]);
    time(ctx.root, ['--import', trace, '-e', cjs]);
    let text = '';
    try {
      text = readFileSync(log, 'utf8');
    } catch {
      // no file: nothing from @azure was loaded
    }
    return [...new Set(text.split('\n').filter(Boolean).map((line) => /@azure\/[^/]+/.exec(line)?.[0] ?? line))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Times fresh `node` processes, one of each variant per round, the order rotating from round to
 * round. Returns each variant's wall-clock samples, aligned by round, so that a figure can take
 * the difference between two variants within each round: load that slows one round slows both
 * sides of its difference alike.
 */
export function coldStartRounds<K extends string>(root: string, variants: Readonly<Record<K, readonly string[]>>, rounds: number): Record<K, number[]> {
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (const name of names) time(root, variants[name]); // warm the file cache
  for (let round = 0; round < rounds; round++) {
    const order = rotate(names, round);
    const timed = Object.fromEntries((round % 2 === 0 ? order : order.reverse()).map((name) => [name, time(root, variants[name])])) as Record<K, number>;
    for (const name of names) samples[name].push(timed[name]);
  }
  return samples;
}

/** The median and quartiles over rounds of `a − b` within each round. */
export function roundDifferences(a: readonly number[], b: readonly number[]): Summary {
  return summarize(a.map((value, i) => value - b[i]!));
}

/** `+37 ms (+31…+44)`: a median difference and its p25–p75 over rounds. */
export function formatExtra(extra: Summary): string {
  const f = (ms: number) => `${ms >= 0 ? '+' : ''}${ms.toFixed(0)}`;
  return `${f(extra.median)} ms (${f(extra.p25)}…${f(extra.p75)})`;
}

/** Rounds of figure 4 and of the peers' import row: enough that a loaded machine cannot flip the median. */
export const coldStartRoundCount = (quick: boolean): number => (quick ? 9 : 25);

/** Measures figure 4. */
export async function coldStartFigures(ctx: BenchContext): Promise<Row[]> {
  if (!ctx.dist.ok) {
    return [notMeasured('4 cold start', `needs a build (${ctx.dist.note})`, `≤ +${BUDGET_MS} ms`)];
  }
  const variants = {
    sdkEsm: ['-e', `import(${JSON.stringify(pathToFileURL(ctx.dist.esmEntry).href)}).then(() => {})`],
    zodEsm: ['-e', `import('zod').then(() => {})`],
    sdkCjs: ['-e', `require(${JSON.stringify(ctx.dist.cjsEntry)})`],
    zodCjs: ['-e', `require('zod')`],
    node: ['-e', '0'],
  } as const;
  const rounds = coldStartRoundCount(ctx.quick);
  ctx.log(`  ${rounds} interleaved rounds of ${Object.keys(variants).length} fresh node processes`);
  const samples = coldStartRounds(ctx.root, variants, rounds);
  const f = (x: Summary) => `${x.median.toFixed(0)} ms (${x.p25.toFixed(0)}–${x.p75.toFixed(0)})`;
  const s = (name: keyof typeof variants) => summarize(samples[name]);
  const azure = azureModulesLoaded(ctx);
  const row = (figure: string, sdk: 'sdkEsm' | 'sdkCjs', zod: 'zodEsm' | 'zodCjs', zodName: string): Row => {
    const extra = roundDifferences(samples[sdk], samples[zod]);
    const overNode = roundDifferences(samples[sdk], samples.node);
    const zodOverNode = roundDifferences(samples[zod], samples.node);
    return {
      figure,
      sdk: `${f(s(sdk))}; over bare node ${formatExtra(overNode)}`,
      baseline: `${f(s(zod))} ${zodName}; over bare node ${formatExtra(zodOverNode)}`,
      ratio: formatExtra(extra),
      target: `≤ +${BUDGET_MS} ms over zod`,
      verdict: extra.median <= BUDGET_MS ? 'pass' : 'FAIL',
    };
  };
  return [
    row('4 cold start: import (ESM)', 'sdkEsm', 'zodEsm', "import('zod')"),
    row('4 cold start: require (CJS)', 'sdkCjs', 'zodCjs', "require('zod')"),
    {
      figure: '4 @azure/identity loaded on import?',
      sdk: azure.length === 0 ? 'no @azure/* module loaded (ESM and CJS)' : `loaded: ${azure.join(', ')}`,
      baseline: `bare node: ${f(s('node'))}`,
      ratio: '—',
      target: 'not loaded',
      verdict: azure.length === 0 ? 'pass' : 'FAIL',
    },
  ];
}
