import { startServer } from '../support/harness.js';
import { inspect } from 'node:util';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { createCredential } from '../../src/auth/index.js';
import { resolveCloud } from '../../src/clouds.js';
import { AuthenticationError, CredentialError } from '../../src/errors.js';
import { makeTestCertificate } from '../support/certs.js';
import { FakeEntra } from '../support/entra.js';
import { FakeVault } from './fake-vault.js';
import { expectNoSecrets, keyLines } from './leak.js';

const TENANT = '4f7d2c1e-9a3b-4c5d-8e6f-0a1b2c3d4e5f';
const APP = '11111111-2222-4333-8444-555555555555';
const DEFENDER = 'https://api.security.microsoft.com';
const SCOPE = `${DEFENDER}/.default`;
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const SECRET_V1 = 'Kv1Q~first-secret-value-from-the-vault-0001';
const SECRET_V2 = 'Kv2Q~second-secret-value-after-rotation-02';

const cert = makeTestCertificate({ commonName: 'kv-app' });
const cloud = resolveCloud('public');

const server = startServer();

function setup() {
  const entra = new FakeEntra({
    tenantId: TENANT,
    apps: [{ clientId: APP, clientSecret: SECRET_V1, certificatePem: cert.certPem, roles: { [DEFENDER]: ['Incident.Read.All'] } }],
  });
  const vault = new FakeVault('contoso-kv', TENANT);
  server.use(...entra.handlers(), ...vault.handlers());
  return { entra, vault };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('Key Vault credential', () => {
  it('reads the client secret through the vault challenge and uses it at the token endpoint', async () => {
    const { entra, vault } = setup();
    vault.secrets.set('defender-app-secret', { value: SECRET_V1 });
    const vaultCredential = vault.credential();
    const credential = createCredential(
      { tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, secretName: 'defender-app-secret' }, vaultCredential },
      { cloud },
    );
    const token = await credential.getToken(SCOPE);
    expect(token?.token).toBe(entra.issuedTokens[0]);
    // The challenge: first request without Authorization → 401 + WWW-Authenticate; then the bearer token.
    expect(vault.requests.map((r) => [r.authorization, r.status])).toEqual([
      [null, 401],
      [`Bearer ${vault.acceptedToken}`, 200],
    ]);
    expect(vaultCredential.calls).toEqual([{ scopes: ['https://vault.azure.net/.default'], tenantId: TENANT }]);
    expect(entra.tokenRequests[0]!.form).toMatchObject({ client_id: APP, client_secret: SECRET_V1, scope: SCOPE });
  });

  it('keeps the value read for the token lifetime: a second scope needs no second vault read', async () => {
    const { entra, vault } = setup();
    vault.secrets.set('app-secret', { value: SECRET_V1 });
    const credential = createCredential(
      { tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, secretName: 'app-secret' }, vaultCredential: vault.credential() },
      { cloud },
    );
    await credential.getToken(SCOPE);
    await credential.getToken(GRAPH_SCOPE);
    expect(entra.tokenRequests).toHaveLength(2);
    expect(vault.requests.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('reads the value again once when the token endpoint rejects it (a rotated secret), then succeeds', async () => {
    const { entra, vault } = setup();
    vault.secrets.set('app-secret', { value: SECRET_V1 });
    const credential = createCredential(
      { tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, secretName: 'app-secret' }, vaultCredential: vault.credential() },
      { cloud },
    );
    await credential.getToken(SCOPE);
    // Rotation: the app now only accepts the new secret, and the vault holds it.
    entra.app(APP).clientSecret = SECRET_V2;
    vault.secrets.set('app-secret', { value: SECRET_V2 });
    const token = await credential.getToken(GRAPH_SCOPE);
    expect(token?.token).toBe(entra.issuedTokens[1]);
    expect(entra.tokenRequests.map((r) => [r.form.client_secret, r.status])).toEqual([
      [SECRET_V1, 200],
      [SECRET_V1, 401],
      [SECRET_V2, 200],
    ]);
    expect(vault.requests.filter((r) => r.status === 200)).toHaveLength(2);
  });

  it('when the vault still holds the rejected value, throws the AuthenticationError after one re-read, without the secret', async () => {
    const { entra, vault } = setup();
    vault.secrets.set('app-secret', { value: SECRET_V1 });
    const credential = createCredential(
      { tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, secretName: 'app-secret' }, vaultCredential: vault.credential() },
      { cloud },
    );
    await credential.getToken(SCOPE);
    entra.app(APP).clientSecret = SECRET_V2;
    const error = (await rejection(credential.getToken(GRAPH_SCOPE))) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe('AADSTS7000215');
    expect(error.message).toContain(`Key Vault ${vault.url} secret "app-secret"`);
    expect(entra.tokenRequests).toHaveLength(2);
    expect(vault.requests.filter((r) => r.status === 200)).toHaveLength(2);
    expectNoSecrets(error, [SECRET_V1, SECRET_V2, vault.acceptedToken]);
  });

  it('reads a PEM certificate (application/x-pem-file) and signs a verified client assertion', async () => {
    const { entra, vault } = setup();
    vault.secrets.set('app-cert', { value: cert.pem, contentType: 'application/x-pem-file' });
    const credential = createCredential(
      { tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, certificateName: 'app-cert' }, vaultCredential: vault.credential() },
      { cloud },
    );
    await credential.getToken(SCOPE);
    expect(entra.tokenRequests[0]).toMatchObject({ grant: 'assertion', status: 200 });
    expect(entra.tokenRequests[0]!.assertion?.header['x5t#S256']).toBe(cert.x5tS256);
  });

  it('reads a PKCS#12 certificate (application/x-pkcs12, base64, no password) and signs a verified client assertion', async () => {
    const { entra, vault } = setup();
    vault.secrets.set('app-cert', { value: cert.pfxBase64(''), contentType: 'application/x-pkcs12' });
    const credential = createCredential(
      { tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, certificateName: 'app-cert' }, vaultCredential: vault.credential() },
      { cloud },
    );
    await credential.getToken(SCOPE);
    expect(entra.tokenRequests[0]).toMatchObject({ grant: 'assertion', status: 200 });
    expect(entra.tokenRequests[0]!.assertion?.header['x5t#S256']).toBe(cert.x5tS256);
  });

  it('a password-protected PKCS#12 is a CredentialError naming the certificate, without key material', async () => {
    const { entra, vault } = setup();
    const pfx = cert.pfxBase64('a-password');
    vault.secrets.set('app-cert', { value: pfx, contentType: 'application/x-pkcs12' });
    const credential = createCredential(
      { tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, certificateName: 'app-cert' }, vaultCredential: vault.credential() },
      { cloud },
    );
    const error = (await rejection(credential.getToken(SCOPE))) as CredentialError;
    expect(error).toBeInstanceOf(CredentialError);
    expect(error.option).toBe('credential.keyVault.certificateName');
    expect(error.message).toMatch(/password/);
    expect(error.message).toContain('app-cert');
    expect(entra.tokenRequests).toHaveLength(0);
    expectNoSecrets(error, [pfx.slice(100, 160), ...keyLines(cert.keyPem)]);
  });

  it('an unsupported content type is a CredentialError', async () => {
    const { vault } = setup();
    vault.secrets.set('app-cert', { value: 'hello', contentType: 'text/plain' });
    const credential = createCredential(
      { tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, certificateName: 'app-cert' }, vaultCredential: vault.credential() },
      { cloud },
    );
    const error = (await rejection(credential.getToken(SCOPE))) as CredentialError;
    expect(error).toBeInstanceOf(CredentialError);
    expect(error.option).toBe('credential.keyVault.certificateName');
    expect(error.message).toContain('text/plain');
  });

  it('a certificate in a secretName is reported as such', async () => {
    const { vault } = setup();
    vault.secrets.set('app-cert', { value: cert.pem, contentType: 'application/x-pem-file' });
    const credential = createCredential(
      { tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, secretName: 'app-cert' }, vaultCredential: vault.credential() },
      { cloud },
    );
    const error = (await rejection(credential.getToken(SCOPE))) as CredentialError;
    expect(error.option).toBe('credential.keyVault.secretName');
    expect(error.message).toMatch(/certificateName/);
    expectNoSecrets(error, keyLines(cert.keyPem));
  });

  it('403: CredentialError naming the vault, the secret, the identity (appid/oid) and the credential class', async () => {
    const { vault } = setup();
    vault.secrets.set('app-secret', { value: SECRET_V1 });
    vault.forbidden = { appId: 'aaaaaaaa-0000-4000-8000-000000000001', objectId: 'bbbbbbbb-0000-4000-8000-000000000002' };
    const credential = createCredential(
      { tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, secretName: 'app-secret' }, vaultCredential: vault.credential() },
      { cloud },
    );
    const error = (await rejection(credential.getToken(SCOPE))) as CredentialError;
    expect(error).toBeInstanceOf(CredentialError);
    expect(error.option).toBe('credential.vaultCredential');
    expect(error.message).toContain(vault.url);
    expect(error.message).toContain('"app-secret"');
    expect(error.message).toContain('appid=aaaaaaaa-0000-4000-8000-000000000001;oid=bbbbbbbb-0000-4000-8000-000000000002');
    expect(error.message).toContain('TestVaultCredential');
    expect(error.message).toMatch(/Key Vault Secrets User/);
    expectNoSecrets(error, [SECRET_V1, vault.acceptedToken]);
  });

  it('404: CredentialError naming the vault and the name', async () => {
    const { vault } = setup();
    const credential = createCredential(
      { tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, secretName: 'no-such-secret' }, vaultCredential: vault.credential() },
      { cloud },
    );
    const error = (await rejection(credential.getToken(SCOPE))) as CredentialError;
    expect(error).toBeInstanceOf(CredentialError);
    expect(error.option).toBe('credential.keyVault.secretName');
    expect(error.message).toContain(vault.url);
    expect(error.message).toContain('"no-such-secret"');
    expect(error.message).toContain('404');
    expectNoSecrets(error, [vault.acceptedToken]);
  });

  it('a failing vault credential is a CredentialError naming it, without what it leaked in its message', async () => {
    const { vault } = setup();
    const leaky = 'eyJhbGciOiJub25lIn0.eyJzZWNyZXQiOiJ4In0.c2lnbmF0dXJlLXZhbHVl';
    class BrokenCredential {
      async getToken(): Promise<never> {
        throw new Error(`cannot refresh ${leaky}`);
      }
    }
    const credential = createCredential(
      { tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, secretName: 'x' }, vaultCredential: new BrokenCredential() },
      { cloud },
    );
    const error = (await rejection(credential.getToken(SCOPE))) as CredentialError;
    expect(error).toBeInstanceOf(CredentialError);
    expect(error.message).toContain('BrokenCredential');
    expectNoSecrets(error, [leaky]);
  });

  it('defaults vaultCredential to ManagedIdentityCredential (App Service managed identity here)', async () => {
    const { entra, vault } = setup();
    vault.secrets.set('app-secret', { value: SECRET_V1 });
    const msiCalls: string[] = [];
    server.use(
      http.get('http://127.0.0.1:41999/msi/token', ({ request }) => {
        msiCalls.push(new URL(request.url).searchParams.get('resource') ?? '');
        return HttpResponse.json({
          access_token: vault.acceptedToken,
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource: 'https://vault.azure.net',
          token_type: 'Bearer',
        });
      }),
    );
    vi.stubEnv('IDENTITY_ENDPOINT', 'http://127.0.0.1:41999/msi/token');
    vi.stubEnv('IDENTITY_HEADER', 'test-identity-header');
    try {
      const credential = createCredential({ tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, secretName: 'app-secret' } }, { cloud });
      await credential.getToken(SCOPE);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(msiCalls).toEqual(['https://vault.azure.net']);
    expect(entra.tokenRequests[0]).toMatchObject({ status: 200 });
  });

  it('is safe to inspect and serialize', () => {
    const { vault } = setup();
    const credential = createCredential(
      { tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: vault.url, secretName: 'app-secret' }, vaultCredential: vault.credential() },
      { cloud },
    );
    const shown = `${inspect(credential, { showHidden: true })} ${JSON.stringify(credential)}`;
    expect(shown).toContain('app-secret');
    expect(shown).toContain(vault.url);
    expect(shown).not.toContain(vault.acceptedToken);
  });
});
