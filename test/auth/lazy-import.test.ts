/**
 * Importing the auth module must not load @azure/identity, @azure/keyvault-secrets or node-forge:
 * they load on the first getToken. Checked in a fresh Node process on an esbuild bundle of
 * src/auth, with a module hook that refuses those packages.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'm365d-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hook = `
export async function resolve(specifier, context, next) {
  if (/^(@azure\\/identity|@azure\\/keyvault-secrets|node-forge)$/.test(specifier)) {
    throw new Error('LOADED ' + specifier);
  }
  return next(specifier, context);
}`;

const main = `
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
register(pathToFileURL(process.argv[2]).href);
const auth = await import(pathToFileURL(process.argv[3]).href);
const cloud = { name: 'public', authorityHost: 'https://login.microsoftonline.com', apiBaseUrl: 'https://api.security.microsoft.com', scope: 'https://api.security.microsoft.com/.default', knownAuthority: true };
const results = { imported: Object.keys(auth).sort() };
const credential = auth.createCredential({ tenantId: '4f7d2c1e-9a3b-4c5d-8e6f-0a1b2c3d4e5f', clientId: '5e29463d-5d1a-4a5a-9c5e-3f8c4f0f5a11', clientSecret: 'secret-value-123' }, { cloud });
results.constructed = true;
try { await credential.getToken('https://api.security.microsoft.com/.default'); results.getToken = 'ok'; }
catch (e) { results.getToken = String(e.message); }
process.stdout.write(JSON.stringify(results));
`;

/** Bundles src/auth as one ESM file with every package left external (imported at run time, or not). */
function bundleAuth(outfile: string) {
  return build({
    entryPoints: [join(import.meta.dirname, '../../src/auth/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    outfile,
    logLevel: 'silent',
  });
}

describe('lazy loading', () => {
  it('importing and constructing loads none of @azure/identity, @azure/keyvault-secrets, node-forge; getToken does', async () => {
    const bundle = join(dir, 'auth.mjs');
    await bundleAuth(bundle);
    writeFileSync(join(dir, 'hook.mjs'), hook);
    writeFileSync(join(dir, 'main.mjs'), main);
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'main.mjs'), join(dir, 'hook.mjs'), bundle], { timeout: 15_000 });
    const results = JSON.parse(stdout) as { imported: string[]; constructed: boolean; getToken: string };
    expect(results.imported).toContain('createCredential');
    expect(results.constructed).toBe(true);
    expect(results.getToken).toContain('LOADED @azure/identity');
  });
});

const keyVaultMain = `
import { pathToFileURL } from 'node:url';
const auth = await import(pathToFileURL(process.argv[2]).href);
const cloud = { name: 'public', authorityHost: 'https://login.microsoftonline.com', apiBaseUrl: 'https://api.security.microsoft.com', scope: 'https://api.security.microsoft.com/.default', knownAuthority: true };
const vaultCredential = { getToken: async () => ({ token: 'vault-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
const credential = auth.createCredential({ tenantId: '4f7d2c1e-9a3b-4c5d-8e6f-0a1b2c3d4e5f', clientId: '5e29463d-5d1a-4a5a-9c5e-3f8c4f0f5a11', keyVault: { vaultUrl: 'https://contoso-kv.vault.azure.net', secretName: 'defender-app' }, vaultCredential }, { cloud });
try { await credential.getToken('https://api.security.microsoft.com/.default'); process.stdout.write('{}'); }
catch (e) { process.stdout.write(JSON.stringify({ name: e.name, message: e.message, option: e.option, cause: e.cause?.message })); }
`;

describe('@azure/keyvault-secrets, an optional peer dependency', () => {
  it('missing, a Key Vault credential fails with a CredentialError that says what to install', async () => {
    // The bundle runs from a folder with no node_modules: its packages are not installed there.
    const bundle = join(dir, 'auth-kv.mjs');
    await bundleAuth(bundle);
    writeFileSync(join(dir, 'kv-main.mjs'), keyVaultMain);
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'kv-main.mjs'), bundle], { timeout: 15_000 });
    const result = JSON.parse(stdout) as { name?: string; message?: string; option?: string; cause?: string };
    expect(result.name).toBe('CredentialError');
    expect(result.option).toBe('credential.keyVault');
    expect(result.message).toContain('npm install @azure/keyvault-secrets');
    expect(result.cause).toContain("'@azure/keyvault-secrets'");
  });
});
