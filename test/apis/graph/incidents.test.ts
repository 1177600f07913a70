import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, DefenderClient, DefenderError, InvalidArgumentError, ResponseValidationError, type Incident, type Logger, type Page } from '../../../src/index.js';
import { fakeTenant, requestsTo, startServer } from '../../support/tenant.js';

const server = startServer();
const GRAPH_INCIDENTS = 'https://graph.microsoft.com/v1.0/security/incidents';

function graphTenant(options: { incidents?: number; expandFailsAbove?: number; logger?: Logger; maxRetries?: number; roles?: string[] } = {}) {
  return fakeTenant(server, {
    incidents: options.incidents ?? 5,
    ...(options.roles ? { roles: options.roles } : {}),
    ...(options.expandFailsAbove === undefined ? {} : { graphExpandFailsAbove: options.expandFailsAbove }),
    client: {
      api: 'graph',
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    },
  });
}

describe('incidents on api: graph', () => {
  it('lists through /v1.0/security/incidents with $top 50 and the Prefer header', async () => {
    const { client, tenant } = graphTenant({ incidents: 120 });
    const all = await client.incidents.list().toArray();
    expect(all).toHaveLength(120);
    expect(requestsTo(tenant, 'graph')).toHaveLength(3);
    expect(requestsTo(tenant, 'graph').map((r) => new URL(r.url).searchParams.get('$top'))).toEqual(['50', '50', '50']);
    expect(requestsTo(tenant, 'graph').map((r) => new URL(r.url).searchParams.get('$skip'))).toEqual([null, '50', '100']);
    expect(new URL(requestsTo(tenant, 'graph')[0]!.url).pathname).toBe('/v1.0/security/incidents');
    expect(new URL(requestsTo(tenant, 'graph')[0]!.url).searchParams.has('$expand')).toBe(false);
    expect(requestsTo(tenant, 'graph').every((r) => r.headers['prefer'] === 'include-unknown-enum-members')).toBe(true);
  });

  it('refuses a pageSize above 50 before sending anything', () => {
    const { client, tenant } = graphTenant();
    let error: unknown;
    try {
      client.incidents.list({ pageSize: 51 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe('pageSize');
    expect((error as InvalidArgumentError).message).toContain('from 1 to 50');
    expect(requestsTo(tenant, 'graph')).toHaveLength(0);
  });

  it("maps Graph's real $top 400, whose code is empty, to an ApiError that quotes the service", async () => {
    const { client, tenant } = graphTenant();
    tenant.faults.add('graph.listIncidents', {
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
    expect(requestsTo(tenant, 'graph')).toHaveLength(1);
  });

  it('builds $filter from status, severity, dates and assignedTo', async () => {
    const { client, tenant } = graphTenant();
    await client.incidents
      .list({ status: 'active', severity: 'high', updatedAfter: '2026-01-01T00:00:00Z', createdAfter: new Date('2025-12-01T00:00:00Z'), assignedTo: "o'brien@contoso.com" })
      .toArray();
    expect(new URL(requestsTo(tenant, 'graph')[0]!.url).searchParams.get('$filter')).toBe(
      "lastUpdateDateTime ge 2026-01-01T00:00:00.000Z and createdDateTime ge 2025-12-01T00:00:00.000Z and status eq 'active' " +
        "and severity eq 'high' and assignedTo eq 'o''brien@contoso.com'",
    );
  });

  it('asks for alerts with $expand=alerts only when expandAlerts is set', async () => {
    const { client, tenant } = graphTenant();
    const plain = await client.incidents.list().toArray();
    expect(plain.every((incident) => incident.alerts.length === 0)).toBe(true);
    const expanded = await client.incidents.list({ expandAlerts: true }).toArray();
    expect(expanded.every((incident) => incident.alerts.length > 0)).toBe(true);
    expect(new URL(requestsTo(tenant, 'graph').at(-1)!.url).searchParams.get('$expand')).toBe('alerts');
  });

  it('falls back to reading each incident with its alerts when $expand=alerts keeps failing with a 5xx, and logs it', async () => {
    const warn = vi.fn();
    // The incident permission alone is enough for the fallback (no SecurityAlert.Read.All).
    const { client, tenant } = graphTenant({ incidents: 4, expandFailsAbove: 0, logger: { warn }, maxRetries: 1, roles: ['SecurityIncident.Read.All'] });
    const incidents = await client.incidents.list({ expandAlerts: true }).toArray();
    expect(incidents).toHaveLength(4);
    for (const incident of incidents) {
      const stored = tenant.incidents.get(Number(incident.id))!;
      expect(incident.alerts.map((a) => a.id).sort()).toEqual(stored.alerts.map((a) => a.alertId).sort());
    }
    const routes = requestsTo(tenant, 'graph').map((r) => r.route);
    expect(routes.slice(0, 3)).toEqual(['graph.listIncidents', 'graph.listIncidents', 'graph.listIncidents']);
    expect(new URL(requestsTo(tenant, 'graph')[1]!.url).searchParams.get('$expand')).toBe('alerts');
    expect(new URL(requestsTo(tenant, 'graph')[2]!.url).searchParams.has('$expand')).toBe(false);
    const perIncident = requestsTo(tenant, 'graph').filter((r) => r.route === 'graph.getIncident');
    expect(perIncident.map((r) => decodeURIComponent(new URL(r.url).pathname.split('/').at(-1)!))).toEqual(incidents.map((i) => i.id));
    expect(perIncident.every((r) => new URL(r.url).searchParams.get('$expand') === 'alerts')).toBe(true);
    expect(requestsTo(tenant, 'graph').some((r) => r.route === 'graph.listAlerts')).toBe(false);
    expect(warn.mock.calls.some(([message]) => /\$expand=alerts failed \(500\).*incidents\/\{id\}\?\$expand=alerts/.test(String(message)))).toBe(true);
  });

  it('never invites a second comment: a failed read-back after the writes returns what was written, or says the comment was added', async () => {
    const warn = vi.fn();
    const { client, tenant } = graphTenant({ incidents: 2, logger: { warn }, maxRetries: 0 });
    const [stored] = [...tenant.incidents.values()];
    const id = String(stored!.incidentId);

    tenant.faults.add('graph.getIncident', { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } });
    const updated = await client.incidents.update(id, { status: 'inProgress', comment: 'first' });
    expect(updated.status).toBe('inProgress');
    expect(updated.comments.at(-1)?.comment).toBe('first');
    expect(warn.mock.calls.some(([message]) => /^incidents\.update: incident \d+ was updated and commented; reading it back failed \(.*\), so the result is the PATCH's answer with the comments the POST returned\.$/.test(String(message)))).toBe(true);

    tenant.faults.add('graph.getIncident', { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } });
    const error = await client.incidents.update(id, { comment: 'second' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefenderError);
    expect((error as Error).message).toMatch(/the comment was added to incident \d+.*do not send the comment again/);
    expect(stored!.comments.map((c) => c.comment).slice(-2)).toEqual(['first', 'second']);
    expect(requestsTo(tenant, 'graph').filter((r) => r.route === 'graph.addComment')).toHaveLength(2);
  });

  it('names a failed comment POST incidents.update.comment: the PATCH before it was applied', async () => {
    const { client, tenant } = graphTenant({ incidents: 1, maxRetries: 0 });
    const [stored] = [...tenant.incidents.values()];
    tenant.faults.add('graph.addComment', { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'try later' } } });
    const error = await client.incidents.update(String(stored!.incidentId), { status: 'resolved', classification: 'falsePositive', determination: 'other', comment: 'done' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ operation: 'incidents.update.comment', status: 503 });
    expect(stored!.status).toBe('Resolved');
  });

  it('keeps the fallback on later pages through the continuation token', async () => {
    const { client, tenant } = graphTenant({ incidents: 5, expandFailsAbove: 0, maxRetries: 0 });
    const first = (await client.incidents.list({ expandAlerts: true, pageSize: 3 }).byPage().next()).value as Page<Incident>;
    expect(first.items.every((i) => i.alerts.length > 0)).toBe(true);
    const before = requestsTo(tenant, 'graph').length;
    const rest = [];
    for await (const page of client.incidents.list({ expandAlerts: true, pageSize: 3 }).byPage({ continuationToken: first.continuationToken! })) rest.push(...page.items);
    expect(rest).toHaveLength(2);
    expect(rest.every((i) => i.alerts.length > 0)).toBe(true);
    const later = requestsTo(tenant, 'graph').slice(before).filter((r) => r.route === 'graph.listIncidents');
    expect(later).toHaveLength(1);
    expect(new URL(later[0]!.url).searchParams.has('$expand')).toBe(false);
  });

  it('passes an enum value added after unknownFutureValue through, and unknownFutureValue itself', async () => {
    const { client, tenant } = graphTenant({ incidents: 1 });
    const [stored] = [...tenant.incidents.values()];
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
    const { credential } = fakeTenant(server, { incidents: 0, roles: ['SecurityIncident.Read.All'] });
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
    const { client, tenant } = graphTenant();
    const id = String([...tenant.incidents.keys()][0]);
    const updated = await client.incidents.update(id, {
      status: 'resolved',
      classification: 'informationalExpectedActivity',
      determination: 'confirmedUserActivity',
      tags: ['pen-test'],
      assignedTo: null,
      comment: 'Expected: red team.',
    });
    const [patch, post] = requestsTo(tenant, 'graph').filter((r) => r.method !== 'GET');
    expect(patch!.route).toBe('graph.updateIncident');
    // Graph's metadata calls the model's confirmedUserActivity "confirmedActivity" (reference §5.4)
    expect(patch!.body).toEqual({ status: 'resolved', classification: 'informationalExpectedActivity', determination: 'confirmedActivity', customTags: ['pen-test'], assignedTo: null });
    expect(post!.route).toBe('graph.addComment');
    expect(post!.body).toEqual({ '@odata.type': 'microsoft.graph.security.alertComment', comment: 'Expected: red team.' });
    expect(updated).toMatchObject({ status: 'resolved', determination: 'confirmedUserActivity', tags: ['pen-test'], assignedTo: null });
    expect(updated.comments.at(-1)!.comment).toBe('Expected: red team.');
  });

  it('sends only the comment call when the update is only a comment', async () => {
    const { client, tenant } = graphTenant();
    const id = String([...tenant.incidents.keys()][0]);
    const updated = await client.incidents.update(id, { comment: 'Looking.' });
    expect(requestsTo(tenant, 'graph').map((r) => r.route)).toEqual(['graph.addComment', 'graph.getIncident']);
    expect(updated.comments.at(-1)!.comment).toBe('Looking.');
  });
});
