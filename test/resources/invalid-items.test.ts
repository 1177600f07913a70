/*
 * One bad item never blocks a page (issue 12): `incidents.list` and `alerts.list` check each item on
 * its own, on both wire APIs, against the fake tenant serving a store with one item broken. Without
 * `onInvalidItem` a listing stays strict and names the item; with it the item is handed over and the
 * page's other items arrive. Also the shapes real payloads carry that are read rather than rejected.
 */
import { describe, expect, it } from 'vitest';
import { DefenderClient, InvalidArgumentError, ResponseValidationError, type InvalidItem } from '../../src/index.js';
import type { LegacyAlertWire, LegacyIncidentWire } from '../../src/testing/index.js';
import { rejection } from '../support/throws.js';
import { fakeTenant, requestsTo, startServer } from '../support/tenant.js';

const server = startServer();
type Api = 'defender' | 'graph';

/** A fake tenant of `count` incidents, a client on `api`, and the stored incidents newest first (the order both APIs list). */
function tenant(api: Api, count = 8) {
  const fake = fakeTenant(server, { incidents: count });
  const client = new DefenderClient({ credential: fake.credential, api, maxRetryWaitMs: 10_000 });
  const newestFirst = [...fake.tenant.incidents.values()].sort((a, b) => b.createdTime.localeCompare(a.createdTime));
  return { ...fake, client, newestFirst };
}

/** Collects what `onInvalidItem` receives. */
function collector() {
  const got: InvalidItem[] = [];
  return { got, onInvalidItem: (item: InvalidItem) => void got.push(item) };
}

const alertsOf = (incidents: LegacyIncidentWire[]): LegacyAlertWire[] => incidents.flatMap((incident) => incident.alerts);

describe.each(['defender', 'graph'] as const)('per-item validation on api: %s', (api) => {
  it('incidents.list without onInvalidItem rejects, naming the bad incident\'s index and id', async () => {
    const { client, newestFirst } = tenant(api);
    const bad = newestFirst[2]!;
    bad.assignedTo = 5150 as never;
    const error = await rejection(client.incidents.list().toArray());
    expect(error).toBeInstanceOf(ResponseValidationError);
    const { message, issues, operation } = error as ResponseValidationError;
    expect(operation).toBe('incidents.list');
    expect(issues.map((issue) => issue.path)).toEqual(['value[2].assignedTo']);
    expect(message).toContain(`value[2] (id "${bad.incidentId}")`);
    expect(message).toContain('onInvalidItem');
    expect(message).not.toContain('5150');
  });

  it('incidents.list with onInvalidItem skips exactly the bad incident and delivers the others', async () => {
    const { client, newestFirst } = tenant(api);
    const bad = newestFirst[2]!;
    bad.incidentName = 42 as never;
    const { got, onInvalidItem } = collector();
    const incidents = await client.incidents.list({ onInvalidItem }).toArray();
    expect(incidents.map((incident) => incident.id)).toEqual(newestFirst.filter((i) => i !== bad).map((i) => String(i.incidentId)));
    expect(got).toHaveLength(1);
    expect(got[0]!.id).toBe(String(bad.incidentId));
    expect(got[0]!.error).toBeInstanceOf(ResponseValidationError);
    expect(got[0]!.error.issues.map((issue) => issue.path)).toEqual([api === 'graph' ? 'value[2].displayName' : 'value[2].incidentName']);
    expect(got[0]!.error.message).toContain('skipped value[2]');
    expect((got[0]!.raw as Record<string, unknown>)[api === 'graph' ? 'displayName' : 'incidentName']).toBe(42);
  });

  it('an incident with an alert the model rejects is the invalid item of incidents.list', async () => {
    const { client, newestFirst } = tenant(api);
    const bad = newestFirst[1]!;
    bad.alerts[0]!.creationTime = 'not a date';
    const { got, onInvalidItem } = collector();
    const incidents = await client.incidents.list({ onInvalidItem, expandAlerts: true }).toArray();
    expect(incidents).toHaveLength(newestFirst.length - 1);
    expect(got.map((item) => item.id)).toEqual([String(bad.incidentId)]);
    expect(got[0]!.error.issues[0]!.path).toBe(api === 'graph' ? 'value[1].alerts[0].createdDateTime' : 'value[1].alerts[0].creationTime');
  });

  it('keeps paging past a full page that had an item skipped', async () => {
    const { client, newestFirst, tenant: fake } = tenant(api, 12);
    newestFirst[0]!.lastUpdateTime = '';
    const { got, onInvalidItem } = collector();
    const incidents = await client.incidents.list({ pageSize: 5, onInvalidItem }).toArray();
    expect(incidents).toHaveLength(11);
    expect(got).toHaveLength(1);
    expect(requestsTo(fake, api).filter((request) => request.route.endsWith('listIncidents'))).toHaveLength(3);
  });

  it('alerts.list with onInvalidItem skips exactly the bad alert, its incident\'s other alerts included', async () => {
    const { client, newestFirst } = tenant(api);
    const holder = newestFirst.find((incident) => incident.alerts.length > 1)!;
    const bad = holder.alerts[1]!;
    bad.title = 42 as never;
    const { got, onInvalidItem } = collector();
    const alerts = await client.alerts.list({ onInvalidItem }).toArray();
    const expected = alertsOf(newestFirst).filter((alert) => alert !== bad).map((alert) => alert.alertId);
    expect(alerts.map((alert) => alert.id).sort()).toEqual(expected.sort());
    expect(got.map((item) => item.id)).toEqual([bad.alertId]);
    expect(got[0]!.error.issues[0]!.path).toMatch(api === 'graph' ? /^value\[\d+\]\.title$/ : /^value\[\d+\]\.alerts\[1\]\.title$/);
    expect((got[0]!.raw as { title: unknown }).title).toBe(42);
  });

  it('alerts.list without onInvalidItem rejects, naming the bad alert', async () => {
    const { client, newestFirst } = tenant(api);
    const bad = newestFirst[0]!.alerts[0]!;
    bad.detectorId = 5150 as never;
    const error = await rejection(client.alerts.list().toArray());
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as ResponseValidationError).operation).toBe('alerts.list');
    expect((error as ResponseValidationError).message).toContain(`(id "${bad.alertId}")`);
  });

  it('an incident the model rejects does not hide its alerts from alerts.list', async () => {
    const { client, newestFirst } = tenant(api);
    newestFirst[0]!.incidentName = 42 as never;
    const { got, onInvalidItem } = collector();
    const alerts = await client.alerts.list({ onInvalidItem }).toArray();
    expect(alerts.map((alert) => alert.id).sort()).toEqual(alertsOf(newestFirst).map((alert) => alert.alertId).sort());
    expect(got).toEqual([]);
  });

  it('rejects the listing with what onInvalidItem throws, and with what its promise rejects with', async () => {
    const { client, newestFirst } = tenant(api);
    newestFirst[3]!.incidentName = 7 as never;
    const thrown = new Error('dead-letter store is down');
    expect(await rejection(client.incidents.list({ onInvalidItem: () => { throw thrown; } }).toArray())).toBe(thrown);
    expect(await rejection(client.incidents.list({ onInvalidItem: async () => { throw thrown; } }).toArray())).toBe(thrown);
  });

  it('waits for an async onInvalidItem before the page\'s items are yielded', async () => {
    const { client, newestFirst } = tenant(api);
    newestFirst[4]!.incidentName = 7 as never;
    const events: string[] = [];
    const onInvalidItem = async (item: InvalidItem) => {
      await new Promise((resolve) => setImmediate(resolve));
      events.push(`invalid ${item.id}`);
    };
    for await (const page of client.incidents.list({ onInvalidItem }).byPage()) events.push(`page of ${page.items.length}`);
    expect(events).toEqual([`invalid ${newestFirst[4]!.incidentId}`, `page of ${newestFirst.length - 1}`]);
  });

  it('refuses an onInvalidItem that is not a function before sending anything', () => {
    const { client, tenant: fake } = tenant(api);
    for (const list of [() => client.incidents.list({ onInvalidItem: 'log' as never }), () => client.alerts.list({ onInvalidItem: {} as never })]) {
      let error: unknown;
      try {
        list();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).option).toBe('onInvalidItem');
      expect((error as InvalidArgumentError).message).toContain('onInvalidItem must be a function');
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('resumes a continuation token of a listing with onInvalidItem in one without it', async () => {
    const { client } = tenant(api, 12);
    const { onInvalidItem } = collector();
    const first = (await client.incidents.list({ pageSize: 5, onInvalidItem }).byPage().next()).value!;
    const rest = await client.incidents.list({ pageSize: 5 }).byPage({ continuationToken: first.continuationToken! }).next();
    expect(rest.value!.items).toHaveLength(5);
  });
});

describe('per-item validation when Graph\'s $expand=alerts fails and alerts are read per incident', () => {
  it('makes an incident whose alerts the model rejects the invalid item, at its index in the page', async () => {
    const fake = fakeTenant(server, { incidents: 6, graphExpandFailsAbove: 0, client: { api: 'graph', maxRetries: 0 } });
    const newestFirst = [...fake.tenant.incidents.values()].sort((a, b) => b.createdTime.localeCompare(a.createdTime));
    const bad = newestFirst[3]!;
    bad.alerts[0]!.title = 42 as never;
    const { got, onInvalidItem } = collector();
    const incidents = await fake.client.incidents.list({ expandAlerts: true, onInvalidItem }).toArray();
    expect(incidents.map((incident) => incident.id)).toEqual(newestFirst.filter((i) => i !== bad).map((i) => String(i.incidentId)));
    expect(incidents.every((incident) => incident.alerts.length > 0)).toBe(true);
    expect(got.map((item) => item.id)).toEqual([String(bad.incidentId)]);
    expect(got[0]!.error.issues.map((issue) => issue.path)).toEqual(['value[3].alerts[0].title']);
    const error = await rejection(fake.client.incidents.list({ expandAlerts: true }).toArray());
    expect((error as ResponseValidationError).message).toContain(`value[3] (id "${bad.incidentId}")`);
  });
});

describe.each(['defender', 'graph'] as const)('shapes real payloads carry, read on api: %s', (api) => {
  it('reads an optional date sent as "" as null', async () => {
    const { client, newestFirst } = tenant(api, 3);
    const alert = newestFirst[0]!.alerts[0]!;
    alert.resolvedTime = '';
    alert.firstActivity = '';
    const read = (await client.incidents.list({ expandAlerts: true }).toArray())[0]!.alerts[0]!;
    expect(read.resolvedDateTime).toBeNull();
    expect(read.firstActivityDateTime).toBeNull();
  });

  it('reads a classification or determination of "" as unknown', async () => {
    const { client, newestFirst } = tenant(api, 3);
    const alert = newestFirst[0]!.alerts[0]!;
    alert.classification = '';
    alert.determination = '';
    const read = (await client.alerts.list().toArray()).find((candidate) => candidate.id === alert.alertId)!;
    expect(read).toMatchObject({ classification: 'unknown', determination: 'unknown' });
  });

  it('gives an embedded alert sent without an incidentId its incident\'s id', async () => {
    const { client, newestFirst } = tenant(api, 3);
    const incident = newestFirst[1]!;
    delete (incident.alerts[0] as Partial<LegacyAlertWire>).incidentId;
    const read = (await client.incidents.list({ expandAlerts: true }).toArray()).find((candidate) => candidate.id === String(incident.incidentId))!;
    expect(read.alerts[0]!.incidentId).toBe(String(incident.incidentId));
  });
});
