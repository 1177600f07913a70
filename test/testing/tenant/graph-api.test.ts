/*
 * The kit's Graph security API (src/testing/tenant/graph-api.ts): incidents and alerts_v2 over the
 * legacy store, its OData subset, tokens, roles and test hooks.
 */
import { describe, expect, it } from 'vitest';
import { seedIncidents } from '../../../src/testing/data/seed-incidents.js';
import { handlers } from '../../../src/testing/msw.js';
import { DefenderApi } from '../../../src/testing/tenant/defender-api.js';
import type { GraphApi } from '../../../src/testing/tenant/graph-api.js';
import type { LegacyIncidentWire } from '../../../src/testing/tenant/legacy-wire.js';
import {
  APP,
  DEFENDER,
  GRAPH,
  SECURITY,
  TENANT,
  alertReader,
  bearer,
  expectGraphError,
  get,
  json,
  reader,
  send,
  serveGraph,
  token,
} from '../../support/graph-api.js';
import { startServer } from '../../support/tenant.js';

const server = startServer();

describe("the kit's Graph API", () => {
  describe('list incidents', () => {
    it('refuses $top above 50 with the real 400 body (empty code)', async () => {
      serveGraph(server);
      const response = await fetch(`${SECURITY}/incidents?$top=51`, { headers: reader });
      expect(response.status).toBe(400);
      const body = await json(response);
      expectGraphError(body, response, '', "The query specified in the URI is not valid. The limit of '50' for Top query has been exceeded. The value from the incoming request is '51'.");
      expect(body.error.details).toEqual([]);
      expect((await fetch(`${SECURITY}/incidents?$top=50`, { headers: reader })).status).toBe(200);
    });

    it('follows @odata.nextLink to every incident exactly once, newest first, with $count', async () => {
      const graph = serveGraph(server, seedIncidents(120, 3));
      const ids: string[] = [];
      let url: string | undefined = `${SECURITY}/incidents?$top=50&$count=true`;
      let pages = 0;
      while (url) {
        const page = await json(await fetch(url, { headers: reader }));
        expect(page['@odata.count']).toBe(120);
        ids.push(...page.value.map((incident: { id: string }) => incident.id));
        url = page['@odata.nextLink'];
        if (url) expect(url.startsWith(`${SECURITY}/incidents?`)).toBe(true);
        pages++;
      }
      expect(pages).toBe(3);
      expect(ids).toHaveLength(120);
      const newestFirst = [...graph.incidents.values()]
        .sort((a, b) => Date.parse(b.createdTime) - Date.parse(a.createdTime))
        .map((incident) => String(incident.incidentId));
      expect(ids).toEqual(newestFirst);
      expect(graph.requests.map((request) => request.url.searchParams.get('$skip'))).toEqual([null, '50', '100']);
    });

    it('pages 50 at a time by default', async () => {
      serveGraph(server, seedIncidents(60, 3));
      const page = await get('incidents');
      expect(page.value).toHaveLength(50);
      expect(page['@odata.nextLink']).toMatch(/\$skip=50/);
      expect((await get('incidents?$skip=50')).value).toHaveLength(10);
    });

    it('filters on status, severity, classification, determination, assignedTo and both dates', async () => {
      const incidents = seedIncidents(80, 9);
      incidents[2]!.assignedTo = "o'brien@contoso.com";
      serveGraph(server, incidents);
      const ids = async (filter: string) =>
        (await get(`incidents?$top=50&$filter=${encodeURIComponent(filter)}`)).value.map((i: { id: string }) => Number(i.id)).sort();
      const where = (keep: (incident: LegacyIncidentWire) => boolean) => incidents.filter(keep).map((i) => i.incidentId).sort().slice(0, 50);
      const pivot = incidents[40]!;
      const cases: Array<[string, (incident: LegacyIncidentWire) => boolean]> = [
        ["status eq 'active'", (i) => i.status === 'Active'],
        ["status eq 'inProgress' and severity eq 'medium'", (i) => i.status === 'InProgress' && i.severity === 'Medium'],
        ["severity eq 'unknown'", (i) => i.severity === 'UnSpecified'],
        ["classification eq 'truePositive'", (i) => i.classification === 'TruePositive'],
        ["determination eq 'notMalicious'", (i) => i.determination === 'Clean'],
        ["assignedTo eq 'o''brien@contoso.com'", (i) => i.assignedTo === "o'brien@contoso.com"],
        [`createdDateTime ge ${pivot.createdTime}`, (i) => Date.parse(i.createdTime) >= Date.parse(pivot.createdTime)],
        [`createdDateTime lt ${pivot.createdTime} and status eq 'resolved'`, (i) => Date.parse(i.createdTime) < Date.parse(pivot.createdTime) && i.status === 'Resolved'],
        [`lastUpdateDateTime gt ${pivot.lastUpdateTime}`, (i) => i.lastUpdateTime > pivot.lastUpdateTime],
        [`lastUpdateDateTime le ${pivot.lastUpdateTime}`, (i) => i.lastUpdateTime <= pivot.lastUpdateTime],
      ];
      for (const [filter, keep] of cases) {
        const expected = where(keep);
        expect(expected.length, filter).toBeGreaterThan(0);
        expect(await ids(filter), filter).toEqual(expected);
      }
    });

    it('answers unsupported filters and options with the OData 400', async () => {
      serveGraph(server);
      for (const [query, message] of [
        ['$filter=displayName eq \'x\'', "The property 'displayName' cannot be used in the $filter query option."],
        ['$filter=color eq \'x\'', "Could not find a property named 'color' on type 'microsoft.graph.security.incident'."],
        ["$filter=status eq 'active' and", 'Syntax error'],
        ["$filter=createdDateTime ge 'yesterday'", 'incompatible types'],
        ['$top=ten', "Invalid value 'ten' for $top"],
        ['$expand=comments', "Could not find a property named 'comments'"],
        ['$search=mimikatz', "Query option '$search' is not allowed"],
      ] as const) {
        const response = await fetch(`${SECURITY}/incidents?${query}`, { headers: reader });
        expect(response.status, query).toBe(400);
        const body = await json(response);
        expectGraphError(body, response, '', new RegExp(`^The query specified in the URI is not valid\\. .*${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      }
    });

    it('fails a $expand=alerts list with a 500 when too many incidents match, but not a narrow one or a get', async () => {
      const incidents = seedIncidents(8, 3);
      serveGraph(server, incidents, { expandFailsAbove: 3 });
      const failed = await fetch(`${SECURITY}/incidents?$expand=alerts`, { headers: reader });
      expect(failed.status).toBe(500);
      expectGraphError(await json(failed), failed, 'InternalServerError', /internal server error/i);
      expect((await get('incidents')).value).toHaveLength(8);
      const narrow = await get(`incidents?$expand=alerts&$filter=${encodeURIComponent(`createdDateTime ge ${incidents[5]!.createdTime}`)}`);
      expect(narrow['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#security/incidents(alerts())`);
      expect(narrow.value).toHaveLength(3);
      expect(narrow.value[0].alerts).toHaveLength(incidents[7]!.alerts.length);
      const one = await get(`incidents/${incidents[0]!.incidentId}?$expand=alerts`);
      expect(one.alerts.map((a: { id: string }) => a.id)).toEqual(incidents[0]!.alerts.map((a) => a.alertId));
    });
  });

  describe('get, update and comment', () => {
    it('answers 404 with a Graph error for an unknown incident', async () => {
      serveGraph(server, seedIncidents(3));
      const response = await fetch(`${SECURITY}/incidents/1`, { headers: reader });
      expect(response.status).toBe(404);
      expectGraphError(await json(response), response, 'NotFound', /'1'/);
    });

    it('PATCH updates the shared store, so the legacy API sees the change in its own names', async () => {
      const { defender, graph } = sharedTenant();
      const id = [...graph.incidents.keys()][0]!;
      const before = Date.now();
      const response = await send('PATCH', `incidents/${id}`, {
        status: 'resolved', classification: 'falsePositive', determination: 'notMalicious', assignedTo: 'secop@contoso.com', customTags: ['pen-test', 'VIP'],
      });
      const after = Date.now();
      expect(response.status).toBe(200);
      const updated = await json(response);
      expect(updated).toMatchObject({ id: String(id), status: 'resolved', classification: 'falsePositive', determination: 'notMalicious', assignedTo: 'secop@contoso.com', customTags: ['pen-test', 'VIP'], lastModifiedBy: APP });
      // Stamped by the fake's clock (the real one here) while it handled the PATCH, however long that took.
      expect(Date.parse(updated.lastUpdateDateTime)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(updated.lastUpdateDateTime)).toBeLessThanOrEqual(after);
      const legacy = await json(await fetch(`${DEFENDER}/api/incidents/${id}`, { headers: { authorization: `Bearer ${legacyToken()}` } }));
      expect(legacy).toMatchObject({ incidentId: id, status: 'Resolved', classification: 'FalsePositive', determination: 'Clean', assignedTo: 'secop@contoso.com', tags: ['pen-test', 'VIP'], lastUpdateTime: updated.lastUpdateDateTime });
      expect(defender.incidents).toBe(graph.incidents);
      // and the other way round
      const legacyPatch = await fetch(`${DEFENDER}/api/incidents/${id}`, {
        method: 'PATCH', headers: { authorization: `Bearer ${legacyToken()}`, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'InProgress' }),
      });
      expect(legacyPatch.status).toBe(200);
      expect((await get(`incidents/${id}`)).status).toBe('inProgress');
    });

    it('accepts PascalCase enum values like the docs example, refuses unknown properties and values', async () => {
      const graph = serveGraph(server, seedIncidents(2));
      const id = [...graph.incidents.keys()][0]!;
      const ok = await send('PATCH', `incidents/${id}`, { classification: 'TruePositive', determination: 'MultiStagedAttack' });
      expect(await json(ok)).toMatchObject({ classification: 'truePositive', determination: 'multiStagedAttack' });
      expect(graph.incidents.get(id)).toMatchObject({ classification: 'TruePositive', determination: 'MultiStagedAttack' });
      const before = structuredClone(graph.incidents.get(id));
      const unknown = await send('PATCH', `incidents/${id}`, { status: 'resolved', tags: ['x'] });
      expect(unknown.status).toBe(400);
      expectGraphError(await json(unknown), unknown, 'BadRequest', "The property 'tags' does not exist on type 'microsoft.graph.security.incident'. Make sure to only use property names that are defined by the type or mark the type as open type.");
      const badValue = await send('PATCH', `incidents/${id}`, { status: 'closed' });
      expect(badValue.status).toBe(400);
      expect(graph.incidents.get(id)).toEqual(before);
    });

    it('needs SecurityIncident.ReadWrite.All to change an incident', async () => {
      const graph = serveGraph(server, seedIncidents(2));
      const id = [...graph.incidents.keys()][0]!;
      const response = await send('PATCH', `incidents/${id}`, { status: 'resolved' }, reader);
      expect(response.status).toBe(403);
      expectGraphError(await json(response), response, 'Forbidden', 'Missing application roles. API required roles: SecurityIncident.ReadWrite.All, application roles: SecurityIncident.Read.All.');
    });

    it('POST comments appends to the store and returns the whole comment collection', async () => {
      const { graph } = sharedTenant();
      const incident = [...graph.incidents.values()][1]!;
      const before = incident.comments.length;
      const response = await send('POST', `incidents/${incident.incidentId}/comments`, { '@odata.type': 'microsoft.graph.security.alertComment', comment: 'Demo for docs' });
      expect(response.status).toBe(200);
      const body = await json(response);
      expect(body['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#security/incidents('${incident.incidentId}')/comments`);
      expect(body.value).toHaveLength(before + 1);
      expect(body.value.at(-1)).toEqual({ comment: 'Demo for docs', createdByDisplayName: APP, createdDateTime: expect.stringMatching(/Z$/) });
      const legacy = await json(await fetch(`${DEFENDER}/api/incidents/${incident.incidentId}`, { headers: { authorization: `Bearer ${legacyToken()}` } }));
      expect(legacy.comments.at(-1)).toMatchObject({ comment: 'Demo for docs', createdBy: APP });
      const empty = await send('POST', `incidents/${incident.incidentId}/comments`, { comment: '' });
      expect(empty.status).toBe(400);
    });
  });

  describe('alerts_v2', () => {
    it('lists every alert newest first through $skiptoken nextLinks', async () => {
      const graph = serveGraph(server, seedIncidents(30, 6));
      const all = [...graph.incidents.values()].flatMap((i) => i.alerts);
      const ids: string[] = [];
      let url: string | undefined = `${SECURITY}/alerts_v2?$top=7`;
      while (url) {
        const page = await json(await fetch(url, { headers: alertReader }));
        ids.push(...page.value.map((a: { id: string }) => a.id));
        url = page['@odata.nextLink'];
        if (url) expect(url).toMatch(/\$skiptoken=/);
      }
      expect(ids).toHaveLength(all.length);
      expect(new Set(ids)).toEqual(new Set(all.map((a) => a.alertId)));
      const created = ids.map((id) => Date.parse(all.find((a) => a.alertId === id)!.creationTime));
      expect(created).toEqual([...created].sort((a, b) => b - a));
    });

    it('filters on status, severity, serviceSource, incidentId, assignedTo and dates', async () => {
      const incidents = seedIncidents(40, 6);
      const graph = serveGraph(server, incidents);
      const all = [...graph.incidents.values()].flatMap((i) => i.alerts);
      const ids = async (filter: string) =>
        (await get(`alerts_v2?$filter=${encodeURIComponent(filter)}`, alertReader)).value.map((a: { id: string }) => a.id).sort();
      const where = (keep: (alert: (typeof all)[number]) => boolean) => all.filter(keep).map((a) => a.alertId).sort();
      const pivot = all[20]!;
      const cases: Array<[string, (alert: (typeof all)[number]) => boolean]> = [
        ["status eq 'new'", (a) => a.status === 'New'],
        ["severity eq 'high' and status eq 'resolved'", (a) => a.severity === 'High' && a.status === 'Resolved'],
        ["serviceSource eq 'microsoftDefenderForEndpoint'", (a) => ['MicrosoftDefenderATP', 'MicrosoftDefenderForEndpoint'].includes(a.serviceSource)],
        ["serviceSource eq 'microsoftDefenderForCloudApps'", (a) => a.serviceSource === 'MicrosoftCloudAppSecurity'],
        [`incidentId eq '${pivot.incidentId}'`, (a) => a.incidentId === pivot.incidentId],
        ["assignedTo eq 'Automation'", (a) => a.assignedTo === 'Automation'],
        [`createdDateTime ge ${pivot.creationTime}`, (a) => Date.parse(a.creationTime) >= Date.parse(pivot.creationTime)],
        [`lastUpdateDateTime lt ${pivot.lastUpdatedTime}`, (a) => a.lastUpdatedTime! < pivot.lastUpdatedTime!],
      ];
      for (const [filter, keep] of cases) {
        const expected = where(keep);
        expect(expected.length, filter).toBeGreaterThan(0);
        expect(await ids(filter), filter).toEqual(expected);
      }
      const bad = await fetch(`${SECURITY}/alerts_v2?$filter=${encodeURIComponent("investigationState eq 'running'")}`, { headers: alertReader });
      expect(bad.status).toBe(400);
    });

    it('PATCH changes the stored alert and refuses properties Graph does not let you write', async () => {
      const graph = serveGraph(server, seedIncidents(5, 6));
      const stored = [...graph.incidents.values()].flatMap((i) => i.alerts).find((a) => a.status !== 'Resolved')!;
      const response = await send('PATCH', `alerts_v2/${stored.alertId}`, { status: 'resolved', classification: 'truePositive', determination: 'malware', assignedTo: 'secop@contoso.com' });
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({ id: stored.alertId, status: 'resolved', classification: 'truePositive', determination: 'malware', assignedTo: 'secop@contoso.com' });
      expect(stored).toMatchObject({ status: 'Resolved', classification: 'TruePositive', determination: 'Malware', assignedTo: 'secop@contoso.com' });
      expect(stored.resolvedTime).not.toBeNull();
      const refused = await send('PATCH', `alerts_v2/${stored.alertId}`, { severity: 'low' });
      expect(refused.status).toBe(400);
      const readOnly = await send('PATCH', `alerts_v2/${stored.alertId}`, { status: 'new' }, alertReader);
      expect(readOnly.status).toBe(403);
      expect((await json(readOnly)).error.message).toContain('API required roles: SecurityAlert.ReadWrite.All,');
      const missing = await fetch(`${SECURITY}/alerts_v2/nope`, { headers: alertReader });
      expect(missing.status).toBe(404);
    });
  });

  describe('authentication and authorization', () => {
    it('answers 401 InvalidAuthenticationToken for a missing, foreign-audience, foreign-tenant, expired or forged token', async () => {
      serveGraph(server, seedIncidents(2));
      const forged = (() => {
        const [header, claims] = token(['SecurityIncident.Read.All']).split('.');
        return `${header}.${claims}.${Buffer.from('not the signature').toString('base64url')}`;
      })();
      const cases: Array<[Record<string, string>, string]> = [
        [{}, 'Access token is empty.'],
        [{ authorization: `Bearer ${token(['SecurityIncident.Read.All'], { aud: DEFENDER })}` }, 'Access token validation failure. Invalid audience.'],
        [{ authorization: `Bearer ${token(['SecurityIncident.Read.All'], { tid: 'other' })}` }, 'Access token validation failure. Invalid issuer.'],
        [{ authorization: `Bearer ${token(['SecurityIncident.Read.All'], { exp: Math.floor(Date.now() / 1000) - 1 })}` }, 'Lifetime validation failed, the token is expired.'],
        [{ authorization: `Bearer ${forged}` }, 'Access token validation failure.'],
      ];
      for (const [headers, message] of cases) {
        const response = await fetch(`${SECURITY}/incidents`, { headers });
        expect(response.status, message).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
        expectGraphError(await json(response), response, 'InvalidAuthenticationToken', message);
      }
    });

    it('answers 403 with Graph\'s "Missing application roles" text, and lets incident roles read alerts', async () => {
      serveGraph(server, seedIncidents(2));
      const response = await fetch(`${SECURITY}/incidents`, { headers: bearer(['Incident.Read.All', 'AdvancedHunting.Read.All']) });
      expect(response.status).toBe(403);
      expectGraphError(await json(response), response, 'Forbidden',
        'Missing application roles. API required roles: SecurityIncident.Read.All,SecurityIncident.ReadWrite.All, application roles: Incident.Read.All,AdvancedHunting.Read.All.');
      const alerts = await fetch(`${SECURITY}/alerts_v2`, { headers: bearer([]) });
      expect((await json(alerts)).error.message).toBe(
        'Missing application roles. API required roles: SecurityAlert.Read.All,SecurityAlert.ReadWrite.All,SecurityIncident.Read.All,SecurityIncident.ReadWrite.All, application roles: .',
      );
      expect((await fetch(`${SECURITY}/alerts_v2`, { headers: reader })).status).toBe(200);
    });

    it('echoes client-request-id and gives each response its own request-id', async () => {
      serveGraph(server, seedIncidents(2));
      const first = await fetch(`${SECURITY}/incidents`, { headers: { ...reader, 'client-request-id': 'c0ffee00-0000-4000-8000-000000000001' } });
      const second = await fetch(`${SECURITY}/incidents/1`, { headers: reader });
      expect(first.headers.get('client-request-id')).toBe('c0ffee00-0000-4000-8000-000000000001');
      expect(first.headers.get('request-id')).not.toBe(second.headers.get('request-id'));
      expect(second.headers.get('client-request-id')).toBe(second.headers.get('request-id'));
    });
  });

  describe('test hooks', () => {
    it('serves injected responses per route before auth, and records every request', async () => {
      const graph = serveGraph(server, seedIncidents(2));
      graph.inject('listIncidents', { status: 429, body: { error: { code: 'TooManyRequests', message: 'Too many requests.' } }, headers: { 'retry-after': '2' } });
      graph.inject('any', 'network-error');
      const throttled = await fetch(`${SECURITY}/incidents`);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('2');
      expect(throttled.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
      await expect(fetch(`${SECURITY}/alerts_v2`, { headers: alertReader })).rejects.toThrow();
      expect((await fetch(`${SECURITY}/incidents`, { headers: reader })).status).toBe(200);
      expect(graph.requests.map((r) => r.route)).toEqual(['listIncidents', 'listAlerts', 'listIncidents']);
      expect(graph.requests[0]!.url.pathname).toBe('/v1.0/security/incidents');
    });

    it('leaves other hosts and paths to other handlers', async () => {
      const graph = serveGraph(server, seedIncidents(1));
      expect(await graph.handle(new Request(`${GRAPH}/v1.0/users`))).toBeUndefined();
      expect(await graph.handle(new Request(`${DEFENDER}/api/incidents`))).toBeUndefined();
      expect(await graph.handle(new Request(`${SECURITY}/incidents`, { method: 'DELETE' }))).toBeUndefined();
      expect(graph.requests).toHaveLength(0);
    });
  });
});

const LEGACY_ROLES = ['Incident.ReadWrite.All'];

function legacyToken(): string {
  return token(LEGACY_ROLES, { aud: DEFENDER });
}

/** The kit's Defender API and Graph on one incidents Map, as one tenant serves them. */
function sharedTenant(): { defender: DefenderApi; graph: GraphApi } {
  const defender = new DefenderApi({ tenantId: TENANT, incidents: seedIncidents(6, 12) });
  server.use(...handlers(defender));
  const graph = serveGraph(server, defender.incidents);
  return { defender, graph };
}
