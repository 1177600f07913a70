/*
 * Who shares the pacer's counts and 429 holds: clients of one app share the process-wide default
 * store; a client given `new MemoryQuotaStore()` has its own; clients given one store share it.
 */
import { describe, expect, it } from 'vitest';
import {
  DefenderClient,
  InvalidArgumentError,
  MemoryQuotaStore,
  RateLimitError,
  type QuotaStore,
  type RateLimitInfo,
} from '../../src/index.js';
import { CLIENT_ID, TENANT_ID, TenantCredential, fakeTenant, requestsTo, startServer } from '../support/tenant.js';
import { rejection, thrownBy } from '../support/throws.js';

const server = startServer();
const quota = { error: { code: '429', message: 'API calls quota exceeded! maximum allowed 100 per 00:01:00', target: 'q-1' } };
const throttle = { status: 429, body: quota, headers: { 'retry-after': '30' } } as const;
const firstId = (tenant: { incidents: Map<number, unknown> }) => String([...tenant.incidents.keys()][0]);

/** Options of a client that tells what it would wait for, and refuses to wait. */
function refusingWaits(waits: RateLimitInfo[], store?: QuotaStore) {
  const onRateLimit = (info: RateLimitInfo) => {
    waits.push(info);
    return false;
  };
  return { ...(store ? { store } : {}), onRateLimit };
}

describe('the quota store', () => {
  it('is shared by default between two clients of one app: a 429 seen by one holds the other', async () => {
    const { tenant } = fakeTenant(server);
    const id = firstId(tenant);
    const { clientSecret } = tenant.credential(CLIENT_ID);
    // two option objects naming the same tenant and app: two clients, one quota
    const app = () => ({ tenantId: TENANT_ID, clientId: CLIENT_ID, clientSecret: clientSecret! });
    const first = new DefenderClient({ credential: app(), maxRetryWaitMs: 10_000 });
    const waits: RateLimitInfo[] = [];
    const second = new DefenderClient({ credential: app(), maxRetryWaitMs: 60_000, rateLimit: refusingWaits(waits) });
    tenant.faults.add('defender.getIncident', throttle);
    await expect(first.incidents.get(id)).rejects.toBeInstanceOf(RateLimitError);
    expect(requestsTo(tenant, 'defender')).toHaveLength(1);

    const error = await rejection(second.incidents.get(id));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ code: 'ClientRateLimited' });
    expect(waits).toEqual([expect.objectContaining({ family: 'incidents.get', attempt: 1 })]);
    expect(waits[0]!.waitMs).toBeGreaterThan(0);
    expect(waits[0]!.waitMs).toBeLessThanOrEqual(30_000);
    // the held client sent nothing
    expect(requestsTo(tenant, 'defender')).toHaveLength(1);
  });

  it('is a client\'s own with new MemoryQuotaStore(): another client\'s 429 does not hold it', async () => {
    const { client, credential, tenant } = fakeTenant(server);
    const id = firstId(tenant);
    tenant.faults.add('defender.getIncident', throttle);
    await expect(client.incidents.get(id)).rejects.toBeInstanceOf(RateLimitError);

    const ownWaits: RateLimitInfo[] = [];
    const own = new DefenderClient({ credential, maxRetryWaitMs: 60_000, rateLimit: refusingWaits(ownWaits, new MemoryQuotaStore()) });
    expect((await own.incidents.get(id)).id).toBe(id);
    expect(ownWaits).toEqual([]);
    expect(requestsTo(tenant, 'defender')).toHaveLength(2);

    // the same credential with the default store is held: the hold is there to be missed
    const sharedWaits: RateLimitInfo[] = [];
    const shared = new DefenderClient({ credential, maxRetryWaitMs: 60_000, rateLimit: refusingWaits(sharedWaits) });
    await expect(shared.incidents.get(id)).rejects.toMatchObject({ code: 'ClientRateLimited' });
    expect(sharedWaits).toHaveLength(1);
    expect(requestsTo(tenant, 'defender')).toHaveLength(2);
  });

  it('is shared by the clients given it, whatever their credentials: counts and holds', async () => {
    const { tenant } = fakeTenant(server);
    const id = firstId(tenant);
    const store = new MemoryQuotaStore();
    const limits = { 'incidents.get': [{ limit: 3, intervalMs: 60_000 }] };
    const waits: RateLimitInfo[] = [];
    const client = () =>
      new DefenderClient({ credential: new TenantCredential(tenant), maxRetryWaitMs: 120_000, rateLimit: { limits, ...refusingWaits(waits, store) } });
    const [a, b] = [client(), client()];
    // Counts: three calls of one fill the window for both.
    for (let i = 0; i < 3; i++) await a.incidents.get(id);
    await expect(b.incidents.get(id)).rejects.toMatchObject({ code: 'ClientRateLimited' });
    expect(requestsTo(tenant, 'defender')).toHaveLength(3);
    expect(waits).toHaveLength(1);

    // Holds: a 429 seen by a third client of the store holds a fourth, on another family too.
    const [c, d] = [client(), client()];
    tenant.faults.add('defender.listIncidents', throttle);
    await expect(c.incidents.list().toArray()).rejects.toBeInstanceOf(RateLimitError);
    await expect(d.incidents.list().toArray()).rejects.toMatchObject({ code: 'ClientRateLimited' });
    // c's own retry waits for the hold too (attempt 2); d, a stranger to the 429, is held as well
    expect(waits.slice(1)).toEqual([
      expect.objectContaining({ family: 'incidents', attempt: 2 }),
      expect.objectContaining({ family: 'incidents', attempt: 1 }),
    ]);
    expect(waits[2]!.waitMs).toBeGreaterThan(0);
    expect(waits[2]!.waitMs).toBeLessThanOrEqual(30_000);
    expect(requestsTo(tenant, 'defender')).toHaveLength(4);
  });

  it('may answer with promises: a store that does paces the same', async () => {
    const { tenant } = fakeTenant(server);
    const id = firstId(tenant);
    const memory = new MemoryQuotaStore();
    const asked: string[] = [];
    const store: QuotaStore = {
      take: async (key, request) => (asked.push(key), memory.take(key, request)),
      hold: async (key, holdMs, kind) => memory.hold(key, holdMs, kind),
      getHold: async (key) => memory.getHold(key),
    };
    const waits: RateLimitInfo[] = [];
    const client = new DefenderClient({
      credential: new TenantCredential(tenant),
      maxRetryWaitMs: 120_000,
      rateLimit: { limits: { 'incidents.get': [{ limit: 4, intervalMs: 60_000 }] }, ...refusingWaits(waits, store) },
    });
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => client.incidents.get(id)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(4);
    expect(requestsTo(tenant, 'defender')).toHaveLength(4);
    expect(waits).toHaveLength(2);
    expect(asked.every((key) => key === 'defender incidents.get')).toBe(true);
  });

  it('in memory answers at once, not with a promise, and counts every window', () => {
    const store = new MemoryQuotaStore();
    const windows = [{ limit: 2, intervalMs: 1_000 }, { limit: 3, intervalMs: 60_000 }];
    expect(store.take('k', { windows })).toBe(0);
    expect(store.take('k', { windows })).toBe(0);
    const wait = store.take('k', { windows });
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1_000);
    // another key counts apart; a call queued ahead takes nothing
    expect(store.take('other', { windows, ahead: [windows] })).toBe(0);
    expect(store.take('other', { windows })).toBe(0);
    expect(store.getHold('k')).toBeUndefined();
    expect(store.hold('k', 5_000, 'cpu')).toBe(true);
    expect(store.hold('k', 1_000, 'calls')).toBe(false);
    expect(store.getHold('k')).toEqual({ remainingMs: expect.any(Number), quota: 'cpu' });
    expect(store.take('k', { windows })).toBeGreaterThan(4_000);
  });

  it.each([
    ['a string', 'redis'],
    ['an object without its methods', {}],
    ['an object missing getHold', { take: () => 0, hold: () => true }],
  ])('refuses rateLimit.store given %s, with a typed error naming it', (_what, store) => {
    const { credential } = fakeTenant(server);
    const error = thrownBy(InvalidArgumentError, () => new DefenderClient({ credential, rateLimit: { store: store as never } }));
    expect(error).toMatchObject({ option: 'rateLimit.store' });
    expect(error.message).toMatch(/rateLimit\.store must be a QuotaStore .*take, hold and getHold/);
  });
});
