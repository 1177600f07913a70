/**
 * Makes one CA for the end-to-end tests and makes every test worker trust it: Node reads
 * NODE_EXTRA_CA_CERTS when a process starts, and vitest forks its workers after global setup with
 * this process's environment (checked: the workers see the variable and load the file).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CA_CERT_FILE, loadOrCreateCertificateAuthority } from '../../src/testing/certs.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Newest modification time of the files under `path`. */
function newest(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * The m365d tests run the BUILT command line (dist/cli.js, with the SDK it loads from dist/): build
 * it when it is missing or older than the sources, so that `npm test` in a fresh clone works.
 */
function buildIfStale(): void {
  let built = 0;
  try {
    built = Math.min(statSync(join(root, 'dist/cli.js')).mtimeMs, statSync(join(root, 'dist/index.js')).mtimeMs);
  } catch {
    built = 0;
  }
  const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'tsup.config.ts')), newest(join(root, 'package.json')));
  if (built > sources) return;
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

export default async function setup(): Promise<() => Promise<void>> {
  buildIfStale();
  const dir = await mkdtemp(join(tmpdir(), 'm365d-e2e-ca-'));
  await loadOrCreateCertificateAuthority(dir);
  const saved = { ca: process.env.NODE_EXTRA_CA_CERTS, dir: process.env.M365D_E2E_CA_DIR };
  process.env.NODE_EXTRA_CA_CERTS = join(dir, CA_CERT_FILE);
  process.env.M365D_E2E_CA_DIR = dir;
  return async () => {
    if (saved.ca === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = saved.ca;
    if (saved.dir === undefined) delete process.env.M365D_E2E_CA_DIR;
    else process.env.M365D_E2E_CA_DIR = saved.dir;
    await rm(dir, { recursive: true, force: true });
  };
}
