/*
 * Calls straight to the testing kit's Graph API (src/testing/tenant/graph-api.ts), for its specs:
 * the API alone on msw, tokens of the process-wide test key with the roles a spec needs, and
 * Graph's error envelope checked whole.
 */
import type { setupServer } from 'msw/node';
import { expect } from 'vitest';
import { seedIncidents } from '../../src/testing/data/seed-incidents.js';
import { handlers } from '../../src/testing/msw.js';
import { GraphApi, graphTokenVerifier } from '../../src/testing/tenant/graph-api.js';
import type { LegacyIncidentWire } from '../../src/testing/tenant/legacy-wire.js';
import { sharedTokenSigner } from '../../src/testing/tenant/tokens.js';
import { makeHourToken } from './jwt.js';

export const TENANT = '11111111-2222-3333-4444-555555555555';
export const APP = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
export const GRAPH = 'https://graph.microsoft.com';
export const SECURITY = `${GRAPH}/v1.0/security`;
export const DEFENDER = 'https://api.security.microsoft.com';

/** A Graph token of the test app holding `roles`. */
export function token(roles: string[], overrides: { aud?: string; tid?: string; exp?: number } = {}): string {
  return makeHourToken({ aud: GRAPH, tid: TENANT, appid: APP, roles, ...overrides });
}

export const bearer = (roles: string[]) => ({ authorization: `Bearer ${token(roles)}` });
export const reader = bearer(['SecurityIncident.Read.All']);
export const writer = bearer(['SecurityIncident.ReadWrite.All', 'SecurityAlert.ReadWrite.All']);
export const alertReader = bearer(['SecurityAlert.Read.All']);
export const hunter = bearer(['ThreatHunting.Read.All']);

/** Options of {@link serveGraph}. */
export interface ServeGraphOptions {
  /** See `GraphApiOptions.expandFailsAbove`. */
  expandFailsAbove?: number;
  /** Hunting tables: table name → rows. */
  huntingTables?: Record<string, Record<string, unknown>[]>;
}

/**
 * The kit's Graph API alone, served on `server` for this test. An incidents array is deep-copied; a
 * `Map` is served as it is (the store of the kit's Defender API, for one tenant's two APIs).
 */
export function serveGraph(
  server: ReturnType<typeof setupServer>,
  incidents: LegacyIncidentWire[] | Map<number, LegacyIncidentWire> = seedIncidents(120, 3),
  options: ServeGraphOptions = {},
): GraphApi {
  const store = incidents instanceof Map ? incidents : new Map(incidents.map((incident) => [incident.incidentId, structuredClone(incident)]));
  const now = () => Date.now();
  const graph = new GraphApi({
    baseUrl: GRAPH,
    tenantId: TENANT,
    incidents: store,
    tables: options.huntingTables ?? {},
    verifyToken: graphTokenVerifier({ signer: sharedTokenSigner(), audiences: [GRAPH], tenantId: TENANT, now }),
    now,
    ...(options.expandFailsAbove === undefined ? {} : { expandFailsAbove: options.expandFailsAbove }),
  });
  server.use(...handlers(graph));
  return graph;
}

export async function json(response: Response): Promise<any> {
  return response.json();
}

/** GETs `path` under `/v1.0/security/`, expects a 200 and returns its body. */
export async function get(path: string, headers: Record<string, string> = reader): Promise<any> {
  const response = await fetch(`${SECURITY}/${path}`, { headers });
  expect(response.status, JSON.stringify(await response.clone().json())).toBe(200);
  return response.json();
}

/** Sends `body` as JSON with `method` to `path` under `/v1.0/security/`. */
export function send(method: string, path: string, body: unknown, headers: Record<string, string> = writer): Promise<Response> {
  return fetch(`${SECURITY}/${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Graph's error envelope, checked whole (reference §5.8). */
export function expectGraphError(body: any, response: Response, code: string, message: string | RegExp): void {
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  if (typeof message === 'string') expect(body.error.message).toBe(message);
  else expect(body.error.message).toMatch(message);
  expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  expect(body.error.innerError['request-id']).toBe(response.headers.get('request-id'));
  expect(body.error.innerError['client-request-id']).toBe(response.headers.get('client-request-id'));
}
