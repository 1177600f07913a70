/*
 * The change feed under a lease (`sync({ lease })`): one worker at a time advances the checkpoint,
 * a worker that lost the lease commits nothing more, and the next worker takes over from the
 * checkpoint. Against the fake tenant, with MemoryLease; the lease's time moves on vitest's fake
 * clock only.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidArgumentError,
  LeaseLostError,
  MemoryCheckpointStore,
  MemoryLease,
  type CheckpointStore,
  type Incident,
  type Lease,
  type SyncFeed,
} from '../../src/index.js';
import { fakeTenant, requestsTo, startServer } from '../support/tenant.js';
import { rejection, thrownBy } from '../support/throws.js';

const server = startServer();
const START = '2000-01-01T00:00:00Z';
const TTL = 30_000;
const KEY = 'defender:incidents';
const LEASE_KEY = `${KEY}:lease`;

function setup() {
  // Pacing off: these specs are about who commits, not about quotas.
  const rateLimit = { limits: { incidents: [], alerts: [] } };
  const fake = fakeTenant(server, { incidents: 12, client: { maxRetries: 0, rateLimit } });
  const store = new MemoryCheckpointStore();
  const lease = new CountingLease();
  const listRequests = () => requestsTo(fake.tenant, 'defender').filter((r) => r.route === 'defender.listIncidents').length;
  const sync = (options: Record<string, unknown> = {}) =>
    fake.client.incidents.sync({ checkpoint: store, lease, leaseTtlMs: TTL, start: START, batchSize: 4, ...options });
  return { ...fake, store, lease, listRequests, sync };
}

async function drain<T extends { id: string }>(feed: SyncFeed<T>): Promise<string[]> {
  const seen: string[] = [];
  for await (const batch of feed) seen.push(...batch.items.map((item) => item.id));
  return seen;
}

/** A MemoryLease that counts refused acquisitions and keeps the fences it granted. */
class CountingLease implements Lease {
  readonly #lease = new MemoryLease();
  refused = 0;
  readonly fences: number[] = [];
  async acquire(key: string, ttlMs: number) {
    const grant = await this.#lease.acquire(key, ttlMs);
    if (grant) this.fences.push(grant.fence);
    else this.refused += 1;
    return grant;
  }
  renew(key: string, token: string, ttlMs: number) {
    return this.#lease.renew(key, token, ttlMs);
  }
  release(key: string, token: string) {
    return this.#lease.release(key, token);
  }
}

const ids = (items: readonly Incident[]) => items.map((item) => item.id);

describe('incidents.sync({ lease })', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['Date'] }));
  afterEach(() => void vi.useRealTimers());

  it('claims the checkpoint with the fence of its lease, commits with it, and releases the lease when it ends', async () => {
    const { sync, store, lease } = setup();
    const feed = sync();
    expect(await drain(feed)).toHaveLength(12);
    expect(feed.leaseHeldElsewhere).toBe(false);
    // The claim and three batches, all carrying the first fence.
    expect(await store.get(KEY)).toMatchObject({ version: 4, fence: 1 });
    const next = await lease.acquire(LEASE_KEY, TTL);
    expect(next?.fence).toBe(2);
  });

  it('releases the lease when the consumer breaks out of the loop, and the next run takes over from the checkpoint', async () => {
    const { sync, lease } = setup();
    const first: string[] = [];
    for await (const batch of sync()) {
      first.push(...ids(batch.items));
      if (first.length === 8) break;
    }
    // Not expired: released. The next run resumes after the committed first batch.
    const rest = await drain(sync());
    expect(rest).toHaveLength(8);
    expect(new Set([...first, ...rest]).size).toBe(12);
    expect(await lease.acquire(LEASE_KEY, TTL)).toBeDefined();
  });

  it('ends at once with no batch and leaseHeldElsewhere when another worker holds the lease, reading nothing and writing nothing', async () => {
    const { sync, store, listRequests } = setup();
    const holder = sync()[Symbol.asyncIterator]();
    expect((await holder.next()).done).toBe(false);
    const checkpoint = await store.get(KEY);
    const requests = listRequests();

    const other = sync();
    expect(await drain(other)).toEqual([]);
    expect(other.leaseHeldElsewhere).toBe(true);
    expect(other.stats).toMatchObject({ polls: 0, pages: 0 });
    expect(listRequests()).toBe(requests);
    expect(await store.get(KEY)).toEqual(checkpoint);
    await holder.return?.(undefined);
  });

  it('stops a worker that was paused past its lease (another took over) with LeaseLostError at its next commit, committing nothing; the other delivers everything', async () => {
    const { sync, store } = setup();
    const paused = sync()[Symbol.asyncIterator]();
    const handed = await paused.next();
    expect(handed.done).toBe(false);
    const claimed = await store.get(KEY);

    vi.setSystemTime(Date.now() + 2 * TTL); // the process froze: no timer ran, the lease expired
    const takeover = await drain(sync());
    expect(takeover).toHaveLength(12);
    const afterTakeover = await store.get(KEY);
    expect(afterTakeover).toMatchObject({ fence: 2 });
    expect(afterTakeover!.version).toBeGreaterThan(claimed!.version);

    const error = await rejection(paused.next());
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(error).toMatchObject({ key: LEASE_KEY, fence: 1 });
    expect(await store.get(KEY)).toEqual(afterTakeover);
  });

  it('refuses, by the fence, the commit of a worker whose lease lapsed between confirming it and writing, and stops it with LeaseLostError', async () => {
    const { sync, client, lease } = setup();
    const shared = new MemoryCheckpointStore();
    let meanwhile: (() => Promise<void>) | undefined;
    // The worker's writes reach the store late: by then its lease expired and another worker claimed the checkpoint.
    const slow: CheckpointStore = {
      get: (key) => shared.get(key),
      set: async (key, value, version, options) => {
        const run = meanwhile;
        meanwhile = undefined;
        await run?.();
        return shared.set(key, value, version, options);
      },
    };
    const late = sync({ checkpoint: slow })[Symbol.asyncIterator]();
    expect((await late.next()).done).toBe(false);
    let next: Incident[] | undefined;
    meanwhile = async () => {
      vi.setSystemTime(Date.now() + 2 * TTL);
      const other = client.incidents.sync({ checkpoint: shared, lease, leaseTtlMs: TTL, start: START, batchSize: 4 })[Symbol.asyncIterator]();
      next = [...((await other.next()).value?.items ?? [])];
      await other.return?.(undefined);
    };
    const before = await shared.get(KEY);
    const error = await rejection(late.next());
    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as LeaseLostError).message).toMatch(/fence 2 > 1/);
    // Only the other worker's claim was written; its first batch, like ours, is delivered again next time.
    expect(next).toHaveLength(4);
    expect(await shared.get(KEY)).toMatchObject({ version: before!.version + 1, fence: 2 });
  });

  it('waits as a standby with follow, and takes over once its dead holder\'s lease runs out, from the last commit', async () => {
    const { sync, lease } = setup();
    const dead = sync()[Symbol.asyncIterator]();
    const committed = ids((await dead.next()).value!.items);
    const uncommitted = ids((await dead.next()).value!.items); // asking for it committed the first batch
    // The holder dies here: it neither commits nor releases, nor renews (no timer runs on the fake clock).

    const controller = new AbortController();
    const standby = sync({ follow: true, pollIntervalMs: 1, signal: controller.signal })[Symbol.asyncIterator]();
    const first = standby.next();
    await vi.waitFor(() => expect(lease.refused).toBeGreaterThanOrEqual(2));
    vi.setSystemTime(Date.now() + TTL);
    const delivered = ids((await first).value!.items);
    expect(delivered).toEqual(uncommitted);
    while (delivered.length < 8) delivered.push(...ids((await standby.next()).value!.items));
    controller.abort(new Error('shutting down'));
    expect(((await rejection(standby.next())) as Error).message).toBe('shutting down');
    expect(new Set([...committed, ...delivered]).size).toBe(12);
    expect(lease.fences).toEqual([1, 2]);
    await dead.return?.(undefined);
  });

  it('rejects with the lease store\'s error when it cannot be asked, reading nothing', async () => {
    const { client, store, listRequests } = setup();
    const unreachable: Lease = {
      acquire: async () => {
        throw new Error('lease store unreachable');
      },
      renew: async () => false,
      release: async () => undefined,
    };
    const error = await rejection(drain(client.incidents.sync({ checkpoint: store, lease: unreachable, start: START })));
    expect((error as Error).message).toBe('lease store unreachable');
    expect(listRequests()).toBe(0);
    expect(await store.get(KEY)).toBeUndefined();
  });

  it('rejects with an InvalidArgumentError naming the lease when it grants something that is not { token, fence }, reading nothing', async () => {
    const { client, store, listRequests } = setup();
    const broken = { acquire: async () => ({ token: 'x', fence: 0 }), renew: async () => true, release: async () => undefined };
    const error = await rejection(drain(client.incidents.sync({ checkpoint: store, lease: broken as Lease, start: START })));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe('lease');
    expect(listRequests()).toBe(0);
  });

  it.each([
    ['a lease that is not a Lease', { lease: { acquire() {} } }, 'lease'],
    ['leaseTtlMs without a lease', { lease: undefined, leaseTtlMs: 10_000 }, 'leaseTtlMs'],
    ['leaseTtlMs under a second', { leaseTtlMs: 999 }, 'leaseTtlMs'],
    ['leaseTtlMs over a day', { leaseTtlMs: 86_400_001 }, 'leaseTtlMs'],
    ['a fractional leaseTtlMs', { leaseTtlMs: 1_500.5 }, 'leaseTtlMs'],
    ['a key too long to name its lease', { key: 'k'.repeat(251) }, 'key'],
  ])('refuses %s with an InvalidArgumentError naming the option', (_case, options, option) => {
    const { sync } = setup();
    const error = thrownBy(InvalidArgumentError, () => sync(options));
    expect(error.option).toBe(option);
  });
});


describe('incidents.sync({ lease }) renewing in the background', () => {
  beforeEach(() => void vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] }));
  afterEach(() => void vi.useRealTimers());

  it('keeps the lease while the consumer works on a batch for several times its ttl', async () => {
    const { sync, lease } = setup();
    const feed = sync()[Symbol.asyncIterator]();
    const first = ids((await feed.next()).value!.items);
    await vi.advanceTimersByTimeAsync(3 * TTL);
    expect(await lease.acquire(LEASE_KEY, TTL)).toBeUndefined();
    const rest: string[] = [];
    for (let step = await feed.next(); !step.done; step = await feed.next()) rest.push(...ids(step.value.items));
    expect(new Set([...first, ...rest]).size).toBe(12);
  });

  it('stops with LeaseLostError, committing nothing more, when a renewal finds another worker holding the lease', async () => {
    const { sync, store, lease } = setup();
    const feed = sync()[Symbol.asyncIterator]();
    expect((await feed.next()).done).toBe(false);
    const claimed = await store.get(KEY);
    vi.setSystemTime(Date.now() + 2 * TTL); // frozen past the ttl, then another worker takes the lease
    expect(await lease.acquire(LEASE_KEY, TTL)).toMatchObject({ fence: 2 });
    await vi.advanceTimersByTimeAsync(TTL / 3);
    const error = await rejection(feed.next());
    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as LeaseLostError).message).toMatch(/before it could be renewed/);
    expect(await store.get(KEY)).toEqual(claimed);
  });
});
