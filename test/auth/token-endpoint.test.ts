/**
 * A client facing an odd or hostile token source (issue 11, items 3, 5 and 9), through the public
 * client against the fake tenant: a throttled token endpoint is left alone until its Retry-After
 * passes; odd `expires_in` values do not make every call fetch a token; a token that cannot go in
 * an Authorization header is refused before anything is sent, and never shown.
 */
import { inspect } from 'node:util';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthenticationError, DefenderClient, type DefenderClientOptions, type Logger } from '../../src/index.js';
import type { FakeTenant } from '../../src/testing/index.js';
import { expectNoSecrets } from '../support/leak.js';
import { CLIENT_ID, TENANT_ID, requestsTo, serveTenant, startServer } from '../support/tenant.js';
import { rejection } from '../support/throws.js';

const server = startServer();

/** A logger keeping every line of every level. */
function recordingLogger(): { lines: string[]; logger: Logger } {
  const lines: string[] = [];
  const line = (level: string) => (message: string, ...details: unknown[]) => void lines.push(`${level} ${[message, ...details.map((d) => inspect(d))].join(' ')}`);
  return { lines, logger: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') } };
}

/** A client of the tenant's app with its client secret: the built-in credential, MSAL and all. */
function secretClient(tenant: FakeTenant, options: Partial<DefenderClientOptions> = {}): DefenderClient {
  const { clientSecret } = tenant.credential(CLIENT_ID);
  return new DefenderClient({ credential: { tenantId: TENANT_ID, clientId: CLIENT_ID, clientSecret: clientSecret! }, rateLimit: false, ...options });
}

const tokenRequests = (tenant: FakeTenant) => requestsTo(tenant, 'entra').filter((r) => r.route === 'entra.token');
const apiRequests = (tenant: FakeTenant) => requestsTo(tenant, 'defender');
const firstId = (tenant: FakeTenant) => String([...tenant.incidents.keys()][0]);

const throttled = (status: number, retryAfter: string) => ({
  status,
  headers: { 'retry-after': retryAfter },
  body: { error: 'temporarily_unavailable', error_description: 'AADSTS50196: The server terminated an operation because it encountered a client request loop.', error_codes: [50196] },
});

describe('a throttled token endpoint', () => {
  afterEach(() => vi.useRealTimers());

  it.each([429, 503])('%i with Retry-After: 60 and no token: 20 sequential calls make 1 token request; after the wait, exactly one more', async (status) => {
    // Only Date is faked: the client's clock, that of MSAL and that of the tenant move together.
    vi.useFakeTimers({ toFake: ['Date'] });
    const tenant = serveTenant(server);
    tenant.faults.add('entra.token', throttled(status, '60'));
    const client = secretClient(tenant, { maxRetryWaitMs: 10_000 });
    const id = firstId(tenant);
    const errors: AuthenticationError[] = [];
    for (let i = 0; i < 20; i++) {
      errors.push((await rejection(client.incidents.get(id))) as AuthenticationError);
      vi.setSystemTime(Date.now() + 100);
    }
    expect(tokenRequests(tenant)).toHaveLength(1);
    expect(apiRequests(tenant)).toHaveLength(0);
    for (const error of errors) {
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ status, code: 'AADSTS50196', operation: 'auth.getToken' });
    }
    expect(errors[0]!.retryAfterMs).toBe(60_000);
    expect(errors[19]!.retryAfterMs).toBe(60_000 - 19 * 100);
    expect(errors[19]!.message).toMatch(/^Not sent: the token endpoint asked not to be called again before/);

    vi.setSystemTime(Date.now() + 60_000);
    await expect(client.incidents.get(id)).resolves.toMatchObject({ id });
    await expect(client.incidents.get(id)).resolves.toMatchObject({ id });
    expect(tokenRequests(tenant).map((r) => r.status)).toEqual([status, 200]);
  });

  it.each(['1, 2', 'soon 5', '-1', 'Thu, 01 Jan 1970 00:00:00 GMT'])('an Entra 429 with Retry-After "%s" (no wait to honour) holds the endpoint for the default 30 s, not 0', async (retryAfter) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tenant = serveTenant(server);
    tenant.faults.add('entra.token', throttled(429, retryAfter));
    const client = secretClient(tenant, { maxRetryWaitMs: 10 });
    const id = firstId(tenant);
    const first = (await rejection(client.incidents.get(id))) as AuthenticationError;
    expect(first.retryAfterMs).toBeUndefined();
    vi.setSystemTime(Date.now() + 5_000);
    const second = (await rejection(client.incidents.get(id))) as AuthenticationError;
    expect(second.message).toMatch(/^Not sent:/);
    expect(tokenRequests(tenant)).toHaveLength(1);
  });

  it('a call arriving while the Retry-After runs waits for it when it fits maxRetryWaitMs, and fails at once, unsent, when it does not', async () => {
    const tenant = serveTenant(server);
    // Entra ID throttles for one second from the first request after `arm()`, whatever is asked meanwhile.
    let armed = false;
    let until = 0;
    const answers: number[] = [];
    server.use(
      http.post(`${tenant.hosts.authorityHost}/:tenant/oauth2/v2.0/token`, async ({ request }) => {
        if (armed) [armed, until] = [false, Date.now() + 1_000];
        if (Date.now() < until) {
          answers.push(429);
          const { body, headers } = throttled(429, '1');
          return HttpResponse.json(body, { status: 429, headers });
        }
        answers.push(200);
        return tenant.handle(request);
      }),
    );
    const arm = () => void (armed = true);
    const id = firstId(tenant);

    arm();
    const patient = secretClient(tenant, { maxRetryWaitMs: 10_000 });
    // The call that met the 429 fails with it (token requests are not retried) ...
    expect(await rejection(patient.incidents.get(id))).toMatchObject({ status: 429, retryAfterMs: 1_000 });
    // ... the next one waits out the second, then asks once and succeeds.
    await expect(patient.incidents.get(id)).resolves.toMatchObject({ id });
    expect(answers).toEqual([429, 200]);

    arm();
    const hurried = secretClient(tenant, { maxRetryWaitMs: 500 });
    await rejection(hurried.incidents.get(id));
    const unsent = (await rejection(hurried.incidents.get(id))) as AuthenticationError;
    expect(unsent).toBeInstanceOf(AuthenticationError);
    expect(unsent.message).toMatch(/^Not sent: .*beyond maxRetryWaitMs of 500 ms/);
    expect(answers).toEqual([429, 200, 429]);
  });

  it('an absurd Retry-After is capped at 5 minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tenant = serveTenant(server);
    tenant.faults.add('entra.token', throttled(429, '99999999999'));
    const { lines, logger } = recordingLogger();
    const client = secretClient(tenant, { maxRetryWaitMs: 0, logger });
    const id = firstId(tenant);
    await rejection(client.incidents.get(id));
    expect(lines.some((line) => line.startsWith('error') && line.includes('its Retry-After of 99999999999 s capped at 300 s'))).toBe(true);
    vi.setSystemTime(Date.now() + 299_000);
    expect(((await rejection(client.incidents.get(id))) as AuthenticationError).retryAfterMs).toBe(1_000);
    vi.setSystemTime(Date.now() + 1_000);
    await expect(client.incidents.get(id)).resolves.toMatchObject({ id });
    expect(tokenRequests(tenant).map((r) => r.status)).toEqual([429, 200]);
  });
});

describe('odd token lifetimes from Entra ID', () => {
  it.each([
    ['negative', -5],
    ['zero', 0],
    ['not a number', 'soon'],
    ['missing', undefined],
    ['null', null],
  ])('expires_in %s: 10 calls make one token request (the token exp claim is used) and the warning holds no token', async (_, expiresIn) => {
    const tenant = serveTenant(server);
    const issuedTokens: string[] = [];
    // The tenant's own answer (a token it will accept), with expires_in replaced.
    server.use(
      http.post(`${tenant.hosts.authorityHost}/:tenant/oauth2/v2.0/token`, async ({ request }) => {
        const body = (await (await tenant.handle(request))!.json()) as Record<string, unknown>;
        issuedTokens.push(String(body.access_token));
        const { expires_in: _drop, ext_expires_in: _ext, ...rest } = body;
        return HttpResponse.json(expiresIn === undefined ? rest : { ...rest, expires_in: expiresIn });
      }),
    );
    const { lines, logger } = recordingLogger();
    const client = secretClient(tenant, { logger });
    const id = firstId(tenant);
    for (let i = 0; i < 10; i++) await expect(client.incidents.get(id)).resolves.toMatchObject({ id });
    expect(tokenRequests(tenant)).toHaveLength(1);
    expect(apiRequests(tenant)).toHaveLength(10);
    expect(lines.filter((line) => line.startsWith('warn') && line.includes("using the token's own exp claim"))).toHaveLength(1);
    expect(issuedTokens).toHaveLength(1);
    const all = lines.join('\n');
    expect(all).not.toContain(issuedTokens[0]!.split('.')[2]!);
    expect(all).not.toContain(issuedTokens[0]!.split('.')[1]!);
  });
});

describe('a token that cannot go in an Authorization header', () => {
  it.each([
    ['CR/LF', 'eyJ0eXAiOiJKV1QifQ.e30.Zm9vYmFyYmF6cXV4\r\nX-Injected-Header: 1'],
    ['NUL', 'Secr3t-token-value-\u0000-after-nul'],
    ['a non-Latin-1 character', 'Secr3t-token-value-\u0100-after-it'],
    ['nothing', ''],
  ])('holding %s: AuthenticationError invalid_token before anything is sent, asked once, never shown', async (_, token) => {
    const tenant = serveTenant(server);
    let asked = 0;
    const { lines, logger } = recordingLogger();
    const client = new DefenderClient({
      credential: { getToken: async () => (asked++, { token, expiresOnTimestamp: Date.now() + 3_600_000 }) },
      logger,
      maxRetries: 3,
      maxRetryWaitMs: 10_000,
    });
    const error = await rejection(client.incidents.get(firstId(tenant)));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: 'invalid_token', operation: 'auth.getToken' });
    // Not retried as a connection failure: one token asked for, nothing sent.
    expect(asked).toBe(1);
    expect(tenant.requests).toHaveLength(0);
    const parts = token.split(/[\r\n\u0000\u0100]+/).filter((part) => part.length > 8);
    expectNoSecrets(error, parts);
    for (const part of parts) expect(lines.join('\n')).not.toContain(part);
  });
});
