import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ResponseValidationError } from '../../src/index.js';
import { legacyIncident, legacyIncidentList, realisticIncidentListResponse } from '../support/defender-payloads.js';
import { fakeTenant, queryParam, requestsTo, startServer } from '../support/tenant.js';

const server = startServer();
const API = 'https://api.security.microsoft.com/api/incidents';

describe('incidents.list', () => {
  it('maps the realistic Defender API payload into the public model', async () => {
    const { client } = fakeTenant(server);
    server.use(http.get(API, () => HttpResponse.json(realisticIncidentListResponse())));
    const [incident] = await client.incidents.list().toArray();
    expect(incident).toMatchObject({
      id: '924521',
      displayName: "'Mimikatz' hacktool was detected on one endpoint",
      status: 'active',
      severity: 'low',
      classification: 'unknown',
      determination: 'unknown',
      assignedTo: null,
      redirectIncidentId: null,
      createdDateTime: new Date('2020-09-06T12:18:03.626Z'),
      lastUpdateDateTime: new Date('2020-09-06T12:18:03.810Z'),
      tags: [],
      comments: [{ comment: 'test comment for docs', createdBy: 'secop123@contoso.com', createdDateTime: new Date('2021-01-26T01:00:37.840Z') }],
    });
    const alert = incident!.alerts[0]!;
    expect(alert).toMatchObject({
      id: 'da637349914833441527_393341063',
      incidentId: '924521',
      serviceSource: 'microsoftDefenderForEndpoint',
      detectionSource: 'antivirus',
      status: 'new',
      threatFamilyName: 'Mimikatz',
      resolvedDateTime: null,
    });
    expect(alert.evidence.map((e) => e.type)).toEqual(['device', 'file']);
    expect(alert.evidence[0]).toMatchObject({ type: 'device', mdeDeviceId: '24c222b0b60fe148eeece49ac83910cc6a7ef491' });
    expect((incident!.raw as { incidentId: number }).incidentId).toBe(924521);
    expect(incident!.webUrl).toBe('https://security.microsoft.com/incidents/924521');
  });

  it('lets an unknown enum value through and keeps unknown fields in raw', async () => {
    const { client } = fakeTenant(server);
    server.use(http.get(API, () => HttpResponse.json(legacyIncidentList([legacyIncident({ incidentId: 7, status: 'AwaitingCustomer', brandNewField: 42 })]))));
    const [incident] = await client.incidents.list().toArray();
    expect(incident!.status).toBe('awaitingCustomer');
    expect((incident!.raw as Record<string, unknown>).brandNewField).toBe(42);
  });

  it('gives an alert sent without an incidentId the id of the incident it is embedded in', async () => {
    const { client } = fakeTenant(server);
    const payload = realisticIncidentListResponse();
    delete (payload.value[0]!.alerts[0] as { incidentId?: number }).incidentId;
    server.use(http.get(API, () => HttpResponse.json(payload)));
    const [incident] = await client.incidents.list().toArray();
    expect(incident!.alerts[0]!.incidentId).toBe('924521');
  });

  it('raises ResponseValidationError with the path, index and id when an alert has no id', async () => {
    const { client } = fakeTenant(server);
    const payload = realisticIncidentListResponse();
    delete (payload.value[0]!.alerts[0] as { alertId?: string }).alertId;
    server.use(http.get(API, () => HttpResponse.json(payload)));
    const error = await client.incidents.list().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).issues[0]!.path).toBe('value[0].alerts[0].alertId');
    expect((error as ResponseValidationError).operation).toBe('incidents.list');
    expect((error as ResponseValidationError).message).toContain('value[0] (id "924521")');
  });

  it('pages across three pages with $top and $skip until a short page', async () => {
    const { client, tenant } = fakeTenant(server, { incidents: 250 });
    const all = await client.incidents.list().toArray();
    expect(all).toHaveLength(250);
    expect(new Set(all.map((i) => i.id)).size).toBe(250);
    const pages = requestsTo(tenant, 'defender').map((r) => [queryParam(r, '$top'), queryParam(r, '$skip')]);
    expect(pages).toEqual([['100', '0'], ['100', '100'], ['100', '200']]);
  });

  it('resumes from a continuation token and stops at toArray({limit})', async () => {
    const { client, tenant } = fakeTenant(server, { incidents: 25 });
    const pages = client.incidents.list({ pageSize: 10 }).byPage();
    const first = (await pages.next()).value!;
    expect(first.items).toHaveLength(10);
    const rest: string[] = [];
    for await (const page of client.incidents.list({ pageSize: 10 }).byPage({ continuationToken: first.continuationToken! })) {
      rest.push(...page.items.map((i) => i.id));
    }
    expect(rest).toHaveLength(15);
    expect(rest).not.toContain(first.items[0]!.id);
    const sent = requestsTo(tenant, 'defender').length;
    expect(await client.incidents.list({ pageSize: 10 }).toArray({ limit: 3 })).toHaveLength(3);
    expect(requestsTo(tenant, 'defender')).toHaveLength(sent + 1);
  });

  it('sends filters in the wire vocabulary, escaping quotes', async () => {
    const { client, tenant } = fakeTenant(server, { incidents: 40 });
    const updatedAfter = new Date('2025-01-01T00:00:00Z');
    await client.incidents.list({ status: 'active', assignedTo: "o'brien@contoso.com", updatedAfter }).toArray();
    const filter = queryParam(requestsTo(tenant, 'defender')[0]!, '$filter');
    expect(filter).toBe("lastUpdateTime ge 2025-01-01T00:00:00.000Z and status eq 'Active' and assignedTo eq 'o''brien@contoso.com'");
  });

  it('returns only matching incidents from the fake tenant for a status filter', async () => {
    const { client } = fakeTenant(server, { incidents: 60 });
    const resolved = await client.incidents.list({ status: 'resolved' }).toArray();
    expect(resolved.length).toBeGreaterThan(0);
    expect(resolved.every((i) => i.status === 'resolved')).toBe(true);
  });

  it.each([
    [{ pageSize: 101 }, 'pageSize'],
    [{ status: 'closed' }, 'status'],
    [{ updatedAfter: 'yesterday' }, 'updatedAfter'],
    [{ severity: 'severe' }, 'severity'],
    [{ priority: 'high' }, 'priority'],
  ])('refuses %o before sending, naming the option', (options, option) => {
    const { client, tenant } = fakeTenant(server);
    let error: unknown;
    try {
      client.incidents.list(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe(option);
    expect(requestsTo(tenant, 'defender')).toHaveLength(0);
  });
});

describe('incidents.get and update', () => {
  it('gets one incident by id, path-encoding the id', async () => {
    const { client, tenant } = fakeTenant(server);
    const id = String([...tenant.incidents.keys()][0]);
    expect((await client.incidents.get(id)).id).toBe(id);
    await client.incidents.get('1/../2').catch(() => undefined);
    expect(new URL(requestsTo(tenant, 'defender')[1]!.url).pathname).toBe('/api/incidents/1%2F..%2F2');
  });

  it('sends the update in the wire vocabulary and returns the updated incident', async () => {
    const { client, tenant } = fakeTenant(server);
    const id = String([...tenant.incidents.keys()][0]);
    const updated = await client.incidents.update(id, {
      status: 'resolved',
      classification: 'truePositive',
      determination: 'malware',
      assignedTo: 'secop@contoso.com',
      tags: ['pen-test'],
      comment: 'Contained.',
    });
    const patch = requestsTo(tenant, 'defender').find((r) => r.method === 'PATCH')!;
    expect(patch.body).toEqual({
      status: 'Resolved',
      classification: 'TruePositive',
      determination: 'Malware',
      assignedTo: 'secop@contoso.com',
      tags: ['pen-test'],
      comment: 'Contained.',
    });
    expect(patch.headers['content-type']).toMatch(/^application\/json/);
    expect(updated).toMatchObject({ status: 'resolved', classification: 'truePositive', determination: 'malware', tags: ['pen-test'] });
    expect(updated.comments.at(-1)!.comment).toBe('Contained.');
  });

  it.each([
    [{}, 'update'],
    [{ status: 'closed' }, 'status'],
    [{ determination: 'malware' }, 'determination'],
    [{ comment: '' }, 'comment'],
  ])('refuses the bad update %o before sending', async (update, option) => {
    const { client, tenant } = fakeTenant(server);
    const error = await client.incidents.update('1', update as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe(option);
    expect(requestsTo(tenant, 'defender')).toHaveLength(0);
  });

  it('refuses an unknown call option instead of ignoring it', async () => {
    const { client } = fakeTenant(server);
    const error = await client.incidents.get('1', { signl: undefined } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe('signl');
  });

  it('refuses an empty id', async () => {
    const { client } = fakeTenant(server);
    await expect(client.incidents.get('')).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
