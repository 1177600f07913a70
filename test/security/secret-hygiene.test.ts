/**
 * Secret hygiene, asserted (issue 5): a recognisable client secret, certificate private key and
 * the tokens the fake Entra ID issues go through a broad set of failures on the public client
 * (Entra, Defender API, Graph, Key Vault, bad options). Every thrown error (message, stack, the
 * whole `cause` chain, `util.inspect`, `JSON.stringify`, `String`), every logger line at debug
 * level, and `util.inspect(client)` must hold none of them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  clientOptionsFromEnv,
  ConnectionError,
  CredentialError,
  DefenderClient,
  DefenderError,
  InvalidArgumentError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  type DefenderClientOptions,
  type Logger,
} from '../../src/index.js';
import { seedIncidents } from '../../src/testing/data/seed-incidents.js';
import { createFakeTenant, type FakeTenant } from '../../src/testing/index.js';
import { handlers } from '../../src/testing/msw.js';
import { makeTestCertificate } from '../support/certs.js';
import { CLIENT_ID, DEFENDER_RESOURCE, DEFENDER_ROLES, GRAPH_ROLES, TENANT_ID, TenantCredential, startServer, tokenFrom } from '../support/tenant.js';

const server = startServer();

const canary = (label: string) => `S3cr3t-CANARY-${label}-${randomBytes(12).toString('hex')}`;
const SECRET = canary('APP');
const WRONG_SECRET = canary('WRONG');
const VAULT_SECRET = canary('VAULT');
const CERT_APP = randomUUID();
const NO_ROLES_APP = randomUUID();
const cert = makeTestCertificate({ commonName: 'hygiene' });
const otherCert = makeTestCertificate({ commonName: 'unregistered' });
const CERT_PASSWORD = canary('PFXPASS');

/** 40-character slices across the base64 body of a PEM private key: any echo of the key holds one. */
function keySlices(pem: string): string[] {
  const body = /-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]+?)-----END/.exec(pem)![1]!.replace(/\s+/g, '');
  const slices: string[] = [];
  for (let i = 0; i + 40 <= body.length; i += 20) slices.push(body.slice(i, i + 40));
  return slices;
}
const KEY_MATERIAL = [...keySlices(cert.keyPem), ...keySlices(otherCert.keyPem)];

const VAULT_URL = 'https://hygiene-kv.vault.azure.net';
const roles = { defender: DEFENDER_ROLES, graph: GRAPH_ROLES };
const hygieneTenant: FakeTenant = createFakeTenant({
  tenantId: TENANT_ID,
  apps: [
    { clientId: CLIENT_ID, clientSecret: SECRET, roles },
    { clientId: CERT_APP, certificatePem: cert.certPem, clientSecret: VAULT_SECRET, roles },
    { clientId: NO_ROLES_APP, clientSecret: SECRET, roles: {} },
  ],
  incidents: seedIncidents(3, 7),
  huntingTables: {},
  quotas: false,
  keyVaultUrl: VAULT_URL,
  secrets: {
    rejected: { value: WRONG_SECRET },
    'key-only': { value: cert.keyPem, contentType: 'application/x-pem-file' },
    forbidden: { value: WRONG_SECRET, enabled: false },
  },
});

/** Every access token the tenant's Entra ID issued in this test. */
let issued: string[] = [];

/** The fake tenant, back to its first state and served by msw, keeping each token it issues. */
function tenant(): FakeTenant {
  hygieneTenant.reset();
  issued = [];
  server.use(
    ...handlers({
      handle: async (request) => {
        const response = await hygieneTenant.handle(request);
        if (response?.ok && new URL(request.url).pathname.endsWith('/token')) {
          issued.push(((await response.clone().json()) as { access_token: string }).access_token);
        }
        return response;
      },
    }),
  );
  return hygieneTenant;
}

/** Everything the SDK showed us: renderings of errors, logger lines, inspected clients. */
let shown: string[] = [];

/** A logger that keeps every line of every level, with all its arguments inspected deeply. */
function capturingLogger(): Logger {
  const line = (level: string) => (...args: unknown[]) => {
    shown.push(`${level} ${args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 10, showHidden: true }))).join(' ')}`);
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') } as Logger;
}

/** Every way an error can be shown or serialised, down its whole `cause` chain. */
function render(error: unknown, seen = new Set<unknown>()): void {
  if (error === undefined || error === null || seen.has(error)) return;
  seen.add(error);
  shown.push(inspect(error, { depth: 10, showHidden: true, getters: true }));
  try {
    shown.push(JSON.stringify(error) ?? '');
  } catch {
    // circular: inspect covered it
  }
  shown.push(String(error));
  if (error instanceof Error) {
    shown.push(error.message, String(error.stack));
    if (error instanceof AggregateError) for (const inner of error.errors) render(inner, seen);
    render(error.cause, seen);
  }
  if (typeof error === 'object') {
    for (const value of Object.values(error)) {
      if (typeof value === 'string') shown.push(value);
      else if (typeof value === 'object' && value !== null) {
        try {
          shown.push(JSON.stringify(value) ?? '');
        } catch {
          // circular
        }
      }
    }
  }
}

/** The secrets, key material and every token issued so far. */
function forbidden(): string[] {
  const tokens = issued.flatMap((token) => [token, token.split('.')[2]!]);
  return [SECRET, WRONG_SECRET, VAULT_SECRET, CERT_PASSWORD, 'S3cr3t-CANARY', ...KEY_MATERIAL, ...tokens];
}

function expectNothingLeaked(scenario: string): void {
  const all = shown.join('\n');
  expect(all.length, `${scenario}: something was captured`).toBeGreaterThan(0);
  for (const secret of forbidden()) {
    if (all.includes(secret)) {
      const at = all.indexOf(secret);
      throw new Error(`${scenario}: leaked ${secret.slice(0, 12)}… in: ${all.slice(Math.max(0, at - 200), at + 80)}`);
    }
  }
}

const fast: Partial<DefenderClientOptions> = { maxRetries: 1, maxRetryWaitMs: 2_000, rateLimit: false, silenceDeprecationWarnings: true };
const secretCredential = (clientSecret = SECRET, clientId = CLIENT_ID) => ({ tenantId: TENANT_ID, clientId, clientSecret });

/** Builds a client with the capturing logger, runs `call`, captures the error, and checks for leaks. */
async function scenario(
  name: string,
  options: Partial<DefenderClientOptions>,
  call: (client: DefenderClient) => Promise<unknown>,
  expected: abstract new (...args: never[]) => Error,
): Promise<void> {
  shown = [];
  const client = new DefenderClient({ credential: secretCredential(), ...fast, logger: capturingLogger(), ...options } as DefenderClientOptions);
  let error: unknown;
  try {
    await call(client);
  } catch (e) {
    error = e;
  }
  expect(error, name).toBeInstanceOf(expected);
  render(error);
  shown.push(inspect(client, { depth: 10, showHidden: true, getters: true }));
  try {
    shown.push(JSON.stringify(client) ?? '');
  } catch {
    // circular
  }
  expectNothingLeaked(name);
}

const apiError = (code: string, message: string) => ({ error: { code, message, target: randomUUID() } });

describe('secret hygiene: failures on the Defender API', () => {
  it.each([
    ['a wrong client secret (AADSTS7000215)', { credential: secretCredential(WRONG_SECRET) }, AuthenticationError],
    ['an unknown app (AADSTS700016)', { credential: secretCredential(SECRET, randomUUID()) }, AuthenticationError],
  ] as const)('%s', async (name, options, expected) => {
    tenant();
    await scenario(name, options, (client) => client.incidents.get('100001'), expected);
  });

  it('the token endpoint failing with 500', async () => {
    const failure = { status: 500, body: { error: 'temporarily_unavailable', error_description: `AADSTS90033: A transient error has occurred. client_secret=${SECRET}` } };
    tenant().faults.add('entra.token', ...Array.from({ length: 10 }, () => failure));
    await scenario('token endpoint 500', {}, (client) => client.incidents.get('100001'), DefenderError);
  });

  it('the API answering 401 twice', async () => {
    const unauthorized = { status: 401, body: apiError('Unauthorized', 'Token is expired') };
    tenant().faults.add('defender.getIncident', unauthorized, unauthorized);
    await scenario('401 twice', {}, (client) => client.incidents.get('100001'), AuthenticationError);
    expect(issued.length).toBeGreaterThanOrEqual(2);
  });

  it('a 403 for an app without the permission', async () => {
    tenant();
    await scenario('403', { credential: secretCredential(SECRET, NO_ROLES_APP) }, (client) => client.incidents.get('100001'), PermissionError);
  });

  it('a 404', async () => {
    tenant();
    await scenario('404', {}, (client) => client.incidents.get('987654321'), NotFoundError);
  });

  it('a 429 whose Retry-After is past the budget', async () => {
    tenant().faults.add('defender.listIncidents', { status: 429, headers: { 'retry-after': '3600' }, body: apiError('TooManyRequests', 'Rate limit is exceeded. Try again in 3600 seconds.') });
    await scenario('429', {}, (client) => client.incidents.list().toArray(), RateLimitError);
  });

  it('500s past maxRetries', async () => {
    const failure = { status: 500, body: apiError('InternalServerError', 'Something went wrong') };
    tenant().faults.add('defender.getIncident', failure, failure, failure);
    await scenario('500s', {}, (client) => client.incidents.get('100001'), ServerError);
  });

  it('a network error on every attempt', async () => {
    const reset = { network: { kind: 'reset' } } as const;
    tenant().faults.add('defender.getIncident', reset, reset, reset);
    await scenario('network error', {}, (client) => client.incidents.get('100001'), ConnectionError);
  });

  it('a timeout', async () => {
    tenant();
    server.use(
      http.get(`${DEFENDER_RESOURCE}/api/incidents/:id`, async () => {
        await delay(500);
        return HttpResponse.json({});
      }),
    );
    await scenario('timeout', { timeoutMs: 50, maxRetries: 0 }, (client) => client.incidents.get('100001'), TimeoutError);
  });

  it('a response that fails validation, and one that is not JSON', async () => {
    const fake = tenant();
    fake.faults.add('defender.getIncident', { status: 200, body: { incidentId: 'x', createdTime: 'not a date', note: SECRET } });
    await scenario('validation', {}, (client) => client.incidents.get('100001'), ResponseValidationError);
    fake.faults.add('defender.getIncident', { status: 200, rawBody: '<html>oops</html>', headers: { 'content-type': 'text/html' } });
    await scenario('not JSON', {}, (client) => client.incidents.get('100001'), ResponseValidationError);
  });

  it('a hunting query refused with 400, and the hunting CPU quota', async () => {
    const fake = tenant();
    await scenario('query error', {}, (client) => client.advancedHunting.run('NoSuchTable | take 1'), DefenderError);
    fake.faults.add('defender.hunting', { status: 429, headers: { 'retry-after': '3600' }, body: apiError('TooManyRequests', 'CPU resources exhausted. Run queries again in 3600 seconds.') });
    await scenario('hunting 429', {}, (client) => client.advancedHunting.run('DeviceInfo | take 1'), RateLimitError);
  });
});

describe('secret hygiene: failures on Graph', () => {
  it('401 twice, 403 and a bad body on api: graph', async () => {
    const fake = tenant();
    const unauthorized = { status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' } } };
    fake.faults.add('graph.getIncident', unauthorized, unauthorized);
    await scenario('graph 401 twice', { api: 'graph' }, (client) => client.incidents.get('100001'), AuthenticationError);
    await scenario('graph 403', { api: 'graph', credential: secretCredential(SECRET, NO_ROLES_APP) }, (client) => client.incidents.get('100001'), PermissionError);
    fake.faults.add('graph.listIncidents', { status: 200, body: { value: [{ id: 5, secret: SECRET }] } });
    await scenario('graph validation', { api: 'graph' }, (client) => client.incidents.list().toArray(), ResponseValidationError);
  });
});

describe('secret hygiene: certificates and Key Vault', () => {
  it('an unregistered certificate, a key without its certificate, a truncated key, a wrong PEM password', async () => {
    tenant();
    const certificate = (value: unknown) => ({ credential: { tenantId: TENANT_ID, clientId: CERT_APP, certificate: value } }) as Partial<DefenderClientOptions>;
    await scenario('unregistered certificate', certificate({ pem: otherCert.pem }), (client) => client.incidents.get('100001'), AuthenticationError);
    for (const [name, value] of [
      ['key without certificate', { pem: cert.keyPem }],
      ['truncated key', { pem: cert.pem.slice(0, 900) }],
      ['wrong PEM password', { pem: cert.encryptedPem(CERT_PASSWORD), password: `${CERT_PASSWORD}-no` }],
      ['PFX with the wrong password', { pem: cert.pfxBase64(CERT_PASSWORD) }],
    ] as const) {
      shown = [];
      let error: unknown;
      try {
        const client = new DefenderClient({ ...fast, logger: capturingLogger(), ...certificate(value) } as DefenderClientOptions);
        await client.incidents.get('100001');
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(DefenderError);
      render(error);
      expectNothingLeaked(name);
    }
  });

  it('Key Vault: forbidden, not found, a rejected secret, a PEM without its certificate', async () => {
    const fake = tenant();
    // The vault is read with the first app's own token for it.
    const keyVault = (ref: Record<string, string>) =>
      ({ credential: { tenantId: TENANT_ID, clientId: CERT_APP, keyVault: { vaultUrl: VAULT_URL, ...ref }, vaultCredential: new TenantCredential(fake, CLIENT_ID) } }) as Partial<DefenderClientOptions>;
    await scenario('vault secret not found', keyVault({ secretName: 'missing' }), (client) => client.incidents.get('100001'), CredentialError);
    await scenario('vault secret rejected by Entra', keyVault({ secretName: 'rejected' }), (client) => client.incidents.get('100001'), AuthenticationError);
    await scenario('vault PEM without certificate', keyVault({ certificateName: 'key-only' }), (client) => client.incidents.get('100001'), CredentialError);
    await scenario('vault forbidden', keyVault({ secretName: 'forbidden' }), (client) => client.incidents.get('100001'), CredentialError);
  });
});

describe('secret hygiene: invalid options holding the secret', () => {
  it.each([
    ['the secret as clientId', { credential: { tenantId: TENANT_ID, clientId: SECRET, clientSecret: SECRET } }],
    ['the secret as tenantId', { credential: { tenantId: SECRET, clientId: CLIENT_ID, clientSecret: SECRET } }],
    ['a secret and a certificate', { credential: { ...secretCredential(), certificate: { pem: cert.pem } } }],
    ['a certificate PEM as the path', { credential: { tenantId: TENANT_ID, clientId: CLIENT_ID, certificate: { path: cert.pem } } }],
    ['the secret in userAgent with a newline', { credential: secretCredential(), userAgent: `${SECRET}\n` }],
    ['the secret as an unknown option', { credential: secretCredential(), clientSecret: SECRET }],
    ['the secret as a Key Vault URL', { credential: { tenantId: TENANT_ID, clientId: CLIENT_ID, keyVault: { vaultUrl: `https://${SECRET}@kv.vault.azure.net`, secretName: 'x' } } }],
    ['the secret as a Key Vault secret name', { credential: { tenantId: TENANT_ID, clientId: CLIENT_ID, keyVault: { vaultUrl: 'https://kv.vault.azure.net', secretName: `${SECRET}/x` } } }],
  ] as const)('%s', (name, options) => {
    tenant();
    shown = [];
    let error: unknown;
    try {
      new DefenderClient({ ...options, logger: capturingLogger() } as unknown as DefenderClientOptions);
    } catch (e) {
      error = e;
    }
    expect(error instanceof InvalidArgumentError || error instanceof CredentialError, `${name}: ${String(error)}`).toBe(true);
    render(error);
    expectNothingLeaked(name);
  });
});

describe('secret hygiene: a working client', () => {
  it('logs at debug level and inspects without the secret or the token', async () => {
    tenant();
    shown = [];
    const logger = capturingLogger();
    for (const api of ['defender', 'graph'] as const) {
      const client = new DefenderClient({ credential: secretCredential(), api, ...fast, logger });
      await client.incidents.list().toArray();
      await client.incidents.get('100001');
      await client.auth.inspect();
      shown.push(inspect(client, { depth: 10, showHidden: true, getters: true }), inspect(client.auth, { depth: 10, showHidden: true }));
    }
    expect(issued.length).toBeGreaterThanOrEqual(2);
    expect(shown.some((line) => line.startsWith('debug'))).toBe(true);
    expectNothingLeaked('working client');
  });
});

describe('secret hygiene: the token source misbehaving', () => {
  it('a credential returning a real token with CR/LF or NUL appended: refused before sending, the token shown nowhere', async () => {
    const fake = tenant();
    const real = await tokenFrom(fake, `${DEFENDER_RESOURCE}/.default`);
    for (const [name, token] of [
      ['CR/LF', `${real.token}\r\nX-Injected: 1`],
      ['NUL', `${real.token}\u0000`],
    ] as const) {
      const before = fake.requests.length;
      await scenario(`token with ${name}`, { credential: { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) } }, (client) => client.incidents.get('100001'), AuthenticationError);
      expect(fake.requests.slice(before)).toHaveLength(0);
    }
  });

  it('a throttled token endpoint: the 429 and the calls refused while it holds', async () => {
    tenant().faults.add('entra.token', {
      status: 429,
      headers: { 'retry-after': '60' },
      body: { error: 'temporarily_unavailable', error_description: `AADSTS50196: request loop. client_secret=${SECRET}` },
    });
    shown = [];
    const client = new DefenderClient({ credential: secretCredential(), ...fast, logger: capturingLogger() });
    for (let i = 0; i < 3; i++) {
      const error = await client.incidents.get('100001').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      render(error);
    }
    expectNothingLeaked('throttled token endpoint');
  });
});

describe('secret hygiene: options from the environment', () => {
  it('clientOptionsFromEnv with a client secret, or a PFX and its password: printed, spread and used, nothing shows', async () => {
    const fake = tenant();
    const dir = mkdtempSync(join(tmpdir(), 'hygiene-env-'));
    try {
      const pfx = join(dir, 'app.pfx');
      writeFileSync(pfx, Buffer.from(cert.pfxBase64(CERT_PASSWORD), 'base64'));
      const envs = [
        { AZURE_TENANT_ID: TENANT_ID, AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: SECRET },
        { AZURE_TENANT_ID: TENANT_ID, AZURE_CLIENT_ID: CERT_APP, AZURE_CLIENT_CERTIFICATE_PATH: pfx, AZURE_CLIENT_CERTIFICATE_PASSWORD: CERT_PASSWORD },
      ];
      shown = [];
      for (const env of envs) {
        for (const api of ['defender', 'graph'] as const) {
          const options = { ...clientOptionsFromEnv(env, { logger: capturingLogger() }), api, ...fast };
          shown.push(inspect(options, { depth: 10, showHidden: true, getters: true }), JSON.stringify(options), String(options.credential), `${options.credential}`);
          const client = new DefenderClient(options);
          await client.incidents.list().toArray();
          shown.push(inspect(client, { depth: 10, showHidden: true, getters: true }));
        }
      }
      expect(issued.length).toBeGreaterThanOrEqual(4);
      expect(fake.requests.filter((r) => r.route === 'entra.token').map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expectNothingLeaked('options from the environment');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
