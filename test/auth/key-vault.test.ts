import { inspect } from 'node:util';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createCredential, type KeyVaultLocation } from '../../src/auth/index.js';
import { resolveCloud } from '../../src/clouds.js';
import { AuthenticationError, CredentialError } from '../../src/errors.js';
import { handlers } from '../../src/testing/msw.js';
import { EntraApi } from '../../src/testing/tenant/entra.js';
import { KeyVaultApi } from '../../src/testing/tenant/key-vault.js';
import type { AccessToken, GetTokenOptions, TokenCredential } from '../../src/types.js';
import { makeTestCertificate } from '../support/certs.js';
import { makeAccessToken } from '../support/jwt.js';
import { expectNoSecrets, keyLines } from '../support/leak.js';
import { authorizationsSentTo, startServer } from '../support/tenant.js';
import { rejection } from '../support/throws.js';

const TENANT = '4f7d2c1e-9a3b-4c5d-8e6f-0a1b2c3d4e5f';
const APP = '11111111-2222-4333-8444-555555555555';
const DEFENDER = 'https://api.security.microsoft.com';
const SCOPE = `${DEFENDER}/.default`;
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const VAULT = 'https://vault.azure.net';
const VAULT_URL = 'https://contoso-kv.vault.azure.net';
const SECRET_V1 = 'Kv1Q~first-secret-value-from-the-vault-0001';
const SECRET_V2 = 'Kv2Q~second-secret-value-after-rotation-02';
/** The identity that reads the vault (what a 403 of the vault names). */
const VAULT_READER = { appId: 'aaaaaaaa-0000-4000-8000-000000000001', objectId: 'bbbbbbbb-0000-4000-8000-000000000002' };

const cert = makeTestCertificate({ commonName: 'kv-app' });
const cloud = resolveCloud('public');

const server = startServer();

type VaultCredentialCall = { scopes: string | string[]; tenantId: string | undefined };

/** The bootstrap credential that reads the vault: one vault token of {@link VAULT_READER}, and the calls it was asked. */
function vaultReader(): { credential: TokenCredential & { calls: VaultCredentialCall[] }; token: string } {
  const token = makeAccessToken({ aud: VAULT, tid: TENANT, appid: VAULT_READER.appId, oid: VAULT_READER.objectId, exp: Math.floor(Date.now() / 1000) + 3600 });
  const calls: VaultCredentialCall[] = [];
  class TestVaultCredential implements TokenCredential {
    calls = calls;
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
      calls.push({ scopes, tenantId: options?.tenantId });
      return { token, expiresOnTimestamp: Date.now() + 3600_000 };
    }
  }
  return { credential: new TestVaultCredential(), token };
}

// The kit's Entra ID and Key Vault, each alone: they keep what they were sent (secrets included), and
// the app's secret can be rotated.
let entra: EntraApi;
let vault: KeyVaultApi;
let reader: ReturnType<typeof vaultReader>;
/** The Authorization header of each request to the vault, as sent. */
let vaultAuthorizations: Array<string | null>;

beforeEach(() => {
  entra = new EntraApi({
    tenantId: TENANT,
    apps: [{ clientId: APP, clientSecret: SECRET_V1, certificatePem: cert.certPem, roles: { [DEFENDER]: ['Incident.Read.All'] } }],
  });
  vault = new KeyVaultApi({ vaultUrl: VAULT_URL, tenantId: TENANT });
  reader = vaultReader();
  server.use(...handlers(entra), ...handlers(vault));
  vaultAuthorizations = authorizationsSentTo(server, `${VAULT_URL}/*`);
});

/** The app's credential reading `location` from the vault with the test's vault reader (or `vaultCredential`). */
function keyVaultCredential(location: Omit<KeyVaultLocation, 'vaultUrl'>, vaultCredential: TokenCredential = reader.credential): TokenCredential {
  return createCredential({ tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: VAULT_URL, ...location } as KeyVaultLocation, vaultCredential }, { cloud });
}

describe('Key Vault credential', () => {
  it('reads the client secret through the vault challenge and uses it at the token endpoint', async () => {
    vault.setSecret('defender-app-secret', { value: SECRET_V1 });
    const credential = keyVaultCredential({ secretName: 'defender-app-secret' });
    const token = await credential.getToken(SCOPE);
    expect(token?.token).toBe(entra.issuedTokens[0]);
    // The challenge: first request without Authorization → 401 + WWW-Authenticate; then the bearer token.
    expect(vaultAuthorizations.map((authorization, i) => [authorization, vault.requests[i]?.status])).toEqual([
      [null, 401],
      [`Bearer ${reader.token}`, 200],
    ]);
    expect(reader.credential.calls).toEqual([{ scopes: ['https://vault.azure.net/.default'], tenantId: TENANT }]);
    expect(entra.tokenRequests[0]!.form).toMatchObject({ client_id: APP, client_secret: SECRET_V1, scope: SCOPE });
  });

  it('keeps the value read for the token lifetime: a second scope needs no second vault read', async () => {
    vault.setSecret('app-secret', { value: SECRET_V1 });
    const credential = keyVaultCredential({ secretName: 'app-secret' });
    await credential.getToken(SCOPE);
    await credential.getToken(GRAPH_SCOPE);
    expect(entra.tokenRequests).toHaveLength(2);
    expect(vault.requests.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('reads the value again once when the token endpoint rejects it (a rotated secret), then succeeds', async () => {
    vault.setSecret('app-secret', { value: SECRET_V1 });
    const credential = keyVaultCredential({ secretName: 'app-secret' });
    await credential.getToken(SCOPE);
    // Rotation: the app now only accepts the new secret, and the vault holds it.
    entra.app(APP).clientSecret = SECRET_V2;
    vault.setSecret('app-secret', { value: SECRET_V2 });
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
    vault.setSecret('app-secret', { value: SECRET_V1 });
    const credential = keyVaultCredential({ secretName: 'app-secret' });
    await credential.getToken(SCOPE);
    entra.app(APP).clientSecret = SECRET_V2;
    const error = (await rejection(credential.getToken(GRAPH_SCOPE))) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe('AADSTS7000215');
    expect(error.message).toContain(`Key Vault ${VAULT_URL} secret "app-secret"`);
    expect(entra.tokenRequests).toHaveLength(2);
    expect(vault.requests.filter((r) => r.status === 200)).toHaveLength(2);
    expectNoSecrets(error, [SECRET_V1, SECRET_V2, reader.token]);
  });

  it('reads a PEM certificate (application/x-pem-file) and signs a verified client assertion', async () => {
    vault.setSecret('app-cert', { value: cert.pem, contentType: 'application/x-pem-file' });
    const credential = keyVaultCredential({ certificateName: 'app-cert' });
    await credential.getToken(SCOPE);
    expect(entra.tokenRequests[0]).toMatchObject({ grant: 'assertion', status: 200 });
    expect(entra.tokenRequests[0]!.assertion?.header['x5t#S256']).toBe(cert.x5tS256);
  });

  it('reads a PKCS#12 certificate (application/x-pkcs12, base64, no password) and signs a verified client assertion', async () => {
    vault.setSecret('app-cert', { value: cert.pfxBase64(''), contentType: 'application/x-pkcs12' });
    const credential = keyVaultCredential({ certificateName: 'app-cert' });
    await credential.getToken(SCOPE);
    expect(entra.tokenRequests[0]).toMatchObject({ grant: 'assertion', status: 200 });
    expect(entra.tokenRequests[0]!.assertion?.header['x5t#S256']).toBe(cert.x5tS256);
  });

  it('a password-protected PKCS#12 is a CredentialError naming the certificate, without key material', async () => {
    const pfx = cert.pfxBase64('a-password');
    vault.setSecret('app-cert', { value: pfx, contentType: 'application/x-pkcs12' });
    const credential = keyVaultCredential({ certificateName: 'app-cert' });
    const error = (await rejection(credential.getToken(SCOPE))) as CredentialError;
    expect(error).toBeInstanceOf(CredentialError);
    expect(error.option).toBe('credential.keyVault.certificateName');
    expect(error.message).toMatch(/password/);
    expect(error.message).toContain('app-cert');
    expect(entra.tokenRequests).toHaveLength(0);
    expectNoSecrets(error, [pfx.slice(100, 160), ...keyLines(cert.keyPem)]);
  });

  it('an unsupported content type is a CredentialError', async () => {
    vault.setSecret('app-cert', { value: 'hello', contentType: 'text/plain' });
    const credential = keyVaultCredential({ certificateName: 'app-cert' });
    const error = (await rejection(credential.getToken(SCOPE))) as CredentialError;
    expect(error).toBeInstanceOf(CredentialError);
    expect(error.option).toBe('credential.keyVault.certificateName');
    expect(error.message).toContain('text/plain');
  });

  it('a certificate in a secretName is reported as such', async () => {
    vault.setSecret('app-cert', { value: cert.pem, contentType: 'application/x-pem-file' });
    const credential = keyVaultCredential({ secretName: 'app-cert' });
    const error = (await rejection(credential.getToken(SCOPE))) as CredentialError;
    expect(error.option).toBe('credential.keyVault.secretName');
    expect(error.message).toMatch(/certificateName/);
    expectNoSecrets(error, keyLines(cert.keyPem));
  });

  it('403: CredentialError naming the vault, the secret, the identity (appid/oid) and the credential class', async () => {
    vault.setSecret('app-secret', { value: SECRET_V1 });
    vault.allowedApps = []; // the vault reader has no role on the vault
    const credential = keyVaultCredential({ secretName: 'app-secret' });
    const error = (await rejection(credential.getToken(SCOPE))) as CredentialError;
    expect(error).toBeInstanceOf(CredentialError);
    expect(error.option).toBe('credential.vaultCredential');
    expect(error.message).toContain(VAULT_URL);
    expect(error.message).toContain('"app-secret"');
    expect(error.message).toContain('appid=aaaaaaaa-0000-4000-8000-000000000001;oid=bbbbbbbb-0000-4000-8000-000000000002');
    expect(error.message).toContain('TestVaultCredential');
    expect(error.message).toMatch(/Key Vault Secrets User/);
    expectNoSecrets(error, [SECRET_V1, reader.token]);
  });

  it('404: CredentialError naming the vault and the name', async () => {
    const credential = keyVaultCredential({ secretName: 'no-such-secret' });
    const error = (await rejection(credential.getToken(SCOPE))) as CredentialError;
    expect(error).toBeInstanceOf(CredentialError);
    expect(error.option).toBe('credential.keyVault.secretName');
    expect(error.message).toContain(VAULT_URL);
    expect(error.message).toContain('"no-such-secret"');
    expect(error.message).toContain('404');
    expectNoSecrets(error, [reader.token]);
  });

  it('a failing vault credential is a CredentialError naming it, without what it leaked in its message', async () => {
    const leaky = 'eyJhbGciOiJub25lIn0.eyJzZWNyZXQiOiJ4In0.c2lnbmF0dXJlLXZhbHVl';
    class BrokenCredential {
      async getToken(): Promise<never> {
        throw new Error(`cannot refresh ${leaky}`);
      }
    }
    const credential = keyVaultCredential({ secretName: 'x' }, new BrokenCredential());
    const error = (await rejection(credential.getToken(SCOPE))) as CredentialError;
    expect(error).toBeInstanceOf(CredentialError);
    expect(error.message).toContain('BrokenCredential');
    expectNoSecrets(error, [leaky]);
  });

  it('defaults vaultCredential to ManagedIdentityCredential (App Service managed identity here)', async () => {
    vault.setSecret('app-secret', { value: SECRET_V1 });
    const msiCalls: string[] = [];
    server.use(
      http.get('http://127.0.0.1:41999/msi/token', ({ request }) => {
        msiCalls.push(new URL(request.url).searchParams.get('resource') ?? '');
        return HttpResponse.json({
          access_token: reader.token,
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource: 'https://vault.azure.net',
          token_type: 'Bearer',
        });
      }),
    );
    vi.stubEnv('IDENTITY_ENDPOINT', 'http://127.0.0.1:41999/msi/token');
    vi.stubEnv('IDENTITY_HEADER', 'test-identity-header');
    try {
      const credential = createCredential({ tenantId: TENANT, clientId: APP, keyVault: { vaultUrl: VAULT_URL, secretName: 'app-secret' } }, { cloud });
      await credential.getToken(SCOPE);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(msiCalls).toEqual(['https://vault.azure.net']);
    expect(entra.tokenRequests[0]).toMatchObject({ status: 200 });
  });

  it('is safe to inspect and serialize', () => {
    const credential = keyVaultCredential({ secretName: 'app-secret' });
    const shown = `${inspect(credential, { showHidden: true })} ${JSON.stringify(credential)}`;
    expect(shown).toContain('app-secret');
    expect(shown).toContain(VAULT_URL);
    expect(shown).not.toContain(reader.token);
  });
});
