import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { http, HttpResponse } from 'msw';
import { afterAll, describe, expect, it } from 'vitest';
import { createCredential, credentialsFromEnv, decodeAccessToken, TokenCache, type CredentialInput } from '../../src/auth/index.js';
import { resolveCloud } from '../../src/clouds.js';
import { AuthenticationError, CredentialError } from '../../src/errors.js';
import type { TokenCredential } from '../../src/types.js';
import { handlers } from '../../src/testing/msw.js';
import { EntraApi, entraErrorBody, type EntraApiOptions } from '../../src/testing/tenant/entra.js';
import { makeTestCertificate } from '../support/certs.js';
import { expectNoSecrets, keyLines } from '../support/leak.js';
import { startServer } from '../support/tenant.js';
import { rejection, thrownBy } from '../support/throws.js';

const TENANT = '4f7d2c1e-9a3b-4c5d-8e6f-0a1b2c3d4e5f';
const SECRET_APP = '11111111-2222-4333-8444-555555555555';
const CERT_APP = '66666666-7777-4888-8999-aaaaaaaaaaaa';
const DEFENDER = 'https://api.security.microsoft.com';
const SCOPE = `${DEFENDER}/.default`;
const SECRET = 'Xy8Q~fake.client-secret_value-0123456789ab';

const cert = makeTestCertificate({ commonName: 'defender-app' });
const otherCert = makeTestCertificate({ commonName: 'not-registered' });
const cloud = resolveCloud('public');

const server = startServer();

/** The kit's Entra ID alone, served for this test: it keeps every token request, secrets included. */
function fakeEntra(overrides: Partial<EntraApiOptions> = {}): EntraApi {
  const entra = new EntraApi({
    tenantId: TENANT,
    domains: ['contoso.onmicrosoft.com'],
    apps: [
      { clientId: SECRET_APP, clientSecret: SECRET, roles: { [DEFENDER]: ['Incident.Read.All', 'AdvancedHunting.Read.All'] } },
      { clientId: CERT_APP, certificatePem: cert.certPem, roles: { [DEFENDER]: ['Incident.ReadWrite.All'] } },
    ],
    ...overrides,
  });
  server.use(...handlers(entra));
  return entra;
}

describe('client secret credential', () => {
  it('posts the client-credentials form to the v2 token endpoint and returns the token', async () => {
    const entra = fakeEntra();
    const credential = createCredential({ tenantId: TENANT, clientId: SECRET_APP, clientSecret: SECRET }, { cloud });
    const before = Date.now();
    const token = await credential.getToken(SCOPE);
    expect(entra.tokenRequests).toHaveLength(1);
    const request = entra.tokenRequests[0]!;
    expect(request.endpoint).toBe('v2');
    expect(request.tenant).toBe(TENANT);
    expect(request.form).toMatchObject({
      grant_type: 'client_credentials',
      client_id: SECRET_APP,
      client_secret: SECRET,
      scope: SCOPE,
    });
    expect(request.form.client_assertion).toBeUndefined();
    expect(token?.token).toBe(entra.issuedTokens[0]);
    const info = decodeAccessToken(token!.token);
    expect(info).toMatchObject({ tenantId: TENANT, appId: SECRET_APP, audience: DEFENDER, roles: ['Incident.Read.All', 'AdvancedHunting.Read.All'] });
    // Its 65 minutes (3,900 s of expires_in, in whole seconds) count from after `before`, however long the call took.
    expect(token!.expiresOnTimestamp).toBeGreaterThan(before + 3800_000);
  });

  it('accepts a verified domain as tenant id', async () => {
    const entra = fakeEntra();
    const credential = createCredential({ tenantId: 'contoso.onmicrosoft.com', clientId: SECRET_APP, clientSecret: SECRET }, { cloud });
    await credential.getToken(SCOPE);
    expect(entra.tokenRequests[0]!.tenant).toBe('contoso.onmicrosoft.com');
  });

  it('100 concurrent calls through the token cache on a cold start make exactly one token request', async () => {
    const entra = fakeEntra();
    const cache = new TokenCache(createCredential({ tenantId: TENANT, clientId: SECRET_APP, clientSecret: SECRET }, { cloud }), {
      refreshMarginMs: 300_000,
    });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => cache.getToken(SCOPE)));
    expect(entra.tokenRequests).toHaveLength(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('does not show the secret in util.inspect, JSON.stringify or String()', () => {
    const credential = createCredential({ tenantId: TENANT, clientId: SECRET_APP, clientSecret: SECRET }, { cloud });
    for (const shown of [inspect(credential, { showHidden: true, depth: 10 }), JSON.stringify(credential), String(credential)]) {
      expect(shown).toContain(SECRET_APP);
      expect(shown).not.toContain(SECRET);
    }
  });
});

describe('token endpoint failures become AuthenticationErrors without secrets', () => {
  it('wrong secret: 401, AADSTS7000215, names the app and says to use the value, not the id', async () => {
    const entra = fakeEntra();
    const wrong = 'Zz9Q~this-is-the-wrong-secret-value-000000';
    const credential = createCredential({ tenantId: TENANT, clientId: SECRET_APP, clientSecret: wrong }, { cloud });
    const error = await rejection(credential.getToken(SCOPE));
    expect(error).toBeInstanceOf(AuthenticationError);
    const auth = error as AuthenticationError;
    expect(auth.status).toBe(401);
    expect(auth.code).toBe('AADSTS7000215');
    expect(auth.message).toContain(SECRET_APP);
    expect(auth.message).toMatch(/value, not its id/);
    expect(auth.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(entra.tokenRequests).toHaveLength(1);
    expectNoSecrets(error, [wrong, SECRET]);
  });

  it('unknown tenant: 400, AADSTS90002, says to check tenant id and cloud', async () => {
    fakeEntra();
    const tenant = '00000000-1111-4222-8333-444444444444';
    const credential = createCredential({ tenantId: tenant, clientId: SECRET_APP, clientSecret: SECRET }, { cloud });
    const error = (await rejection(credential.getToken(SCOPE))) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('AADSTS90002');
    expect(error.message).toContain(tenant);
    expect(error.message).toMatch(/cloud/);
    expectNoSecrets(error, [SECRET]);
  });

  it('unknown app: 400, AADSTS700016', async () => {
    fakeEntra();
    const app = '99999999-8888-4777-8666-555555555555';
    const credential = createCredential({ tenantId: TENANT, clientId: app, clientSecret: SECRET }, { cloud });
    const error = (await rejection(credential.getToken(SCOPE))) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('AADSTS700016');
    expect(error.message).toContain(app);
    expectNoSecrets(error, [SECRET]);
  });

  it('a scope without /.default: invalid_scope with the AADSTS code and the scope', async () => {
    fakeEntra();
    const credential = createCredential({ tenantId: TENANT, clientId: SECRET_APP, clientSecret: SECRET }, { cloud });
    const error = (await rejection(credential.getToken(`${DEFENDER}/Incident.Read.All`))) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe('AADSTS1002012');
    expect(error.message).toContain(`${DEFENDER}/Incident.Read.All`);
    expect((error.body as { error?: string }).error).toBe('invalid_scope');
    expectNoSecrets(error, [SECRET]);
  });

  it('429 keeps its status and Retry-After, with exactly one request (no retries inside @azure/identity)', async () => {
    const entra = fakeEntra();
    entra.failNext(1, {
      status: 429,
      body: entraErrorBody('temporarily_unavailable', 50196, 'The server terminated an operation because it encountered a client request loop.'),
      headers: { 'retry-after': '7' },
    });
    const credential = createCredential({ tenantId: TENANT, clientId: SECRET_APP, clientSecret: SECRET }, { cloud });
    const error = (await rejection(credential.getToken(SCOPE))) as AuthenticationError;
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(7000);
    expect(error.message).toMatch(/throttled/);
    expect(entra.tokenRequests).toHaveLength(1);
  });

  it('a 500 with a non-JSON body is reported as a 500, not as a network error', async () => {
    const entra = fakeEntra();
    entra.failNext(1, { status: 500, body: '<html>Service unavailable</html>' });
    const credential = createCredential({ tenantId: TENANT, clientId: SECRET_APP, clientSecret: SECRET }, { cloud });
    const error = (await rejection(credential.getToken(SCOPE))) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.status).toBe(500);
    expect(entra.tokenRequests).toHaveLength(1);
  });

  it('a connection failure says Entra ID could not be reached', async () => {
    server.use(http.post(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`, () => HttpResponse.error()));
    const credential = createCredential({ tenantId: TENANT, clientId: SECRET_APP, clientSecret: SECRET }, { cloud });
    const error = (await rejection(credential.getToken(SCOPE))) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(/Could not reach Entra ID at https:\/\/login\.microsoftonline\.com/);
    expectNoSecrets(error, [SECRET]);
  });

  it('an aborted signal rejects with its reason', async () => {
    fakeEntra();
    const credential = createCredential({ tenantId: TENANT, clientId: SECRET_APP, clientSecret: SECRET }, { cloud });
    const reason = new Error('caller gave up');
    const error = await rejection(credential.getToken(SCOPE, { abortSignal: AbortSignal.abort(reason) }));
    expect(error).toBe(reason);
  });
});

describe('certificate credential', () => {
  it('sends a real PS256 client assertion that the fake verifies against the registered certificate', async () => {
    const entra = fakeEntra();
    const credential = createCredential({ tenantId: TENANT, clientId: CERT_APP, certificate: { pem: cert.pem } }, { cloud });
    const token = await credential.getToken(SCOPE);
    expect(token).not.toBeNull();
    const request = entra.tokenRequests[0]!;
    expect(request.status).toBe(200);
    expect(request.grant).toBe('assertion');
    expect(request.form.client_secret).toBeUndefined();
    expect(request.form.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(request.assertion?.header).toMatchObject({ alg: 'PS256', typ: 'JWT', 'x5t#S256': cert.x5tS256 });
    expect(request.assertion?.header.x5c).toBeUndefined();
    expect(request.assertion?.claims).toMatchObject({ aud: entra.tokenEndpoint('v2'), iss: CERT_APP, sub: CERT_APP });
    expect(decodeAccessToken(token!.token).roles).toEqual(['Incident.ReadWrite.All']);
  });

  it('reads a PEM file given by path, and sends the chain (x5c) when asked', async () => {
    const entra = fakeEntra();
    const dir = mkdtempSync(join(tmpdir(), 'm365d-cert-'));
    try {
      const path = join(dir, 'app.pem');
      writeFileSync(path, cert.pem);
      const credential = createCredential(
        { tenantId: TENANT, clientId: CERT_APP, certificate: { path }, sendCertificateChain: true },
        { cloud },
      );
      await credential.getToken(SCOPE);
      expect(entra.tokenRequests[0]!.status).toBe(200);
      expect(entra.tokenRequests[0]!.assertion?.header.x5c).toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a password-protected PKCS#12 (.pfx) file given by path', async () => {
    const entra = fakeEntra();
    const dir = mkdtempSync(join(tmpdir(), 'm365d-cert-'));
    try {
      const path = join(dir, 'app.pfx');
      writeFileSync(path, Buffer.from(cert.pfxBase64('pfx-pass-123'), 'base64'));
      const good = createCredential({ tenantId: TENANT, clientId: CERT_APP, certificate: { path, password: 'pfx-pass-123' } }, { cloud });
      await good.getToken(SCOPE);
      expect(entra.tokenRequests[0]!.status).toBe(200);

      const wrong = createCredential({ tenantId: TENANT, clientId: CERT_APP, certificate: { path, password: 'nope-nope' } }, { cloud });
      const error = (await rejection(wrong.getToken(SCOPE))) as CredentialError;
      expect(error).toBeInstanceOf(CredentialError);
      expect(error.option).toBe('credential.certificate.password');
      expect(entra.tokenRequests).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts an encrypted PEM key with its password, and rejects a missing or wrong password at construction', async () => {
    const entra = fakeEntra();
    const pem = cert.encryptedPem('pem-pass-456');
    const credential = createCredential({ tenantId: TENANT, clientId: CERT_APP, certificate: { pem, password: 'pem-pass-456' } }, { cloud });
    await credential.getToken(SCOPE);
    expect(entra.tokenRequests[0]!.status).toBe(200);

    const missing = thrownBy(CredentialError, () => createCredential({ tenantId: TENANT, clientId: CERT_APP, certificate: { pem } }, { cloud }));
    expect(missing).toBeInstanceOf(CredentialError);
    expect(missing.option).toBe('credential.certificate.password');
    const wrong = thrownBy(CredentialError, () =>
      createCredential({ tenantId: TENANT, clientId: CERT_APP, certificate: { pem, password: 'wrong-password' } }, { cloud }),
    );
    expect(wrong.option).toBe('credential.certificate.password');
    expect(wrong.message).toMatch(/password/);
  });

  it('a certificate not registered on the app: AADSTS700027 naming the thumbprint, no key material anywhere', async () => {
    fakeEntra();
    const credential = createCredential({ tenantId: TENANT, clientId: CERT_APP, certificate: { pem: otherCert.pem } }, { cloud });
    const error = (await rejection(credential.getToken(SCOPE))) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.code).toBe('AADSTS700027');
    expect(error.message).toContain(otherCert.thumbprintSha1);
    expectNoSecrets(error, keyLines(otherCert.keyPem));
    for (const shown of [inspect(credential, { showHidden: true }), JSON.stringify(credential)]) {
      for (const line of keyLines(otherCert.keyPem)) expect(shown).not.toContain(line);
    }
  });
});

describe('clouds', () => {
  it('uses the cloud login host: GCC High goes to login.microsoftonline.us', async () => {
    const entra = fakeEntra({ authorityHost: 'https://login.microsoftonline.us' });
    const credential = createCredential({ tenantId: TENANT, clientId: SECRET_APP, clientSecret: SECRET }, { cloud: resolveCloud('gcc-high') });
    await credential.getToken('https://api-gov.security.microsoft.us/.default');
    expect(entra.tokenRequests).toHaveLength(1);
    expect(decodeAccessToken(entra.issuedTokens[0]!).audience).toBe('https://api-gov.security.microsoft.us');
  });

  it('a custom authority host is used without instance discovery on login.microsoftonline.com', async () => {
    const host = 'https://login.sovereign.example';
    const entra = fakeEntra({ authorityHost: host });
    const seen: string[] = [];
    server.events.on('request:start', ({ request }) => seen.push(new URL(request.url).origin));
    try {
      const custom = resolveCloud({ authorityHost: host, apiBaseUrl: 'https://api.sovereign.example', scope: `${DEFENDER}/.default` });
      const credential = createCredential({ tenantId: TENANT, clientId: SECRET_APP, clientSecret: SECRET }, { cloud: custom });
      await credential.getToken(SCOPE);
    } finally {
      server.events.removeAllListeners('request:start');
    }
    expect(entra.tokenRequests).toHaveLength(1);
    expect(seen).not.toContain('https://login.microsoftonline.com');
    expect(new Set(seen)).toEqual(new Set([host]));
  });
});

describe('createCredential validation (synchronous, CredentialError naming the option)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'm365d-bad-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const certOnly = join(dir, 'cert-only.pem');
  writeFileSync(certOnly, cert.certPem);

  const cases: Array<[string, unknown, string]> = [
    ['tenant id neither GUID nor domain', { tenantId: 'not a tenant!', clientId: SECRET_APP, clientSecret: SECRET }, 'credential.tenantId'],
    ['tenant id "common"', { tenantId: 'common', clientId: SECRET_APP, clientSecret: SECRET }, 'credential.tenantId'],
    ['tenant id missing', { clientId: SECRET_APP, clientSecret: SECRET }, 'credential.tenantId'],
    ['empty client id', { tenantId: TENANT, clientId: '', clientSecret: SECRET }, 'credential.clientId'],
    ['non-string client id', { tenantId: TENANT, clientId: 42, clientSecret: SECRET }, 'credential.clientId'],
    ['client id that is not a GUID (a swapped secret)', { tenantId: TENANT, clientId: SECRET, clientSecret: SECRET_APP }, 'credential.clientId'],
    ['empty client secret', { tenantId: TENANT, clientId: SECRET_APP, clientSecret: '' }, 'credential.clientSecret'],
    ['secret and certificate both', { tenantId: TENANT, clientId: SECRET_APP, clientSecret: SECRET, certificate: { pem: cert.pem } }, 'credential.certificate'],
    ['nothing to authenticate with', { tenantId: TENANT, clientId: SECRET_APP }, 'credential'],
    ['not an object', 'secret', 'credential'],
    ['unreadable certificate path', { tenantId: TENANT, clientId: CERT_APP, certificate: { path: join(dir, 'missing.pem') } }, 'credential.certificate.path'],
    ['PEM file with no private key', { tenantId: TENANT, clientId: CERT_APP, certificate: { path: certOnly } }, 'credential.certificate.path'],
    ['PEM text with no private key', { tenantId: TENANT, clientId: CERT_APP, certificate: { pem: cert.certPem } }, 'credential.certificate.pem'],
    ['PEM with a key but no certificate', { tenantId: TENANT, clientId: CERT_APP, certificate: { pem: cert.keyPem } }, 'credential.certificate.pem'],
    ['key of another certificate', { tenantId: TENANT, clientId: CERT_APP, certificate: { pem: `${otherCert.keyPem}${cert.certPem}` } }, 'credential.certificate.pem'],
    ['certificate with neither path nor pem', { tenantId: TENANT, clientId: CERT_APP, certificate: {} }, 'credential.certificate'],
    ['keyVault with both names', { tenantId: TENANT, clientId: SECRET_APP, keyVault: { vaultUrl: 'https://kv1.vault.azure.net', secretName: 'a', certificateName: 'b' } }, 'credential.keyVault'],
    ['keyVault with no name', { tenantId: TENANT, clientId: SECRET_APP, keyVault: { vaultUrl: 'https://kv1.vault.azure.net' } }, 'credential.keyVault'],
    ['keyVault over http', { tenantId: TENANT, clientId: SECRET_APP, keyVault: { vaultUrl: 'http://kv1.vault.azure.net', secretName: 'a' } }, 'credential.keyVault.vaultUrl'],
    ['keyVault URL not a URL', { tenantId: TENANT, clientId: SECRET_APP, keyVault: { vaultUrl: 'kv1', secretName: 'a' } }, 'credential.keyVault.vaultUrl'],
    ['keyVault URL with the secret path', { tenantId: TENANT, clientId: SECRET_APP, keyVault: { vaultUrl: 'https://kv1.vault.azure.net/secrets/a', secretName: 'a' } }, 'credential.keyVault.vaultUrl'],
    ['keyVault bad secret name', { tenantId: TENANT, clientId: SECRET_APP, keyVault: { vaultUrl: 'https://kv1.vault.azure.net', secretName: 'bad name!' } }, 'credential.keyVault.secretName'],
    ['vaultCredential without getToken', { tenantId: TENANT, clientId: SECRET_APP, keyVault: { vaultUrl: 'https://kv1.vault.azure.net', secretName: 'a' }, vaultCredential: {} }, 'credential.vaultCredential'],
  ];

  it.each(cases)('%s', (_label, input, option) => {
    const error = thrownBy(CredentialError, () => createCredential(input as CredentialInput, { cloud }));
    expect(error).toBeInstanceOf(CredentialError);
    expect(error.option).toBe(option);
    expect(error.message).toContain(option === 'credential' ? 'credential' : option.split('.').pop()!);
    expectNoSecrets(error, [SECRET, ...keyLines(cert.keyPem), ...keyLines(otherCert.keyPem)]);
  });

  it('returns a TokenCredential as it is', () => {
    const mine: TokenCredential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 1000 }) };
    expect(createCredential(mine, { cloud })).toBe(mine);
  });
});

describe('credentialsFromEnv', () => {
  it('reads tenant, client and secret', () => {
    expect(credentialsFromEnv({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: SECRET_APP, AZURE_CLIENT_SECRET: SECRET })).toEqual({
      tenantId: TENANT,
      clientId: SECRET_APP,
      clientSecret: SECRET,
    });
  });

  it('reads a certificate path with password and chain flag, and the result works', async () => {
    const entra = fakeEntra();
    const dir = mkdtempSync(join(tmpdir(), 'm365d-env-'));
    try {
      const path = join(dir, 'app.pem');
      writeFileSync(path, cert.encryptedPem('env-pass-789'));
      const input = credentialsFromEnv({
        AZURE_TENANT_ID: TENANT,
        AZURE_CLIENT_ID: CERT_APP,
        AZURE_CLIENT_CERTIFICATE_PATH: path,
        AZURE_CLIENT_CERTIFICATE_PASSWORD: 'env-pass-789',
        AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: 'true',
      });
      expect(input).toEqual({ tenantId: TENANT, clientId: CERT_APP, certificate: { path, password: 'env-pass-789' }, sendCertificateChain: true });
      await createCredential(input, { cloud }).getToken(SCOPE);
      expect(entra.tokenRequests[0]).toMatchObject({ status: 200, grant: 'assertion' });
      expect(entra.tokenRequests[0]!.assertion?.header.x5c).toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prefers the secret when both a secret and a certificate path are set (as EnvironmentCredential does)', () => {
    const input = credentialsFromEnv({
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: SECRET_APP,
      AZURE_CLIENT_SECRET: SECRET,
      AZURE_CLIENT_CERTIFICATE_PATH: '/some/cert.pem',
    });
    expect(input).toEqual({ tenantId: TENANT, clientId: SECRET_APP, clientSecret: SECRET });
  });

  it('names every missing variable', () => {
    const none = thrownBy(CredentialError, () => credentialsFromEnv({}));
    expect(none).toBeInstanceOf(CredentialError);
    expect(none.option).toBe('AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH');
    const onlyClient = thrownBy(CredentialError, () => credentialsFromEnv({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_SECRET: SECRET }));
    expect(onlyClient.option).toBe('AZURE_CLIENT_ID');
    expect(onlyClient.message).toContain('AZURE_CLIENT_ID');
    expectNoSecrets(onlyClient, [SECRET]);
    const noSecret = thrownBy(CredentialError, () => credentialsFromEnv({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: SECRET_APP, AZURE_CLIENT_SECRET: '' }));
    expect(noSecret.option).toBe('AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH');
  });

  it('defaults to process.env', () => {
    const saved = { ...process.env };
    try {
      process.env.AZURE_TENANT_ID = TENANT;
      process.env.AZURE_CLIENT_ID = SECRET_APP;
      process.env.AZURE_CLIENT_SECRET = SECRET;
      delete process.env.AZURE_CLIENT_CERTIFICATE_PATH;
      expect(credentialsFromEnv()).toMatchObject({ tenantId: TENANT, clientId: SECRET_APP });
    } finally {
      for (const key of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});
