/**
 * Builds the package from the current sources into a private folder
 * (`node_modules/.cache/m365d-bench/<checkout>/package/`, one per worktree), for the figures that load it as users do (cold
 * start, package size, the peak-memory children). Private, so that the bench never deletes or
 * half-writes the `dist/` other tools and people use; inside the repository, so that the build
 * resolves `zod` and `ky` from its `node_modules` like an installed package would.
 * @packageDocumentation
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import type { DistState } from './context.js';

const PACKAGE_FILES = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * Runs tsup (with the project's tsup.config.ts) into `outDir`. `fallback` builds only the main
 * entry and no types: what the figures need, when the full build fails on work in progress.
 */
function tsup(root: string, outDir: string, fallback: boolean): { ok: boolean; output: string } {
  const override = fallback ? ", dts: false, entry: { index: 'src/index.ts' }" : '';
  const script = `const { build } = await import('tsup'); await build({ outDir: ${JSON.stringify(outDir)}, silent: true${override} });`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}

const lastLines = (text: string) => {
  const errors = text.split('\n').filter((line) => /error/i.test(line));
  return (errors.length > 0 ? errors : text.split('\n')).slice(-2).join(' | ').trim();
};

/**
 * Builds the package from `src/` when the private build is missing or older than `src/`,
 * `tsup.config.ts` or `package.json`. Never throws: a failed build is reported in the state.
 */
export function ensureBuild(root: string, log: (message: string) => void): DistState {
  // One folder per checkout: worktrees share node_modules (a symlink), and one worktree's bench
  // must never measure, or delete under a running bench, another worktree's build.
  const checkout = `${basename(root)}-${createHash('sha256').update(realpathSync(root)).digest('hex').slice(0, 8)}`;
  const packageDir = join(root, 'node_modules', '.cache', 'm365d-bench', checkout, 'package');
  const outDir = join(packageDir, 'dist');
  const stamp = join(packageDir, '.built');
  const state = { packageDir, esmEntry: join(outDir, 'index.js'), cjsEntry: join(outDir, 'index.cjs') };
  const sources = Math.max(
    newestMtime(join(root, 'src')),
    ...['tsup.config.ts', ...PACKAGE_FILES].map((file) => newestMtime(join(root, file))),
  );
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources && existsSync(state.esmEntry) && existsSync(state.cjsEntry)) {
    return { ...state, ok: true, withTypes: existsSync(join(outDir, 'index.d.ts')), note: 'build of src/ up to date' };
  }

  log('building the package from src/ (tsup, into node_modules/.cache/m365d-bench) …');
  const started = performance.now();
  rmSync(packageDir, { recursive: true, force: true });
  mkdirSync(packageDir, { recursive: true });
  for (const file of PACKAGE_FILES) if (existsSync(join(root, file))) copyFileSync(join(root, file), join(packageDir, file));
  let withTypes = true;
  let build = tsup(root, outDir, false);
  if (!build.ok) {
    log(`  the full build failed (${lastLines(build.output)}); building the main entry's JavaScript only`);
    withTypes = false;
    rmSync(outDir, { recursive: true, force: true });
    build = tsup(root, outDir, true);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (!build.ok || !existsSync(state.esmEntry) || !existsSync(state.cjsEntry)) {
    log(`  build failed after ${seconds} s: ${lastLines(build.output)}`);
    return { ...state, ok: false, withTypes: false, note: 'the build of src/ failed' };
  }
  writeFileSync(stamp, new Date().toISOString());
  log(`  built in ${seconds} s${withTypes ? '' : ' (no .d.ts)'}`);
  return { ...state, ok: true, withTypes, note: `built from src/ in ${seconds} s${withTypes ? '' : ' (main entry only, no .d.ts: the full build failed)'}` };
}
