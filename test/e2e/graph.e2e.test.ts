/**
 * The public SDK with `api: 'graph'` against the HTTPS simulator, over real sockets and TLS, with
 * the real @azure/identity credentials (client secret and certificate): Microsoft Graph security's
 * incidents, alerts_v2 and runHuntingQuery, served from the same tenant store as the Defender API.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidArgumentError, PermissionError, kql, type DefenderClient, type DefenderClientOptions } from '../../src/index.js';
import type { LegacyIncidentWire } from '../../src/testing/tenant/legacy-wire.js';
import { envClient, expectRetryAfterWaited, serviceTicks, useSimulator } from './support.js';

const OWNER_ID = '2c6e4f1a-7b3d-4e5f-9a8b-1c2d3e4f5a6b';
const OWNER_SECRET = 'owner8Q~simulated-graph-secret-value-00000';
const DEFENDER_ONLY_ID = '9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19';
const DEFENDER_ONLY_SECRET = 'defon8Q~simulated-graph-secret-value-00000';
const GRAPH_READER_ID = '4a3b2c1d-0e9f-4a8b-b7c6-d5e4f3a2b1c0';
const GRAPH_READER_SECRET = 'grrdr8Q~simulated-graph-secret-value-00000';
const INCIDENTS = 60;
// A list with `$expand=alerts` 500s when more incidents than this match its filter (reference §5.2).
const EXPAND_FAILS_ABOVE = 30;

const sim = useSimulator({
  seed: 23,
  incidents: INCIDENTS,
  huntingRows: 3_000,
  certificateApp: true,
  graphExpandFailsAbove: EXPAND_FAILS_ABOVE,
  apps: [
    {
      clientId: OWNER_ID,
      clientSecret: OWNER_SECRET,
      roles: {
        defender: ['Incident.ReadWrite.All', 'AdvancedHunting.Read.All'],
        graph: ['SecurityIncident.ReadWrite.All', 'SecurityAlert.ReadWrite.All', 'ThreatHunting.Read.All'],
      },
    },
    { clientId: DEFENDER_ONLY_ID, clientSecret: DEFENDER_ONLY_SECRET, roles: { defender: ['Incident.ReadWrite.All', 'AdvancedHunting.Read.All'] } },
    { clientId: GRAPH_READER_ID, clientSecret: GRAPH_READER_SECRET, roles: { graph: ['SecurityIncident.Read.All'] } },
  ],
});

/** A client configured only from the environment the simulator prints, plus `DEFENDER_API=graph`, as a user's program would be. */
function graph(env: Record<string, string> = {}, overrides: Partial<DefenderClientOptions> = {}): DefenderClient {
  return envClient(sim(), { DEFENDER_API: 'graph', ...env }, overrides);
}

/** The same program with the Defender API (no `DEFENDER_API` set). */
function defender(): DefenderClient {
  return envClient(sim(), {}, { silenceDeprecationWarnings: true });
}

const stored = (): LegacyIncidentWire[] => [...sim().tenant.incidents.values()];
const requestsSince = (before: number, route: string) => sim().tenant.requests.slice(before).filter((r) => r.route === route);
const filterOf = (url: string): string => new URL(url).searchParams.get('$filter') ?? '';

/** Lowercases the first letter: the legacy store's `InProgress` is Graph's `inProgress`. */
const camel = (value: string): string => value.charAt(0).toLowerCase() + value.slice(1);

describe('credentials over real TLS, Graph scope', () => {
  it('signs in with the client secret for a Microsoft Graph token', async () => {
    const who = await graph().auth.inspect();
    expect(who).toMatchObject({ tenantId: sim().tenant.tenantId, appId: OWNER_ID, audience: 'https://graph.microsoft.com' });
    expect(who.roles).toEqual(['SecurityIncident.ReadWrite.All', 'SecurityAlert.ReadWrite.All', 'ThreatHunting.Read.All']);
    const tokenRequest = sim().tenant.requests.filter((r) => r.route === 'entra.token').at(-1)!;
    expect(tokenRequest.body).toMatchObject({ scope: 'https://graph.microsoft.com/.default', client_secret: '[redacted]' });
  });

  it('signs in with a certificate and reads an incident from Graph', async () => {
    const certificateApp = sim().certificateApp!;
    const c = graph(certificateApp.env);
    const who = await c.auth.inspect();
    expect(who).toMatchObject({ appId: certificateApp.clientId, audience: 'https://graph.microsoft.com' });
    const id = String(stored()[0]!.incidentId);
    await expect(c.incidents.get(id)).resolves.toMatchObject({ id });
    const tokenRequest = sim().tenant.requests.filter((r) => r.route === 'entra.token').at(-1)!;
    expect(tokenRequest.status).toBe(200);
    expect(tokenRequest.body).toMatchObject({
      scope: 'https://graph.microsoft.com/.default',
      client_assertion: '[redacted]',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    });
    expect(sim().tenant.requests.filter((r) => r.route === 'graph.getIncident').at(-1)!.status).toBe(200);
  });
});

describe('incidents on Graph', () => {
  it('lists every incident across @odata.nextLink pages', async () => {
    const before = sim().tenant.requests.length;
    const pages = [];
    for await (const page of graph().incidents.list({ pageSize: 25 }).byPage()) pages.push(page);
    expect(pages.map((p) => p.items.length)).toEqual([25, 25, 10]);
    const ids = pages.flatMap((p) => p.items.map((i) => i.id));
    expect(new Set(ids).size).toBe(INCIDENTS);
    expect([...ids].sort()).toEqual(stored().map((i) => String(i.incidentId)).sort());
    const calls = requestsSince(before, 'graph.listIncidents');
    expect(calls.map((r) => new URL(r.url).searchParams.get('$top'))).toEqual(['25', '25', '25']);
    // Pages after the first are the service's nextLink, followed as given.
    expect(calls.map((r) => new URL(r.url).searchParams.get('$skip') ?? '0')).toEqual(['0', '25', '50']);
    expect(calls.every((r) => r.headers['prefer'] === 'include-unknown-enum-members')).toBe(true);
  });

  it('filters by status on the server', async () => {
    const before = sim().tenant.requests.length;
    const active = await graph().incidents.list({ status: 'active' }).toArray();
    const expected = stored().filter((i) => i.status === 'Active').map((i) => String(i.incidentId));
    expect(expected.length).toBeGreaterThan(0);
    expect(active.map((i) => i.id).sort()).toEqual(expected.sort());
    expect(active.every((i) => i.status === 'active')).toBe(true);
    expect(filterOf(requestsSince(before, 'graph.listIncidents')[0]!.url)).toContain("status eq 'active'");
  });

  it('filters by severity on the server', async () => {
    const before = sim().tenant.requests.length;
    const high = await graph().incidents.list({ severity: 'high' }).toArray();
    const expected = stored().filter((i) => i.severity === 'High').map((i) => String(i.incidentId));
    expect(expected.length).toBeGreaterThan(0);
    expect(high.map((i) => i.id).sort()).toEqual(expected.sort());
    expect(filterOf(requestsSince(before, 'graph.listIncidents')[0]!.url)).toContain("severity eq 'high'");
  });

  it('filters by last update time on the server (inclusive)', async () => {
    // The service compares 7-digit fractions of a second: so does the expectation.
    const times = stored().map((i) => Date.parse(i.lastUpdateTime)).sort((a, b) => a - b);
    const updatedAfter = new Date(times[Math.floor(times.length / 2)]!);
    const before = sim().tenant.requests.length;
    const recent = await graph().incidents.list({ updatedAfter }).toArray();
    const expected = stored().filter((i) => serviceTicks(i.lastUpdateTime) >= BigInt(updatedAfter.getTime()) * 10_000n);
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.map((i) => i.id).sort()).toEqual(expected.map((i) => String(i.incidentId)).sort());
    expect(recent.every((i) => i.lastUpdateDateTime.getTime() >= updatedAfter.getTime())).toBe(true);
    expect(filterOf(requestsSince(before, 'graph.listIncidents')[0]!.url)).toMatch(/lastUpdateDateTime ge \d{4}-/);
  });

  it('filters by owner on the server', async () => {
    const owner = stored().find((i) => i.assignedTo)!.assignedTo!;
    const before = sim().tenant.requests.length;
    const mine = await graph().incidents.list({ assignedTo: owner }).toArray();
    const expected = stored().filter((i) => i.assignedTo === owner).map((i) => String(i.incidentId));
    expect(mine.map((i) => i.id).sort()).toEqual(expected.sort());
    expect(mine.every((i) => i.assignedTo === owner)).toBe(true);
    expect(filterOf(requestsSince(before, 'graph.listIncidents')[0]!.url)).toContain(`assignedTo eq '${owner.replace(/'/g, "''")}'`);
  });

  it('embeds alerts with expandAlerts ($expand=alerts), and only then', async () => {
    const active = stored().filter((i) => i.status === 'Active');
    expect(active.length).toBeLessThanOrEqual(EXPAND_FAILS_ABOVE); // else the service would 500 (next test)
    const before = sim().tenant.requests.length;
    const c = graph();
    const expanded = await c.incidents.list({ status: 'active', expandAlerts: true }).toArray();
    expect(new URL(requestsSince(before, 'graph.listIncidents')[0]!.url).searchParams.get('$expand')).toBe('alerts');
    for (const incident of expanded) {
      const wire = sim().tenant.incidents.get(Number(incident.id))!;
      expect(incident.alerts.map((a) => a.id)).toEqual(wire.alerts.map((a) => a.alertId));
    }
    expect(expanded.some((i) => i.alerts.length > 0)).toBe(true);
    const plain = await c.incidents.list({ status: 'active' }).toArray();
    expect(plain.every((i) => i.alerts.length === 0)).toBe(true);
  });

  it('falls back to reading each incident with its alerts when the list with $expand=alerts keeps failing with a 500, and logs it', async () => {
    expect(stored().length).toBeGreaterThan(EXPAND_FAILS_ABOVE);
    const warnings: string[] = [];
    const c = graph({}, { maxRetries: 1, logger: { warn: (message) => void warnings.push(message) } });
    const before = sim().tenant.requests.length;
    const first = await c.incidents.list({ expandAlerts: true, pageSize: 5 }).toArray({ limit: 5 });
    expect(first).toHaveLength(5);
    for (const incident of first) {
      const wire = sim().tenant.incidents.get(Number(incident.id))!;
      expect(incident.alerts.map((a) => a.id).sort()).toEqual(wire.alerts.map((a) => a.alertId).sort());
    }
    const lists = requestsSince(before, 'graph.listIncidents');
    expect(lists.map((r) => [r.status, new URL(r.url).searchParams.get('$expand')])).toEqual([
      [500, 'alerts'],
      [500, 'alerts'],
      [200, null],
    ]);
    const perIncident = requestsSince(before, 'graph.getIncident');
    expect(perIncident.map((r) => [r.status, new URL(r.url).searchParams.get('$expand')])).toEqual(first.map(() => [200, 'alerts']));
    expect(requestsSince(before, 'graph.listAlerts')).toEqual([]);
    expect(warnings.some((w) => w.includes('$expand=alerts failed') && w.includes('/security/incidents/{id}?$expand=alerts'))).toBe(true);
  });

  it('gets an incident, with its alerts on request', async () => {
    const wire = stored().find((i) => i.alerts.length > 0)!;
    const c = graph();
    const incident = await c.incidents.get(String(wire.incidentId));
    expect(incident).toMatchObject({ id: String(wire.incidentId), displayName: wire.incidentName, severity: camel(wire.severity) });
    expect(incident.alerts).toEqual([]);
    const withAlerts = await c.incidents.get(String(wire.incidentId), { expandAlerts: true });
    expect(withAlerts.alerts.map((a) => a.id)).toEqual(wire.alerts.map((a) => a.alertId));
  });

  it('updates status, tags (as customTags) and a comment; Graph and the Defender API both see it', async () => {
    const wire = stored().find((i) => i.status === 'Active')!;
    const id = String(wire.incidentId);
    const before = sim().tenant.requests.length;
    const updated = await graph().incidents.update(id, {
      status: 'resolved',
      classification: 'truePositive',
      determination: 'malware',
      tags: ['e2e-graph'],
      comment: 'resolved through Graph by the e2e test',
    });
    expect(updated).toMatchObject({ id, status: 'resolved', classification: 'truePositive', determination: 'malware', tags: ['e2e-graph'] });
    const patch = requestsSince(before, 'graph.updateIncident');
    expect(patch).toHaveLength(1);
    expect(patch[0]!.body).toEqual({ status: 'resolved', classification: 'truePositive', determination: 'malware', customTags: ['e2e-graph'] });
    expect(requestsSince(before, 'graph.addComment').map((r) => r.body)).toEqual([
      { '@odata.type': 'microsoft.graph.security.alertComment', comment: 'resolved through Graph by the e2e test' },
    ]);

    const again = await graph().incidents.get(id);
    expect(again).toMatchObject({ status: 'resolved', classification: 'truePositive', determination: 'malware' });
    expect(again.tags).toEqual(['e2e-graph']);
    expect(again.comments.map((c) => c.comment)).toContain('resolved through Graph by the e2e test');

    const legacy = await defender().incidents.get(id);
    expect(legacy).toMatchObject({ status: 'resolved', classification: 'truePositive', determination: 'malware' });
    expect(legacy.tags).toEqual(['e2e-graph']);
    expect(legacy.comments.map((c) => c.comment)).toContain('resolved through Graph by the e2e test');
  });
});

describe('alerts on Graph (alerts_v2)', () => {
  const storedAlerts = () => stored().flatMap((i) => i.alerts.map((alert) => ({ ...alert, incidentId: i.incidentId })));

  it('lists alerts across pages, with status and severity filters applied by the service', async () => {
    const before = sim().tenant.requests.length;
    const pages = [];
    for await (const page of graph().alerts.list({ severity: 'high', pageSize: 10 }).byPage()) pages.push(page);
    const expected = storedAlerts().filter((a) => a.severity === 'High');
    expect(expected.length).toBeGreaterThan(10);
    expect(pages.length).toBe(Math.ceil(expected.length / 10));
    expect(pages.flatMap((p) => p.items.map((a) => a.id)).sort()).toEqual(expected.map((a) => a.alertId).sort());
    const calls = requestsSince(before, 'graph.listAlerts');
    expect(calls).toHaveLength(pages.length);
    expect(filterOf(calls[0]!.url)).toContain("severity eq 'high'");

    const fresh = await graph().alerts.list({ status: 'new' }).toArray();
    expect(fresh.map((a) => a.id).sort()).toEqual(storedAlerts().filter((a) => a.status === 'New').map((a) => a.alertId).sort());
  });

  it('gets an alert and updates it; the incident on the Defender API shows the change', async () => {
    const target = storedAlerts().find((a) => a.status === 'New')!;
    const c = graph();
    const alert = await c.alerts.get(target.alertId);
    expect(alert).toMatchObject({ id: target.alertId, title: target.title, status: 'new', incidentId: String(target.incidentId) });

    const updated = await c.alerts.update(target.alertId, { status: 'inProgress', assignedTo: 'analyst@contoso.com' });
    expect(updated).toMatchObject({ id: target.alertId, status: 'inProgress', assignedTo: 'analyst@contoso.com' });
    await expect(graph().alerts.get(target.alertId)).resolves.toMatchObject({ status: 'inProgress', assignedTo: 'analyst@contoso.com' });

    const legacy = await defender().incidents.get(String(target.incidentId));
    expect(legacy.alerts.find((a) => a.id === target.alertId)).toMatchObject({ status: 'inProgress', assignedTo: 'analyst@contoso.com' });

    // A comment is its own POST to alerts_v2/{id}/comments, after the PATCH.
    await c.alerts.update(target.alertId, { comment: 'Looked at it: benign.' });
    const raw = (await c.alerts.get(target.alertId)).raw as { comments?: Array<{ comment: string }> };
    expect(raw.comments?.map((entry) => entry.comment)).toEqual(['Looked at it: benign.']);
    // Graph-only state: the Defender API's view of the alert has no comments field.
    const legacyAlert = (await defender().incidents.get(String(target.incidentId))).alerts.find((a) => a.id === target.alertId);
    expect(legacyAlert?.raw).not.toHaveProperty('comments');
  });
});

describe('advanced hunting on Graph', () => {
  const rows = (): Record<string, unknown>[] => sim().tenant.tables.DeviceProcessEvents!;
  const time = (value: unknown): number => (typeof value === 'number' ? value : Date.parse(String(value)));
  const countIn = (from: number, to: number): number => rows().filter((r) => time(r.Timestamp) >= from && time(r.Timestamp) <= to).length;
  const query = 'DeviceProcessEvents | project Timestamp, DeviceName, FileName';
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

  it('types Timestamp as DateTime in the schema and sends it as a date; Timespan as an ISO-8601 duration', async () => {
    const c = graph();
    const started = Date.now();
    const result = await c.advancedHunting.run(query, { timespan: 'P1D' });
    const ended = Date.now();
    expect(result.schema).toEqual([
      { name: 'Timestamp', type: 'DateTime' },
      { name: 'DeviceName', type: 'String' },
      { name: 'FileName', type: 'String' },
    ]);
    expect(result.rows.length).toBeGreaterThan(0);
    expect(result.rows.every((r) => typeof r.Timestamp === 'string' && ISO.test(r.Timestamp))).toBe(true);
    // Bounds, since "now" moved while the query ran.
    expect(result.rows.length).toBeGreaterThanOrEqual(countIn(ended - 86_400_000, started));
    expect(result.rows.length).toBeLessThanOrEqual(countIn(started - 86_400_000, ended));
    expect(result.rows.every((r) => time(r.Timestamp) >= started - 86_400_000 - 1_000)).toBe(true);
    const sent = sim().tenant.requests.filter((r) => r.route === 'graph.hunting').at(-1)!;
    expect(sent.body).toEqual({ Query: query, Timespan: 'P1D' });

    const typed = await c.advancedHunting.run(query, { timespan: 'P1D', rowSchema: z.object({ Timestamp: z.coerce.date(), DeviceName: z.string() }) });
    expect(typed.rows.every((r) => r.Timestamp instanceof Date && !Number.isNaN(r.Timestamp.getTime()))).toBe(true);
  });

  it('applies a { start, end } Timespan', async () => {
    const sorted = rows().map((r) => time(r.Timestamp)).sort((a, b) => a - b);
    const start = new Date(sorted[Math.floor(sorted.length / 4)]! + 0.5);
    const end = new Date(sorted[Math.floor(sorted.length / 2)]! + 0.5);
    const result = await graph().advancedHunting.run(kql`DeviceProcessEvents | project Timestamp`, { timespan: { start, end } });
    expect(result.rows.length).toBe(countIn(start.getTime(), end.getTime()));
    expect(result.rows.length).toBeGreaterThan(0);
    const sent = sim().tenant.requests.filter((r) => r.route === 'graph.hunting').at(-1)!;
    expect(sent.body).toMatchObject({ Timespan: `${start.toISOString()}/${end.toISOString()}` });
  });

  it('applies a { start, duration } Timespan', async () => {
    const sorted = rows().map((r) => time(r.Timestamp)).sort((a, b) => a - b);
    const start = new Date(sorted[Math.floor(sorted.length / 3)]! + 0.5);
    const result = await graph().advancedHunting.run('DeviceProcessEvents | project Timestamp', { timespan: { start, duration: 'PT12H' } });
    expect(result.rows.length).toBe(countIn(start.getTime(), start.getTime() + 12 * 3_600_000));
    const sent = sim().tenant.requests.filter((r) => r.route === 'graph.hunting').at(-1)!;
    expect(sent.body).toMatchObject({ Timespan: `${start.toISOString()}/PT12H` });
  });

  it('runs a query without a Timespan, and refuses a malformed one before sending', async () => {
    const c = graph();
    const started = Date.now();
    const result = await c.advancedHunting.run('DeviceProcessEvents | where Timestamp > ago(7d) | summarize n = count()');
    const ended = Date.now();
    const n = Number(result.rows[0]!.n);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeGreaterThanOrEqual(countIn(ended - 7 * 86_400_000, started));
    expect(n).toBeLessThanOrEqual(countIn(started - 7 * 86_400_000, ended));
    expect(sim().tenant.requests.filter((r) => r.route === 'graph.hunting').at(-1)!.body).toEqual({
      Query: 'DeviceProcessEvents | where Timestamp > ago(7d) | summarize n = count()',
    });
    const before = sim().tenant.requests.length;
    await expect(c.advancedHunting.run(query, { timespan: '7 days' })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(sim().tenant.requests.length).toBe(before);
  });
});

describe('errors and limits on Graph', () => {
  it('answers an app holding only Defender API roles with a 403 naming the Graph permission, and says what was granted', async () => {
    const c = graph({ AZURE_CLIENT_ID: DEFENDER_ONLY_ID, AZURE_CLIENT_SECRET: DEFENDER_ONLY_SECRET });
    const error = await c.incidents.list({ pageSize: 5 }).toArray({ limit: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    const denied = error as PermissionError;
    expect(denied.status).toBe(403);
    expect(denied.message).toContain('SecurityIncident.Read.All');
    expect(denied.message).toContain('Missing application roles');
    // Entra puts only the token audience's roles in a token: this app's Graph token holds none, so
    // the SDK cannot see that Defender API roles were granted; it names that as the likely cause.
    expect(denied.grantedRoles).toEqual([]);
    expect(denied.message).toContain('the token holds no roles');
    expect(denied.message).toContain('If you granted the Defender API (Microsoft Threat Protection) permissions instead');
    const hunting = await c.advancedHunting.run('DeviceProcessEvents | take 1').catch((e: unknown) => e);
    expect(hunting).toBeInstanceOf(PermissionError);
    expect((hunting as Error).message).toContain('ThreatHunting.Read.All');
    // The same app works unchanged on the API it was granted.
    await expect(defender().incidents.list({ pageSize: 1 }).toArray({ limit: 1 })).resolves.toHaveLength(1);
  });

  it('answers a Graph reader updating an incident with a 403 naming SecurityIncident.ReadWrite.All', async () => {
    const c = graph({ AZURE_CLIENT_ID: GRAPH_READER_ID, AZURE_CLIENT_SECRET: GRAPH_READER_SECRET });
    const id = String(stored()[5]!.incidentId);
    await expect(c.incidents.get(id)).resolves.toMatchObject({ id });
    const error = await c.incidents.update(id, { status: 'inProgress' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).message).toContain('SecurityIncident.ReadWrite.All');
    expect((error as PermissionError).grantedRoles).toEqual(['SecurityIncident.Read.All']);
    expect(sim().tenant.incidents.get(Number(id))!.status).not.toBe('InProgress');
  });

  it('waits what Retry-After says on a 429, then succeeds', async () => {
    await expectRetryAfterWaited(sim(), (overrides) => graph({}, overrides), 'graph.listIncidents', { error: { code: 'TooManyRequests', message: 'Too many requests.' } });
  });

  it('refuses pageSize above 50 before sending anything', async () => {
    const c = graph();
    const before = sim().tenant.requests.length;
    expect(() => c.incidents.list({ pageSize: 51 })).toThrow(InvalidArgumentError);
    expect(() => c.incidents.list({ pageSize: 51 })).toThrow(/50/);
    await expect(c.incidents.list({ pageSize: 50 }).toArray({ limit: 1 })).resolves.toHaveLength(1);
    const sent = sim().tenant.requests.slice(before).filter((r) => r.route.startsWith('graph.'));
    expect(sent.map((r) => new URL(r.url).searchParams.get('$top'))).toEqual(['50']);
  });
});
