/*
 * The testing kit's fake tenant (src/testing: `createFakeTenant` + `handlers`) on one msw server per
 * test file, with the defaults the SDK's specs share: a fixed tenant and app, a few incidents of the
 * January-2026 fixtures (`seedIncidents(n, 7)`), no generated hunting rows and no service quotas.
 * Nothing here answers a request: every answer is the kit's.
 */
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { DefenderClient, type DefenderClientOptions } from '../../src/index.js';
import { seedIncidents } from '../../src/testing/data/seed-incidents.js';
import {
  createFakeTenant,
  type FakeTenant,
  type FakeTenantOptions,
  type LegacyIncidentWire,
  type TenantRequest,
  type TenantService,
} from '../../src/testing/index.js';
import { handlers } from '../../src/testing/msw.js';
import type { AccessToken, TokenCredential } from '../../src/types.js';

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT_ID = '5e29463d-5d1a-4a5a-9c5e-3f8c4f0f5a11';
export const DEFENDER_RESOURCE = 'https://api.security.microsoft.com';
/** Every Defender API role the kit checks. */
export const DEFENDER_ROLES = ['Incident.ReadWrite.All', 'AdvancedHunting.Read.All'];
/** Every Defender for Endpoint role the kit checks. */
export const MDE_ROLES = ['Machine.ReadWrite.All', 'Machine.Isolate', 'Machine.Scan', 'Machine.CollectForensics', 'Machine.RestrictExecution', 'Machine.StopAndQuarantine', 'Ti.ReadWrite.All'];
/** Every Graph role the kit checks. */
export const GRAPH_ROLES = ['SecurityIncident.ReadWrite.All', 'SecurityAlert.ReadWrite.All', 'ThreatHunting.Read.All'];
const CLIENT_SECRET = 'Tst8Q~fake-tenant-app-secret-value-0123456';

/** One msw server for a test file; each test adds its handlers with `use()`, dropped after it. */
export function startServer() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** {@link FakeTenantOptions} with the specs' defaults and two shorthands. */
export interface TestTenantOptions extends Omit<FakeTenantOptions, 'incidents' | 'apps'> {
  /** How many incidents of `seedIncidents(n, 7)` (default 5), or the incidents themselves. */
  incidents?: number | LegacyIncidentWire[];
  /** The app's roles, the same in its tokens for every API. Default: every role, each API its own. */
  roles?: string[];
}

const tenants = new Map<string, FakeTenant>();

/**
 * The fake tenant of `options`, served on `server` for the current test. A tenant signs with an RSA
 * key of its own, too slow to make for every test: one is kept per test file and options, and
 * `reset()` before it serves again.
 */
export function serveTenant(server: ReturnType<typeof setupServer>, options: TestTenantOptions = {}): FakeTenant {
  const key = JSON.stringify(options);
  let tenant = tenants.get(key);
  if (tenant) {
    tenant.reset();
  } else {
    const { incidents = 5, roles, ...rest } = options;
    tenant = createFakeTenant({
      seed: 7,
      tenantId: TENANT_ID,
      apps: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, roles: roles ? { defender: roles, graph: roles, mde: roles } : { defender: DEFENDER_ROLES, graph: GRAPH_ROLES, mde: MDE_ROLES } }],
      incidents: typeof incidents === 'number' ? seedIncidents(incidents, 7) : incidents,
      huntingTables: {},
      quotas: false,
      ...rest,
    });
    tenants.set(key, tenant);
  }
  server.use(...handlers(tenant));
  return tenant;
}

/** An access token straight from the tenant's token endpoint, as a client would get it. */
export async function tokenFrom(tenant: FakeTenant, scope: string, clientId?: string): Promise<AccessToken> {
  const app = tenant.credential(clientId);
  const response = await fetch(`${tenant.hosts.authorityHost}/${tenant.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope }),
  });
  expect(response.status, `a token for ${scope}`).toBe(200);
  const body = (await response.json()) as { access_token: string; expires_in: number };
  return { token: body.access_token, expiresOnTimestamp: Date.now() + body.expires_in * 1000 };
}

/**
 * A `TokenCredential` of a tenant's app: every call gets a new token from the tenant's Entra ID
 * (no cache of its own, so `calls` counts what the SDK asked for) and keeps it in `issued`.
 */
export class TenantCredential implements TokenCredential {
  calls = 0;
  readonly issued: string[] = [];

  constructor(
    readonly tenant: FakeTenant,
    readonly clientId?: string,
  ) {}

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.calls++;
    const token = await tokenFrom(this.tenant, Array.isArray(scopes) ? scopes[0]! : scopes, this.clientId);
    this.issued.push(token.token);
    return token;
  }
}

/** A served tenant, a credential of its app and a client with it whose retries wait milliseconds. */
export function fakeTenant(server: ReturnType<typeof setupServer>, options: TestTenantOptions & { client?: Partial<DefenderClientOptions> } = {}) {
  const { client: clientOptions, ...tenantOptions } = options;
  const tenant = serveTenant(server, tenantOptions);
  const credential = new TenantCredential(tenant);
  const client = new DefenderClient({ credential, maxRetryWaitMs: 10_000, ...clientOptions });
  return { tenant, credential, client };
}

/** The requests the tenant answered for one of its services, in order. */
export function requestsTo(tenant: FakeTenant, service: TenantService): TenantRequest[] {
  return tenant.requests.filter((request) => request.route.startsWith(`${service}.`));
}

/** The `Query` of every advanced-hunting request the Defender API received. */
export function huntingQueries(tenant: FakeTenant): string[] {
  return tenant.requests.filter((request) => request.route === 'defender.hunting').map((request) => (request.body as { Query: string }).Query);
}

/** The query parameter `name` of a recorded request. */
export function queryParam(request: TenantRequest, name: string): string | null {
  return new URL(request.url).searchParams.get(name);
}

/**
 * The `Authorization` header of every request to `url` (an msw path) from now on in this test, as
 * sent: the kit's own log shows it redacted. The requests go on to the tenant.
 */
export function authorizationsSentTo(server: ReturnType<typeof setupServer>, url: string): Array<string | null> {
  const sent: Array<string | null> = [];
  server.use(http.all(url, ({ request }) => void sent.push(request.headers.get('authorization'))));
  return sent;
}

/** The credential of a client that must send nothing: asked for a token, it fails the call. */
export const unusedCredential: TokenCredential = {
  getToken: async () => {
    throw new Error('this client was not meant to ask for a token');
  },
};
