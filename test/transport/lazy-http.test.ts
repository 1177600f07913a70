/**
 * Importing the SDK and constructing a client must not load ky: evaluating ky builds a `Request`,
 * which loads Node's fetch implementation, a large part of the import time (bench figure 4). It
 * loads on the first request. Checked in a fresh Node process on an esbuild bundle of src/index.ts,
 * with a module hook that records what the process resolves.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'm365d-lazy-http-'));
// The bundle leaves packages external: they resolve from the repository's node_modules.
symlinkSync(join(import.meta.dirname, '../../node_modules'), join(dir, 'node_modules'), 'dir');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const recordingHook = (log: string) => `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier === 'ky') appendFileSync(${JSON.stringify(log)}, 'ky\\n');
  return next(specifier, context);
}`;

const main = (log: string) => `
import { readFileSync, existsSync } from 'node:fs';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
register(pathToFileURL(process.argv[2]).href);
const loaded = () => existsSync(${JSON.stringify(log)}) && readFileSync(${JSON.stringify(log)}, 'utf8').includes('ky');
const sdk = await import(pathToFileURL(process.argv[3]).href);
const results = { afterImport: loaded() };
const client = new sdk.DefenderClient({
  credential: { getToken: async () => ({ token: 'a-token', expiresOnTimestamp: Date.now() + 3_600_000 }) },
  cloud: { authorityHost: 'https://login.microsoftonline.com', apiBaseUrl: 'http://127.0.0.1:9', scope: 'https://api.security.microsoft.com/.default' },
  maxRetries: 0,
  rateLimit: false,
});
results.afterConstruct = loaded();
try { await client.incidents.get('1'); } catch (e) { results.error = e.name; }
results.afterRequest = loaded();
process.stdout.write(JSON.stringify(results));
`;

describe('lazy loading of ky', () => {
  it('importing the SDK and constructing a client do not load ky; the first request does', async () => {
    const bundle = join(dir, 'sdk.mjs');
    const log = join(dir, 'resolved.log');
    await build({
      entryPoints: [join(import.meta.dirname, '../../src/index.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      outfile: bundle,
      logLevel: 'silent',
    });
    writeFileSync(join(dir, 'hook.mjs'), recordingHook(log));
    writeFileSync(join(dir, 'main.mjs'), main(log));
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'main.mjs'), join(dir, 'hook.mjs'), bundle], {
      timeout: 20_000,
    });
    const results = JSON.parse(stdout) as { afterImport: boolean; afterConstruct: boolean; afterRequest: boolean; error?: string };
    expect(results).toEqual({ afterImport: false, afterConstruct: false, afterRequest: true, error: 'ConnectionError' });
  });
});
