/**
 * An in-memory fake of the Microsoft Graph security API (reference §5) for msw: incidents,
 * alerts_v2 and runHuntingQuery, with Graph's token, role and OData failures. A thin msw wrapper over
 * the fake tenant's {@link GraphApi}; it accepts tokens signed with the shared test key
 * (`makeAccessToken`, `FakeEntra`) for `https://graph.microsoft.com`.
 *
 * Give it the `incidents` Map of a `FakeDefender` and both APIs serve the same incidents, each in
 * its own wire shape; {@link fakeTenantBoth} does that for you.
 *
 * ```ts
 * const graph = new FakeGraph({ tenantId, incidents: seedIncidents(120) });
 * server.use(...graph.handlers());
 * ```
 */
import type { HttpHandler } from 'msw';
import type { setupServer } from 'msw/node';
import { seedIncidents } from '../../src/testing/data/seed-incidents.js';
import { handlers } from '../../src/testing/msw.js';
import { GraphApi, graphUnauthorized, type GraphCaller } from '../../src/testing/tenant/graph-api.js';
import type { HuntingTable } from '../../src/testing/tenant/graph-hunting.js';
import type { LegacyIncidentWire } from '../../src/testing/tenant/legacy-wire.js';
import { bearerToken, sharedTokenSigner, type TokenSigner } from '../../src/testing/tenant/tokens.js';
import { FakeDefender } from './defender.js';
import { ALL_ROLES, CountingCredential, TENANT_ID } from './harness.js';

export type { GraphCaller, GraphInjectedResponse, GraphRecordedRequest, GraphRoute } from '../../src/testing/tenant/graph-api.js';

/** The public Graph origin, which is also the audience of Graph tokens. */
export const GRAPH = 'https://graph.microsoft.com';

/** Every Graph role the fake checks, for a credential that may do anything. */
export const GRAPH_ROLES = ['SecurityIncident.ReadWrite.All', 'SecurityAlert.ReadWrite.All', 'ThreatHunting.Read.All'];

/** Options of {@link FakeGraph}. */
export interface FakeGraphOptions {
  /** The tenant whose tokens are accepted (the token's `tid` must match). */
  tenantId: string;
  /** Incidents in the legacy shape: an array is deep-copied; a `Map` (e.g. a `FakeDefender`'s) is shared. */
  incidents?: LegacyIncidentWire[] | Map<number, LegacyIncidentWire>;
  /** Advanced hunting tables: table name → rows (used as is). */
  huntingTables?: Record<string, HuntingTable>;
  /** Graph origin. Default `https://graph.microsoft.com`. */
  baseUrl?: string;
  /** `$expand=alerts` lists fail with 500 when more incidents than this match. Default: never. */
  expandFailsAbove?: number;
  /** Largest incidents `$top`. Default 50. */
  pageSizeLimit?: number;
  /** Replaces the token check (signature, `aud`, `tid`, `exp`). */
  verifyToken?: (request: Request) => GraphCaller | Response;
  /** The key tokens must be signed with. Default: the shared test key. */
  signer?: TokenSigner;
  /** The tenant's clock, epoch ms. Default `Date.now()`. */
  now?: () => number;
}

/** Graph's 401 messages for the reasons the token check gives. */
function unauthorizedMessage(reason: string): string {
  if (reason.includes('audience')) return 'Access token validation failure. Invalid audience.';
  if (reason.includes('expired')) return 'Lifetime validation failed, the token is expired.';
  if (reason.includes('not yet valid')) return 'Lifetime validation failed, the token is not yet valid.';
  if (reason.includes('another tenant')) return 'Access token validation failure. Invalid issuer.';
  if (reason.includes('malformed')) return 'Invalid JWT token. The token is not in JWS or JWE compact serialization format.';
  return 'Access token validation failure.';
}

/**
 * A verifier for {@link GraphApi}: the bearer token's signature (by `signer`), audience (Graph's
 * origin or `baseUrl`'s), tenant and expiry, answered with Graph's real 401 bodies.
 */
export function graphTokenVerifier(options: { tenantId: string; baseUrl?: string; signer?: TokenSigner; now?: () => number }): (request: Request) => GraphCaller | Response {
  const signer = options.signer ?? sharedTokenSigner();
  const now = options.now ?? (() => Date.now());
  const audiences = [GRAPH, new URL(options.baseUrl ?? GRAPH).origin];
  return (request) => {
    const token = bearerToken(request);
    if (!token) return graphUnauthorized(request, 'Access token is empty.', now());
    const checked = signer.verify(token, { audiences, tenantId: options.tenantId, now: now() });
    if (!checked.ok) return graphUnauthorized(request, unauthorizedMessage(checked.reason), now());
    const { claims } = checked;
    const roles = Array.isArray(claims['roles']) ? claims['roles'].filter((role): role is string => typeof role === 'string') : [];
    return { appId: typeof claims['appid'] === 'string' ? claims['appid'] : 'unknown', roles };
  };
}

/**
 * In-memory fake of the Graph security API for msw. `incidents` is the store (legacy shape) that
 * both this fake and a `FakeDefender` sharing it read and change.
 */
export class FakeGraph extends GraphApi {
  constructor(options: FakeGraphOptions) {
    const baseUrl = options.baseUrl ?? GRAPH;
    const now = options.now ?? (() => Date.now());
    let incidents: Map<number, LegacyIncidentWire>;
    if (options.incidents instanceof Map) incidents = options.incidents;
    else incidents = new Map((options.incidents ?? []).map((incident) => [incident.incidentId, structuredClone(incident)]));
    super({
      baseUrl,
      tenantId: options.tenantId,
      incidents,
      tables: options.huntingTables ?? {},
      verifyToken: options.verifyToken ?? graphTokenVerifier({ tenantId: options.tenantId, baseUrl, now, ...(options.signer ? { signer: options.signer } : {}) }),
      now,
      ...(options.pageSizeLimit === undefined ? {} : { pageSizeLimit: options.pageSizeLimit }),
      ...(options.expandFailsAbove === undefined ? {} : { expandFailsAbove: options.expandFailsAbove }),
    });
  }

  /** The msw handlers; requests to other paths fall through to later handlers. */
  handlers(): HttpHandler[] {
    return handlers(this);
  }
}

/** Options of {@link fakeTenantBoth}. */
export interface FakeTenantBothOptions {
  /** Seeded incident count (seed 7), or the incidents themselves. Default 5. */
  incidents?: number | LegacyIncidentWire[];
  /** Roles in the credential's tokens (both APIs' names). Default: every legacy and Graph role. */
  roles?: string[];
  /** Hunting tables both APIs serve. */
  huntingTables?: Record<string, Record<string, unknown>[]>;
  /** See {@link FakeGraphOptions.expandFailsAbove}. */
  expandFailsAbove?: number;
}

/**
 * One fake tenant served by both wire APIs on `server`: a `FakeDefender` and a `FakeGraph` over the
 * same incidents Map, and a credential whose tokens both accept (for the parity suite).
 */
export function fakeTenantBoth(server: ReturnType<typeof setupServer>, options: FakeTenantBothOptions = {}) {
  const incidents = typeof options.incidents === 'number' || options.incidents === undefined
    ? seedIncidents(options.incidents ?? 5, 7)
    : options.incidents;
  const huntingTables = options.huntingTables ?? {};
  const defender = new FakeDefender({ tenantId: TENANT_ID, incidents, huntingTables });
  const graph = new FakeGraph({
    tenantId: TENANT_ID,
    incidents: defender.incidents,
    huntingTables,
    ...(options.expandFailsAbove === undefined ? {} : { expandFailsAbove: options.expandFailsAbove }),
  });
  server.use(...defender.handlers(), ...graph.handlers());
  const credential = new CountingCredential(options.roles ?? [...ALL_ROLES, ...GRAPH_ROLES]);
  return { defender, graph, credential };
}
