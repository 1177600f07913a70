/**
 * Figure 5: what a user downloads and loads: `dist/index.js` gzipped (the ESM entry a bundler or
 * a serverless zip carries) and the packed tarball (`npm pack --dry-run`).
 * @packageDocumentation
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { BenchContext } from '../context.js';
import { notMeasured, type Row } from '../table.js';

const ESM_GZIP_BUDGET = 40 * 1024;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Measures figure 5. */
export async function packageSizeFigures(ctx: BenchContext): Promise<Row[]> {
  if (!ctx.dist.ok) return [notMeasured('5 package size', `needs a build (${ctx.dist.note})`, 'ESM entry ≤ 40 KB gzip')];
  const esm = readFileSync(ctx.dist.esmEntry);
  const cjs = readFileSync(ctx.dist.cjsEntry);
  const esmGzip = gzipSync(esm, { level: 9 }).length;
  const cjsGzip = gzipSync(cjs, { level: 9 }).length;
  const rows: Row[] = [
    {
      figure: '5 dist/index.js (ESM entry)',
      sdk: `${kb(esmGzip)} gzip (${kb(esm.length)} raw)`,
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
