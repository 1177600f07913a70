import { format, inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { AuthenticationError, DefenderClient, InvalidArgumentError, PermissionError, RateLimitError, TimeoutError, type TokenCredential } from '../../../src/index.js';
import { createFakeTenant, type FakeTenant, type FakeTenantOptions } from '../../../src/testing/index.js';
import { handlers } from '../../../src/testing/msw.js';
import { makeTestCertificate } from '../../support/certs.js';
import { makeAccessToken } from '../../support/jwt.js';
import { startServer, tokenFrom } from '../../support/tenant.js';
import { thrownBy } from '../../support/throws.js';

const server = startServer();

const API = 'https://api.security.microsoft.com';
const APP = '3c5a1f0e-7b2d-4e8a-9c1f-2d3e4f5a6b7c';

/** A tenant served by msw. */
function serve(options: FakeTenantOptions = {}): FakeTenant {
  const tenant = createFakeTenant({ incidents: 12, huntingRows: 200, ...options });
  server.use(...handlers(tenant));
  return tenant;
}

/** A client with the tenant's default app secret; retries wait milliseconds. */
function clientFor(tenant: FakeTenant, options: Partial<ConstructorParameters<typeof DefenderClient>[0]> = {}): DefenderClient {
  return new DefenderClient({ credential: tenant.credential(), maxRetryWaitMs: 10_000, ...options });
}

/** A token straight from the tenant's token endpoint, as a client would get it. */
const tokenOf = async (tenant: FakeTenant, scope = `${API}/.default`): Promise<string> => (await tokenFrom(tenant, scope)).token;

/** `jwt` with its roles claim changed, keeping the original signature. */
function tamper(jwt: string, roles: string[]): string {
  const [header, claims, signature] = jwt.split('.');
  const decoded = JSON.parse(Buffer.from(claims!, 'base64url').toString('utf8')) as Record<string, unknown>;
  decoded['roles'] = roles;
  return [header, Buffer.from(JSON.stringify(decoded)).toString('base64url'), signature].join('.');
}

function credentialReturning(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
}

const idOf = (tenant: FakeTenant, index = 0) => String([...tenant.incidents.keys()][index]);

describe('createFakeTenant', () => {
  describe('credentials and tokens', () => {
    it('gives a client-secret credential a token from its Entra ID and lists its incidents', async () => {
      const tenant = serve();
      const client = clientFor(tenant);
      const before = tenant.clock.now();
      const incidents = await client.incidents.list().toArray();
      const after = tenant.clock.now();
      expect(incidents.map((i) => i.id).sort()).toEqual([...tenant.incidents.keys()].map(String).sort());
      expect(tenant.issuedTokens).toBe(1);
      const who = await client.auth.inspect();
      expect(who).toMatchObject({ tenantId: tenant.tenantId, appId: tenant.apps[0]!.clientId, audience: API });
      expect(who.roles).toEqual(expect.arrayContaining(['Incident.ReadWrite.All', 'AdvancedHunting.Read.All']));
      // A default token lives 60–90 minutes, like Entra's: its expiry, in whole seconds, is 60 to 90
      // minutes after a moment between the two readings of the tenant's clock around the call.
      const expiresOn = who.expiresOn.getTime();
      expect(expiresOn).toBeGreaterThan(before - 1000 + 60 * 60_000);
      expect(expiresOn).toBeLessThanOrEqual(after + 90 * 60_000);
    });

    it('verifies a certificate credential\'s client assertion against the registered certificate', async () => {
      const cert = makeTestCertificate({ commonName: 'tenant-test' });
      const other = makeTestCertificate({ commonName: 'not-registered' });
      const tenant = serve({ apps: [{ clientId: APP, certificatePem: cert.certPem, roles: { defender: ['Incident.Read.All'] } }] });
      const client = new DefenderClient({ credential: { tenantId: tenant.tenantId, clientId: APP, certificate: { pem: cert.pem } } });
      await expect(client.incidents.get(idOf(tenant))).resolves.toMatchObject({ id: idOf(tenant) });
      const impostor = new DefenderClient({ credential: { tenantId: tenant.tenantId, clientId: APP, certificate: { pem: other.pem } } });
      const error = await impostor.incidents.get(idOf(tenant)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toContain('700027');
      expect(tenant.issuedTokens).toBe(1);
    });

    it('refuses a token whose signature does not match, with the legacy 401 body', async () => {
      const tenant = serve({ apps: [{ clientId: APP, clientSecret: 'S3c~ret-value-0123456789', roles: { defender: ['Incident.Read.All'] } }] });
      const forged = tamper(await tokenOf(tenant), ['Incident.ReadWrite.All', 'AdvancedHunting.Read.All']);
      const response = await fetch(`${API}/api/incidents`, { headers: { authorization: `Bearer ${forged}` } });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: unknown }).error).toMatchObject({
        code: 'Unauthorized',
        message: 'Unauthorized request - reason of failure: the access token signature is invalid',
      });
      // A well-formed token signed by another key (the shared test key) is refused as well.
      const foreign = makeAccessToken({ aud: API, tid: tenant.tenantId, appid: APP, roles: ['Incident.Read.All'], exp: Math.floor(Date.now() / 1000) + 3600 });
      const client = new DefenderClient({ credential: credentialReturning(foreign), maxRetries: 0 });
      const error = await client.incidents.get(idOf(tenant)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).status).toBe(401);
    });

    it('answers 403 naming the missing role, which the SDK raises as PermissionError', async () => {
      const tenant = serve({ apps: [{ clientId: APP, clientSecret: 'S3c~ret-value-0123456789', roles: { defender: ['Incident.Read.All'] } }] });
      const client = new DefenderClient({ credential: tenant.credential() });
      await expect(client.incidents.get(idOf(tenant))).resolves.toBeDefined();
      const error = await client.advancedHunting.run('DeviceProcessEvents | take 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermissionError);
      expect((error as PermissionError).message).toContain('AdvancedHunting.Read.All');
      expect((error as PermissionError).grantedRoles).toEqual(['Incident.Read.All']);
      const update = await client.incidents.update(idOf(tenant), { status: 'resolved' }).catch((e: unknown) => e);
      expect(update).toBeInstanceOf(PermissionError);
      expect((update as PermissionError).message).toContain('Incident.ReadWrite.All');
    });

    it('runs advanced hunting over its tables', async () => {
      const tenant = serve();
      const client = clientFor(tenant);
      const result = await client.advancedHunting.run('DeviceProcessEvents | summarize n = count() by DeviceName | order by n desc');
      const total = result.rows.reduce((sum, row) => sum + Number(row['n']), 0);
      expect(total).toBe(tenant.tables['DeviceProcessEvents']!.length);
      expect(result.schema).toEqual([{ name: 'DeviceName', type: 'String' }, { name: 'n', type: 'Int64' }]);
    });

    it('serves one store, tenant.incidents, through both APIs, to tokens of one app', async () => {
      const tenant = serve();
      const legacy: any = await (await fetch(`${API}/api/incidents`, { headers: { authorization: `Bearer ${await tokenOf(tenant)}` } })).json();
      const graphToken = await tokenOf(tenant, 'https://graph.microsoft.com/.default');
      const modern: any = await (await fetch('https://graph.microsoft.com/v1.0/security/incidents', { headers: { authorization: `Bearer ${graphToken}` } })).json();
      expect(new Set(legacy.value.map((i: { incidentId: number }) => i.incidentId))).toEqual(new Set(tenant.incidents.keys()));
      expect(modern.value.map((i: { id: string }) => i.id)).toEqual(legacy.value.map((i: { incidentId: number }) => String(i.incidentId)));
      expect(modern.value.map((i: { displayName: string }) => i.displayName)).toEqual(legacy.value.map((i: { incidentName: string }) => i.incidentName));
    });

    it('keeps secrets and tokens out of recorded requests and inspect()', async () => {
      const tenant = serve();
      await clientFor(tenant).incidents.get(idOf(tenant));
      const secret = tenant.credential().clientSecret;
      const recorded = JSON.stringify(tenant.requests);
      expect(recorded).not.toContain(secret);
      expect(recorded).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
      expect(tenant.requests.map((r) => [r.route, r.status])).toEqual([
        ['entra.token', 200],
        ['defender.getIncident', 200],
      ]);
      expect(tenant.requests[0]!.body).toMatchObject({ client_secret: '[redacted]' });
      expect(tenant.requests[1]!.headers['authorization']).toBe('Bearer [redacted]');
      expect(inspect(tenant, { depth: 10 })).not.toContain(secret);
      expect(JSON.stringify(tenant)).not.toContain(secret);
    });
  });

  describe('printing', () => {
    it('prints its apps with the client secret redacted, while app.clientSecret and credential() hold it', () => {
      const tenant = createFakeTenant({ incidents: 0, huntingRows: 0 });
      const app = tenant.apps[0]!;
      const secret = app.clientSecret!;
      expect(secret).toMatch(/^.{3}8Q~.{34}$/);
      expect(tenant.credential().clientSecret).toBe(secret);
      for (const printed of [format(tenant.apps), format(app), inspect(tenant.apps, { depth: 10 }), JSON.stringify(tenant.apps), JSON.stringify({ app })]) {
        expect(printed).not.toContain(secret);
        expect(printed).toContain(app.clientId);
        expect(printed).toContain('[redacted]');
      }
      expect(JSON.parse(JSON.stringify(app))).toEqual({ clientId: app.clientId, clientSecret: '[redacted]', roles: { defender: [...app.roles.defender], graph: [...app.roles.graph], mde: [...app.roles.mde] } });
      expect(format(app)).toMatch(/^FakeApp \{/);
    });

    it('prints an app without a secret with no clientSecret at all', () => {
      const tenant = createFakeTenant({ incidents: 0, huntingRows: 0, apps: [{ clientId: APP, roles: { defender: ['Incident.Read.All'] } }] });
      expect(JSON.parse(JSON.stringify(tenant.apps[0]))).toEqual({ clientId: APP, roles: { defender: ['Incident.Read.All'], graph: [], mde: [] } });
      expect(format(tenant.apps[0])).not.toContain('clientSecret');
    });
  });

  describe('faults', () => {
    it('plays a status sequence, then answers normally', async () => {
      const tenant = serve();
      tenant.faults.add(
        'defender.listIncidents',
        { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'busy' } }, headers: { 'retry-after': '0' } },
        { status: 429, body: { error: { code: '429', message: 'API calls quota exceeded! maximum allowed 50 per 00:01:00' } }, headers: { 'retry-after': '0' } },
      );
      const incidents = await clientFor(tenant).incidents.list().toArray();
      expect(incidents).toHaveLength(12);
      expect(tenant.requests.filter((r) => r.route === 'defender.listIncidents').map((r) => [r.status, r.faulted])).toEqual([
        [503, true],
        [429, true],
        [200, false],
      ]);
      expect(tenant.faults.pending).toBe(0);
    });

    it('drops the connection, and the client retries the read', async () => {
      const tenant = serve();
      tenant.faults.add('defender.getIncident', { network: { kind: 'reset' } });
      await expect(clientFor(tenant).incidents.get(idOf(tenant))).resolves.toMatchObject({ id: idOf(tenant) });
      expect(tenant.requests.filter((r) => r.route === 'defender.getIncident').map((r) => [r.status, r.faulted])).toEqual([
        [0, true],
        [200, false],
      ]);
    });

    it('cuts the body after some bytes, and the client retries the read', async () => {
      const tenant = serve();
      tenant.faults.add('defender.getIncident', { truncateBodyAt: 40 });
      await expect(clientFor(tenant).incidents.get(idOf(tenant))).resolves.toMatchObject({ id: idOf(tenant) });
      expect(tenant.requests.filter((r) => r.route === 'defender.getIncident')).toHaveLength(2);
    });

    it('serves an HTML error page from a gateway', async () => {
      const tenant = serve();
      tenant.faults.add('*', { html: true, status: 502 });
      const token = await tokenOf(tenant).catch(() => undefined);
      expect(token).toBeUndefined(); // '*' covers Entra too: the token request got the page
      const page = await fetch(`${API}/api/incidents`);
      expect(page.status).toBe(401); // the one step is used up: the API itself refuses the anonymous call
      tenant.faults.add('defender.listIncidents', { html: true, status: 502 });
      const html = await fetch(`${API}/api/incidents`);
      expect(html.status).toBe(502);
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await html.text()).toMatch(/^<!DOCTYPE html>/);
      tenant.faults.add('defender.listIncidents', { html: true, status: 502 });
      await expect(clientFor(tenant).incidents.list().toArray()).resolves.toHaveLength(12);
    });

    it('treats the bearer token as expired: the client gets a new one and replays', async () => {
      const tenant = serve();
      const client = clientFor(tenant);
      await client.incidents.get(idOf(tenant));
      tenant.faults.add('defender.getIncident', { expiredToken: true });
      await expect(client.incidents.get(idOf(tenant, 1))).resolves.toMatchObject({ id: idOf(tenant, 1) });
      expect(tenant.issuedTokens).toBe(2);
      expect(tenant.requests.filter((r) => r.route === 'defender.getIncident').map((r) => r.status)).toEqual([200, 401, 200]);
    });

    it('stalls until the client gives up', async () => {
      const tenant = serve();
      const client = clientFor(tenant, { timeoutMs: 150, maxRetries: 0 });
      await client.auth.inspect();
      tenant.faults.add('defender.getIncident', { network: { kind: 'stall' } });
      // The stall never ends: only the client's own 150 ms timer can end the call.
      const error = await client.incidents.get(idOf(tenant)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).timeoutMs).toBe(150);
    });

    it('delays, then answers normally; clear() drops queued steps', async () => {
      const tenant = serve();
      const client = clientFor(tenant);
      await client.auth.inspect();
      tenant.faults.add('defender.*', { delayMs: 120 });
      const started = Date.now();
      await client.incidents.get(idOf(tenant));
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
      tenant.faults.add('defender.getIncident', { status: 500 }, { status: 500 });
      tenant.faults.clear();
      await client.incidents.get(idOf(tenant));
      expect(tenant.requests.filter((r) => r.faulted)).toHaveLength(1);
    });

    it('refuses a delay Node cannot time (no TimeoutOverflowWarning, nothing queued), and takes the longest one it can', () => {
      const tenant = createFakeTenant({ incidents: 1, huntingRows: 1 });
      const error = thrownBy(InvalidArgumentError, () => tenant.faults.add('defender.*', { status: 500 }, { delayMs: 1e300 }));
      expect(error.option).toBe('steps[1].delayMs');
      expect(error.message).toBe('steps[1].delayMs must be a number from 0 to 2,147,483,647 ms; got number 1e+300.');
      expect(tenant.faults.pending).toBe(0);
      tenant.faults.add('defender.*', { delayMs: 2 ** 31 - 1 }, { delayMs: 0.5 });
      expect(tenant.faults.pending).toBe(2);
    });

    it.each([
      ['not a step at all', { bogus: true }, 'steps[0]'],
      ['a negative delay', { delayMs: -1 }, 'steps[0].delayMs'],
      ['a delay that is not a number', { delayMs: Number.NaN }, 'steps[0].delayMs'],
      ['a delay past 2^31 - 1 ms', { delayMs: 2 ** 31 }, 'steps[0].delayMs'],
      ['two kinds in one step (the status would be ignored)', { status: 503, delayMs: 5 }, 'steps[0]'],
      ['a status out of range', { status: 99 }, 'steps[0].status'],
      ['a header value that is not a string', { status: 429, headers: { 'Retry-After': 5 } }, 'steps[0].headers.Retry-After'],
      ['a header value with CR/LF', { status: 429, headers: { 'x-a': 'a\r\nx-b: b' } }, 'steps[0].headers'],
      ['body and rawBody together', { status: 500, body: {}, rawBody: '' }, 'steps[0].rawBody'],
      ['a body JSON cannot write', { status: 500, body: 10n }, 'steps[0].body'],
      ['an unknown key', { status: 500, retryAfter: 5 }, 'steps[0].retryAfter'],
      ['an unknown network fault', { network: { kind: 'drop' } }, 'steps[0].network.kind'],
      ['reset-during-body without afterBytes', { network: { kind: 'reset-during-body' } }, 'steps[0].network.afterBytes'],
      ['afterBytes on another network fault', { network: { kind: 'reset', afterBytes: 3 } }, 'steps[0].network.afterBytes'],
      ['a negative truncation', { truncateBodyAt: -1 }, 'steps[0].truncateBodyAt'],
      ['an HTML page without a status', { html: true }, 'steps[0].status'],
      ['expiredToken other than true', { expiredToken: false }, 'steps[0].expiredToken'],
    ])('refuses %s, naming the option', (_case, step, option) => {
      const tenant = createFakeTenant({ incidents: 1, huntingRows: 1 });
      const error = thrownBy(InvalidArgumentError, () => tenant.faults.add('*', step as never));
      expect(error.option).toBe(option);
      expect(error.message).toContain(option);
      expect(tenant.faults.pending).toBe(0);
    });

    it('refuses a route the tenant does not have, listing the routes', () => {
      const tenant = createFakeTenant({ incidents: 1, huntingRows: 1 });
      for (const route of ['defender.listIncident', 'sentinel.*', 'GET /api/incidents', '']) {
        const error = thrownBy(InvalidArgumentError, () => tenant.faults.add(route as never, { status: 500 }));
        expect(error.option).toBe('route');
        expect(error.message).toContain('defender.listIncidents');
      }
      expect(tenant.faults.pending).toBe(0);
    });
  });

  describe('determinism and time', () => {
    it('is the same tenant for the same seed and start time, another for another seed', () => {
      const startTime = Date.UTC(2026, 0, 20, 8, 0, 0);
      const a = createFakeTenant({ seed: 42, startTime, incidents: 30, huntingRows: 100 });
      const b = createFakeTenant({ seed: 42, startTime, incidents: 30, huntingRows: 100 });
      const c = createFakeTenant({ seed: 43, startTime, incidents: 30, huntingRows: 100 });
      expect(b.tenantId).toBe(a.tenantId);
      expect(b.apps).toEqual(a.apps);
      expect(b.credential()).toEqual(a.credential());
      expect([...b.incidents.values()]).toEqual([...a.incidents.values()]);
      expect(b.tables).toEqual(a.tables);
      expect(c.tenantId).not.toBe(a.tenantId);
      expect(c.credential().clientSecret).not.toBe(a.credential().clientSecret);
      expect([...c.incidents.values()]).not.toEqual([...a.incidents.values()]);
      expect(a.incidents.size).toBe(30);
    });

    it('generates its data as of its start time, however long its construction takes', () => {
      const startTime = Date.UTC(2026, 0, 20, 8, 0, 0);
      const a = createFakeTenant({ seed: 42, startTime, incidents: 30, huntingRows: 100 });
      // A machine so slow that every reading of the real clock is 5 ms after the last.
      let real = Date.now();
      vi.spyOn(Date, 'now').mockImplementation(() => (real += 5));
      const b = createFakeTenant({ seed: 42, startTime, incidents: 30, huntingRows: 100 });
      vi.restoreAllMocks();
      expect([...b.incidents.values()]).toEqual([...a.incidents.values()]);
      expect(b.tables).toEqual(a.tables);
    });

    it('runs its clock timeScale times faster: a token expires after its lifetime on that clock', async () => {
      // 600 simulated seconds at 1000× = 600 real milliseconds. (That a client refreshes a token the
      // API calls expired is the `expiredToken` fault's test above, with no race against the clock.)
      const tenant = serve({ tokenLifetimeSeconds: 600, timeScale: 1000 });
      const realBefore = Date.now();
      const simBefore = tenant.clock.now();
      const token = await tokenOf(tenant);
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { iat: number; exp: number };
      expect(claims.exp - claims.iat).toBe(600);
      await new Promise((resolve) => setTimeout(resolve, 650));
      const simAfter = tenant.clock.now();
      const realAfter = Date.now();
      // The clock ran 1000 times the real time between the readings, however long that was.
      expect(simAfter - simBefore).toBeGreaterThanOrEqual(600_000);
      expect(simAfter - simBefore).toBeLessThanOrEqual((realAfter - realBefore) * 1000);
      expect(simAfter).toBeGreaterThan(claims.exp * 1000);
      const expired = await fetch(`${API}/api/incidents/${idOf(tenant)}`, { headers: { authorization: `Bearer ${token}` } });
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
    });

    it('advances its clock on demand', async () => {
      const tenant = serve({ tokenLifetimeSeconds: 3600 });
      const token = await tokenOf(tenant);
      const get = () => fetch(`${API}/api/incidents/${idOf(tenant)}`, { headers: { authorization: `Bearer ${token}` } });
      expect((await get()).status).toBe(200);
      tenant.clock.advance(3601_000);
      const expired = await get();
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
    });

    it('refuses to advance its clock backwards, by a non-number, or past the year 9999', () => {
      const tenant = createFakeTenant({ incidents: 1, huntingRows: 1, startTime: Date.UTC(9999, 11, 31) });
      for (const ms of [-1, Number.NaN, Number.POSITIVE_INFINITY, 1e300, 2 * 86_400_000, '1000']) {
        const error = thrownBy(InvalidArgumentError, () => tenant.clock.advance(ms as number));
        expect(error.option).toBe('ms');
        expect(error.message).toMatch(/^clock\.advance: ms must be a number of milliseconds ≥ 0 that keeps the clock within year 9999; got /);
      }
      tenant.clock.advance(3600_000);
      expect(new Date(tenant.clock.now()).toISOString()).toMatch(/^9999-12-31T0[12]:/);
    });

    it('reset() restores the generated state and clears faults and records', async () => {
      const tenant = serve();
      const id = idOf(tenant);
      const original = structuredClone(tenant.incidents.get(Number(id)));
      await clientFor(tenant).incidents.update(id, { status: 'resolved', comment: 'done' });
      expect(tenant.incidents.get(Number(id))!.status).toBe('Resolved');
      tenant.faults.add('*', { status: 500 });
      tenant.reset();
      expect(tenant.incidents.get(Number(id))).toEqual(original);
      expect(tenant.faults.pending).toBe(0);
      expect(tenant.requests).toHaveLength(0);
      expect(tenant.issuedTokens).toBe(0);
    });
  });

  describe('quotas', () => {
    it('refuses calls over a quota with 429 and Retry-After until the window has room', async () => {
      const tenant = serve({ quotas: { 'defender.incident.get': [{ limit: 2, intervalMs: 60_000 }] } });
      const client = clientFor(tenant, { rateLimit: false, maxRetryWaitMs: 1_000 });
      const start = tenant.clock.now();
      await client.incidents.get(idOf(tenant));
      await client.incidents.get(idOf(tenant));
      const error = await client.incidents.get(idOf(tenant)).catch((e: unknown) => e);
      const end = tenant.clock.now();
      expect(error).toBeInstanceOf(RateLimitError);
      // Retry-After is the wait until the first call leaves the minute: the minute less what the
      // tenant's clock shows went by between them, at most, however long that was.
      const retryAfterMs = (error as RateLimitError).retryAfterMs!;
      expect(retryAfterMs).toBeGreaterThanOrEqual(60_000 - (end - start));
      expect(retryAfterMs).toBeLessThanOrEqual(60_000);
      const refused = tenant.requests.at(-1)!;
      expect(refused).toMatchObject({ route: 'defender.getIncident', status: 429 });
      // Lists have their own quota.
      await expect(client.incidents.list().toArray()).resolves.toHaveLength(12);
      tenant.clock.advance(60_000);
      await expect(client.incidents.get(idOf(tenant))).resolves.toBeDefined();
    });
    it('sends one Retry-After header with a 429 (the header twice reads as "N, N")', async () => {
      const tenant = serve({ quotas: { 'defender.incident.get': [{ limit: 1, intervalMs: 60_000 }] } });
      const { token } = await tokenFrom(tenant, 'https://api.security.microsoft.com/.default');
      const get = () => fetch(`${tenant.hosts.defenderBaseUrl}/api/incidents/${idOf(tenant)}`, { headers: { authorization: `Bearer ${token}` } });
      expect((await get()).status).toBe(200);
      const refused = await get();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    });
  });

  describe('Key Vault', () => {
    it('challenges an anonymous request, then serves the secret for a vault token from the tenant', async () => {
      const tenant = serve();
      const url = `${tenant.hosts.keyVaultUrl}/secrets/defender-client-secret/?api-version=7.4`;
      const challenge = await fetch(url);
      expect(challenge.status).toBe(401);
      expect(challenge.headers.get('www-authenticate')).toBe(
        `Bearer authorization="https://login.microsoftonline.com/${tenant.tenantId}", resource="https://vault.azure.net"`,
      );
      expect(((await challenge.json()) as { error: unknown }).error).toMatchObject({ code: 'Unauthorized', message: expect.stringMatching(/^AKV10000/) });
      const wrongAudience = await fetch(url, { headers: { authorization: `Bearer ${await tokenOf(tenant)}` } });
      expect(wrongAudience.status).toBe(401);
      const vaultToken = await tokenOf(tenant, 'https://vault.azure.net/.default');
      const secret = await fetch(url, { headers: { authorization: `Bearer ${vaultToken}` } });
      expect(secret.status).toBe(200);
      expect(await secret.json()).toMatchObject({ value: tenant.credential().clientSecret, id: expect.stringContaining('/secrets/defender-client-secret/') });
      const missing = await fetch(`${tenant.hosts.keyVaultUrl}/secrets/nope?api-version=7.4`, { headers: { authorization: `Bearer ${vaultToken}` } });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('SecretNotFound');
      expect(tenant.requests.filter((r) => r.route === 'keyvault.getSecret').map((r) => r.status)).toEqual([401, 401, 200, 404]);
    });
  });
});
