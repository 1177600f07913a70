import { inspect } from 'node:util';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  ApiError,
  AuthenticationError,
  ConnectionError,
  DefenderClient,
  InvalidArgumentError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  SDK_VERSION,
  TimeoutError,
} from '../../src/index.js';
import packageJson from '../../package.json' with { type: 'json' };
import { realisticIncidentListResponse } from '../support/defender-payloads.js';
import { authorizationsSentTo, fakeTenant, requestsTo, startServer } from '../support/tenant.js';

const server = startServer();
const quota45 = { error: { code: '429', message: 'API calls quota exceeded! maximum allowed 45 per 00:01:00', target: 'abc-123' } };

describe('transport', () => {
  it('sends a bearer token, a User-Agent with SDK and node versions, and one client-request-id per call', async () => {
    const { client, tenant } = fakeTenant(server, { client: { userAgent: 'M365DPartner-Contoso-Sentinel/1.2' } });
    const authorizations = authorizationsSentTo(server, 'https://api.security.microsoft.com/api/*');
    tenant.faults.add('defender.getIncident', { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'busy' } }, headers: { 'retry-after': '0' } });
    await client.incidents.get(String([...tenant.incidents.keys()][0]));
    const [first, second] = requestsTo(tenant, 'defender');
    expect(authorizations[0]).toMatch(/^Bearer ey/);
    expect(first!.headers['user-agent']).toBe(`M365DPartner-Contoso-Sentinel/1.2 m365-defender/${SDK_VERSION} node/${process.versions.node}`);
    const id = first!.headers['client-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // a retry of the same call keeps its id; the next call gets a new one
    expect(second!.headers['client-request-id']).toBe(id);
    await client.incidents.get(String([...tenant.incidents.keys()][0]));
    expect(requestsTo(tenant, 'defender')[2]!.headers['client-request-id']).not.toBe(id);
  });

  it('keeps SDK_VERSION equal to the package version', () => {
    expect(SDK_VERSION).toBe(packageJson.version);
  });

  it('refreshes the token once for 100 concurrent calls on a cold client', async () => {
    const { client, credential, tenant } = fakeTenant(server);
    const id = String([...tenant.incidents.keys()][0]);
    await Promise.all(Array.from({ length: 100 }, () => client.incidents.get(id)));
    expect(credential.calls).toBe(1);
    expect(requestsTo(tenant, 'defender')).toHaveLength(100);
  });

  it('on a 401 drops the token, gets a new one and replays the request once', async () => {
    const { client, credential, tenant } = fakeTenant(server);
    const sent = authorizationsSentTo(server, 'https://api.security.microsoft.com/api/*');
    tenant.faults.add('defender.getIncident', { status: 401, body: { error: { code: 'Unauthorized', message: 'token revoked', target: 't1' } } });
    const incident = await client.incidents.get(String([...tenant.incidents.keys()][0]));
    expect(incident.id).toBeTruthy();
    expect(credential.calls).toBe(2);
    expect(sent).toHaveLength(2);
    expect(sent[0]).not.toBe(sent[1]);
  });

  it('fails with AuthenticationError on a second 401, without looping', async () => {
    const { client, credential, tenant } = fakeTenant(server);
    const unauthorized = { status: 401, body: { error: { code: 'Unauthorized', message: 'Account mode is inactive', target: 't2' } } };
    tenant.faults.add('defender.getIncident', unauthorized, unauthorized, unauthorized);
    const error = await client.incidents.get('1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
    expect((error as AuthenticationError).requestId).toBe('t2');
    expect(requestsTo(tenant, 'defender')).toHaveLength(2);
    expect(credential.calls).toBe(2);
  });

  it('names the permission an operation needs and the roles the token holds on a 403', async () => {
    const { client } = fakeTenant(server, { roles: ['Incident.Read.All'] });
    const error = await client.incidents.update('1', { status: 'resolved' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    const e = error as PermissionError;
    expect(e.requiredPermissions).toEqual(['Incident.ReadWrite.All']);
    expect(e.grantedRoles).toEqual(['Incident.Read.All']);
    expect(e.message).toContain('Microsoft Threat Protection');
    expect(e.message).toContain('Incident.ReadWrite.All');
    expect(e.message).toContain('admin consent');
  });

  it('waits the seconds of Retry-After on a 429, then succeeds', async () => {
    const { client, tenant } = fakeTenant(server);
    tenant.faults.add('defender.getIncident', { status: 429, body: quota45, headers: { 'retry-after': '1' } });
    const started = Date.now();
    await client.incidents.get(String([...tenant.incidents.keys()][0]));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(requestsTo(tenant, 'defender')).toHaveLength(2);
  });

  it('reads Retry-After as an HTTP date', async () => {
    const { client, tenant } = fakeTenant(server);
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    tenant.faults.add('defender.getIncident', { status: 429, body: quota45, headers: { 'retry-after': at.toUTCString() } });
    await client.incidents.get(String([...tenant.incidents.keys()][0]));
    const [, second] = requestsTo(tenant, 'defender');
    // the retry went at the date, not before (how long after is the machine's)
    expect(second!.at).toBeGreaterThanOrEqual(at.getTime() - 50);
  });

  it('without Retry-After, waits out the window the quota message names, and fails fast when that exceeds the budget', async () => {
    const errors: string[] = [];
    const { client, tenant } = fakeTenant(server, { client: { maxRetryWaitMs: 5_000, logger: { error: (message: string) => void errors.push(message) } } });
    tenant.faults.add('defender.listIncidents', { status: 429, body: quota45 });
    const error = await client.incidents.list().toArray().catch((e: unknown) => e);
    // it did not sleep the 60 s window, nor any of it: it decided so (and says why) before waiting
    expect(errors).toEqual([expect.stringMatching(/waiting 60000 ms more would exceed maxRetryWaitMs \(5000 ms\)/)]);
    expect(error).toBeInstanceOf(RateLimitError);
    const e = error as RateLimitError;
    expect(e.quota).toBe('calls');
    expect(e.retryAfterMs).toBe(60_000);
    expect(e.status).toBe(429);
    expect(e.code).toBe('429');
    expect(e.requestId).toBe('abc-123');
    expect(requestsTo(tenant, 'defender')).toHaveLength(1);
  });

  it('waits what the quota message says ("again in N seconds") when there is no header', async () => {
    const { client, tenant } = fakeTenant(server);
    tenant.faults.add('defender.listIncidents', {
      status: 429,
      body: { error: { code: 'TooManyRequests', message: 'Rate limit is exceeded. You can send requests again in 1 seconds.' } },
    });
    const started = Date.now();
    await client.incidents.list().toArray();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('tells the CPU quota from the call quota on hunting 429s', async () => {
    const { client, tenant } = fakeTenant(server, { client: { maxRetries: 0 } });
    tenant.faults.add('defender.hunting', {
      status: 429,
      body: { error: { code: 'TooManyRequests', message: 'You have exceeded processing resources allocated to this tenant. You can run queries again in 00:05:00.' } },
    });
    const error = await client.advancedHunting.run('DeviceProcessEvents | take 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).quota).toBe('cpu');
    expect((error as RateLimitError).retryAfterMs).toBe(300_000);
  });

  // one status per test: `Retry-After: 0` means back-off, and five back-offs in a row outgrow the budget
  it.each([408, 500, 502, 503, 504])('retries %i on reads, then succeeds', async (status) => {
    const { client, tenant } = fakeTenant(server);
    tenant.faults.add('defender.listIncidents', { status, body: { error: { code: 'X', message: `failed ${status}` } }, headers: { 'retry-after': '0' } });
    const incidents = await client.incidents.list().toArray();
    expect(incidents.length).toBeGreaterThan(0);
    expect(requestsTo(tenant, 'defender')).toHaveLength(2);
  });

  it('gives up after maxRetries with a ServerError carrying the status', async () => {
    const { client, tenant } = fakeTenant(server, { client: { maxRetries: 2 } });
    const fail = { status: 500, body: { error: { code: 'InternalServerError', message: 'boom', target: 'g-1' } }, headers: { 'retry-after': '0' } };
    tenant.faults.add('defender.getIncident', fail, fail, fail, fail);
    const error = await client.incidents.get('1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(500);
    expect((error as ServerError).requestId).toBe('g-1');
    expect(requestsTo(tenant, 'defender')).toHaveLength(3);
  });

  it('never resends a PATCH whose outcome is unknown (5xx or dropped connection)', async () => {
    const { client, tenant } = fakeTenant(server);
    const id = String([...tenant.incidents.keys()][0]);
    tenant.faults.add('defender.updateIncident', { status: 502, body: 'Bad Gateway', headers: { 'retry-after': '0' } });
    await expect(client.incidents.update(id, { status: 'resolved' })).rejects.toBeInstanceOf(ServerError);
    tenant.faults.add('defender.updateIncident', { network: { kind: 'reset' } });
    await expect(client.incidents.update(id, { status: 'resolved' })).rejects.toBeInstanceOf(ConnectionError);
    expect(requestsTo(tenant, 'defender').filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });

  it('keeps fetch\'s own error as the cause of a ConnectionError, not the HTTP library\'s wrapper', async () => {
    const { client, tenant } = fakeTenant(server);
    const id = String([...tenant.incidents.keys()][0]);
    tenant.faults.add('defender.updateIncident', { network: { kind: 'reset' } });
    const error = await client.incidents.update(id, { status: 'resolved' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    const cause = (error as ConnectionError).cause as Error;
    // ky 2 wraps it in a NetworkError whose message holds the method and full URL.
    expect(cause.name).toBe('TypeError');
    expect(cause.message).not.toContain('/api/incidents');
  });

  it('resends a PATCH the service throttled (429: not applied)', async () => {
    const { client, tenant } = fakeTenant(server);
    const id = String([...tenant.incidents.keys()][0]);
    tenant.faults.add('defender.updateIncident', { status: 429, body: quota45, headers: { 'retry-after': '0' } });
    const incident = await client.incidents.update(id, { status: 'resolved' });
    expect(incident.status).toBe('resolved');
    expect(requestsTo(tenant, 'defender').filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });

  it('retries a dropped connection on a read', async () => {
    const { client, tenant } = fakeTenant(server);
    tenant.faults.add('defender.listIncidents', { network: { kind: 'reset' } });
    expect((await client.incidents.list().toArray()).length).toBeGreaterThan(0);
    expect(requestsTo(tenant, 'defender')).toHaveLength(2);
  });

  it('rejects with the caller\'s abort reason while waiting to retry', async () => {
    const { client, tenant } = fakeTenant(server);
    tenant.faults.add('defender.getIncident', { status: 503, body: {}, headers: { 'retry-after': '5' } });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const outcome = client.incidents.get('1', { signal: controller.signal }).then(() => undefined, (e: unknown) => e);
    // The 503 is answered: the client now waits 5 s to retry, and the caller gives up meanwhile.
    await expect.poll(() => requestsTo(tenant, 'defender').map((r) => r.status), { timeout: 10_000 }).toEqual([503]);
    const aborted = Date.now();
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    // The one time bound is the wait it was in: a sleep that ignored the signal would end no sooner.
    expect(Date.now() - aborted).toBeLessThan(5_000);
    expect(requestsTo(tenant, 'defender')).toHaveLength(1);
  });

  it('rejects at once with an already-aborted signal and sends nothing', async () => {
    const { client, tenant, credential } = fakeTenant(server);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(client.incidents.get('1', { signal: controller.signal })).rejects.toThrow('stop');
    expect(requestsTo(tenant, 'defender')).toHaveLength(0);
    expect(credential.calls).toBe(0);
  });

  it('times out a stalled call with TimeoutError', async () => {
    const { client } = fakeTenant(server, { client: { timeoutMs: 300 } });
    server.use(http.get('https://api.security.microsoft.com/api/incidents/:id', async () => {
      await new Promise((r) => setTimeout(r, 2_000));
      return HttpResponse.json({});
    }));
    const error = await client.incidents.get('1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(300);
  });

  it('maps a 404 to NotFoundError and a 400 to ApiError with the service code', async () => {
    const { client, tenant } = fakeTenant(server);
    await expect(client.incidents.get('999999999')).rejects.toBeInstanceOf(NotFoundError);
    tenant.faults.add('defender.listIncidents', { status: 400, body: { error: { code: 'ODataError', message: 'Invalid filter', target: 'o-1' } } });
    const error = await client.incidents.list().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('ODataError');
    expect((error as ApiError).message).toContain('Invalid filter');
  });

  it('raises ResponseValidationError for an HTML page with status 200', async () => {
    const { client, tenant } = fakeTenant(server);
    tenant.faults.add('defender.getIncident', { status: 200, rawBody: '<html><body>Sign in</body></html>', headers: { 'content-type': 'text/html' } });
    const error = await client.incidents.get('1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as Error).message).toContain('text/html');
  });

  it('refuses the ids "." and ".." that would change the request path', async () => {
    const { client, tenant } = fakeTenant(server);
    await expect(client.incidents.get('..')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.incidents.update('.', { status: 'resolved' })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(requestsTo(tenant, 'defender')).toHaveLength(0);
  });

  it('refuses to send a token over plain http except to loopback', () => {
    const { credential } = fakeTenant(server);
    const cloud = { authorityHost: 'https://login.microsoftonline.com', apiBaseUrl: 'http://defender.example.com', scope: 'https://api.security.microsoft.com/.default' };
    expect(() => new DefenderClient({ credential, cloud })).toThrow(InvalidArgumentError);
    expect(() => new DefenderClient({ credential, cloud: { ...cloud, apiBaseUrl: 'http://127.0.0.1:8443' } })).not.toThrow();
  });

  it('follows @odata.nextLink on the API origin but never sends the token to another host', async () => {
    const { client } = fakeTenant(server);
    let stolen = 0;
    server.use(
      http.get('https://api.security.microsoft.com/api/incidents', () =>
        HttpResponse.json({ value: [], '@odata.nextLink': 'https://evil.example.com/api/incidents?$skip=100' })),
      http.get('https://evil.example.com/*', () => {
        stolen++;
        return HttpResponse.json({ value: [] });
      }),
    );
    const error = await client.incidents.list().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as Error).message).toContain('evil.example.com');
    expect(stolen).toBe(0);
  });

  it.each(['.evil.example/steal', '@evil.example/steal', 'https://api.security.microsoft.com.evil.example/x', 'https://user:pw@api.security.microsoft.com/api/incidents'])(
    'refuses the nextLink %s without sending anything', async (link) => {
      const { client } = fakeTenant(server);
      await client.auth.inspect(); // the token first: from here on nothing but the listing may be sent
      const sentTo: string[] = [];
      server.use(
        http.get('https://api.security.microsoft.com/api/incidents', () => HttpResponse.json({ value: [], '@odata.nextLink': link })),
        http.all('*', ({ request }) => {
          sentTo.push(request.url);
          return HttpResponse.json({ value: [] });
        }),
      );
      await expect(client.incidents.list().toArray()).rejects.toBeInstanceOf(ResponseValidationError);
      expect(sentTo).toEqual([]);
    });

  it('refuses an edited continuation token that points elsewhere, sending no token', async () => {
    const { client, tenant } = fakeTenant(server);
    // A real token of this listing, edited: its listing stays, its cursor points elsewhere.
    const real = (await client.incidents.list({ pageSize: 2 }).byPage().next()).value?.continuationToken;
    const { l } = JSON.parse(Buffer.from(real!, 'base64url').toString('utf8')) as { l: string };
    const edited = (cursor: unknown) => Buffer.from(JSON.stringify({ v: 1, l, c: cursor })).toString('base64url');
    const sent = requestsTo(tenant, 'defender').length;
    let stolen = 0;
    server.use(http.all('*', () => {
      stolen++;
      return HttpResponse.json({ value: [] });
    }));
    for (const link of ['.evil.example/steal', 'https://evil.example/x']) {
      const token = edited({ skip: 100, link });
      await expect(client.incidents.list({ pageSize: 2 }).byPage({ continuationToken: token }).next()).rejects.toBeInstanceOf(ResponseValidationError);
    }
    expect(() => client.incidents.list({ pageSize: 2 }).byPage({ continuationToken: edited({ skip: -5 }) })).toThrow(InvalidArgumentError);
    expect(stolen).toBe(0);
    expect(requestsTo(tenant, 'defender')).toHaveLength(sent);
  });

  it('follows a rooted nextLink on the API origin, and stops if the API repeats it', async () => {
    const { client } = fakeTenant(server);
    let calls = 0;
    server.use(http.get('https://api.security.microsoft.com/api/incidents', ({ request }) => {
      calls++;
      const page = new URL(request.url).searchParams.get('page');
      const body = realisticIncidentListResponse();
      (body.value[0] as { incidentId: number }).incidentId = page ? 2 : 1;
      return HttpResponse.json({ ...body, '@odata.nextLink': '/api/incidents?page=2' });
    }));
    const incidents = await client.incidents.list().toArray();
    expect(incidents.map((i) => i.id)).toEqual(['1', '2']);
    expect(calls).toBe(2);
  });

  it('matches a 429 by its status whatever the body code, and no other status by a "429" code', async () => {
    const { client, tenant } = fakeTenant(server, { client: { maxRetries: 0 } });
    tenant.faults.add('defender.getIncident', { status: 429, body: { error: { code: '', message: 'Too many requests.' } } });
    await expect(client.incidents.get('1')).rejects.toBeInstanceOf(RateLimitError);
    tenant.faults.add('defender.getIncident', { status: 429, rawBody: '' });
    await expect(client.incidents.get('1')).rejects.toBeInstanceOf(RateLimitError);
    tenant.faults.add('defender.getIncident', { status: 400, body: { error: { code: '429', message: 'odd' } } });
    const error = await client.incidents.get('1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).not.toBeInstanceOf(RateLimitError);
  });

  it('uses huntingTimeoutMs for hunting and timeoutMs for other calls', async () => {
    // The slow answers take 500 ms: more than timeoutMs, which must end the get (its timer is set
    // first and is due first, however busy the machine), far less than huntingTimeoutMs.
    const { client } = fakeTenant(server, { client: { timeoutMs: 200, huntingTimeoutMs: 10_000 }, huntingTables: { T: [{ A: 1 }] } });
    const slow = async () => {
      await new Promise((r) => setTimeout(r, 500));
    };
    server.use(
      http.post('https://api.security.microsoft.com/api/advancedhunting/run', async () => {
        await slow();
        return HttpResponse.json({ Schema: [{ Name: 'A', Type: 'Int64' }], Results: [{ A: 1 }] });
      }),
      http.get('https://api.security.microsoft.com/api/incidents/:id', async () => {
        await slow();
        return HttpResponse.json({});
      }),
    );
    await expect(client.advancedHunting.run('T')).resolves.toMatchObject({ rows: [{ A: 1 }] });
    await expect(client.incidents.get('1')).rejects.toBeInstanceOf(TimeoutError);
    await expect(client.advancedHunting.run('T', { timeoutMs: 100 })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('rejects with the abort reason when aborted while the request is in flight', async () => {
    const { client } = fakeTenant(server);
    server.use(http.get('https://api.security.microsoft.com/api/incidents/:id', async () => {
      await new Promise((r) => setTimeout(r, 1_000));
      return HttpResponse.json({});
    }));
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    setTimeout(() => controller.abort(reason), 100);
    await expect(client.incidents.get('1', { signal: controller.signal })).rejects.toBe(reason);
  });

  it('logs requests and retries without any token or Authorization header', async () => {
    const lines: string[] = [];
    const sink = (...args: unknown[]) => lines.push(args.map((a) => inspect(a)).join(' '));
    const logger = { debug: sink, info: sink, warn: sink, error: sink };
    const { client, tenant, credential } = fakeTenant(server, { client: { logger } });
    tenant.faults.add('defender.listIncidents', { status: 401, body: { error: { code: 'Unauthorized', message: 'expired' } } }, { status: 503, body: {}, headers: { 'retry-after': '0' } });
    await client.incidents.list().toArray();
    expect(lines.some((l) => l.includes('GET https://api.security.microsoft.com/api/incidents'))).toBe(true);
    expect(lines.some((l) => /retrying/i.test(l))).toBe(true);
    const text = lines.join('\n');
    for (const token of credential.issued) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split('.')[2]!);
    }
    expect(text.toLowerCase()).not.toContain('bearer');
  });

  it('keeps tokens out of every error: message, cause, inspect and JSON', async () => {
    const { client, tenant, credential } = fakeTenant(server, { roles: [], client: { maxRetries: 0 } });
    const errors: unknown[] = [];
    errors.push(await client.incidents.get('1').catch((e: unknown) => e)); // 403
    tenant.faults.add('defender.getIncident', { network: { kind: 'reset' } });
    errors.push(await client.incidents.get('1').catch((e: unknown) => e));
    tenant.faults.add('defender.getIncident', { status: 500, body: { error: { code: 'x', message: 'y' } } });
    errors.push(await client.incidents.get('1').catch((e: unknown) => e));
    expect(credential.issued.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error).toBeInstanceOf(Error);
      const dump = [inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), String((error as Error).stack)].join('\n');
      for (const token of credential.issued) expect(dump).not.toContain(token.split('.')[1]!);
    }
  });
});
