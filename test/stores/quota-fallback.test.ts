/*
 * A shared quota store that fails or hangs never stops calls: the pacer paces with its own
 * memory (one warning, `fallback: true` in onRateLimit), tries the store again at most every
 * storeRetryMs, and goes back to it once it answers.
 */
import { describe, expect, it } from 'vitest';
import { DefenderClient, InvalidArgumentError, MemoryQuotaStore, RateLimitError, type QuotaHold, type QuotaStore, type RateLimitInfo, type RateLimitOptions } from '../../src/index.js';
import type { FakeTenant } from '../../src/testing/index.js';
import { TenantCredential, fakeTenant, requestsTo, startServer } from '../support/tenant.js';
import { rejection, thrownBy } from '../support/throws.js';

const server = startServer();
const firstId = (tenant: { incidents: Map<number, unknown> }) => String([...tenant.incidents.keys()][0]);

/** A store that answers through `memory` while `state.mode` is `'up'`, never while `'hang'`, and rejects while `'fail'`. */
function flakyStore(state: { mode: 'up' | 'hang' | 'fail'; asked: number }): QuotaStore {
  const memory = new MemoryQuotaStore();
  const answer = <T>(value: () => T): Promise<T> => {
    state.asked += 1;
    if (state.mode === 'hang') return new Promise<T>(() => {});
    if (state.mode === 'fail') return Promise.reject(new Error('connect ECONNREFUSED redis://admin:pw-123@10.0.0.5:6379'));
    return Promise.resolve(value());
  };
  return {
    take: (key, request) => answer(() => memory.take(key, request)),
    hold: (key, holdMs, quota) => answer(() => memory.hold(key, holdMs, quota)),
    getHold: (key) => answer(() => memory.getHold(key)),
  };
}

function logger() {
  const lines: { warn: string[]; info: string[] } = { warn: [], info: [] };
  return { lines, logger: { warn: (m: string) => void lines.warn.push(m), info: (m: string) => void lines.info.push(m), debug: () => {}, error: () => {} } };
}

/** A client of `tenant` on `store`, three incidents.get calls a 30 s window, cancelling every wait; its log lines and waits kept. */
function pacedClient(tenant: FakeTenant, store: QuotaStore, rateLimit: Omit<RateLimitOptions, 'store'>) {
  const { lines, logger: log } = logger();
  const waits: RateLimitInfo[] = [];
  const onRateLimit = (info: RateLimitInfo) => {
    waits.push(info);
    return false;
  };
  const client = new DefenderClient({
    credential: new TenantCredential(tenant),
    logger: log,
    rateLimit: { store, limits: { 'incidents.get': [{ limit: 3, intervalMs: 30_000 }] }, onRateLimit, ...rateLimit },
  });
  return { client, lines, waits };
}

/** The local memory paces the family: three calls go, the fourth would wait and is cancelled (told with fallback: true). */
async function expectPacedLocally(paced: ReturnType<typeof pacedClient>, tenant: FakeTenant) {
  const id = firstId(tenant);
  for (let i = 0; i < 3; i++) await paced.client.incidents.get(id);
  expect(await rejection(paced.client.incidents.get(id))).toBeInstanceOf(RateLimitError);
  expect(requestsTo(tenant, 'defender')).toHaveLength(3);
  expect(paced.waits).toEqual([expect.objectContaining({ family: 'incidents.get', fallback: true })]);
}

describe('a quota store that does not answer', () => {
  it.each(['hang', 'fail'] as const)('(%s) lets calls through paced locally, with one warning, and is used again once it answers', async (mode) => {
    const { tenant } = fakeTenant(server);
    const id = firstId(tenant);
    const state = { mode: mode as 'up' | 'hang' | 'fail', asked: 0 };
    const paced = pacedClient(tenant, flakyStore(state), { storeTimeoutMs: 50, storeRetryMs: 1 });
    const { client, lines } = paced;
    await expectPacedLocally(paced, tenant);
    expect(lines.warn).toEqual([expect.stringMatching(/^rateLimit\.store failed \(.*\): pacing with this process's memory alone/)]);
    expect(lines.warn[0]).not.toMatch(/pw-123|admin/);

    state.mode = 'up';
    const asked = state.asked;
    // the store is asked again (no sooner than storeRetryMs) and counts from then on: its count is empty
    for (let i = 0; i < 50 && lines.info.length === 0; i++) {
      await client.incidents.get(id).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(lines.info).toEqual(['rateLimit.store answers again: pacing with it again.']);
    expect(state.asked).toBeGreaterThan(asked);
    expect(lines.warn).toHaveLength(1);
  });

  it.each<[string, string, () => unknown]>([
    ['undefined', 'undefined', () => Promise.resolve(undefined)],
    ['NaN, at once', 'NaN', () => Number.NaN],
    ['a string', 'a string', () => Promise.resolve('redis://admin:pw-123@10.0.0.5')],
    ['a negative number, at once', 'a negative number', () => -1],
  ])('whose take answers %s is a failing store: calls go out paced locally, the store asked once, one warning', async (_what, shape, answer) => {
    const { tenant } = fakeTenant(server);
    const asked = { take: 0, other: 0 };
    const memory = new MemoryQuotaStore();
    // Past 50 questions it rejects, so that a pacer asking without end fails this test instead of hanging it.
    const store = {
      take: () => (++asked.take > 50 ? Promise.reject(new Error('asked without end')) : answer()),
      hold: (key: string, holdMs: number, quota: 'calls') => (asked.other++, memory.hold(key, holdMs, quota)),
      getHold: (key: string) => (asked.other++, memory.getHold(key)),
    } as unknown as QuotaStore;
    const paced = pacedClient(tenant, store, { storeRetryMs: 600_000 });
    const { lines } = paced;
    await expectPacedLocally(paced, tenant);
    expect(asked).toEqual({ take: 1, other: 0 });
    expect(lines.warn).toEqual([`rateLimit.store failed (take answered ${shape}, not a wait in milliseconds (a finite number, 0 or more)): pacing with this process's memory alone until it answers again (tried every 600000 ms); calls of other processes sharing the store are not counted meanwhile.`]);
    expect(lines.warn[0]).not.toMatch(/pw-123|admin/);
  });

  it('whose getHold or hold answers something of the wrong shape is a failing store: its answer is not used', async () => {
    const { tenant } = fakeTenant(server);
    const id = firstId(tenant);
    // Each client has a store of its own: a store's failover is shared by every client using it.
    const wrongStore = (): QuotaStore => {
      const memory = new MemoryQuotaStore();
      return {
        take: (key, request) => Promise.resolve(memory.take(key, request)),
        hold: () => Promise.resolve('yes' as unknown as boolean),
        getHold: () => Promise.resolve({ remainingMs: 5, quota: 'a quota of its own' } as unknown as QuotaHold),
      };
    };
    const { lines, logger: log } = logger();
    const client = new DefenderClient({
      credential: new TenantCredential(tenant),
      logger: log,
      rateLimit: { store: wrongStore(), storeRetryMs: 600_000, limits: { 'incidents.get': [{ limit: 1, intervalMs: 30_000 }] }, onRateLimit: () => false },
    });
    await client.incidents.get(id);
    // The refusal names the quota of the local hold (none: calls), not the store's made-up one.
    const refused = await rejection(client.incidents.get(id));
    expect(refused).toMatchObject({ quota: 'calls' });
    expect(lines.warn).toEqual([expect.stringMatching(/^rateLimit\.store failed \(getHold answered an object of another shape, not undefined or \{ remainingMs, quota \}\)/)]);

    const other = fakeTenant(server);
    other.tenant.faults.add('defender.getIncident', { status: 429, body: { error: { code: '429', message: 'API calls quota exceeded!' } }, headers: { 'retry-after': '1' } });
    const held = logger();
    const holding = new DefenderClient({ credential: new TenantCredential(other.tenant), logger: held.logger, maxRetries: 0, rateLimit: { store: wrongStore(), storeRetryMs: 600_000 } });
    expect(await rejection(holding.incidents.get(firstId(other.tenant)))).toBeInstanceOf(RateLimitError);
    expect(held.lines.warn).toEqual([expect.stringMatching(/^rateLimit\.store failed \(hold answered a string, not true or false\)/)]);
  });

  it('refuses storeTimeoutMs and storeRetryMs that are not positive integers', () => {
    const { tenant } = fakeTenant(server);
    for (const [option, value] of [['storeTimeoutMs', 0], ['storeRetryMs', 1.5]] as const) {
      const error = thrownBy(InvalidArgumentError, () => new DefenderClient({ credential: new TenantCredential(tenant), rateLimit: { [option]: value } }));
      expect(error.option).toBe(`rateLimit.${option}`);
    }
  });
});
