/**
 * The fault matrix of issue 5, over real sockets and TLS: the public SDK, with a real
 * `{tenantId, clientId, clientSecret}` credential (@azure/identity underneath), against the HTTPS
 * simulator. Each row asserts the call's outcome (a value, or the exact error class and its key
 * fields) and that nothing was lost or duplicated (requests counted on the tenant, incident state).
 * Rows that apply to both wire APIs run for `api: 'defender'` and `api: 'graph'`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clientOptionsFromEnv } from '../../src/env.js';
import {
  AuthenticationError,
  ConnectionError,
  DefenderClient,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  type DefenderClientOptions,
} from '../../src/index.js';
import { startSimulator, type Simulator, type SimulatorTenant } from '../../src/testing/server.js';
import type { TenantRoute } from '../../src/testing/tenant/faults.js';
import { createFakeTenant, type FakeTenant, type TenantRequest } from '../../src/testing/tenant/tenant.js';
import { collectGarbage } from '../support/gc.js';
import { rejection } from '../support/throws.js';

type Api = 'defender' | 'graph';

interface Routes {
  list: TenantRoute;
  get: TenantRoute;
  update: TenantRoute;
  hunting: TenantRoute;
}

const ROUTES: Record<Api, Routes> = {
  defender: { list: 'defender.listIncidents', get: 'defender.getIncident', update: 'defender.updateIncident', hunting: 'defender.hunting' },
  graph: { list: 'graph.listIncidents', get: 'graph.getIncident', update: 'graph.updateIncident', hunting: 'graph.hunting' },
};

/**
 * Pacing on, as users run it, with limits high enough that rows never wait for a slot: every
 * client of this file shares the buckets of the one tenant and app (the pacer keys them by
 * tenant and client id).
 */
const ROOMY = [{ limit: 100_000, intervalMs: 60_000 }];
const ROOMY_PACING = { limits: { incidents: ROOMY, 'incidents.get': ROOMY, hunting: ROOMY, alerts: ROOMY } };

/** A body paused mid-way: the fake tenant's answer, cut in two with a wait in between. */
interface SlowBody {
  matches(request: Request): boolean;
  /** Called once the first half has been handed to the socket. */
  paused(): void;
  /** Called when the pause is over, just before the second half is handed on. */
  resumed?(): void;
}

/** How long a slow body stops mid-way: far longer than any call that gives up during it takes. */
const SLOW_BODY_PAUSE_MS = 10_000;

/** The fake tenant, plus one fault the fault book has no step for: a body that stops mid-way. */
interface MatrixTenant extends SimulatorTenant {
  inner: FakeTenant;
  slowBody: SlowBody | undefined;
}

function matrixTenant(inner: FakeTenant): MatrixTenant {
  const tenant: MatrixTenant = {
    inner,
    slowBody: undefined,
    faults: inner.faults as unknown as SimulatorTenant['faults'],
    async handle(request: Request): Promise<Response | undefined> {
      const slow = tenant.slowBody;
      const response = await inner.handle(request);
      if (!response || !slow || !slow.matches(request)) return response;
      tenant.slowBody = undefined;
      const bytes = new Uint8Array(await response.arrayBuffer());
      const half = Math.floor(bytes.length / 2);
      let step = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          step++;
          if (step === 1) return controller.enqueue(bytes.subarray(0, half));
          if (step === 2) {
            slow.paused();
            await new Promise((resolve) => setTimeout(resolve, SLOW_BODY_PAUSE_MS));
            slow.resumed?.();
            return controller.enqueue(bytes.subarray(half));
          }
          controller.close();
        },
      });
      const headers = new Headers(response.headers);
      headers.delete('content-length');
      return new Response(body, { status: response.status, headers });
    },
  };
  return tenant;
}

const ALL_ROLES = {
  defender: ['Incident.ReadWrite.All', 'AdvancedHunting.Read.All'],
  graph: ['SecurityIncident.ReadWrite.All', 'SecurityAlert.ReadWrite.All', 'ThreatHunting.Read.All'],
};
/** The app most rows sign in as. */
const MAIN_APP = { clientId: '5a0e7c31-2b4d-4f6a-8c9e-0d1f2a3b4c5d', clientSecret: 'main8Q~fault-matrix-simulated-secret-000000', roles: ALL_ROLES };
/**
 * Apps of their own for rows after which the service asked to wait a minute or more: the pacer
 * then holds that quota family for every client of the app (as it should), which would hold up
 * the rows that follow.
 */
const QUOTA_APP = { clientId: '6b1f8d42-3c5e-4a7b-9d0f-1e2a3b4c5d6e', clientSecret: 'quot8Q~fault-matrix-simulated-secret-000000', roles: ALL_ROLES };
const CPU_APP = { clientId: '7c2a9e53-4d6f-4b8c-8e1a-2f3b4c5d6e7f', clientSecret: 'cpuu8Q~fault-matrix-simulated-secret-000000', roles: ALL_ROLES };

let sim: Simulator<MatrixTenant>;
const tenant = (): FakeTenant => sim.tenant.inner;

/** A client of the simulator's app (or `app`), configured from the environment the simulator prints. */
function client(api: Api, overrides: Partial<DefenderClientOptions> = {}, app = MAIN_APP): DefenderClient {
  const env = { ...sim.env, AZURE_CLIENT_ID: app.clientId, AZURE_CLIENT_SECRET: app.clientSecret };
  return new DefenderClient(
    clientOptionsFromEnv(env, {
      api,
      maxRetryWaitMs: 5_000,
      timeoutMs: 5_000,
      rateLimit: ROOMY_PACING,
      silenceDeprecationWarnings: true,
      ...overrides,
    }),
  );
}

/** The requests the tenant receives from now on. */
function recorder(): { all(): TenantRequest[]; on(route: TenantRoute): TenantRequest[]; statuses(route: TenantRoute): number[] } {
  const from = tenant().requests.length;
  const all = () => tenant().requests.slice(from);
  const on = (route: TenantRoute) => all().filter((r) => r.route === route);
  return { all, on, statuses: (route) => on(route).map((r) => r.status) };
}

/** A client that already holds its token, so that what follows is about the API call alone. */
async function signedIn(api: Api, overrides: Partial<DefenderClientOptions> = {}, app = MAIN_APP): Promise<DefenderClient> {
  const c = client(api, overrides, app);
  await c.auth.inspect();
  return c;
}

function incidentIds(): string[] {
  return [...tenant().incidents.keys()].map(String);
}

const quotaBody = (message: string) => ({ error: { code: '429', message, target: 'fault-matrix' } });

beforeAll(async () => {
  sim = await startSimulator<MatrixTenant>({
    caDir: process.env.M365D_E2E_CA_DIR!,
    // Quotas off: rows inject their own 429s; the soak test runs with the tenant's quotas on.
    createTenant: (hosts) => matrixTenant(createFakeTenant({ ...hosts, seed: 55, incidents: 12, huntingRows: 200, quotas: false, apps: [MAIN_APP, QUOTA_APP, CPU_APP] })),
    app: (t) => t.inner.credential(MAIN_APP.clientId),
  });
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(() => {
  tenant().faults.clear();
  sim.tenant.slowBody = undefined;
});

describe.each<Api>(['defender', 'graph'])('api: %s', (api) => {
  const routes = ROUTES[api];

  describe('429 Too Many Requests', () => {
    it('waits the Retry-After seconds, then succeeds', async () => {
      const c = await signedIn(api);
      tenant().faults.add(routes.list, { status: 429, headers: { 'Retry-After': '1' }, body: quotaBody('Rate limit is exceeded. Try again in 1 seconds.') });
      const seen = recorder();
      const started = Date.now();
      const items = await c.incidents.list({ pageSize: 5 }).toArray({ limit: 5 });
      expect(items).toHaveLength(5);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(seen.statuses(routes.list)).toEqual([429, 200]);
    });

    it('waits until the Retry-After HTTP date, then succeeds', async () => {
      const c = await signedIn(api);
      const at = new Date(Date.now() + 2_000);
      tenant().faults.add(routes.list, { status: 429, headers: { 'Retry-After': at.toUTCString() } });
      const seen = recorder();
      const items = await c.incidents.list({ pageSize: 3 }).toArray({ limit: 3 });
      expect(items).toHaveLength(3);
      // HTTP dates have whole seconds: the retry goes at the date, truncated to its second.
      expect(Date.now()).toBeGreaterThanOrEqual(Math.floor(at.getTime() / 1000) * 1000 - 50);
      expect(seen.statuses(routes.list)).toEqual([429, 200]);
    });

    it('reads the wait from the legacy quota text when no Retry-After came, and fails at once when it exceeds the budget', async () => {
      const errors: string[] = [];
      const c = await signedIn(api, { maxRetryWaitMs: 5_000, logger: { error: (message: string) => void errors.push(message) } }, QUOTA_APP);
      tenant().faults.add(routes.get, { status: 429, body: quotaBody('API calls quota exceeded! maximum allowed 100 per 00:01:00') });
      const seen = recorder();
      const error = await rejection(c.incidents.get(incidentIds()[0]!));
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error).toMatchObject({ status: 429, quota: 'calls', retryAfterMs: 60_000 });
      // At once: it decided not to sleep the minute (the SDK says so), rather than sleeping any of it.
      expect(errors).toEqual([expect.stringMatching(/waiting 60000 ms more would exceed maxRetryWaitMs \(5000 ms\)/)]);
      expect(seen.statuses(routes.get)).toEqual([429]);
      // The pacer now holds the family for the minute: the next call of the app is not even sent.
      const next = await rejection(client(api, {}, QUOTA_APP).incidents.get(incidentIds()[0]!));
      expect(next).toBeInstanceOf(RateLimitError);
      expect(next).toMatchObject({ code: 'ClientRateLimited', quota: 'calls' });
      expect(seen.on(routes.get)).toHaveLength(1);
    });

    it('reads "again in N seconds" from the body when no Retry-After came, then succeeds', async () => {
      const c = await signedIn(api);
      tenant().faults.add(routes.get, { status: 429, body: quotaBody('Rate limit is exceeded. Try again in 1 seconds.') });
      const seen = recorder();
      const started = Date.now();
      const id = incidentIds()[0]!;
      await expect(c.incidents.get(id)).resolves.toMatchObject({ id });
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(seen.statuses(routes.get)).toEqual([429, 200]);
    });

    it('backs off when the 429 says nothing at all, then succeeds', async () => {
      const c = await signedIn(api);
      tenant().faults.add(routes.get, { status: 429 });
      const seen = recorder();
      const id = incidentIds()[1]!;
      await expect(c.incidents.get(id)).resolves.toMatchObject({ id });
      expect(seen.statuses(routes.get)).toEqual([429, 200]);
    });

    it('tells a CPU-quota 429 on hunting apart, waits it out, and runs the query once more only', async () => {
      const c = await signedIn(api);
      const cpu = quotaBody('You have exceeded processing resources allocated to this tenant. You can run queries again in 00:00:01.');
      tenant().faults.add(routes.hunting, { status: 429, body: cpu });
      const seen = recorder();
      const result = await c.advancedHunting.run('DeviceProcessEvents | take 3');
      expect(result.rows).toHaveLength(3);
      expect(seen.statuses(routes.hunting)).toEqual([429, 200]);

      // A CPU wait longer than the budget fails at once, naming the CPU quota.
      const held = await signedIn(api, {}, CPU_APP);
      tenant().faults.add(routes.hunting, { status: 429, body: quotaBody('You have exceeded processing resources allocated to this tenant. You can run queries again in 00:15:00.') });
      const again = recorder();
      const error = await rejection(held.advancedHunting.run('DeviceProcessEvents | take 3'));
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error).toMatchObject({ status: 429, quota: 'cpu', retryAfterMs: 900_000 });
      expect(again.statuses(routes.hunting)).toEqual([429]);
    });
  });

  describe('5xx and 408', () => {
    it.each([408, 500, 502, 503, 504])('retries a GET after %i, then succeeds', async (status) => {
      const c = await signedIn(api);
      tenant().faults.add(routes.get, { status });
      const seen = recorder();
      const id = incidentIds()[2]!;
      await expect(c.incidents.get(id)).resolves.toMatchObject({ id });
      expect(seen.statuses(routes.get)).toEqual([status, 200]);
    });

    it('fails with ServerError after maxRetries, having sent exactly 1 + maxRetries requests', async () => {
      const c = await signedIn(api, { maxRetries: 2 });
      // Retry-After 0 keeps the row fast; the count, not the wait, is under test.
      const step = { status: 500, headers: { 'Retry-After': '0' }, body: { error: { code: 'InternalServerError', message: 'boom' } } };
      tenant().faults.add(routes.get, step, step, step, step);
      const seen = recorder();
      const error = await rejection(c.incidents.get(incidentIds()[2]!));
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({ status: 500, code: 'InternalServerError' });
      expect(seen.statuses(routes.get)).toEqual([500, 500, 500]);
      expect(tenant().faults.pending).toBe(1);
    });

    it('retries a hunting query after a 5xx once only (each run may spend CPU quota)', async () => {
      const c = await signedIn(api);
      tenant().faults.add(routes.hunting, { status: 503, headers: { 'Retry-After': '0' } }, { status: 503, headers: { 'Retry-After': '0' } });
      const seen = recorder();
      const error = await rejection(c.advancedHunting.run('DeviceProcessEvents | take 1'));
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({ status: 503 });
      expect(seen.statuses(routes.hunting)).toEqual([503, 503]);
    });
  });

  describe('the connection', () => {
    it('asks Entra ID once more when its token request meets a reset connection', async () => {
      const c = client(api);
      tenant().faults.add('entra.token', { network: { kind: 'reset' } });
      const seen = recorder();
      await expect(c.auth.inspect()).resolves.toMatchObject({ tenantId: tenant().tenantId });
      expect(seen.statuses('entra.token')).toEqual([0, 200]);
    });

    it('retries a GET whose connection was reset before any byte came back', async () => {
      const c = await signedIn(api);
      tenant().faults.add(routes.get, { network: { kind: 'reset' } });
      const seen = recorder();
      const id = incidentIds()[3]!;
      await expect(c.incidents.get(id)).resolves.toMatchObject({ id });
      expect(seen.statuses(routes.get)).toEqual([0, 200]);
    });

    it('retries a list whose connection dropped in the middle of the body', async () => {
      const c = await signedIn(api);
      tenant().faults.add(routes.list, { network: { kind: 'reset-during-body', afterBytes: 40 } });
      const seen = recorder();
      const items = await c.incidents.list({ pageSize: 4 }).toArray({ limit: 4 });
      expect(items.map((i) => i.id)).toHaveLength(4);
      expect(new Set(items.map((i) => i.id)).size).toBe(4);
      // The first answer's status line came through before the connection broke.
      expect(seen.statuses(routes.list)).toEqual([200, 200]);
    });

    it('fails with ConnectionError when every attempt is reset', async () => {
      const c = await signedIn(api, { maxRetries: 1 });
      tenant().faults.add(routes.get, { network: { kind: 'reset' } }, { network: { kind: 'reset' } });
      const seen = recorder();
      const error = await rejection(c.incidents.get(incidentIds()[3]!));
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ operation: 'incidents.get' });
      expect(seen.statuses(routes.get)).toEqual([0, 0]);
    });

    it('gives up on a stalled server after timeoutMs with TimeoutError, and does not resend', async () => {
      const c = await signedIn(api, { timeoutMs: 400 });
      tenant().faults.add(routes.get, { network: { kind: 'stall' } });
      const seen = recorder();
      const error = await rejection(c.incidents.get(incidentIds()[4]!));
      // (The stall never ends: only the client's 400 ms timer can end the call, once, as its TimeoutError says.)
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ timeoutMs: 400, operation: 'incidents.get' });
      expect(seen.on(routes.get)).toHaveLength(1);
    });

    it('retries a truncated JSON body (the connection ended early), then returns the whole incident', async () => {
      const c = await signedIn(api);
      tenant().faults.add(routes.get, { truncateBodyAt: 25 });
      const seen = recorder();
      const id = incidentIds()[4]!;
      const incident = await c.incidents.get(id);
      expect(incident).toMatchObject({ id });
      expect(seen.on(routes.get)).toHaveLength(2);
    });

    it('refuses a complete 200 whose JSON is cut short with ResponseValidationError', async () => {
      const c = await signedIn(api);
      tenant().faults.add(routes.get, { status: 200, rawBody: '{"incidentId": 1, "id": "1", "status": "act' });
      const seen = recorder();
      const error = await rejection(c.incidents.get(incidentIds()[4]!));
      expect(error).toBeInstanceOf(ResponseValidationError);
      expect((error as Error).message).toContain('not valid JSON');
      expect(seen.on(routes.get)).toHaveLength(1);
    });
  });

  describe('HTML error pages', () => {
    it('refuses an HTML page sent with status 200 (a proxy or captive portal) with ResponseValidationError', async () => {
      const c = await signedIn(api);
      tenant().faults.add(routes.get, { html: true, status: 200 });
      const seen = recorder();
      const error = await rejection(c.incidents.get(incidentIds()[5]!));
      expect(error).toBeInstanceOf(ResponseValidationError);
      expect((error as Error).message).toContain('text/html');
      expect(seen.statuses(routes.get)).toEqual([200]);
    });

    it('retries an HTML 502 from a gateway like any 502, then succeeds', async () => {
      const c = await signedIn(api);
      tenant().faults.add(routes.get, { html: true, status: 502 });
      const seen = recorder();
      const id = incidentIds()[5]!;
      await expect(c.incidents.get(id)).resolves.toMatchObject({ id });
      expect(seen.statuses(routes.get)).toEqual([502, 200]);
    });

    it('fails an HTML 502 that persists with ServerError carrying the status, not the page', async () => {
      const c = await signedIn(api, { maxRetries: 1 });
      tenant().faults.add(routes.get, { html: true, status: 502 }, { html: true, status: 502 });
      const error = await rejection(c.incidents.get(incidentIds()[5]!));
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({ status: 502 });
      expect((error as Error).message).not.toContain('<html');
    });
  });

  describe('401 and the token', () => {
    it('refreshes the token once and replays the call when the API says the token expired', async () => {
      const c = await signedIn(api);
      tenant().faults.add(routes.get, { expiredToken: true });
      const seen = recorder();
      const id = incidentIds()[6]!;
      await expect(c.incidents.get(id)).resolves.toMatchObject({ id });
      expect(seen.statuses(routes.get)).toEqual([401, 200]);
      expect(seen.statuses('entra.token')).toEqual([200]);
    });

    it('fails with AuthenticationError on a second 401, without looping', async () => {
      const c = await signedIn(api);
      tenant().faults.add(routes.get, { expiredToken: true }, { expiredToken: true }, { expiredToken: true });
      const seen = recorder();
      const error = await rejection(c.incidents.get(incidentIds()[6]!));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ status: 401 });
      expect(seen.statuses(routes.get)).toEqual([401, 401]);
      expect(seen.statuses('entra.token')).toEqual([200]);
      expect(tenant().faults.pending).toBe(1);
    });
  });

  describe('PATCH', () => {
    it('does not replay a PATCH whose connection dropped before the answer (its outcome is unknown)', async () => {
      const c = await signedIn(api);
      const id = incidentIds()[7]!;
      const before = structuredClone(tenant().incidents.get(Number(id))!);
      tenant().faults.add(routes.update, { network: { kind: 'reset' } });
      const seen = recorder();
      const error = await rejection(c.incidents.update(id, { assignedTo: `reset-${api}@contoso.com` }));
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ operation: 'incidents.update' });
      expect(seen.on(routes.update)).toHaveLength(1);
      // This reset came before the tenant applied it: nothing changed, and nothing was applied twice.
      expect(tenant().incidents.get(Number(id))).toEqual(before);
    });

    it('does not replay a PATCH whose answer was cut mid-body (it was applied exactly once)', async () => {
      const c = await signedIn(api);
      const id = incidentIds()[8]!;
      const marker = `cut-${api}@contoso.com`;
      tenant().faults.add(routes.update, { network: { kind: 'reset-during-body', afterBytes: 10 } });
      const seen = recorder();
      const error = await rejection(c.incidents.update(id, { assignedTo: marker }));
      expect(error).toBeInstanceOf(ConnectionError);
      const patches = seen.on(routes.update);
      expect(patches).toHaveLength(1);
      expect(JSON.stringify(patches[0]!.body)).toContain(marker);
      expect(tenant().incidents.get(Number(id))!.assignedTo).toBe(marker);
    });

    it('does not replay a PATCH after a 503 (it may have been applied)', async () => {
      const c = await signedIn(api);
      const id = incidentIds()[9]!;
      tenant().faults.add(routes.update, { status: 503, headers: { 'Retry-After': '0' } });
      const seen = recorder();
      const error = await rejection(c.incidents.update(id, { assignedTo: `503-${api}@contoso.com` }));
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({ status: 503 });
      expect(seen.statuses(routes.update)).toEqual([503]);
    });

    it('replays a PATCH after a 429 (the service did not apply it), and applies it once', async () => {
      const c = await signedIn(api);
      const id = incidentIds()[9]!;
      const marker = `429-${api}@contoso.com`;
      tenant().faults.add(routes.update, { status: 429, headers: { 'Retry-After': '0' } });
      const seen = recorder();
      await expect(c.incidents.update(id, { assignedTo: marker })).resolves.toMatchObject({ id, assignedTo: marker });
      expect(seen.statuses(routes.update)).toEqual([429, 200]);
      expect(tenant().incidents.get(Number(id))!.assignedTo).toBe(marker);
    });
  });

  describe('aborts', () => {
    it('rejects with the signal reason while the token is being fetched, before any API request', async () => {
      const c = client(api);
      // Entra ID answers only after 10 s; the caller gives up after 150 ms.
      tenant().faults.add('entra.token', { delayMs: 10_000 });
      const seen = recorder();
      const issued = tenant().issuedTokens;
      const reason = new Error('stop: before the token');
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 150);
      await expect(c.incidents.get(incidentIds()[0]!, { signal: controller.signal })).rejects.toBe(reason);
      // It did not wait for the token: Entra ID had not issued it when the call rejected.
      expect(tenant().issuedTokens).toBe(issued);
      expect(seen.on(routes.get)).toHaveLength(0);
    });

    it('rejects with the signal reason while waiting for a quota slot, without sending', async () => {
      const roomy = await signedIn(api);
      await roomy.incidents.get(incidentIds()[0]!);
      const waits: number[] = [];
      // One call a minute on this family: the call above holds the only slot.
      const c = await signedIn(api, {
        maxRetryWaitMs: 120_000,
        rateLimit: {
          limits: { ...ROOMY_PACING.limits, 'incidents.get': [{ limit: 1, intervalMs: 60_000 }] },
          onRateLimit: ({ waitMs }) => void waits.push(waitMs),
        },
      });
      const seen = recorder();
      const reason = new Error('stop: waiting for a slot');
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 200);
      await expect(c.incidents.get(incidentIds()[0]!, { signal: controller.signal })).rejects.toBe(reason);
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThan(1_000);
      expect(seen.on(routes.get)).toHaveLength(0);
    });

    it('rejects with the signal reason while waiting to retry, without resending', async () => {
      const c = await signedIn(api, { maxRetryWaitMs: 30_000 });
      tenant().faults.add(routes.get, { status: 503, headers: { 'Retry-After': '20' } });
      const seen = recorder();
      const reason = new Error('stop: while retrying');
      const controller = new AbortController();
      const call = c.incidents.get(incidentIds()[0]!, { signal: controller.signal });
      const outcome = call.then(() => undefined, (e: unknown) => e);
      // Once the 503 is answered the client waits 20 s to retry: the caller gives up meanwhile.
      await expect.poll(() => seen.statuses(routes.get), { timeout: 20_000 }).toEqual([503]);
      controller.abort(reason);
      expect(await outcome).toBe(reason);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen.on(routes.get)).toHaveLength(1);
    });

    it('rejects with the signal reason in the middle of the response body, without resending', async () => {
      const c = await signedIn(api);
      const reason = new Error('stop: mid-body');
      const controller = new AbortController();
      const path = api === 'graph' ? '/v1.0/security/incidents' : '/api/incidents';
      let resumed = false;
      sim.tenant.slowBody = {
        matches: (request) => new URL(request.url).pathname === path,
        // A collection first, as a busy process may run one: nothing the abort needs is left only weakly held.
        paused: () =>
          setTimeout(() => {
            collectGarbage();
            controller.abort(reason);
          }, 100),
        resumed: () => void (resumed = true),
      };
      const seen = recorder();
      await expect(c.incidents.list({ pageSize: 10, signal: controller.signal }).toArray()).rejects.toBe(reason);
      // It gave up during the pause, not once the rest of the body came.
      expect(resumed).toBe(false);
      expect(seen.statuses(routes.list)).toEqual([200]);
    });

    it('gives up on a body that stops mid-way after timeoutMs with TimeoutError, even once a collection has run', async () => {
      const c = await signedIn(api, { timeoutMs: 3_000 });
      const path = api === 'graph' ? '/v1.0/security/incidents' : '/api/incidents';
      let resumed = false;
      sim.tenant.slowBody = {
        matches: (request) => new URL(request.url).pathname === path,
        paused: () => collectGarbage(),
        resumed: () => void (resumed = true),
      };
      const seen = recorder();
      const error = await rejection(c.incidents.list({ pageSize: 10 }).toArray());
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ timeoutMs: 3_000, operation: 'incidents.list' });
      // The attempt's timer ended it during the pause (10 s), not the rest of the body.
      expect(resumed).toBe(false);
      expect(seen.statuses(routes.list)).toEqual([200]);
    });
  });
});

describe("api: 'graph' — @odata.nextLink to another host", () => {
  let other: Server;
  const received: Array<{ url: string; authorization: string | undefined }> = [];

  beforeAll(async () => {
    other = createServer((req, res) => {
      received.push({ url: req.url ?? '', authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });

  it('refuses the link with ResponseValidationError and never sends the token there', async () => {
    // A real first page of Graph incidents, its nextLink pointing at another origin.
    const credential = tenant().credential();
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credential.clientId,
      client_secret: credential.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    const tokenResponse = await fetch(`${sim.origin}/${credential.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: form });
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const firstPage = (await (await fetch(`${sim.origin}/v1.0/security/incidents?$top=2`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
    expect((firstPage.value as unknown[]).length).toBe(2);
    const { port } = other.address() as AddressInfo;
    const elsewhere = `http://127.0.0.1:${port}/v1.0/security/incidents?$skiptoken=next`;
    tenant().faults.add('graph.listIncidents', { status: 200, body: { ...firstPage, '@odata.nextLink': elsewhere } });

    const c = client('graph');
    const seen = recorder();
    const pages: string[][] = [];
    const error = await rejection(
      (async () => {
        for await (const page of c.incidents.list({ pageSize: 2 }).byPage()) pages.push(page.items.map((i) => i.id));
      })(),
    );
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect(pages).toEqual([(firstPage.value as Array<{ id: string }>).map((i) => i.id)]);
    expect(received).toEqual([]);
    expect(seen.on('graph.listIncidents')).toHaveLength(1);
  });
});

describe('the token endpoint failing (tokens living 3 s)', () => {
  let short: Simulator;

  beforeAll(async () => {
    // The client holds a token for its 3 s of `expires_in`, on the real clock; the tenant's clock runs
    // at half speed, so the tenant honours the token for 4 to 6 real seconds (its `exp` is in whole
    // simulated seconds). Every call the client makes on a token it holds as valid is thus accepted
    // however slowly the machine runs: what is under test is the client's own view of its token.
    short = await startSimulator({ caDir: process.env.M365D_E2E_CA_DIR!, seed: 56, incidents: 3, huntingRows: 10, quotas: false, tokenLifetimeSeconds: 3, timeScale: 0.5 });
  });

  afterAll(async () => {
    await short?.close();
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const sleepUntil = (time: number) => sleep(Math.max(0, time - Date.now()));
  /**
   * The tokens the client's cache took, as it logs them: when each came and until when the client
   * holds it valid. That span is 2.5 to 3.5 s, not 3: MSAL counts `expires_in` from the request's
   * time rounded to the nearest second. The waits below follow it, not a fixed guess.
   */
  function cacheLog(): { cached: Array<{ at: number; until: number }>; logger: { debug: (message: string) => void } } {
    const cached: Array<{ at: number; until: number }> = [];
    const debug = (message: string) => {
      const until = /^token for \S+ cached until (\S+)$/.exec(message)?.[1];
      if (until !== undefined) cached.push({ at: Date.now(), until: Date.parse(until) });
    };
    return { cached, logger: { debug } };
  }
  // Entra ID's transient-error answer.
  const outage = {
    status: 503,
    headers: { 'Retry-After': '1' },
    body: { error: 'temporarily_unavailable', error_description: 'AADSTS90033: A transient error has occurred. Please try again.' },
  };

  beforeEach(() => short.tenant.faults.clear());

  it.each<Api>(['defender', 'graph'])('%s: calls continue on the still-valid token while Entra ID is down, and fail clearly once it expired', async (api) => {
    const log = cacheLog();
    const c = new DefenderClient(clientOptionsFromEnv(short.env, { api, rateLimit: ROOMY_PACING, maxRetryWaitMs: 2_000, logger: log.logger }));
    const id = String([...short.tenant.incidents.keys()][0]);
    const get = api === 'graph' ? 'graph.getIncident' : 'defender.getIncident';
    await c.incidents.get(id);
    const issued = short.tenant.issuedTokens;
    expect(log.cached).toHaveLength(1);
    const token = log.cached[0]!;

    // Past half its life (as the client counts it) the cache refreshes the token, while it is still valid.
    await sleepUntil((token.at + token.until) / 2 + 1);
    short.tenant.faults.add('entra.token', outage, outage, outage, outage);
    const from = short.tenant.requests.length;
    await expect(c.incidents.get(id)).resolves.toMatchObject({ id });
    await expect(c.incidents.get(id)).resolves.toMatchObject({ id });
    const during = short.tenant.requests.slice(from);
    // Entra ID was asked and refused, once per call at most: after a failed refresh the cache waits
    // (1 s) before the next attempt; whether the second call came within that second is the
    // machine's speed (the back-off itself is pinned down with a controlled clock in token-cache.test.ts).
    const refused = during.filter((r) => r.route === 'entra.token').map((r) => r.status);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(2);
    expect(new Set(refused)).toEqual(new Set([503]));
    expect(during.filter((r) => r.route === get).map((r) => r.status)).toEqual([200, 200]);

    // Once it expired (for the client) there is nothing to fall back on: a clear AuthenticationError,
    // and no API request.
    await sleepUntil(token.until + 1);
    const after = short.tenant.requests.length;
    const error = await rejection(c.incidents.get(id));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: 'AADSTS90033', operation: 'auth.getToken' });
    const failed = short.tenant.requests.slice(after);
    expect(failed.filter((r) => r.route === get)).toHaveLength(0);
    // It asked Entra ID (MSAL's own 60 s hold after a 5xx is bypassed: the SDK starts from a new
    // identity credential after a 429 or 5xx), and was refused.
    const tokenStatuses = failed.filter((r) => r.route === 'entra.token').map((r) => r.status);
    expect(tokenStatuses).toEqual([503]);
    expect(short.tenant.issuedTokens).toBe(issued);

    // Entra ID is back: the same client gets a new token and succeeds, with no 60 s wait.
    short.tenant.faults.clear();
    await sleep(1_100); // the token cache's own back-off after a failed refresh
    await expect(c.incidents.get(id)).resolves.toMatchObject({ id });
    expect(short.tenant.issuedTokens).toBe(issued + 1);
  });
});
