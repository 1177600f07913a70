import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { clientOptionsFromEnv } from '../src/env.js';
import { CredentialError, DefenderClient, InvalidArgumentError, credentialsFromEnv } from '../src/index.js';
import { CLIENT_ID, TENANT_ID, requestsTo, serveTenant, startServer } from './support/tenant.js';
import { thrownBy } from './support/throws.js';

const server = startServer();

const app = { AZURE_TENANT_ID: TENANT_ID, AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: 'env-secret-value' };

describe('clientOptionsFromEnv', () => {
  it('reads the app credential and leaves cloud and api to the client defaults', () => {
    const options = clientOptionsFromEnv(app);
    expect(options).toEqual({ credential: { tenantId: TENANT_ID, clientId: CLIENT_ID, clientSecret: 'env-secret-value' } });
    const client = new DefenderClient(options);
    expect(client.cloud.name).toBe('public');
    expect(client.cloud.apiBaseUrl).toBe('https://api.security.microsoft.com');
  });

  it('builds a custom cloud from AZURE_AUTHORITY_HOST and DEFENDER_API_BASE_URL (the simulator)', () => {
    const options = clientOptionsFromEnv({ ...app, AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8443', DEFENDER_API_BASE_URL: 'https://127.0.0.1:8443/' });
    expect(options.cloud).toEqual({
      authorityHost: 'https://127.0.0.1:8443',
      apiBaseUrl: 'https://127.0.0.1:8443/',
      scope: 'https://api.security.microsoft.com/.default',
      graphBaseUrl: 'https://graph.microsoft.com',
      graphScope: 'https://graph.microsoft.com/.default',
      mdeScope: 'https://api.securitycenter.microsoft.com/.default',
    });
    const client = new DefenderClient(options);
    expect(client.cloud).toMatchObject({ name: 'custom', authorityHost: 'https://127.0.0.1:8443', apiBaseUrl: 'https://127.0.0.1:8443', knownAuthority: false });
  });

  it('defaults the missing host of a custom cloud to the public one', () => {
    expect(clientOptionsFromEnv({ ...app, DEFENDER_API_BASE_URL: 'https://eu.api.security.microsoft.com' }).cloud).toMatchObject({
      authorityHost: 'https://login.microsoftonline.com',
      apiBaseUrl: 'https://eu.api.security.microsoft.com',
    });
    expect(clientOptionsFromEnv({ ...app, AZURE_AUTHORITY_HOST: 'https://login.example.test' }).cloud).toMatchObject({
      authorityHost: 'https://login.example.test',
      apiBaseUrl: 'https://api.security.microsoft.com',
    });
  });

  it('points Graph at DEFENDER_GRAPH_BASE_URL, keeping the Graph token audience', () => {
    const env = { ...app, AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8443', DEFENDER_API_BASE_URL: 'https://127.0.0.1:8443', DEFENDER_GRAPH_BASE_URL: 'https://127.0.0.1:8443', DEFENDER_API: 'graph' };
    const client = new DefenderClient(clientOptionsFromEnv(env));
    expect(client.api).toBe('graph');
    expect(client.cloud).toMatchObject({ graphBaseUrl: 'https://127.0.0.1:8443', graphScope: 'https://graph.microsoft.com/.default' });
    expect(clientOptionsFromEnv({ ...app, DEFENDER_GRAPH_BASE_URL: 'https://graph.example.test' }).cloud).toMatchObject({
      authorityHost: 'https://login.microsoftonline.com',
      apiBaseUrl: 'https://api.security.microsoft.com',
      graphBaseUrl: 'https://graph.example.test',
    });
  });

  it('asks for the token audience of a custom host: its own for sovereign hosts, the public one for loopback and regional hosts', () => {
    const gov = clientOptionsFromEnv({ ...app, AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us', DEFENDER_API_BASE_URL: 'https://api-gov.security.microsoft.us', DEFENDER_GRAPH_BASE_URL: 'https://graph.microsoft.us' });
    expect(gov.cloud).toMatchObject({ scope: 'https://api-gov.security.microsoft.us/.default', graphScope: 'https://graph.microsoft.us/.default' });
    const regional = clientOptionsFromEnv({ ...app, DEFENDER_API_BASE_URL: 'https://eu.api.security.microsoft.com' });
    expect(regional.cloud).toMatchObject({ scope: 'https://api.security.microsoft.com/.default', graphScope: 'https://graph.microsoft.com/.default' });
    const explicit = clientOptionsFromEnv({ ...app, DEFENDER_SCOPE: 'https://x.example/.default', DEFENDER_GRAPH_SCOPE: 'https://g.example/.default' });
    expect(explicit.cloud).toMatchObject({ apiBaseUrl: 'https://api.security.microsoft.com', scope: 'https://x.example/.default', graphScope: 'https://g.example/.default' });
    expect(thrownBy(InvalidArgumentError, () => clientOptionsFromEnv({ ...app, DEFENDER_CLOUD: 'gcc', DEFENDER_SCOPE: 'https://x.example/.default' })).message).toMatch(/cannot be combined with DEFENDER_SCOPE/);
  });

  it('gives a custom cloud the commercial Defender for Endpoint scope only on Microsoft\'s public and loopback hosts; elsewhere DEFENDER_MDE_SCOPE or none', () => {
    const MDE = 'https://api.securitycenter.microsoft.com/.default';
    expect(clientOptionsFromEnv({ ...app, DEFENDER_API_BASE_URL: 'https://eu.api.security.microsoft.com' }).cloud).toMatchObject({ mdeScope: MDE });
    expect(clientOptionsFromEnv({ ...app, AZURE_AUTHORITY_HOST: 'https://login.example.test' }).cloud).toMatchObject({ mdeScope: MDE });
    const sovereign = clientOptionsFromEnv({ ...app, DEFENDER_API_BASE_URL: 'https://api-gov.security.microsoft.us' });
    expect(sovereign.cloud).not.toHaveProperty('mdeScope');
    expect(new DefenderClient(sovereign).cloud.mdeScope).toBeUndefined();
    const given = clientOptionsFromEnv({ ...app, DEFENDER_API_BASE_URL: 'https://api-gov.security.microsoft.us', DEFENDER_MDE_SCOPE: 'https://api-gov.securitycenter.microsoft.us/.default' });
    expect(new DefenderClient(given).cloud.mdeScope).toBe('https://api-gov.securitycenter.microsoft.us/.default');
    expect(thrownBy(InvalidArgumentError, () => clientOptionsFromEnv({ ...app, DEFENDER_CLOUD: 'dod', DEFENDER_MDE_SCOPE: MDE })).message).toMatch(/cannot be combined with DEFENDER_MDE_SCOPE/);
  });

  it('takes a named cloud from DEFENDER_CLOUD and a region from DEFENDER_REGION', () => {
    expect(new DefenderClient(clientOptionsFromEnv({ ...app, DEFENDER_CLOUD: 'gcc-high' })).cloud.apiBaseUrl).toBe('https://api-gov.security.microsoft.us');
    expect(new DefenderClient(clientOptionsFromEnv({ ...app, DEFENDER_REGION: 'eu' })).cloud.apiBaseUrl).toBe('https://eu.api.security.microsoft.com');
  });

  it('reads DEFENDER_API', () => {
    expect(clientOptionsFromEnv({ ...app, DEFENDER_API: 'defender' }).api).toBe('defender');
    expect(clientOptionsFromEnv({ ...app, DEFENDER_API: 'graph' }).api).toBe('graph');
    expect(clientOptionsFromEnv({ ...app, DEFENDER_API: '  ' }).api).toBeUndefined();
  });

  it.each([
    ['DEFENDER_API', { DEFENDER_API: 'legacy' }, /DEFENDER_API must be 'defender' or 'graph'; got "legacy"/],
    ['DEFENDER_CLOUD', { DEFENDER_CLOUD: 'china' }, /DEFENDER_CLOUD must be one of 'public', 'gcc', 'gcc-high', 'dod'/],
    ['DEFENDER_CLOUD', { DEFENDER_CLOUD: 'gcc', AZURE_AUTHORITY_HOST: 'https://127.0.0.1:1' }, /cannot be combined with AZURE_AUTHORITY_HOST/],
    ['AZURE_AUTHORITY_HOST', { AZURE_AUTHORITY_HOST: 'login.microsoftonline.com' }, /AZURE_AUTHORITY_HOST must be an origin/],
    ['DEFENDER_API_BASE_URL', { DEFENDER_API_BASE_URL: 'https://api.security.microsoft.com/api' }, /DEFENDER_API_BASE_URL must be an origin/],
    ['DEFENDER_GRAPH_BASE_URL', { DEFENDER_GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0' }, /DEFENDER_GRAPH_BASE_URL must be an origin/],
    ['DEFENDER_CLOUD', { DEFENDER_CLOUD: 'dod', DEFENDER_GRAPH_BASE_URL: 'https://127.0.0.1:1' }, /cannot be combined with DEFENDER_GRAPH_BASE_URL/],
    ['DEFENDER_REGION', { DEFENDER_REGION: 'mars' }, /DEFENDER_REGION must be one of us, eu/],
  ])('names %s when its value is not valid', (option, extra, message) => {
    const error = thrownBy(InvalidArgumentError, () => clientOptionsFromEnv({ ...app, ...extra }));
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
  });

  it('names the missing credential variables without echoing the secret', () => {
    const error = thrownBy(CredentialError, () => clientOptionsFromEnv({ AZURE_CLIENT_SECRET: 'env-secret-value' }));
    expect(error.message).toContain('AZURE_TENANT_ID, AZURE_CLIENT_ID');
    expect(error.message).not.toContain('env-secret-value');
  });

  it('reads process.env by default', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, app, { DEFENDER_API_BASE_URL: 'https://127.0.0.1:9' });
      delete process.env.AZURE_AUTHORITY_HOST;
      delete process.env.DEFENDER_CLOUD;
      expect(clientOptionsFromEnv().cloud).toMatchObject({ apiBaseUrl: 'https://127.0.0.1:9' });
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

describe('clientOptionsFromEnv overrides', () => {
  it('lets overrides win and skips the credential variables when a credential is given', () => {
    const keyVault = { tenantId: TENANT_ID, clientId: CLIENT_ID, keyVault: { vaultUrl: 'https://kv.vault.azure.net', secretName: 'app' } };
    const options = clientOptionsFromEnv({ DEFENDER_API_BASE_URL: 'https://127.0.0.1:9' }, { credential: keyVault, maxRetries: 5 });
    expect(options).toEqual({
      credential: keyVault,
      maxRetries: 5,
      cloud: {
        authorityHost: 'https://login.microsoftonline.com',
        apiBaseUrl: 'https://127.0.0.1:9',
        scope: 'https://api.security.microsoft.com/.default',
        graphBaseUrl: 'https://graph.microsoft.com',
        graphScope: 'https://graph.microsoft.com/.default',
        mdeScope: 'https://api.securitycenter.microsoft.com/.default',
      },
    });
    expect(clientOptionsFromEnv(app, { cloud: 'gcc' }).cloud).toBe('gcc');
  });
});

describe('option objects built from the environment print without their secrets', () => {
  const SECRET = 'Env8Q~recognisable-client-secret-0123456789';
  const PASSWORD = 'pfx-password-recognisable-987';
  const withSecret = { ...app, AZURE_CLIENT_SECRET: SECRET };
  const withCertificate = { AZURE_TENANT_ID: TENANT_ID, AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_CERTIFICATE_PATH: '/etc/app/cert.pfx', AZURE_CLIENT_CERTIFICATE_PASSWORD: PASSWORD };

  /** Every way an object gets shown. */
  const renderings = (value: object) => [
    inspect(value),
    inspect(value, { showHidden: true, depth: 10, getters: true }),
    JSON.stringify(value),
    String((value as { credential?: unknown }).credential ?? value),
    `${(value as { credential?: unknown }).credential ?? value}`,
  ];

  it('credentialsFromEnv and clientOptionsFromEnv show the client secret as [redacted], and still hold it', () => {
    const credential = credentialsFromEnv(withSecret);
    const options = clientOptionsFromEnv(withSecret);
    const spread = { ...clientOptionsFromEnv(withSecret), api: 'graph' as const };
    for (const value of [credential, options, spread]) {
      for (const shown of renderings(value)) {
        expect(shown).not.toContain(SECRET);
        expect(shown).toContain('[redacted]');
        expect(shown).toContain(CLIENT_ID);
      }
    }
    expect(JSON.parse(JSON.stringify(options))).toEqual({ credential: { tenantId: TENANT_ID, clientId: CLIENT_ID, clientSecret: '[redacted]' } });
    expect((credential as { clientSecret: string }).clientSecret).toBe(SECRET);
    expect((spread.credential as { clientSecret: string }).clientSecret).toBe(SECRET);
  });

  it('the certificate password shows as [redacted] too, even in a spread of the credential, and is still there', () => {
    const credential = credentialsFromEnv(withCertificate) as { certificate: { path: string; password?: string } };
    const spread = { ...credential, sendCertificateChain: true };
    for (const value of [credential, spread, clientOptionsFromEnv(withCertificate)]) {
      for (const shown of renderings(value)) expect(shown).not.toContain(PASSWORD);
      for (const shown of renderings(value).slice(0, 3)) expect(shown).toContain('/etc/app/cert.pfx');
    }
    expect(credential.certificate.password).toBe(PASSWORD);
    expect(spread.certificate.password).toBe(PASSWORD);
  });

  it('a spread of clientOptionsFromEnv() still authenticates against the fake tenant, on both APIs', async () => {
    const tenant = serveTenant(server);
    const env = { ...app, AZURE_CLIENT_SECRET: tenant.credential(CLIENT_ID).clientSecret! };
    for (const api of ['defender', 'graph'] as const) {
      const options = { ...clientOptionsFromEnv(env), api, rateLimit: false as const };
      expect(inspect(options)).not.toContain(env.AZURE_CLIENT_SECRET);
      const client = new DefenderClient(options);
      expect(await client.incidents.list().toArray()).toHaveLength(tenant.incidents.size);
    }
    expect(requestsTo(tenant, 'entra').filter((r) => r.route === 'entra.token').map((r) => r.status)).toEqual([200, 200]);
  });
});
