/*
 * The change feed (`incidents.sync()`, `alerts.sync()`), on both wire APIs against the fake
 * tenant, whose incident store both APIs serve. Changes are made the way the service makes them:
 * through the API (an update stamps the tenant's clock) or by editing the tenant's store.
 */
import { describe, expect, it } from 'vitest';
import {
  CheckpointConflictError,
  CheckpointError,
  DefenderClient,
  InvalidArgumentError,
  MemoryCheckpointStore,
  ServerError,
  type Alert,
  type CheckpointStore,
  type Incident,
  type SyncFeed,
} from '../../src/index.js';
import type { LegacyIncidentWire } from '../../src/testing/index.js';
import { handlers } from '../../src/testing/msw.js';
import { fakeTenant, queryParam, requestsTo, startServer } from '../support/tenant.js';
import { rejection, thrownBy } from '../support/throws.js';

const server = startServer();
type Api = 'defender' | 'graph';
const START = '2000-01-01T00:00:00Z';

function setup(api: Api, incidents = 12) {
  // Pacing off: these specs are about what the feed reads, and make more list calls a minute than the quota allows.
  const rateLimit = { limits: { incidents: [], alerts: [] } };
  const fake = fakeTenant(server, { incidents, client: { api, silenceDeprecationWarnings: true, maxRetries: 0, rateLimit } });
  const store = new MemoryCheckpointStore();
  const listRequests = () => requestsTo(fake.tenant, api).filter((r) => r.route === 'defender.listIncidents' || r.route === 'graph.listIncidents' || r.route === 'graph.listAlerts');
  return { ...fake, store, listRequests };
}

/** Reads a whole feed, committing each batch; returns the batches' items. */
async function drain<T>(feed: SyncFeed<T>): Promise<T[][]> {
  const batches: T[][] = [];
  for await (const batch of feed) batches.push([...batch.items]);
  return batches;
}

const ids = (items: readonly { id: string }[]) => items.map((item) => item.id);
const time = (incident: Incident) => incident.lastUpdateDateTime.getTime();

/** Stamps a stored incident as changed at `when` (the tenant's store is in the Defender API's wire shape). */
function touch(tenant: ReturnType<typeof setup>['tenant'], id: string, when: Date, change: Record<string, unknown> = {}) {
  const incident = tenant.incidents.get(Number(id));
  if (!incident) throw new Error(`no incident ${id}`);
  Object.assign(incident, change, { lastUpdateTime: when.toISOString() });
}

describe.each<Api>(['defender', 'graph'])('incidents.sync on api %s', (api) => {
  it('delivers every incident changed since start once, oldest change first, in batches of batchSize, and nothing more on the next run', async () => {
    const { client, store } = setup(api);
    const all = await client.incidents.list().toArray();
    const feed = client.incidents.sync({ checkpoint: store, start: START, batchSize: 5 });
    const batches = await drain(feed);
    expect(batches.map((b) => b.length)).toEqual([5, 5, 2]);
    const delivered = batches.flat();
    expect(ids(delivered).sort()).toEqual(ids(all).sort());
    expect(delivered.map(time)).toEqual([...delivered.map(time)].sort((a, b) => a - b));
    expect(feed.stats).toMatchObject({ polls: 1, batches: 3, items: 12 });

    const again = client.incidents.sync({ checkpoint: store, start: START });
    expect(await drain(again)).toEqual([]);
    expect(again.stats.items).toBe(0);
  });

  it('delivers an incident changed after the last run, as changed, and only it', async () => {
    const { client, store } = setup(api);
    await drain(client.incidents.sync({ checkpoint: store, start: START }));
    const [target] = await client.incidents.list({ pageSize: 1 }).toArray();
    await client.incidents.update(target!.id, { status: 'inProgress', assignedTo: 'analyst@contoso.com' });
    const batches = await drain(client.incidents.sync({ checkpoint: store, start: START }));
    expect(batches.flat().map((i) => [i.id, i.status, i.assignedTo])).toEqual([[target!.id, 'inProgress', 'analyst@contoso.com']]);
  });

  it('delivers again a batch that was not committed (the consumer stopped before asking for the next)', async () => {
    const { client, store } = setup(api);
    let first: string[] = [];
    for await (const batch of client.incidents.sync({ checkpoint: store, start: START, batchSize: 4 })) {
      first = ids(batch.items);
      break; // a crash after handling, before the commit
    }
    const second = await drain(client.incidents.sync({ checkpoint: store, start: START, batchSize: 4 }));
    expect(ids(second[0]!)).toEqual(first);
    expect(second.flat()).toHaveLength(12);
  });

  it('does not deliver again a batch committed early with batch.commit()', async () => {
    const { client, store } = setup(api);
    let first: string[] = [];
    for await (const batch of client.incidents.sync({ checkpoint: store, start: START, batchSize: 4 })) {
      first = ids(batch.items);
      await batch.commit();
      await batch.commit(); // idempotent
      break;
    }
    const rest = (await drain(client.incidents.sync({ checkpoint: store, start: START, batchSize: 4 }))).flat();
    expect(rest).toHaveLength(8);
    expect(ids(rest).filter((id) => first.includes(id))).toEqual([]);
  });

  it('neither skips nor repeats incidents that share one last-update time across batches and runs', async () => {
    const { client, store, tenant } = setup(api);
    await drain(client.incidents.sync({ checkpoint: store, start: START }));
    const same = new Date(Date.now() - 60_000);
    const changed = ids(await client.incidents.list().toArray()).slice(0, 7);
    for (const id of changed) touch(tenant, id, same, { assignedTo: 'same-ms@contoso.com' });
    // Three batches of three share one timestamp; the run stops after committing the first.
    for await (const batch of client.incidents.sync({ checkpoint: store, start: START, batchSize: 3 })) {
      expect(batch.items).toHaveLength(3);
      await batch.commit();
      break;
    }
    const later = (await drain(client.incidents.sync({ checkpoint: store, start: START, batchSize: 3 }))).flat();
    expect(later).toHaveLength(4);
    const all = await drain(client.incidents.sync({ checkpoint: new MemoryCheckpointStore(), start: new Date(same.getTime()) }));
    expect(ids(all.flat()).sort()).toEqual([...changed].sort());
  });

  it('delivers a change indexed late within overlapMs, and not one older than the overlap', async () => {
    const { client, store, tenant } = setup(api);
    const list = await client.incidents.list().toArray();
    const now = Date.now();
    // Everything but two incidents was changed a minute ago; the feed delivers those.
    const [lateInOverlap, lateBeyond, ...rest] = ids(list);
    for (const id of rest) touch(tenant, id, new Date(now - 60_000));
    touch(tenant, lateInOverlap!, new Date(now - 10 * 60_000));
    touch(tenant, lateBeyond!, new Date(now - 10 * 60_000));
    const start = new Date(now - 2 * 60_000);
    await drain(client.incidents.sync({ checkpoint: store, start, overlapMs: 120_000 }));
    // Now two changes appear late: one stamped within the overlap before the watermark, one before it.
    touch(tenant, lateInOverlap!, new Date(now - 90_000), { assignedTo: 'late@contoso.com' });
    touch(tenant, lateBeyond!, new Date(now - 5 * 60_000), { assignedTo: 'too-late@contoso.com' });
    const next = await drain(client.incidents.sync({ checkpoint: store, start, overlapMs: 120_000 }));
    expect(next.flat().map((i) => [i.id, i.assignedTo])).toEqual([[lateInOverlap, 'late@contoso.com']]);
  });

  it('splits a window that holds more than maxWindowItems, holding at most that many, and delivers each incident once', async () => {
    const { client, store, listRequests } = setup(api, 40);
    const feed = client.incidents.sync({ checkpoint: store, start: START, maxWindowItems: 8, batchSize: 100 });
    const delivered = (await drain(feed)).flat();
    expect(new Set(ids(delivered)).size).toBe(40);
    expect(delivered).toHaveLength(40);
    expect(feed.stats.windowsSplit).toBeGreaterThan(0);
    expect(feed.stats.pages).toBe(listRequests().length);
    for (const request of listRequests()) {
      // Time-boundary paging: every request is bounded below by a last-update time.
      expect(queryParam(request, '$filter')).toMatch(/lastUpdate(Date)?Time ge /);
    }
  });

  it('loses no incident when one it has read leaves a time window between two of the window\'s pages', async () => {
    const { client, store, tenant } = setup(api, 250);
    const t0 = Date.now() - 5 * 3_600_000;
    [...tenant.incidents.values()].forEach((incident, i) => (incident.lastUpdateTime = new Date(t0 + i * 60_000).toISOString()));
    let moved: string | undefined;
    server.use(
      ...handlers({
        handle: async (request) => {
          const response = await tenant.handle(request);
          const url = new URL(request.url);
          const bounded = / lt /.test(url.searchParams.get('$filter') ?? '');
          const firstPage = (url.searchParams.get('$skip') ?? '0') === '0';
          if (moved === undefined && response?.status === 200 && bounded && firstPage && /incidents$/.test(url.pathname)) {
            const { value } = (await response.clone().json()) as { value: { id?: string; incidentId?: number }[] };
            if (value.length === Number(url.searchParams.get('$top'))) {
              // The first incident of the page changes now: it leaves the window, and the rest of the window moves up one place.
              moved = String(value[0]!.id ?? value[0]!.incidentId);
              tenant.incidents.get(Number(moved))!.lastUpdateTime = new Date(Date.now() - 1_000).toISOString();
            }
          }
          return response;
        },
      }),
    );
    const delivered = (await drain(client.incidents.sync({ checkpoint: store, start: START, maxWindowItems: 200, batchSize: 1_000 }))).flat();
    expect(moved).toBeDefined();
    expect(new Set(ids(delivered)).size).toBe(250);
  });

  it('delivers changes stamped ahead of this machine\'s clock (the service\'s clock running days ahead), splitting windows as needed', async () => {
    const { client, store, tenant } = setup(api, 30);
    const ahead = Date.now() + 3 * 86_400_000;
    ids(await client.incidents.list().toArray()).forEach((id, i) => touch(tenant, id, new Date(ahead + i * 60_000)));
    const feed = client.incidents.sync({ checkpoint: store, start: START, maxWindowItems: 6, maxClockSkewMs: 7 * 86_400_000 });
    const delivered = (await drain(feed)).flat();
    expect(delivered).toHaveLength(30);
    expect(new Set(ids(delivered)).size).toBe(30);
    expect(feed.stats.windowsSplit).toBeGreaterThan(0);
    expect(await drain(client.incidents.sync({ checkpoint: store, start: START, maxWindowItems: 6, maxClockSkewMs: 7 * 86_400_000 }))).toEqual([]);
  });

  it('does not let one record stamped far in the future (year 9999) move the watermark past every later change', async () => {
    const { client, store, tenant } = setup(api);
    const [bogus, later] = ids(await client.incidents.list().toArray());
    touch(tenant, bogus!, new Date('9999-12-31T00:00:00Z'));
    const got: string[] = [];
    const onInvalidItem = ({ id, error }: { id?: string; error: Error }) => void got.push(`${id} ${error.message}`);
    const first = (await drain(client.incidents.sync({ checkpoint: store, start: START, onInvalidItem }))).flat();
    expect(first).toHaveLength(11);
    expect(got).toEqual([expect.stringMatching(new RegExp(`^${bogus} incidents\\.sync: "${bogus}" was last updated at 9999-12-31T00:00:00\\.000Z, more than maxClockSkewMs`))]);
    touch(tenant, later!, new Date(Date.now() - 1_000), { assignedTo: 'after-the-bogus-one@contoso.com' });
    const second = (await drain(client.incidents.sync({ checkpoint: store, start: START, onInvalidItem }))).flat();
    expect(second.map((i) => [i.id, i.assignedTo])).toEqual([[later, 'after-the-bogus-one@contoso.com']]);
  });

  it('stops at once when the signal aborts while batches of a window already read remain, committing none of them', async () => {
    const { client, store } = setup(api);
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const batch of client.incidents.sync({ checkpoint: store, start: START, batchSize: 1, signal: controller.signal })) {
          seen.push(...ids(batch.items));
          controller.abort(new Error('stop now'));
        }
      })(),
    );
    expect((error as Error).message).toBe('stop now');
    expect(seen).toHaveLength(1);
    // The first batch was handled and the loop asked for the next: that committed it, and nothing after.
    const rest = (await drain(client.incidents.sync({ checkpoint: store, start: START }))).flat();
    expect(rest).toHaveLength(11);
    expect(ids(rest)).not.toContain(seen[0]);
  });

  it('stops with CheckpointConflictError when another run moved the checkpoint, committing nothing', async () => {
    const { client, store } = setup(api);
    const a = client.incidents.sync({ checkpoint: store, start: START, batchSize: 4 })[Symbol.asyncIterator]();
    const first = await a.next();
    expect(first.done).toBe(false);
    await drain(client.incidents.sync({ checkpoint: store, start: START, batchSize: 4 }));
    const before = await store.get(`${api}:incidents`);
    const error = await rejection(a.next());
    expect(error).toBeInstanceOf(CheckpointConflictError);
    expect((error as CheckpointConflictError).key).toBe(`${api}:incidents`);
    expect(await store.get(`${api}:incidents`)).toEqual(before);
  });

  it('stops with the error of a page that fails, keeps the batches handed over before it, and resumes after them on the next run', async () => {
    const { client, store, tenant } = setup(api, 12);
    const firstRun: string[] = [];
    const feed = client.incidents.sync({ checkpoint: store, start: START, batchSize: 4, maxWindowItems: 4 });
    const route = api === 'graph' ? 'graph.listIncidents' : 'defender.listIncidents';
    const error = await rejection(
      (async () => {
        for await (const batch of feed) {
          firstRun.push(...ids(batch.items));
          if (firstRun.length === 4) tenant.faults.add(route, { status: 500 });
        }
      })(),
    );
    expect(error).toBeInstanceOf(ServerError);
    const rest = (await drain(client.incidents.sync({ checkpoint: store, start: START, batchSize: 4 }))).flat();
    // Asking for the next batch committed the first; the page that failed was never delivered.
    expect(firstRun).toHaveLength(4);
    expect(rest).toHaveLength(8);
    expect(new Set([...firstRun, ...ids(rest)]).size).toBe(12);
  });

  it('follows: polls again after pollIntervalMs until the signal aborts, then rejects with its reason', async () => {
    const { client, store, tenant } = setup(api);
    const controller = new AbortController();
    const feed = client.incidents.sync({ checkpoint: store, start: START, follow: true, pollIntervalMs: 1, signal: controller.signal });
    const seen: string[][] = [];
    const error = await rejection(
      (async () => {
        for await (const batch of feed) {
          seen.push(ids(batch.items));
          if (seen.length === 1) {
            const [first] = batch.items;
            touch(tenant, first!.id, new Date(Date.now() + 1_000), { assignedTo: 'followed@contoso.com' });
          } else {
            controller.abort(new Error('shutting down'));
          }
        }
      })(),
    );
    expect((error as Error).message).toBe('shutting down');
    expect(seen[0]).toHaveLength(12);
    expect(seen[1]).toEqual([seen[0]![0]]);
    expect(feed.stats.polls).toBeGreaterThanOrEqual(2);
  });

  it('delivers a merged incident with redirectIncidentId set', async () => {
    const { client, store, tenant } = setup(api);
    await drain(client.incidents.sync({ checkpoint: store, start: START }));
    const [merged, into] = ids(await client.incidents.list().toArray());
    touch(tenant, merged!, new Date(Date.now() - 1_000), { status: 'Redirected', redirectIncidentId: Number(into) });
    const [incident] = (await drain(client.incidents.sync({ checkpoint: store, start: START }))).flat();
    expect([incident?.id, incident?.status, incident?.redirectIncidentId]).toEqual([merged, 'redirected', into]);
  });
});

describe.each<Api>(['defender', 'graph'])('alerts.sync on api %s', (api) => {
  it('delivers every alert changed since start once, and on the next run only the alerts that changed', async () => {
    const { client, store, tenant } = setup(api);
    const all = (await drain(client.alerts.sync({ checkpoint: store, start: START }))).flat();
    const expected = (await client.incidents.list({ expandAlerts: true }).toArray()).flatMap((i) => i.alerts);
    expect(ids(all).sort()).toEqual(ids(expected).sort());
    expect(await drain(client.alerts.sync({ checkpoint: store, start: START }))).toEqual([]);

    // An incident changes without its alerts: nothing to deliver. Then one alert changes.
    const [incident] = await client.incidents.list({ expandAlerts: true }).toArray();
    touch(tenant, incident!.id, new Date(Date.now() - 2_000), { assignedTo: 'incident-only@contoso.com' });
    expect((await drain(client.alerts.sync({ checkpoint: store, start: START }))).flat()).toEqual([]);
    const stored = tenant.incidents.get(Number(incident!.id))!;
    const when = new Date(Date.now() - 1_000).toISOString();
    Object.assign(stored.alerts[0]!, { status: 'InProgress', lastUpdatedTime: when });
    stored.lastUpdateTime = when;
    const changed: Alert[] = (await drain(client.alerts.sync({ checkpoint: store, start: START }))).flat();
    expect(changed.map((a) => [a.id, a.status])).toEqual([[incident!.alerts[0]!.id, 'inProgress']]);
  });
});

describe('alerts.sync on api defender (alerts read through their incidents)', () => {
  it('does not deliver again, later in the same run, alerts committed earlier whose incident changed again without them', async () => {
    const { client, store, tenant } = setup('defender');
    const t0 = Date.now() - 3 * 3_600_000;
    const incidents = [...tenant.incidents.values()];
    incidents.forEach((incident, i) => {
      const when = new Date(t0 + i * 600_000).toISOString();
      incident.lastUpdateTime = when;
      for (const alert of incident.alerts) alert.lastUpdatedTime = when;
    });
    const delivered: string[] = [];
    // Windows of a few alerts each; the first incident's alerts are committed (and leave the boundary set) long before the end.
    for await (const batch of client.alerts.sync({ checkpoint: store, start: START, overlapMs: 60_000, maxWindowItems: 3, batchSize: 1 })) {
      delivered.push(...ids(batch.items));
      if (batch.items[0]!.incidentId === String(incidents[5]!.incidentId)) {
        // The first incident changes again, its alerts do not: it is read again in a later window.
        incidents[0]!.lastUpdateTime = new Date(t0 + 115 * 60_000).toISOString();
      }
    }
    const all = incidents.flatMap((incident) => incident.alerts.map((alert) => alert.alertId));
    expect([...delivered].sort()).toEqual([...all].sort());
  });

  it('delivers, after a run that stopped early, an alert whose incident changed again long after it, however far the watermark moved', async () => {
    const { client, store, tenant } = setup('defender');
    const t0 = Date.now() - 4 * 3_600_000;
    const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
    const [a, b, ...rest] = [...tenant.incidents.values()];
    rest.concat(a!, b!).forEach((incident, i) => {
      incident.lastUpdateTime = at(i);
      for (const alert of incident.alerts) alert.lastUpdatedTime = at(i);
    });
    const options = { checkpoint: store, start: START, overlapMs: 60_000, batchSize: 1 };
    await drain(client.alerts.sync(options));
    // One alert of incident a changes; incident b changes later with its alerts, incident a later still without that alert.
    const changed = a!.alerts[0]!;
    changed.status = 'InProgress';
    changed.lastUpdatedTime = at(100);
    b!.lastUpdateTime = at(150);
    for (const alert of b!.alerts) alert.lastUpdatedTime = at(150);
    a!.lastUpdateTime = at(180);
    // A run delivers and commits incident b's alerts, then stops before committing incident a's.
    for await (const batch of client.alerts.sync(options)) if (batch.items[0]!.incidentId === String(a!.incidentId)) break;
    const next = (await drain(client.alerts.sync(options))).flat();
    expect(next.map((alert) => [alert.id, alert.status])).toEqual([[changed.alertId, 'inProgress']]);
  });

  it('does not deliver again alerts committed by an earlier run whose incident changed again without them while the boundary set moved on', async () => {
    const { client, store, tenant } = setup('defender');
    const t0 = Date.now() - 4 * 3_600_000;
    const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
    const incidents = [...tenant.incidents.values()];
    const stamp = (incident: LegacyIncidentWire, when: string, alerts = true) => {
      incident.lastUpdateTime = when;
      if (alerts) for (const alert of incident.alerts) alert.lastUpdatedTime = when;
    };
    incidents.forEach((incident, i) => stamp(incident, at(i * 10)));
    const options = { checkpoint: store, start: START, overlapMs: 2 * 3_600_000, maxWindowItems: 3, batchSize: 1 };
    await drain(client.alerts.sync(options));
    // Incidents 6 to 11 change with their alerts, two hours on: the watermark passes the first incident by more than the overlap.
    incidents.slice(6).forEach((incident, i) => stamp(incident, at(130 + i * 10)));
    const delivered: string[] = [];
    for await (const batch of client.alerts.sync(options)) {
      delivered.push(...ids(batch.items));
      // The first incident changes again, its alerts do not.
      if (batch.items[0]!.incidentId === String(incidents[8]!.incidentId)) stamp(incidents[0]!, at(200), false);
    }
    const changed = incidents.slice(6).flatMap((incident) => incident.alerts.map((alert) => alert.alertId));
    expect([...delivered].sort()).toEqual([...changed].sort());
  });
});

describe.each<Api>(['defender', 'graph'])('a bad record in the change feed on api %s', (api) => {
  it('is handed to onInvalidItem once, skipped, counted, and the feed goes on past it', async () => {
    const { client, store, tenant } = setup(api);
    const bad = [...tenant.incidents.values()][3]!;
    bad.incidentName = 42 as never;
    const got: string[] = [];
    const feed = client.incidents.sync({ checkpoint: store, start: START, maxWindowItems: 4, onInvalidItem: ({ id }) => void got.push(id!) });
    const delivered = (await drain(feed)).flat();
    expect(got).toEqual([String(bad.incidentId)]);
    expect(feed.stats.invalid).toBe(1);
    expect(delivered).toHaveLength(11);
    expect(ids(delivered)).not.toContain(String(bad.incidentId));
  });

  it('by default is logged as a warning naming its id and the field at fault, and skipped', async () => {
    const warnings: string[] = [];
    const { credential, store, tenant } = setup(api);
    const client = new DefenderClient({ credential, api, maxRetries: 0, silenceDeprecationWarnings: true, logger: { warn: (line) => void warnings.push(line) } });
    const bad = [...tenant.incidents.values()][5]!;
    bad.assignedTo = 5150 as never;
    const delivered = (await drain(client.incidents.sync({ checkpoint: store, start: START }))).flat();
    expect(delivered).toHaveLength(11);
    expect(warnings.filter((line) => line.includes('skipped an item the model rejects'))).toEqual([
      expect.stringMatching(new RegExp(`^incidents\\.sync: .*id "${bad.incidentId}".*assignedTo`)),
    ]);
    expect(warnings.join('\n')).not.toContain('5150');
  });

  it('ends the feed with the error onInvalidItem throws, committing nothing past it', async () => {
    const { client, store, tenant } = setup(api);
    [...tenant.incidents.values()][0]!.incidentName = 42 as never;
    const stop = new Error('stop on a bad record');
    const error = await rejection(drain(client.incidents.sync({ checkpoint: store, start: START, onInvalidItem: () => { throw stop; } })));
    expect(error).toBe(stop);
    expect(await store.get(`${api}:incidents`)).toBeUndefined();
  });
});

describe('alerts.sync on the Defender API, reading alerts through their incidents', () => {
  it('hands an incident the model rejects to onInvalidItem rather than dropping it and its alerts unseen', async () => {
    const { client, store, tenant } = setup('defender');
    const bad = [...tenant.incidents.values()][2]!;
    bad.incidentName = 42 as never;
    const got: (string | undefined)[] = [];
    const feed = client.alerts.sync({ checkpoint: store, start: START, onInvalidItem: ({ id }) => void got.push(id) });
    const delivered = (await drain(feed)).flat();
    expect(got).toEqual([String(bad.incidentId)]);
    expect(feed.stats.invalid).toBe(1);
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered.filter((alert) => alert.incidentId === String(bad.incidentId))).toEqual([]);
  });
});

describe('sync checkpoints and options', () => {
  it('refuses a checkpoint written by another feed or API, and one that is not a feed checkpoint', async () => {
    const { client, store, credential } = setup('defender');
    await drain(client.incidents.sync({ checkpoint: store, key: 'shared', start: START }));
    const wrongFeed = await rejection(drain(client.alerts.sync({ checkpoint: store, key: 'shared', start: START })));
    expect(wrongFeed).toBeInstanceOf(CheckpointError);
    expect((wrongFeed as Error).message).toMatch(/belongs to the incidents feed on api 'defender', not the alerts feed/);

    const graph = new DefenderClient({ credential, api: 'graph', maxRetries: 0 });
    expect(await rejection(drain(graph.incidents.sync({ checkpoint: store, key: 'shared' })))).toBeInstanceOf(CheckpointError);

    const foreign: CheckpointStore = { get: async () => ({ value: '{"cursor": 42}', version: 3 }), set: async () => true };
    const error = await rejection(drain(client.incidents.sync({ checkpoint: foreign })));
    expect((error as Error).message).toMatch(/is not a change-feed checkpoint of this SDK/);
  });

  it('is iterated once', async () => {
    const { client } = setup('defender');
    const feed = client.incidents.sync({ start: START });
    await drain(feed);
    expect(thrownBy(InvalidArgumentError, () => feed[Symbol.asyncIterator]()).option).toBe('feed');
  });

  it.each([
    [{ checkpoint: {} }, 'checkpoint'],
    [{ key: '' }, 'key'],
    [{ start: 'yesterday' }, 'start'],
    [{ follow: 'yes' }, 'follow'],
    [{ pollIntervalMs: 0 }, 'pollIntervalMs'],
    [{ overlapMs: -1 }, 'overlapMs'],
    [{ batchSize: 1.5 }, 'batchSize'],
    [{ maxClockSkewMs: -1 }, 'maxClockSkewMs'],
    [{ maxWindowItems: 0 }, 'maxWindowItems'],
    [{ expandAlerts: 'true' }, 'expandAlerts'],
    [{ checkpointStore: new MemoryCheckpointStore() }, 'checkpointStore'],
    [{ onInvalidItem: 'log' }, 'onInvalidItem'],
  ])('refuses %o before sending anything', (options, option) => {
    const { client, tenant } = setup('defender');
    expect(thrownBy(InvalidArgumentError, () => client.incidents.sync(options as never)).option).toBe(option);
    expect(tenant.requests).toEqual([]);
  });
});
