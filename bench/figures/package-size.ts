/**
 * Figure 5: what a user downloads and loads: `dist/index.js` gzipped (the ESM entry a bundler or
 * a serverless zip carries) and the packed tarball (`npm pack --dry-run`).
 * @packageDocumentation
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BenchContext } from '../context.js';
import { notMeasured, type Row } from '../table.js';

const ESM_GZIP_BUDGET = 40 * 1024;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * The files `import('m365-defender')` loads: the entry and, transitively, every chunk it imports
 * statically (tsup's code splitting puts code shared with the lazily imported credentials in
 * chunks). Chunks reached only through `import()` are left out: they load on first use.
 */
export function staticImportClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    // `import{a}from"./chunk-X.js"`, `import"./chunk-X.js"` and `export … from"./x.js"`, minified or not; never `import("./x.js")`.
    for (const match of code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.\.?\/[^"']+)["']/g)) visit(join(dirname(file), match[1]!));
  };
  visit(entry);
  return [...seen];
}

/** Measures figure 5. */
export async function packageSizeFigures(ctx: BenchContext): Promise<Row[]> {
  if (!ctx.dist.ok) return [notMeasured('5 package size', `needs a build (${ctx.dist.note})`, 'ESM entry ≤ 40 KB gzip')];
  // Each file gzipped on its own (as a CDN or a zip would), summed.
  const files = staticImportClosure(ctx.dist.esmEntry).map((file) => readFileSync(file));
  const esmRaw = files.reduce((sum, file) => sum + file.length, 0);
  const esmGzip = files.reduce((sum, file) => sum + gzipSync(file, { level: 9 }).length, 0);
  const cjs = readFileSync(ctx.dist.cjsEntry);
  const cjsGzip = gzipSync(cjs, { level: 9 }).length;
  const chunks = files.length - 1;
  const rows: Row[] = [
    {
      figure: '5 dist/index.js (ESM entry)',
      sdk: `${kb(esmGzip)} gzip (${kb(esmRaw)} raw${chunks > 0 ? `; index.js + ${chunks} chunk${chunks > 1 ? 's' : ''} it imports` : ''})`,
      baseline: `index.cjs: ${kb(cjsGzip)} gzip (${kb(cjs.length)} raw, ky bundled)`,
      ratio: '—',
      target: '≤ 40 KB gzip',
      verdict: esmGzip <= ESM_GZIP_BUDGET ? 'pass' : 'FAIL',
    },
  ];
  if (!ctx.dist.withTypes) {
    rows.push(notMeasured('5 packed tarball (npm pack)', 'the full build failed (work in progress in src/?): a partial tarball would mislead', 'report'));
    return rows;
  }
  // The private build's folder holds package.json, README, LICENSE, CHANGELOG and dist/ as
  // published; --ignore-scripts: pack the files as they are, without a prepack build.
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ctx.dist.packageDir, encoding: 'utf8' });
  try {
    if (pack.status !== 0) throw new Error(pack.stderr.trim().split('\n').slice(-1)[0] ?? 'npm pack failed');
    const [info] = JSON.parse(pack.stdout) as [{ size: number; unpackedSize: number; entryCount: number }];
    rows.push({
      figure: '5 packed tarball (npm pack)',
      sdk: `${kb(info.size)} packed, ${kb(info.unpackedSize)} unpacked, ${info.entryCount} files`,
      baseline: '—',
      ratio: '—',
      target: 'report',
      verdict: 'info',
    });
  } catch (error) {
    rows.push(notMeasured('5 packed tarball (npm pack)', `npm pack --dry-run failed: ${error instanceof Error ? error.message : String(error)}`, 'report'));
  }
  return rows;
}
