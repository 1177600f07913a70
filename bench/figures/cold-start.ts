/**
 * Figure 4: cold start. How long a fresh `node` takes to import the built package (ESM) or
 * require it (CJS), against importing zod alone, and whether `@azure/identity` gets loaded
 * (it must not be: it costs ~300 ms and is needed only by the built-in credentials).
 * @packageDocumentation
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchContext } from '../context.js';
import { summarize, type Summary } from '../stats.js';
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
  type Name = keyof typeof variants;
  const names = Object.keys(variants) as Name[];
  const runs = ctx.quick ? 7 : 15;
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Name, number[]>;
  for (const name of names) time(ctx.root, variants[name]); // warm the file cache
  for (let i = 0; i < runs; i++) {
    for (const name of i % 2 === 0 ? names : [...names].reverse()) samples[name].push(time(ctx.root, variants[name]));
  }
  const s = Object.fromEntries(names.map((n) => [n, summarize(samples[n])])) as Record<Name, Summary>;
  const f = (x: Summary) => `${x.median.toFixed(0)} ms (${x.p25.toFixed(0)}–${x.p75.toFixed(0)})`;
  const azure = azureModulesLoaded(ctx);
  const row = (figure: string, sdk: Summary, base: Summary, baseName: string): Row => {
    const extra = sdk.median - base.median;
    return {
      figure,
      sdk: f(sdk),
      baseline: `${f(base)} ${baseName}`,
      ratio: `${extra >= 0 ? '+' : ''}${extra.toFixed(0)} ms`,
      target: `≤ +${BUDGET_MS} ms`,
      verdict: extra <= BUDGET_MS ? 'pass' : 'FAIL',
    };
  };
  return [
    row('4 cold start: import (ESM)', s.sdkEsm, s.zodEsm, "import('zod')"),
    row('4 cold start: require (CJS)', s.sdkCjs, s.zodCjs, "require('zod')"),
    {
      figure: '4 @azure/identity loaded on import?',
      sdk: azure.length === 0 ? 'no @azure/* module loaded (ESM and CJS)' : `loaded: ${azure.join(', ')}`,
      baseline: `bare node: ${f(s.node)}`,
      ratio: '—',
      target: 'not loaded',
      verdict: azure.length === 0 ? 'pass' : 'FAIL',
    },
  ];
}
