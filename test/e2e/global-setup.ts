/**
 * Makes one CA for the end-to-end tests and makes every test worker trust it: Node reads
 * NODE_EXTRA_CA_CERTS when a process starts, and vitest forks its workers after global setup with
 * this process's environment (checked: the workers see the variable and load the file).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CA_CERT_FILE, loadOrCreateCertificateAuthority } from '../../src/testing/certs.js';

export default async function setup(): Promise<() => Promise<void>> {
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
