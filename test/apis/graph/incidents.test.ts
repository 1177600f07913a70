import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, DefenderClient, DefenderError, InvalidArgumentError, ResponseValidationError, type Incident, type Logger, type Page } from '../../src/index.js';
import { fakeTenantBoth } from '../support/graph.js';
import { CountingCredential, startServer } from '../support/harness.js';

const server = startServer();
const GRAPH_INCIDENTS = 'https://graph.microsoft.com/v1.0/security/incidents';

function graphTenant(options: { incidents?: number; expandFailsAbove?: number; logger?: Logger; maxRetries?: number; roles?: string[] } = {}) {
  const fakes = fakeTenantBoth(server, {
    incidents: options.incidents ?? 5,
    ...(options.roles ? { roles: options.roles } : {}),
    ...(options.expandFailsAbove === undefined ? {} : { expandFailsAbove: options.expandFailsAbove }),
  });
  const client = new DefenderClient({
    credential: fakes.credential,
    api: 'graph',
    maxRetryWaitMs: 10_000,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
  });
  return { ...fakes, client };
}

describe('incidents on api: graph', () => {
  it('lists through /v1.0/security/incidents with $top 50 and the Prefer header', async () => {
    const { client, graph } = graphTenant({ incidents: 120 });
    const all = await client.incidents.list().toArray();
    expect(all).toHaveLength(120);
    expect(graph.requests).toHaveLength(3);
    expect(graph.requests.map((r) => r.url.searchParams.get('$top'))).toEqual(['50', '50', '50']);
    expect(graph.requests.map((r) => r.url.searchParams.get('$skip'))).toEqual([null, '50', '100']);
    expect(graph.requests[0]!.url.pathname).toBe('/v1.0/security/incidents');
    expect(graph.requests[0]!.url.searchParams.has('$expand')).toBe(false);
    expect(graph.requests.every((r) => r.headers.get('prefer') === 'include-unknown-enum-members')).toBe(true);
  });

  it('refuses a pageSize above 50 before sending anything', () => {
    const { client, graph } = graphTenant();
    let error: unknown;
    try {
      client.incidents.list({ pageSize: 51 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe('pageSize');
    expect((error as InvalidArgumentError).message).toContain('from 1 to 50');
    expect(graph.requests).toHaveLength(0);
  });

  it("maps Graph's real $top 400, whose code is empty, to an ApiError that quotes the service", async () => {
    const { client, graph } = graphTenant();
    graph.inject('listIncidents', {
      status: 400,
      body: {
        error: {
          code: '',
          message: "The query specified in the URI is not valid. The limit of '50' for Top query has been exceeded. The value from the incoming request is '100'.",
          details: [],
          innerError: { date: '2025-02-07T19:01:27', 'request-id': '5b8a1c2e-0d7e-4a53-9a3f-1f0e2c3d4b5a', 'client-request-id': 'x' },
        },
      },
    });
    const error = await client.incidents.list().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const api = error as ApiError;
    expect(api.status).toBe(400);
    expect(api.code).toBeUndefined();
    expect(api.requestId).toBe('5b8a1c2e-0d7e-4a53-9a3f-1f0e2c3d4b5a');
    expect(api.message).toBe(
      "incidents.list failed (400): The query specified in the URI is not valid. The limit of '50' for Top query has been exceeded. " +
        "The value from the incoming request is '100'. (request id 5b8a1c2e-0d7e-4a53-9a3f-1f0e2c3d4b5a).",
    );
    expect(graph.requests).toHaveLength(1);
  });

  it('builds $filter from status, severity, dates and assignedTo', async () => {
    const { client, graph } = graphTenant();
    await client.incidents
      .list({ status: 'active', severity: 'high', updatedAfter: '2026-01-01T00:00:00Z', createdAfter: new Date('2025-12-01T00:00:00Z'), assignedTo: "o'brien@contoso.com" })
      .toArray();
    expect(graph.requests[0]!.url.searchParams.get('$filter')).toBe(
      "lastUpdateDateTime ge 2026-01-01T00:00:00.000Z and createdDateTime ge 2025-12-01T00:00:00.000Z and status eq 'active' " +
        "and severity eq 'high' and assignedTo eq 'o''brien@contoso.com'",
    );
  });

  it('asks for alerts with $expand=alerts only when expandAlerts is set', async () => {
    const { client, graph } = graphTenant();
    const plain = await client.incidents.list().toArray();
    expect(plain.every((incident) => incident.alerts.length === 0)).toBe(true);
    const expanded = await client.incidents.list({ expandAlerts: true }).toArray();
    expect(expanded.every((incident) => incident.alerts.length > 0)).toBe(true);
    expect(graph.requests.at(-1)!.url.searchParams.get('$expand')).toBe('alerts');
  });

  it('falls back to reading each incident with its alerts when $expand=alerts keeps failing with a 5xx, and logs it', async () => {
    const warn = vi.fn();
    // The incident permission alone is enough for the fallback (no SecurityAlert.Read.All).
    const { client, graph, defender } = graphTenant({ incidents: 4, expandFailsAbove: 0, logger: { warn }, maxRetries: 1, roles: ['SecurityIncident.Read.All'] });
    const incidents = await client.incidents.list({ expandAlerts: true }).toArray();
    expect(incidents).toHaveLength(4);
    for (const incident of incidents) {
      const stored = defender.incidents.get(Number(incident.id))!;
      expect(incident.alerts.map((a) => a.id).sort()).toEqual(stored.alerts.map((a) => a.alertId).sort());
    }
    const routes = graph.requests.map((r) => r.route);
    expect(routes.slice(0, 3)).toEqual(['listIncidents', 'listIncidents', 'listIncidents']);
    expect(graph.requests[1]!.url.searchParams.get('$expand')).toBe('alerts');
    expect(graph.requests[2]!.url.searchParams.has('$expand')).toBe(false);
    const perIncident = graph.requests.filter((r) => r.route === 'getIncident');
    expect(perIncident.map((r) => decodeURIComponent(r.url.pathname.split('/').at(-1)!))).toEqual(incidents.map((i) => i.id));
    expect(perIncident.every((r) => r.url.searchParams.get('$expand') === 'alerts')).toBe(true);
    expect(graph.requests.some((r) => r.route === 'listAlerts')).toBe(false);
    expect(warn.mock.calls.some(([message]) => /\$expand=alerts failed \(500\).*incidents\/\{id\}\?\$expand=alerts/.test(String(message)))).toBe(true);
  });

  it('never invites a second comment: a failed read-back after the writes returns what was written, or says the comment was added', async () => {
    const warn = vi.fn();
    const { client, graph, defender } = graphTenant({ incidents: 2, logger: { warn }, maxRetries: 0 });
    const [stored] = [...defender.incidents.values()];
    const id = String(stored!.incidentId);

    graph.inject('getIncident', { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } });
    const updated = await client.incidents.update(id, { status: 'inProgress', comment: 'first' });
    expect(updated.status).toBe('inProgress');
    expect(updated.comments.at(-1)?.comment).toBe('first');
    expect(warn.mock.calls.some(([message]) => /^incidents\.update: incident \d+ was updated and commented; reading it back failed \(.*\), so the result is the PATCH's answer with the comments the POST returned\.$/.test(String(message)))).toBe(true);

    graph.inject('getIncident', { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } });
    const error = await client.incidents.update(id, { comment: 'second' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefenderError);
    expect((error as Error).message).toMatch(/the comment was added to incident \d+.*do not send the comment again/);
    expect(stored!.comments.map((c) => c.comment).slice(-2)).toEqual(['first', 'second']);
    expect(graph.requests.filter((r) => r.route === 'commentIncident')).toHaveLength(2);
  });

  it('names a failed comment POST incidents.update.comment: the PATCH before it was applied', async () => {
    const { client, graph, defender } = graphTenant({ incidents: 1, maxRetries: 0 });
    const [stored] = [...defender.incidents.values()];
    graph.inject('commentIncident', { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'try later' } } });
    const error = await client.incidents.update(String(stored!.incidentId), { status: 'resolved', classification: 'falsePositive', determination: 'other', comment: 'done' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ operation: 'incidents.update.comment', status: 503 });
    expect(stored!.status).toBe('Resolved');
  });

  it('keeps the fallback on later pages through the continuation token', async () => {
    const { client, graph } = graphTenant({ incidents: 5, expandFailsAbove: 0, maxRetries: 0 });
    const first = (await client.incidents.list({ expandAlerts: true, pageSize: 3 }).byPage().next()).value as Page<Incident>;
    expect(first.items.every((i) => i.alerts.length > 0)).toBe(true);
    const before = graph.requests.length;
    const rest = [];
    for await (const page of client.incidents.list({ expandAlerts: true, pageSize: 3 }).byPage({ continuationToken: first.continuationToken! })) rest.push(...page.items);
    expect(rest).toHaveLength(2);
    expect(rest.every((i) => i.alerts.length > 0)).toBe(true);
    const later = graph.requests.slice(before).filter((r) => r.route === 'listIncidents');
    expect(later).toHaveLength(1);
    expect(later[0]!.url.searchParams.has('$expand')).toBe(false);
  });

  it('passes an enum value added after unknownFutureValue through, and unknownFutureValue itself', async () => {
    const { client, defender } = graphTenant({ incidents: 1 });
    const [stored] = [...defender.incidents.values()];
    stored!.status = 'AwaitingAction';
    const [incident] = await client.incidents.list().toArray();
    expect(incident!.status).toBe('awaitingAction');

    server.use(
      http.get(GRAPH_INCIDENTS, () =>
        HttpResponse.json({
          value: [{ id: '7', displayName: 'x', createdDateTime: '2026-01-01T00:00:00Z', lastUpdateDateTime: '2026-01-01T00:00:00Z', status: 'unknownFutureValue', severity: 'unknownFutureValue' }],
        }),
      ),
    );
    const [future] = await client.incidents.list().toArray();
    expect(future).toMatchObject({ id: '7', status: 'unknownFutureValue', severity: 'unknownFutureValue', tags: [], alerts: [], redirectIncidentId: null });
  });

  it('refuses a nextLink to another host and never sends the token there', async () => {
    const credential = new CountingCredential(['SecurityIncident.Read.All']);
    const client = new DefenderClient({ credential, api: 'graph' });
    const evil = vi.fn(() => HttpResponse.json({ value: [] }));
    server.use(
      http.get(GRAPH_INCIDENTS, () =>
        HttpResponse.json({
          value: [{ id: '1', displayName: 'x', createdDateTime: '2026-01-01T00:00:00Z', lastUpdateDateTime: '2026-01-01T00:00:00Z', status: 'active' }],
          '@odata.nextLink': 'https://graph.evil.example/v1.0/security/incidents?$skip=1',
        }),
      ),
      http.get('https://graph.evil.example/*', evil),
    );
    const error = await client.incidents.list().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as Error).message).toContain('only to https://graph.microsoft.com');
    expect(evil).not.toHaveBeenCalled();
  });

  it('updates with PATCH (tags as customTags) then POSTs the comment, and returns the incident as it now is', async () => {
    const { client, graph, defender } = graphTenant();
    const id = String([...defender.incidents.keys()][0]);
    const updated = await client.incidents.update(id, {
      status: 'resolved',
      classification: 'informationalExpectedActivity',
      determination: 'confirmedUserActivity',
      tags: ['pen-test'],
      assignedTo: null,
      comment: 'Expected: red team.',
    });
    const [patch, post] = graph.requests.filter((r) => r.method !== 'GET');
    expect(patch!.route).toBe('updateIncident');
    // Graph's metadata calls the model's confirmedUserActivity "confirmedActivity" (reference §5.4)
    expect(patch!.body).toEqual({ status: 'resolved', classification: 'informationalExpectedActivity', determination: 'confirmedActivity', customTags: ['pen-test'], assignedTo: null });
    expect(post!.route).toBe('commentIncident');
    expect(post!.body).toEqual({ '@odata.type': 'microsoft.graph.security.alertComment', comment: 'Expected: red team.' });
    expect(updated).toMatchObject({ status: 'resolved', determination: 'confirmedUserActivity', tags: ['pen-test'], assignedTo: null });
    expect(updated.comments.at(-1)!.comment).toBe('Expected: red team.');
  });

  it('sends only the comment call when the update is only a comment', async () => {
    const { client, graph, defender } = graphTenant();
    const id = String([...defender.incidents.keys()][0]);
    const updated = await client.incidents.update(id, { comment: 'Looking.' });
    expect(graph.requests.map((r) => r.route)).toEqual(['commentIncident', 'getIncident']);
    expect(updated.comments.at(-1)!.comment).toBe('Looking.');
  });
});
