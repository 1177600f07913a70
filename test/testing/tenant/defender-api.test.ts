/*
 * The kit's legacy Defender API (src/testing/tenant/defender-api.ts): tokens and roles, incident
 * list/get/PATCH with its OData subset, advanced hunting, and injected responses.
 */
import { describe, expect, it } from 'vitest';
import { generateIncidents } from '../../../src/testing/data/incidents.js';
import { seedIncidents } from '../../../src/testing/data/seed-incidents.js';
import { handlers } from '../../../src/testing/msw.js';
import { DefenderApi } from '../../../src/testing/tenant/defender-api.js';
import { GRAPH_ONLY_KEYS, type LegacyIncidentWire } from '../../../src/testing/tenant/legacy-wire.js';
import { makeHourToken } from '../../support/jwt.js';
import { startServer } from '../../support/tenant.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const APP = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const API = 'https://api.security.microsoft.com';

const server = startServer();

function token(roles: string[], overrides: { aud?: string; tid?: string; exp?: number } = {}): string {
  return makeHourToken({ aud: API, tid: TENANT, appid: APP, roles, ...overrides });
}

/** The kit's Defender API alone, served for this test, checking tokens of the process-wide test key. */
function fake(incidents: LegacyIncidentWire[] = seedIncidents(250), huntingTables = {}): DefenderApi {
  const defender = new DefenderApi({ tenantId: TENANT, incidents, huntingTables });
  server.use(...handlers(defender));
  return defender;
}

/** The same token with its claims changed (roles widened) but the original signature. */
function tamper(jwt: string): string {
  const [header, claims, signature] = jwt.split('.');
  const decoded = JSON.parse(Buffer.from(claims!, 'base64url').toString('utf8'));
  decoded.roles = [...decoded.roles, 'Incident.ReadWrite.All'];
  return [header, Buffer.from(JSON.stringify(decoded)).toString('base64url'), signature].join('.');
}

const reader = { authorization: `Bearer ${token(['Incident.Read.All'])}` };
const writer = { authorization: `Bearer ${token(['Incident.ReadWrite.All'])}` };
const hunter = { authorization: `Bearer ${token(['AdvancedHunting.Read.All'])}` };

async function json(response: Response): Promise<any> {
  return response.json();
}

describe('DefenderApi', () => {
  describe('authorization', () => {
    it('answers 401 without a token, with a wrong audience, another tenant or an expired token', async () => {
      fake();
      const cases: Array<Record<string, string>> = [
        {},
        { authorization: 'Basic abc' },
        { authorization: `Bearer ${token(['Incident.Read.All'], { aud: 'https://graph.microsoft.com' })}` },
        { authorization: `Bearer ${token(['Incident.Read.All'], { tid: 'other' })}` },
        { authorization: `Bearer ${token(['Incident.Read.All'], { exp: Math.floor(Date.now() / 1000) - 1 })}` },
        { authorization: `Bearer ${tamper(token(['Incident.Read.All']))}` },
      ];
      for (const headers of cases) {
        const response = await fetch(`${API}/api/incidents`, { headers });
        expect(response.status).toBe(401);
        const body = await json(response);
        expect(body.error.code).toBe('Unauthorized');
        expect(body.error.target).toMatch(/^[0-9a-f-]{36}$/);
      }
    });

    it('names the reason of a refused token, a forged signature included', async () => {
      fake();
      const reason = async (authorization: string) =>
        (await json(await fetch(`${API}/api/incidents`, { headers: { authorization } }))).error.message as string;
      expect(await reason(`Bearer ${tamper(token(['Incident.Read.All']))}`)).toBe(
        'Unauthorized request - reason of failure: the access token signature is invalid',
      );
      expect(await reason(`Bearer ${token(['Incident.Read.All'], { exp: Math.floor(Date.now() / 1000) - 1 })}`)).toMatch(/expired/);
    });

    it('answers 403 naming the missing role, per operation', async () => {
      fake();
      const list = await fetch(`${API}/api/incidents`, { headers: hunter });
      expect(list.status).toBe(403);
      expect((await json(list)).error).toMatchObject({
        code: 'Forbidden',
        message: 'Missing application roles. API required roles: Incident.Read.All, application roles',
      });
      const patch = await fetch(`${API}/api/incidents/100000`, {
        method: 'PATCH',
        headers: { ...reader, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'Resolved' }),
      });
      expect(patch.status).toBe(403);
      expect((await json(patch)).error.message).toContain('Incident.ReadWrite.All');
      const hunt = await fetch(`${API}/api/advancedhunting/run`, {
        method: 'POST',
        headers: { ...writer, 'content-type': 'application/json' },
        body: JSON.stringify({ Query: 'T' }),
      });
      expect(hunt.status).toBe(403);
      expect((await json(hunt)).error.message).toContain('AdvancedHunting.Read.All');
      expect((await fetch(`${API}/api/incidents`, { headers: writer })).status).toBe(200);
    });
  });

  describe('list', () => {
    it('pages newest first with $top and $skip, 100 by default', async () => {
      const defender = fake();
      const all = await json(await fetch(`${API}/api/incidents`, { headers: reader }));
      expect(all['@odata.context']).toBe(`${API}/api/$metadata#Incidents`);
      expect(all.value).toHaveLength(100);
      const ids: number[] = [];
      for (let skip = 0; skip <= 300; skip += 100) {
        const page = await json(await fetch(`${API}/api/incidents?$top=100&$skip=${skip}`, { headers: reader }));
        ids.push(...page.value.map((i: LegacyIncidentWire) => i.incidentId));
        if (page.value.length < 100) break;
      }
      expect(ids).toHaveLength(250);
      expect(ids).toEqual([...defender.incidents.keys()].sort((a, b) => b - a));
      expect(defender.requests.map((r) => r.url.searchParams.get('$skip'))).toEqual([null, '0', '100', '200']);
    });

    it('filters by time (7-digit precision), status and assignedTo with quote escaping', async () => {
      const incidents = seedIncidents(40);
      incidents[3]!.assignedTo = "o'brien@contoso.com";
      incidents[3]!.status = 'Active';
      const defender = fake(incidents);
      const pivot = incidents[20]!.createdTime;
      const query = async (filter: string) => {
        const response = await fetch(`${API}/api/incidents?$filter=${encodeURIComponent(filter)}`, { headers: reader });
        expect(response.status).toBe(200);
        return (await json(response)).value as LegacyIncidentWire[];
      };
      expect(await query(`createdTime ge ${pivot}`)).toHaveLength(20);
      expect(await query(`createdTime gt ${pivot}`)).toHaveLength(19);
      expect(await query(`createdTime lt ${pivot}`)).toHaveLength(20);
      const active = await query(`status eq 'Active' and createdTime le ${incidents[39]!.createdTime}`);
      expect(active.length).toBe([...defender.incidents.values()].filter((i) => i.status === 'Active').length);
      expect(active.every((i) => i.status === 'Active')).toBe(true);
      expect((await query("assignedTo eq 'o''brien@contoso.com' and status eq 'Active'")).map((i) => i.incidentId)).toContain(
        incidents[3]!.incidentId,
      );
      const ticks = (iso: string) => BigInt(Date.parse(iso.replace(/\.\d+Z$/, 'Z'))) * 10_000_000n + BigInt((/\.(\d+)Z$/.exec(iso)?.[1] ?? '').padEnd(7, '0'));
      const since = incidents[30]!.lastUpdateTime;
      const expected = incidents.filter((i) => ticks(i.lastUpdateTime) >= ticks(since)).map((i) => i.incidentId).sort();
      const updated = await query(`lastUpdateTime ge ${since}`);
      expect(updated.map((i) => i.incidentId).sort()).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(incidents.length);
    });

    it('rejects other filter fields and malformed values with ODataError, and $top above 100 with BadRequest', async () => {
      fake();
      const status = async (query: string) => {
        const response = await fetch(`${API}/api/incidents?${query}`, { headers: reader });
        return { status: response.status, error: (await json(response)).error };
      };
      const severity = await status(`$filter=${encodeURIComponent("severity eq 'High'")}`);
      expect(severity).toMatchObject({ status: 400, error: { code: 'ODataError' } });
      expect(severity.error.message).toContain("The property 'severity' cannot be used in the $filter query option.");
      expect(await status(`$filter=${encodeURIComponent("createdTime ge '2024-01-01T00:00:00Z'")}`)).toMatchObject({ status: 400, error: { code: 'ODataError' } });
      expect(await status(`$filter=${encodeURIComponent('status eq Active')}`)).toMatchObject({ status: 400 });
      expect(await status('$top=-1')).toMatchObject({ status: 400, error: { code: 'ODataError' } });
      const top = await status('$top=101');
      expect(top).toMatchObject({ status: 400, error: { code: 'BadRequest' } });
      expect(top.error.message).toContain("The limit of '100' for Top query has been exceeded");
      expect((await fetch(`${API}/api/incidents?$top=100`, { headers: reader })).status).toBe(200);
    });
  });

  describe('get and update', () => {
    it('gets an incident, 404 for a missing or non-numeric id', async () => {
      const defender = fake();
      const id = [...defender.incidents.keys()][5]!;
      const found = await json(await fetch(`${API}/api/incidents/${id}`, { headers: reader }));
      expect(found).toMatchObject({ '@odata.context': `${API}/api/$metadata#Incidents/$entity`, incidentId: id });
      const missing = await fetch(`${API}/api/incidents/1`, { headers: reader });
      expect(missing.status).toBe(404);
      expect((await json(missing)).error.code).toBe('ResourceNotFound');
      const bad = await fetch(`${API}/api/incidents/abc`, { headers: reader });
      expect(bad.status).toBe(404);
      expect((await json(bad)).error.code).toBe('NotFound');
    });

    it('applies a PATCH, appends the comment as the app and bumps lastUpdateTime', async () => {
      const defender = fake();
      const id = [...defender.incidents.keys()][0]!;
      const before = structuredClone(defender.incidents.get(id)!);
      const response = await fetch(`${API}/api/incidents/${id}`, {
        method: 'PATCH',
        headers: { ...writer, 'content-type': 'application/json' },
        body: JSON.stringify({
          status: 'Resolved',
          assignedTo: 'secop2@contoso.com',
          classification: 'TruePositive',
          determination: 'Malware',
          tags: ['pen-test'],
          comment: 'pen testing',
        }),
      });
      expect(response.status).toBe(200);
      const updated = await json(response);
      expect(updated).toMatchObject({ incidentId: id, status: 'Resolved', assignedTo: 'secop2@contoso.com', classification: 'TruePositive', determination: 'Malware', tags: ['pen-test'] });
      expect(updated.comments).toHaveLength(before.comments.length + 1);
      expect(updated.comments.at(-1)).toMatchObject({ comment: 'pen testing', createdBy: APP });
      expect(updated.lastUpdateTime).toMatch(/\.\d{7}Z$/);
      expect(updated.lastUpdateTime > before.lastUpdateTime).toBe(true);
      expect(defender.incidents.get(id)).toMatchObject({ status: 'Resolved', tags: ['pen-test'] });
      expect(defender.requests.at(-1)?.body).toMatchObject({ status: 'Resolved' });
    });

    it('rejects wrong casing, unknown values and a non-JSON content type without changing state', async () => {
      const defender = fake();
      const id = [...defender.incidents.keys()][0]!;
      const before = structuredClone(defender.incidents.get(id));
      const patch = (body: string, contentType = 'application/json') =>
        fetch(`${API}/api/incidents/${id}`, { method: 'PATCH', headers: { ...writer, 'content-type': contentType }, body });
      const casing = await patch(JSON.stringify({ Status: 'Resolved' }));
      expect(casing.status).toBe(400);
      expect((await json(casing)).error.code).toBe('InvalidRequestBody');
      expect((await patch(JSON.stringify({ status: 'resolved' }))).status).toBe(400);
      expect((await patch(JSON.stringify({ status: 'Resolved' }), 'text/plain')).status).toBe(415);
      expect(defender.incidents.get(id)).toEqual(before);
    });
  });

  describe('advanced hunting', () => {
    const tables = {
      DeviceProcessEvents: [
        { Timestamp: '2026-01-10T06:38:35.7664356Z', DeviceName: 'ws-1', FileName: 'conhost.exe', ProcessId: 42, Score: 0.5, Signed: true, Extra: { a: 1 } },
        { Timestamp: '2026-01-10T06:39:00.0000000Z', DeviceName: 'ws-2', FileName: 'powershell.exe', ProcessId: 43, Score: 1, Signed: false, Extra: null },
        { Timestamp: '2026-01-10T06:40:00.0000000Z', DeviceName: 'ws-2', FileName: 'cmd.exe', ProcessId: 44, Score: 2.25, Signed: true, Extra: [1] },
      ],
    };
    const run = (query: unknown) =>
      fetch(`${API}/api/advancedhunting/run`, {
        method: 'POST',
        headers: { ...hunter, 'content-type': 'application/json' },
        body: JSON.stringify(query),
      });

    it('runs table | where | take with inferred schema and stats', async () => {
      const defender = fake([], tables);
      const response = await run({ Query: 'DeviceProcessEvents | where DeviceName == "ws-2" | take 1' });
      expect(response.status).toBe(200);
      const body = await json(response);
      expect(body.Schema).toEqual([
        { Name: 'Timestamp', Type: 'DateTime' },
        { Name: 'DeviceName', Type: 'String' },
        { Name: 'FileName', Type: 'String' },
        { Name: 'ProcessId', Type: 'Int64' },
        { Name: 'Score', Type: 'Double' },
        { Name: 'Signed', Type: 'Boolean' },
        { Name: 'Extra', Type: 'Dynamic' },
      ]);
      expect(body.Results).toEqual([tables.DeviceProcessEvents[1]]);
      expect(body.Stats.resource_usage.cpu['total cpu']).toMatch(/^\d\d:\d\d:\d\d/);
      expect(body.Stats.dataset_statistics[0].table_row_count).toBe(1);
      expect(defender.huntingQueries).toEqual(['DeviceProcessEvents | where DeviceName == "ws-2" | take 1']);
    });

    it('answers 400 for a missing Query, unsupported syntax and an unknown table', async () => {
      fake([], tables);
      const missing = await run({ query: 'DeviceProcessEvents' });
      expect(missing.status).toBe(400);
      expect((await json(missing)).error).toMatchObject({ code: 'InvalidRequestBody', message: 'Missing query.' });
      const syntax = await run({ Query: 'DeviceProcessEvents | frobnicate DeviceName' });
      expect(syntax.status).toBe(400);
      expect((await json(syntax)).error).toMatchObject({
        code: 'BadRequest',
        message: "Syntax error: Query could not be parsed at 'frobnicate' on line [1,23]",
      });
      const table = await run({ Query: 'NoSuchTable | take 1' });
      expect(table.status).toBe(400);
      expect((await json(table)).error.message).toContain("'NoSuchTable'");
      const column = await run({ Query: 'DeviceProcessEvents | where NoSuchColumn == 1' });
      expect(column.status).toBe(400);
      expect((await json(column)).error.message).toMatch(/^Semantic error: 'where' operator: .*'NoSuchColumn'/);
    });

    it('runs the KQL subset: summarize, order by, project and extend', async () => {
      fake([], tables);
      const body = await json(await run({ Query: 'DeviceProcessEvents | summarize n = count() by DeviceName | order by DeviceName asc' }));
      expect(body.Schema).toEqual([{ Name: 'DeviceName', Type: 'String' }, { Name: 'n', Type: 'Int64' }]);
      expect(body.Results).toEqual([{ DeviceName: 'ws-1', n: 1 }, { DeviceName: 'ws-2', n: 2 }]);
      const projected = await json(await run({ Query: 'DeviceProcessEvents | where Score > 0.9 | extend Big = Score * 2 | project FileName, Big | top 1 by Big desc' }));
      expect(projected.Results).toEqual([{ FileName: 'cmd.exe', Big: 4.5 }]);
    });
  });

  describe('inject', () => {
    it('serves queued responses first, per route then any, then handles normally', async () => {
      const defender = fake();
      defender.inject('list', { status: 429, body: { error: { code: '429', message: 'API calls quota exceeded! maximum allowed 50 per 00:01:00' } }, headers: { 'Retry-After': '3' } });
      defender.inject('any', { status: 200, rawBody: '{"value":[{"incidentId":' }, { status: 502, rawBody: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } });
      defender.inject('get', 'network-error');

      const throttled = await fetch(`${API}/api/incidents`, { headers: reader });
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('3');
      expect((await json(throttled)).error.code).toBe('429');

      const truncated = await fetch(`${API}/api/incidents`);
      expect(truncated.status).toBe(200);
      await expect(truncated.json()).rejects.toThrow();

      await expect(fetch(`${API}/api/incidents/100000`, { headers: reader })).rejects.toThrow();

      const html = await fetch(`${API}/api/incidents/100000`, { headers: reader });
      expect(html.status).toBe(502);
      expect(html.headers.get('content-type')).toBe('text/html');

      expect((await fetch(`${API}/api/incidents`, { headers: reader })).status).toBe(200);
      expect(defender.requests.map((r) => r.route)).toEqual(['list', 'list', 'get', 'get', 'list']);
      expect(defender.requests[0]?.headers.get('authorization')).toMatch(/^Bearer /);
      expect(defender.requests[1]?.headers.has('authorization')).toBe(false);
    });

    it('answers on a configured base URL and audience', async () => {
      const defender = new DefenderApi({ tenantId: TENANT, baseUrl: 'https://api-gov.security.microsoft.us', resource: 'https://api-gov.security.microsoft.us', incidents: seedIncidents(3) });
      server.use(...handlers(defender));
      const gov = { authorization: `Bearer ${token(['Incident.Read.All'], { aud: 'https://api-gov.security.microsoft.us' })}` };
      const body = await json(await fetch('https://api-gov.security.microsoft.us/api/incidents', { headers: gov }));
      expect(body['@odata.context']).toBe('https://api-gov.security.microsoft.us/api/$metadata#Incidents');
      expect(body.value).toHaveLength(3);
      expect((await fetch('https://api-gov.security.microsoft.us/api/incidents', { headers: reader })).status).toBe(401);
    });
  });
});

describe('fields only Graph has', () => {
  it('are left out of what the Defender API serves, in lists, gets and PATCH answers, and kept in the store', async () => {
    const incidents = generateIncidents({ seed: 3, count: 30, now: new Date('2026-03-01T10:00:00Z') });
    const defender = fake(incidents);
    const keysOf = (incident: Record<string, unknown>) => {
      const alerts = (incident['alerts'] as Record<string, unknown>[]) ?? [];
      return {
        incident: Object.keys(incident),
        alert: alerts.flatMap(Object.keys),
        device: alerts.flatMap((alert) => (alert['devices'] as object[]).flatMap(Object.keys)),
        entity: alerts.flatMap((alert) => (alert['entities'] as object[]).flatMap(Object.keys)),
      };
    };
    const noGraphOnly = (incident: Record<string, unknown>) => {
      const keys = keysOf(incident);
      for (const level of ['incident', 'alert', 'device', 'entity'] as const) {
        for (const key of GRAPH_ONLY_KEYS[level]) expect(keys[level], `${level} ${key}`).not.toContain(key);
      }
    };
    const list = (await (await fetch(`${API}/api/incidents`, { headers: reader })).json()) as { value: Record<string, unknown>[] };
    expect(list.value).toHaveLength(30);
    list.value.forEach(noGraphOnly);
    const id = incidents[4]!.incidentId;
    noGraphOnly((await (await fetch(`${API}/api/incidents/${id}`, { headers: reader })).json()) as Record<string, unknown>);
    const patched = await fetch(`${API}/api/incidents/${id}`, { method: 'PATCH', headers: { ...writer, 'content-type': 'application/json' }, body: JSON.stringify({ tags: ['x'] }) });
    noGraphOnly((await patched.json()) as Record<string, unknown>);
    expect(Object.keys(defender.incidents.get(id)!)).toContain('priorityScore');
  });
});
