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
import type { LegacyIncidentWire, TenantRequest } from '../../src/testing/index.js';
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

/** Stamps the tenant's incidents one minute apart from `t0`, in the order they are stored; returns them in that order. */
function spreadOut(tenant: ReturnType<typeof setup>['tenant'], t0: number): LegacyIncidentWire[] {
  const incidents = [...tenant.incidents.values()];
  incidents.forEach((incident, i) => (incident.lastUpdateTime = new Date(t0 + i * 60_000).toISOString()));
  return incidents;
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

  it('on an empty tenant, makes one list request per feed, asks nothing more, and delivers nothing', async () => {
    const { client, store, listRequests } = setup(api, 0);
    const feeds: SyncFeed<Incident | Alert>[] = [client.incidents.sync({ checkpoint: store, start: START }), client.alerts.sync({ checkpoint: new MemoryCheckpointStore(), start: START })];
    for (const feed of feeds) {
      const before = listRequests().length;
      expect(await drain(feed)).toEqual([]);
      expect(feed.stats).toMatchObject({ polls: 1, batches: 0, pages: 1, windowsSplit: 0 });
      const [request, ...more] = listRequests().slice(before);
      expect(more).toEqual([]);
      // The open window from start, not a one-item question.
      expect(windowOf(request!)).toEqual({ from: Date.parse(START), to: undefined });
      expect(queryParam(request!, '$top')).not.toBe('1');
    }
  });
});

/** The list requests a plain listing of `n` incidents makes: Defender API pages of 100 end on a short page, Graph's (50) on one without a next link. */
function listingCalls(api: Api, n: number): number {
  return api === 'defender' ? Math.floor(n / 100) + 1 : Math.max(1, Math.ceil(n / 50));
}

/** Serves the tenant, running `changes[k]` just after the k-th incidents list request (from 1) is answered. */
function changeAfterListRequests(tenant: ReturnType<typeof setup>['tenant'], changes: Record<number, () => void>) {
  let answered = 0;
  server.use(
    ...handlers({
      handle: async (request) => {
        const response = await tenant.handle(request);
        if (request.method === 'GET' && /\/incidents$/.test(new URL(request.url).pathname)) changes[++answered]?.();
        return response;
      },
    }),
  );
}

/** Every (id, last-update time) delivered, in order. */
const versionsOf = (items: readonly Incident[]) => items.map((incident) => `${incident.id}@${time(incident)}`);

/** The bounds of a feed request's `$filter`: last updated from `from` (inclusive) to `to` (exclusive, undefined when open). */
function windowOf(request: TenantRequest): { from: number; to: number | undefined } {
  const filter = queryParam(request, '$filter') ?? '';
  const at = (op: string) => filter.match(new RegExp(`lastUpdate(?:Date)?Time ${op} (\\S+)`))?.[1];
  const to = at('lt');
  return { from: Date.parse(at('ge')!), to: to === undefined ? undefined : Date.parse(to) };
}

/** Whether a list request asks for a page after the first (`$skip` on the Defender API and in Graph's next links). */
const laterPage = (request: TenantRequest) => Number(queryParam(request, '$skip') ?? 0) > 0 && queryParam(request, '$top') !== '1';

describe.each<Api>(['defender', 'graph'])('a first catch-up larger than maxWindowItems on api %s', (api) => {
  // The size is the property (figure 8's catch-up). Counted work, nothing waits on a clock: ~50-100 list requests of up to
  // 100 incidents through msw, 3.3-3.6 s at a load of 9 on two cores; three times the unit default for CI's busy box.
  it('delivers 3,000 incidents once each, reading each bounded window in one request and paging no deeper than maxWindowItems, in at most twice the requests of a plain listing', { timeout: 60_000 }, async () => {
    const { client, store, tenant, listRequests } = setup(api, 3_000);
    // A month before the oldest change, as the default start is a month back.
    const start = new Date(Math.min(...[...tenant.incidents.values()].map((incident) => Date.parse(incident.lastUpdateTime))) - 30 * 86_400_000);
    const feed = client.incidents.sync({ checkpoint: store, start });
    const delivered = (await drain(feed)).flat();
    expect(new Set(ids(delivered)).size).toBe(3_000);
    expect(delivered).toHaveLength(3_000);
    expect(delivered.map(time)).toEqual([...delivered.map(time)].sort((a, b) => a - b));
    const requests = listRequests();
    // 49 on the Defender API and 96 on Graph (a plain listing: 31 and 60). 85 and 165 before: the first window was read
    // to 2,000 incidents and dropped, again and again, and bounded windows read in several pages were read twice.
    expect(requests.length).toBeLessThanOrEqual(2 * listingCalls(api, 3_000));
    expect(feed.stats.pages).toBe(requests.length);
    expect(requests.filter((request) => windowOf(request).to !== undefined && laterPage(request))).toEqual([]);
    expect(Math.max(...requests.map((request) => Number(queryParam(request, '$skip') ?? 0)))).toBeLessThanOrEqual(2_000);
    expect(await drain(client.incidents.sync({ checkpoint: store, start }))).toEqual([]);
  });

  it('pages through an open window of exactly maxWindowItems once it has asked whether it fits, and narrows one of one more', async () => {
    for (const n of [120, 121]) {
      const { client, store, tenant, listRequests } = setup(api, n);
      spreadOut(tenant, Date.now() - 5 * 3_600_000);
      const feed = client.incidents.sync({ checkpoint: store, start: START, maxWindowItems: 120, batchSize: 1_000 });
      const delivered = (await drain(feed)).flat();
      expect(new Set(ids(delivered)).size).toBe(n);
      expect(delivered).toHaveLength(n);
      // Its first page, spread back to START, looks like far more than 120: one request with one item asks.
      const questions = listRequests().filter((request) => queryParam(request, '$top') === '1');
      if (n === 120) {
        expect(questions).toHaveLength(1);
        expect(feed.stats.windowsSplit).toBe(0);
        expect(listRequests()).toHaveLength(listingCalls(api, 120) + 1);
      } else {
        expect(feed.stats.windowsSplit).toBeGreaterThan(0);
        expect(listRequests().filter((request) => windowOf(request).to !== undefined && laterPage(request))).toEqual([]);
      }
      expect(Math.max(...listRequests().map((request) => Number(queryParam(request, '$skip') ?? 0)))).toBeLessThanOrEqual(120);
    }
  });

  it('keeps incidents that share a last-update time together, and reads a millisecond that holds more than maxWindowItems whole', async () => {
    const { client, store, tenant, listRequests } = setup(api, 40);
    const incidents = spreadOut(tenant, Date.now() - 5 * 3_600_000);
    // Incidents 6 to 14 share one time; 20 to 34 share another, more than a window of 10 may hold.
    const tie = (from: number, to: number) => incidents.slice(from, to).map((incident) => Object.assign(incident, { lastUpdateTime: incidents[from]!.lastUpdateTime }));
    tie(6, 15);
    const crowd = tie(20, 35);
    const feed = client.incidents.sync({ checkpoint: store, start: START, maxWindowItems: 10, batchSize: 1 });
    const delivered = (await drain(feed)).flat();
    expect(new Set(ids(delivered)).size).toBe(40);
    expect(delivered).toHaveLength(40);
    expect(delivered.map(time)).toEqual([...delivered.map(time)].sort((a, b) => a - b));
    // No window ends between incidents of one time (windows are bounded by whole milliseconds), and the crowded one is read on its own.
    const crowdAt = Date.parse(crowd[0]!.lastUpdateTime);
    expect(listRequests().some((request) => windowOf(request).from === crowdAt && windowOf(request).to === crowdAt + 1)).toBe(true);
    expect(await drain(client.incidents.sync({ checkpoint: store, start: START, maxWindowItems: 10 }))).toEqual([]);
  });

  it('loses no incident when one leaves a millisecond that is read in several pages, between two of them, in each of its two reads', async () => {
    const { client, store, tenant } = setup(api, 260);
    const incidents = spreadOut(tenant, Date.now() - 5 * 3_600_000);
    // 150 incidents share one time: more than a page (100 on the Defender API, 50 on Graph) and than maxWindowItems.
    for (const incident of incidents.slice(0, 150)) incident.lastUpdateTime = incidents[0]!.lastUpdateTime;
    const moved: string[] = [];
    server.use(
      ...handlers({
        handle: async (request) => {
          const response = await tenant.handle(request);
          const url = new URL(request.url);
          const { from, to } = url.pathname.endsWith('/incidents') ? windowOf({ url: request.url } as TenantRequest) : { from: 0, to: undefined };
          if (moved.length < 2 && response?.status === 200 && to === from + 1 && !laterPage({ url: request.url } as TenantRequest)) {
            const { value } = (await response.clone().json()) as { value: { id?: string; incidentId?: number }[] };
            if (value.length === Number(url.searchParams.get('$top'))) {
              // The first incident of the first page changes now: it leaves the millisecond, and the rest move up one
              // place, so that the second page skips one. Both reads of the millisecond skip one, not the same.
              const id = String(value[0]!.id ?? value[0]!.incidentId);
              moved.push(id);
              tenant.incidents.get(Number(id))!.lastUpdateTime = new Date(Date.now() - 1_000).toISOString();
            }
          }
          return response;
        },
      }),
    );
    const delivered = (await drain(client.incidents.sync({ checkpoint: store, start: START, maxWindowItems: 120, batchSize: 1_000 }))).flat();
    expect(moved).toHaveLength(2);
    expect(new Set(ids(delivered)).size).toBe(260);
    const versions = versionsOf(delivered);
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('delivers the latest version of every incident, and no version twice, when incidents change while the catch-up reads them', async () => {
    const { client, store, tenant } = setup(api, 400);
    const incidents = spreadOut(tenant, Date.now() - 8 * 3_600_000);
    const change = (incident: LegacyIncidentWire, assignedTo: string) => Object.assign(incident, { assignedTo, lastUpdateTime: new Date(Date.now() - 1_000).toISOString() });
    changeAfterListRequests(tenant, {
      // After the open window's first page (newest first): the oldest, not read yet, and the newest, read already.
      1: () => {
        change(incidents[0]!, 'changed-before-read@contoso.com');
        change(incidents[399]!, 'changed-after-read@contoso.com');
      },
      // While the narrower windows are read: one far ahead of them, and one in the window being read.
      4: () => void change(incidents[300]!, 'changed-mid-read@contoso.com'),
      8: () => void change(incidents[15]!, 'changed-in-window@contoso.com'),
    });
    const delivered = (await drain(client.incidents.sync({ checkpoint: store, start: START, maxWindowItems: 150, batchSize: 1_000 }))).flat();
    const versions = versionsOf(delivered);
    expect(new Set(versions).size).toBe(versions.length);
    expect(delivered.map(time)).toEqual([...delivered.map(time)].sort((a, b) => a - b));
    // Every incident as the tenant has it now.
    const latest = incidents.map((incident) => `${incident.incidentId}@${Date.parse(incident.lastUpdateTime)}`);
    expect(latest.filter((version) => !versions.includes(version))).toEqual([]);
    expect(delivered.filter((incident) => incident.assignedTo?.startsWith('changed-')).map((incident) => incident.assignedTo).sort()).toEqual([
      'changed-after-read@contoso.com',
      'changed-before-read@contoso.com',
      'changed-in-window@contoso.com',
      'changed-mid-read@contoso.com',
    ]);
  });

  it('with follow, reads a later poll from one open window, in the requests of a plain listing of it, however narrow the windows that ended the catch-up', async () => {
    const { client, store, tenant, listRequests } = setup(api, 1_500);
    const incidents = [...tenant.incidents.values()];
    // A busy tenant: 100 changes a minute for 15 minutes, so the catch-up's last windows are under a minute wide.
    const t0 = Date.now() - 16 * 60_000;
    incidents.forEach((incident, i) => (incident.lastUpdateTime = new Date(t0 + i * 600).toISOString()));
    const controller = new AbortController();
    const overlapMs = 60_000;
    const options = { checkpoint: store, start: START, follow: true, pollIntervalMs: 1, overlapMs, maxWindowItems: 1_000, batchSize: 10_000, signal: controller.signal };
    const feed = client.incidents.sync(options);
    let delivered = 0;
    let watermark = 0;
    let catchUp = 0;
    const error = await rejection(
      (async () => {
        for await (const batch of feed) {
          delivered += batch.items.length;
          if (catchUp > 0) controller.abort(new Error('second poll read'));
          if (catchUp > 0 || delivered < 1_500) continue;
          catchUp = listRequests().length;
          watermark = Math.max(...batch.items.map(time));
          // 400 incidents change within the minute before the next poll.
          const now = Date.now();
          incidents.slice(0, 400).forEach((incident, i) => (incident.lastUpdateTime = new Date(now - 60_000 + i * 150).toISOString()));
        }
      })(),
    );
    expect((error as Error).message).toBe('second poll read');
    expect(feed.stats.windowsSplit).toBeGreaterThan(0);
    // What the second poll reads: changes from the watermark less the overlap.
    const listed = incidents.filter((incident) => Date.parse(incident.lastUpdateTime) >= watermark - overlapMs).length;
    expect(listed).toBeGreaterThan(400);
    const requests = listRequests().slice(catchUp);
    // A plain listing, and at most the one-item question whether the open window fits.
    expect(requests.length).toBeLessThanOrEqual(listingCalls(api, listed) + 1);
    expect(requests.filter((request) => windowOf(request).to !== undefined)).toEqual([]);
  });

  it('resumes a catch-up that stopped after a committed batch, delivering again only the batch that was not committed', async () => {
    const { client, store, tenant } = setup(api, 400);
    spreadOut(tenant, Date.now() - 8 * 3_600_000);
    const options = { checkpoint: store, start: START, maxWindowItems: 150, batchSize: 40 };
    const first: Incident[][] = [];
    for await (const batch of client.incidents.sync(options)) {
      first.push([...batch.items]);
      if (first.length === 5) break; // the fifth batch is handled, not committed
    }
    const rest = (await drain(client.incidents.sync(options))).flat();
    const committed = versionsOf(first.slice(0, 4).flat());
    expect(versionsOf(rest).filter((version) => committed.includes(version))).toEqual([]);
    expect(versionsOf(rest).slice(0, first[4]!.length)).toEqual(versionsOf(first[4]!));
    expect(new Set([...committed, ...versionsOf(rest)]).size).toBe(400);
    expect(committed.length + rest.length).toBe(400);
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

  it('asks once, in a one-item request, whether a first window that lists more than a page fits, and then pages through it', async () => {
    // More than a page: 100 incidents on the Defender API (alerts are read through them), 1,000 alerts on Graph.
    const { client, store, tenant } = setup(api, api === 'defender' ? 150 : 600);
    const incidents = await client.incidents.list({ expandAlerts: true }).toArray();
    const expected = incidents.flatMap((i) => i.alerts);
    // On the Defender API it asks in incidents: as many as hold maxWindowItems alerts at the first page's density.
    const firstPageAlerts = incidents.slice(0, 100).flatMap((i) => i.alerts).length;
    const before = tenant.requests.length;
    const feed = client.alerts.sync({ checkpoint: store, start: START, maxWindowItems: expected.length + 10, batchSize: 10_000 });
    const delivered = (await drain(feed)).flat();
    expect(ids(delivered).sort()).toEqual(ids(expected).sort());
    const lists = tenant.requests.slice(before).filter((r) => r.route === 'defender.listIncidents' || r.route === 'graph.listAlerts');
    const questions = lists.filter((request) => queryParam(request, '$top') === '1');
    expect(questions.map((request) => [request.route, queryParam(request, api === 'defender' ? '$skip' : '$count')])).toEqual([
      [api === 'defender' ? 'defender.listIncidents' : 'graph.listAlerts', api === 'defender' ? String(Math.floor(((expected.length + 10) * 100) / firstPageAlerts)) : 'true'],
    ]);
    expect(feed.stats).toMatchObject({ windowsSplit: 0, pages: lists.length });
  });
});

describe('alerts.sync on api defender (alerts read through their incidents)', () => {
  it('asks whether a window fits in the incidents that hold maxWindowItems alerts, so one of more alerts but fewer incidents is narrowed, never paged on', async () => {
    const { client, store, tenant, listRequests } = setup('defender', 300);
    const incidents = await client.incidents.list({ expandAlerts: true }).toArray();
    const alerts = incidents.flatMap((i) => i.alerts);
    const firstPageAlerts = incidents.slice(0, 100).flatMap((i) => i.alerts).length;
    // More alerts than maxWindowItems, fewer incidents; the first page's alerts alone fit.
    const maxWindowItems = Math.max(firstPageAlerts, incidents.length) + 1;
    expect(alerts.length).toBeGreaterThan(maxWindowItems);
    const before = tenant.requests.length;
    const feed = client.alerts.sync({ checkpoint: store, start: START, maxWindowItems, batchSize: 10_000 });
    const delivered = (await drain(feed)).flat();
    expect(ids(delivered).sort()).toEqual(ids(alerts).sort());
    const lists = listRequests().filter((request) => tenant.requests.indexOf(request) >= before);
    // The question counts incidents against the alerts they hold: the first window does not fit, and is narrowed at once.
    const [question, ...more] = lists.filter((request) => queryParam(request, '$top') === '1');
    expect(more).toEqual([]);
    expect(Number(queryParam(question!, '$skip'))).toBeLessThan(incidents.length);
    expect(feed.stats.windowsSplit).toBeGreaterThan(0);
    // No open window is paged past its first page: before, the first one was, to the page whose alerts were too many.
    expect(lists.filter((request) => windowOf(request).to === undefined && laterPage(request))).toEqual([]);
  });

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
