import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { DefenderClient, DefenderError, InvalidArgumentError, UnsupportedOperationError } from '../../src/index.js';
import { fakeTenantBoth } from '../support/graph.js';
import { startServer } from '../support/harness.js';

const server = startServer();

function tenant(count = 20) {
  const fakes = fakeTenantBoth(server, { incidents: count });
  const make = (api: 'defender' | 'graph') => new DefenderClient({ credential: fakes.credential, api });
  return { ...fakes, graphClient: make('graph'), defenderClient: make('defender') };
}

describe('alerts on api: graph', () => {
  it('lists alerts_v2 with every filter in $filter', async () => {
    const { graphClient, graph } = tenant();
    await graphClient.alerts
      .list({ status: 'new', severity: 'high', serviceSource: 'microsoftDefenderForEndpoint', createdAfter: '2026-01-01T00:00:00Z', updatedAfter: new Date('2026-01-02T00:00:00Z'), assignedTo: 'Automation', pageSize: 500 })
      .toArray();
    const request = graph.requests[0]!;
    expect(request.url.pathname).toBe('/v1.0/security/alerts_v2');
    expect(request.url.searchParams.get('$filter')).toBe(
      "createdDateTime ge 2026-01-01T00:00:00.000Z and lastUpdateDateTime ge 2026-01-02T00:00:00.000Z and status eq 'new' and severity eq 'high' " +
        "and serviceSource eq 'microsoftDefenderForEndpoint' and assignedTo eq 'Automation'",
    );
    expect(request.url.searchParams.get('$top')).toBe('500');
  });

  it('pages alerts by @odata.nextLink', async () => {
    const { graphClient, graph, defender } = tenant(20);
    const total = [...defender.incidents.values()].reduce((n, i) => n + i.alerts.length, 0);
    const alerts = await graphClient.alerts.list({ pageSize: 7 }).toArray();
    expect(alerts).toHaveLength(total);
    expect(graph.requests).toHaveLength(Math.ceil(total / 7));
    expect(graph.requests[1]!.url.searchParams.has('$skiptoken')).toBe(true);
  });

  it('gets one alert and updates it, with the comment as a separate call', async () => {
    const { graphClient, graph, defender } = tenant(3);
    const stored = [...defender.incidents.values()][0]!.alerts[0]!;
    // FakeGraph has no alert-comments route yet: answer it here as Graph does (the whole collection).
    const comments: unknown[] = [];
    server.use(
      http.post('https://graph.microsoft.com/v1.0/security/alerts_v2/:id/comments', async ({ request, params }) => {
        comments.push({ id: params['id'], body: await request.json() });
        return HttpResponse.json({ value: [{ comment: 'Benign.', createdByDisplayName: 'app', createdDateTime: '2026-01-01T00:00:00Z' }] });
      }),
    );
    const alert = await graphClient.alerts.get(stored.alertId);
    expect(alert).toMatchObject({ id: stored.alertId, incidentId: String(stored.incidentId), title: stored.title });
    const updated = await graphClient.alerts.update(stored.alertId, { status: 'resolved', classification: 'falsePositive', determination: 'notMalicious', assignedTo: 'secop@contoso.com', comment: 'Benign.' });
    const writes = graph.requests.filter((r) => r.method !== 'GET');
    expect(writes).toHaveLength(1);
    expect(writes[0]!.body).toEqual({ status: 'resolved', classification: 'falsePositive', determination: 'notMalicious', assignedTo: 'secop@contoso.com' });
    expect(comments).toEqual([{ id: stored.alertId, body: { '@odata.type': 'microsoft.graph.security.alertComment', comment: 'Benign.' } }]);
    expect(graph.requests.at(-1)!.route).toBe('getAlert');
    expect(updated).toMatchObject({ status: 'resolved', classification: 'falsePositive', determination: 'notMalicious', assignedTo: 'secop@contoso.com' });
  });

  it('never invites a second comment: a failed read-back after the writes returns the PATCH answer, or says the comment was added', async () => {
    const fakes = fakeTenantBoth(server, { incidents: 2 });
    const warn = vi.fn();
    const client = new DefenderClient({ credential: fakes.credential, api: 'graph', maxRetries: 0, logger: { warn } });
    const stored = [...fakes.defender.incidents.values()][0]!.alerts[0]!;
    const boom = { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } };

    fakes.graph.inject('getAlert', boom);
    const updated = await client.alerts.update(stored.alertId, { status: 'resolved', comment: 'first' });
    expect(updated).toMatchObject({ id: stored.alertId, status: 'resolved' });
    expect(warn.mock.calls.map(([message]) => String(message))).toContainEqual(
      expect.stringMatching(new RegExp(`^alerts\\.update: alert ${stored.alertId} was updated and commented; reading it back failed \\(.*\\), so the result is the PATCH's answer\\.$`)),
    );

    fakes.graph.inject('getAlert', boom);
    const error = await client.alerts.update(stored.alertId, { comment: 'second' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefenderError);
    expect((error as Error).message).toMatch(new RegExp(`^alerts\\.update: the comment was added to alert ${stored.alertId}, but reading the alert back failed .*; do not send the comment again\\.$`));
    const comments = fakes.graph.requests.filter((r) => r.route === 'commentAlert');
    expect(comments.map((r) => (r.body as { comment: string }).comment)).toEqual(['first', 'second']);
    expect(fakes.graph.requests.filter((r) => r.route === 'updateAlert')).toHaveLength(1);
  });

  it('refuses bad alert options and updates before sending', async () => {
    const { graphClient, graph } = tenant(1);
    expect(() => graphClient.alerts.list({ status: 'active' as never })).toThrow(InvalidArgumentError);
    expect(() => graphClient.alerts.list({ pageSize: 1001 })).toThrow(InvalidArgumentError);
    await expect(graphClient.alerts.update('da1', {})).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(graphClient.alerts.update('da1', { tags: ['x'] } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    // A determination needs its classification, and one that pairs with it, as on incidents.
    await expect(graphClient.alerts.update('da1', { determination: 'malware' })).rejects.toMatchObject({ name: 'InvalidArgumentError', option: 'determination' });
    await expect(graphClient.alerts.update('da1', { classification: 'falsePositive', determination: 'malware' })).rejects.toMatchObject({ name: 'InvalidArgumentError', option: 'determination' });
    await expect(graphClient.alerts.update('da1', { classification: 'truePositive', determination: 'apt' as never })).rejects.toMatchObject({ name: 'InvalidArgumentError', option: 'determination' });
    expect(graph.requests).toHaveLength(0);
  });
});

describe('alerts on api: defender', () => {
  it('lists the alerts embedded in incidents, filtered in the SDK', async () => {
    const { defenderClient, defender } = tenant(25);
    const all = await defenderClient.alerts.list().toArray();
    const stored = [...defender.incidents.values()].flatMap((i) => i.alerts);
    expect(all.map((a) => a.id).sort()).toEqual(stored.map((a) => a.alertId).sort());
    const resolved = await defenderClient.alerts.list({ status: 'resolved', serviceSource: 'microsoftDefenderForEndpoint' }).toArray();
    expect(resolved.length).toBeGreaterThan(0);
    expect(resolved.length).toBeLessThan(all.length);
    expect(resolved.every((a) => a.status === 'resolved' && a.serviceSource === 'microsoftDefenderForEndpoint')).toBe(true);
    const since = new Date(Math.max(...all.map((a) => a.createdDateTime!.getTime())));
    expect((await defenderClient.alerts.list({ createdAfter: since }).toArray()).every((a) => a.createdDateTime!.getTime() >= since.getTime())).toBe(true);
    expect(defender.requests.every((r) => r.route === 'list')).toBe(true);
  });

  it.each([
    ['get', (client: DefenderClient) => client.alerts.get('da1')],
    ['update', (client: DefenderClient) => client.alerts.update('da1', { status: 'resolved' })],
  ])('alerts.%s throws UnsupportedOperationError pointing to Graph, sending nothing', async (name, call) => {
    const { defenderClient, defender } = tenant(1);
    const error = await call(defenderClient).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedOperationError);
    expect(error).toMatchObject({ operation: `alerts.${name}`, api: 'defender' });
    expect((error as Error).message).toContain("api: 'graph'");
    expect((error as Error).message).toContain('SecurityAlert.Read.All');
    expect(defender.requests).toHaveLength(0);
  });
});
