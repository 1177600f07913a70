import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { DefenderClient, DefenderError, InvalidArgumentError } from '../../../src/index.js';
import { fakeTenant, requestsTo, startServer } from '../../support/tenant.js';

const server = startServer();

function tenant(count = 20) {
  const fake = fakeTenant(server, { incidents: count });
  return { ...fake, graphClient: new DefenderClient({ credential: fake.credential, api: 'graph' }) };
}

describe('alerts on api: graph', () => {
  it('lists alerts_v2 with every filter in $filter', async () => {
    const { graphClient, tenant: fake } = tenant();
    await graphClient.alerts
      .list({ status: 'new', severity: 'high', serviceSource: 'microsoftDefenderForEndpoint', createdAfter: '2026-01-01T00:00:00Z', updatedAfter: new Date('2026-01-02T00:00:00Z'), assignedTo: 'Automation', pageSize: 500 })
      .toArray();
    const request = requestsTo(fake, 'graph')[0]!;
    expect(new URL(request.url).pathname).toBe('/v1.0/security/alerts_v2');
    expect(new URL(request.url).searchParams.get('$filter')).toBe(
      "createdDateTime ge 2026-01-01T00:00:00.000Z and lastUpdateDateTime ge 2026-01-02T00:00:00.000Z and status eq 'new' and severity eq 'high' " +
        "and serviceSource eq 'microsoftDefenderForEndpoint' and assignedTo eq 'Automation'",
    );
    expect(new URL(request.url).searchParams.get('$top')).toBe('500');
  });

  it('pages alerts by @odata.nextLink', async () => {
    const { graphClient, tenant: fake } = tenant(20);
    const total = [...fake.incidents.values()].reduce((n, i) => n + i.alerts.length, 0);
    const alerts = await graphClient.alerts.list({ pageSize: 7 }).toArray();
    expect(alerts).toHaveLength(total);
    expect(requestsTo(fake, 'graph')).toHaveLength(Math.ceil(total / 7));
    expect(new URL(requestsTo(fake, 'graph')[1]!.url).searchParams.has('$skiptoken')).toBe(true);
  });

  it('gets one alert and updates it, with the comment as a separate call', async () => {
    const { graphClient, tenant: fake } = tenant(3);
    const stored = [...fake.incidents.values()][0]!.alerts[0]!;
    // The comment call answered here as Graph does (the whole collection), to see it as sent.
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
    const writes = requestsTo(fake, 'graph').filter((r) => r.method !== 'GET');
    expect(writes).toHaveLength(1);
    expect(writes[0]!.body).toEqual({ status: 'resolved', classification: 'falsePositive', determination: 'notMalicious', assignedTo: 'secop@contoso.com' });
    expect(comments).toEqual([{ id: stored.alertId, body: { '@odata.type': 'microsoft.graph.security.alertComment', comment: 'Benign.' } }]);
    expect(requestsTo(fake, 'graph').at(-1)!.route).toBe('graph.getAlert');
    expect(updated).toMatchObject({ status: 'resolved', classification: 'falsePositive', determination: 'notMalicious', assignedTo: 'secop@contoso.com' });
  });

  it('never invites a second comment: a failed read-back after the writes returns the PATCH answer, or says the comment was added', async () => {
    const warn = vi.fn();
    const { client, tenant: fake } = fakeTenant(server, { incidents: 2, client: { api: 'graph', maxRetries: 0, logger: { warn } } });
    const stored = [...fake.incidents.values()][0]!.alerts[0]!;
    const boom = { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } };

    fake.faults.add('graph.getAlert', boom);
    const updated = await client.alerts.update(stored.alertId, { status: 'resolved', comment: 'first' });
    expect(updated).toMatchObject({ id: stored.alertId, status: 'resolved' });
    expect(warn.mock.calls.map(([message]) => String(message))).toContainEqual(
      expect.stringMatching(new RegExp(`^alerts\\.update: alert ${stored.alertId} was updated and commented; reading it back failed \\(.*\\), so the result is the PATCH's answer\\.$`)),
    );

    fake.faults.add('graph.getAlert', boom);
    const error = await client.alerts.update(stored.alertId, { comment: 'second' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefenderError);
    expect((error as Error).message).toMatch(new RegExp(`^alerts\\.update: the comment was added to alert ${stored.alertId}, but reading the alert back failed .*; do not send the comment again\\.$`));
    const comments = requestsTo(fake, 'graph').filter((r) => r.route === 'graph.addAlertComment');
    expect(comments.map((r) => (r.body as { comment: string }).comment)).toEqual(['first', 'second']);
    expect(requestsTo(fake, 'graph').filter((r) => r.route === 'graph.updateAlert')).toHaveLength(1);
  });

  it('refuses bad alert options and updates before sending', async () => {
    const { graphClient, tenant: fake } = tenant(1);
    expect(() => graphClient.alerts.list({ status: 'active' as never })).toThrow(InvalidArgumentError);
    expect(() => graphClient.alerts.list({ pageSize: 1001 })).toThrow(InvalidArgumentError);
    await expect(graphClient.alerts.update('da1', {})).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(graphClient.alerts.update('da1', { tags: ['x'] } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    // A determination needs its classification, and one that pairs with it, as on incidents.
    await expect(graphClient.alerts.update('da1', { determination: 'malware' })).rejects.toMatchObject({ name: 'InvalidArgumentError', option: 'determination' });
    await expect(graphClient.alerts.update('da1', { classification: 'falsePositive', determination: 'malware' })).rejects.toMatchObject({ name: 'InvalidArgumentError', option: 'determination' });
    await expect(graphClient.alerts.update('da1', { classification: 'truePositive', determination: 'apt' as never })).rejects.toMatchObject({ name: 'InvalidArgumentError', option: 'determination' });
    expect(requestsTo(fake, 'graph')).toHaveLength(0);
  });
});
