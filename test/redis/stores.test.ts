/*
 * The contracts of the Redis stores against a real redis-server, with each client library:
 * compare-and-set and fences for checkpoints, one holder and growing fences for leases, slots
 * taken in every window at once and holds shared for quotas; and what an unreachable Redis does.
 */
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, CheckpointUnavailableError, InvalidArgumentError, LeaseUnavailableError } from '../../src/index.js';
import { RedisCheckpointStore, RedisLease, RedisQuotaStore, type RedisClientLike } from '../../src/redis/index.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { rejection, thrownBy } from '../support/throws.js';

let server: TestRedis;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.close();
});

/** A connected client of one library, its raw command, and how to close it. */
interface Library {
  name: string;
  connect(url: string): Promise<{ client: RedisClientLike; command(...args: string[]): Promise<unknown>; close(): Promise<void> }>;
}

const LIBRARIES: Library[] = [
  {
    name: 'redis',
    connect: async (url) => {
      const client = createClient({ url, socket: { reconnectStrategy: 50 } });
      client.on('error', () => {});
      await client.connect();
      return { client, command: (...args) => client.sendCommand(args), close: async () => void client.destroy() };
    },
  },
  {
    name: 'ioredis',
    connect: async (url) => {
      const client = new Redis(url, { retryStrategy: () => 50 });
      client.on('error', () => {});
      await new Promise((resolve) => client.once('ready', resolve));
      return { client, command: (name, ...args) => client.call(name!, ...args), close: async () => void client.disconnect() };
    },
  },
];

/** The Redis Cluster slot of a key, as the Cluster specification computes it (CRC16 of the hash tag). */
function clusterSlot(key: string): number {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(hashed)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

let prefixes = 0;
/** A key prefix no other test uses: the tests share one server. */
const fresh = () => `test${++prefixes}:`;

describe.each(LIBRARIES)('with $name', (library) => {
  let conn: Awaited<ReturnType<Library['connect']>>;
  let other: Awaited<ReturnType<Library['connect']>>;
  beforeAll(async () => {
    conn = await library.connect(server.url);
    other = await library.connect(server.url);
  });
  afterAll(async () => {
    await conn?.close();
    await other?.close();
  });

  describe('RedisCheckpointStore', () => {
    it('writes only by compare-and-set on the version', async () => {
      const store = new RedisCheckpointStore(conn.client, { keyPrefix: fresh() });
      expect(await store.get('incidents')).toBeUndefined();
      expect(await store.set('incidents', 'a', undefined)).toBe(true);
      expect(await store.set('incidents', 'a2', undefined)).toBe(false);
      expect(await store.set('incidents', 'b', 1)).toBe(true);
      expect(await store.set('incidents', 'c', 1)).toBe(false);
      expect(await store.get('incidents')).toEqual({ value: 'b', version: 2 });
    });

    it('lets exactly one of twenty concurrent writers of one version win, across connections', async () => {
      const keyPrefix = fresh();
      const stores = [new RedisCheckpointStore(conn.client, { keyPrefix }), new RedisCheckpointStore(other.client, { keyPrefix })];
      await stores[0]!.set('feed', 'start', undefined);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.set('feed', `w${i}`, 1)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await stores[1]!.get('feed'))?.version).toBe(2);
    });

    it('refuses a write whose fence is lower than one recorded, and keeps the highest fence', async () => {
      const store = new RedisCheckpointStore(conn.client, { keyPrefix: fresh() });
      expect(await store.set('feed', 'a', undefined, { fence: 3 })).toBe(true);
      expect(await store.get('feed')).toEqual({ value: 'a', version: 1, fence: 3 });
      expect(await store.set('feed', 'stale', 1, { fence: 2 })).toBe(false);
      expect(await store.set('feed', 'b', 1, { fence: 3 })).toBe(true);
      expect(await store.set('feed', 'c', 2)).toBe(true);
      expect(await store.get('feed')).toEqual({ value: 'c', version: 3, fence: 3 });
    });

    it('keeps checkpoints apart by keyPrefix, and reads a value with any characters back as written', async () => {
      const value = 'v1:{"t":"2026-01-01T00:00:00Z"} ünïcode\n';
      const a = new RedisCheckpointStore(conn.client, { keyPrefix: fresh() });
      const b = new RedisCheckpointStore(conn.client, { keyPrefix: fresh() });
      await a.set('feed', value, undefined);
      expect(await a.get('feed')).toEqual({ value, version: 1 });
      expect(await b.get('feed')).toBeUndefined();
    });

    it('throws a CheckpointError, and changes nothing, on a key that holds something else', async () => {
      const keyPrefix = fresh();
      await conn.command('SET', `${keyPrefix}checkpoint:{feed}`, 'not a hash');
      const store = new RedisCheckpointStore(conn.client, { keyPrefix });
      expect(await rejection(store.get('feed'))).toBeInstanceOf(CheckpointError);
      const error = await rejection(store.set('feed', 'x', undefined));
      expect(error).toBeInstanceOf(CheckpointError);
      expect(error).not.toBeInstanceOf(CheckpointUnavailableError);
      expect(await conn.command('GET', `${keyPrefix}checkpoint:{feed}`)).toBe('not a hash');
    });

    it('runs its scripts again after the server forgot them (EVALSHA, then EVAL on NOSCRIPT)', async () => {
      const store = new RedisCheckpointStore(conn.client, { keyPrefix: fresh() });
      await store.set('feed', 'a', undefined);
      await conn.command('SCRIPT', 'FLUSH');
      expect(await store.set('feed', 'b', 1)).toBe(true);
      expect(await store.get('feed')).toEqual({ value: 'b', version: 2 });
    });

    it('fails with CheckpointUnavailableError when Redis does not answer within commandTimeoutMs', async () => {
      const store = new RedisCheckpointStore(conn.client, { keyPrefix: fresh(), commandTimeoutMs: 50 });
      await other.command('CLIENT', 'PAUSE', '1500', 'ALL');
      const error = await rejection(store.set('feed', 'late', undefined));
      expect(error).toBeInstanceOf(CheckpointUnavailableError);
      expect((error as CheckpointUnavailableError).key).toBe('feed');
      expect((error as Error).message).toMatch(/did not answer within commandTimeoutMs \(50 ms\)/);
      await other.command('CLIENT', 'UNPAUSE');
    });
  });

  describe('RedisLease', () => {
    it('has one holder; a wrong token neither renews nor releases it; each acquisition has a greater fence', async () => {
      const lease = new RedisLease(conn.client, { keyPrefix: fresh() });
      const first = await lease.acquire('sync', 60_000);
      expect(first?.fence).toBe(1);
      expect(await lease.acquire('sync', 60_000)).toBeUndefined();
      expect(await lease.renew('sync', 'not-the-token', 60_000)).toBe(false);
      await lease.release('sync', 'not-the-token');
      expect(await lease.acquire('sync', 60_000)).toBeUndefined();
      expect(await lease.renew('sync', first!.token, 60_000)).toBe(true);
      await lease.release('sync', first!.token);
      const second = await lease.acquire('sync', 60_000);
      expect(second?.fence).toBe(2);
      expect(second?.token).not.toBe(first?.token);
    });

    it('gives one winner among twenty concurrent acquisitions on two connections', async () => {
      const keyPrefix = fresh();
      const leases = [new RedisLease(conn.client, { keyPrefix }), new RedisLease(other.client, { keyPrefix })];
      const grants = await Promise.all(Array.from({ length: 20 }, (_, i) => leases[i % 2]!.acquire('sync', 60_000)));
      expect(grants.filter((g) => g !== undefined)).toEqual([{ token: expect.any(String), fence: 1 }]);
    });

    it('gives up, once Redis answers again, a lease whose acquisition timed out (nobody is left holding it for a ttl)', async () => {
      const keyPrefix = fresh();
      const lease = new RedisLease(conn.client, { keyPrefix, commandTimeoutMs: 50 });
      await other.command('CLIENT', 'PAUSE', '30000', 'WRITE'); // scripts wait; CLIENT UNPAUSE does not
      const error = await rejection(lease.acquire('sync', 60_000));
      expect(error).toBeInstanceOf(LeaseUnavailableError);
      await other.command('CLIENT', 'UNPAUSE');
      await conn.command('PING'); // answered after the timed-out acquisition and the release sent after it
      const next = await new RedisLease(other.client, { keyPrefix }).acquire('sync', 60_000);
      expect(next?.fence).toBe(2);
    });

    it('expires on its own; the next holder gets a greater fence and the old token renews nothing', async () => {
      const lease = new RedisLease(conn.client, { keyPrefix: fresh() });
      const first = await lease.acquire('sync', 100);
      let second: Awaited<ReturnType<RedisLease['acquire']>>;
      // Redis expires the key on its clock: poll for it (bounded by the test's timeout, not asserted on time)
      while (!(second = await lease.acquire('sync', 60_000))) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(second.fence).toBe(first!.fence + 1);
      expect(await lease.renew('sync', first!.token, 60_000)).toBe(false);
      await lease.release('sync', first!.token);
      expect(await lease.acquire('sync', 60_000)).toBeUndefined();
    });
  });

  describe('RedisQuotaStore', () => {
    const minute = { limit: 3, intervalMs: 60_000 };
    const hour = { limit: 2, intervalMs: 3_600_000 };

    it('takes a slot in every window at once, or in none', async () => {
      const store = new RedisQuotaStore(conn.client, { keyPrefix: fresh() });
      expect(await store.take('t:a:defender:incidents', { windows: [minute, hour] })).toBe(0);
      expect(await store.take('t:a:defender:incidents', { windows: [minute, hour] })).toBe(0);
      // the hour window is full: the minute window gets nothing either
      expect(await store.take('t:a:defender:incidents', { windows: [minute, hour] })).toBeGreaterThan(3_000_000);
      expect(await store.take('t:a:defender:incidents', { windows: [minute] })).toBe(0);
      const wait = await store.take('t:a:defender:incidents', { windows: [minute] });
      expect(wait).toBeGreaterThan(55_000);
      expect(wait).toBeLessThanOrEqual(60_000);
    });

    it('grants exactly the limit to forty concurrent takers on two connections', async () => {
      const keyPrefix = fresh();
      const stores = [new RedisQuotaStore(conn.client, { keyPrefix }), new RedisQuotaStore(other.client, { keyPrefix })];
      const window = { limit: 7, intervalMs: 60_000 };
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 2]!.take('k', { windows: [window] })));
      expect(answers.filter((a) => a === 0)).toHaveLength(7);
    });

    it('takes nothing for a call with calls ahead, and answers the wait after them', async () => {
      const store = new RedisQuotaStore(conn.client, { keyPrefix: fresh() });
      const window = { limit: 2, intervalMs: 60_000 };
      expect(await store.take('k', { windows: [window] })).toBe(0);
      expect(await store.take('k', { windows: [window], ahead: [[window]] })).toBeGreaterThan(55_000);
      expect(await store.take('k', { windows: [window], ahead: [] })).toBe(0);
      expect(await store.take('k', { windows: [window] })).toBeGreaterThan(55_000);
    });

    it('shares a 429 hold with every user of the store', async () => {
      const keyPrefix = fresh();
      const one = new RedisQuotaStore(conn.client, { keyPrefix });
      const two = new RedisQuotaStore(other.client, { keyPrefix });
      expect(await two.getHold('k')).toBeUndefined();
      expect(await one.hold('k', 30_000, 'cpu')).toBe(true);
      expect(await two.hold('k', 10_000, 'calls')).toBe(false);
      const hold = await two.getHold('k');
      expect(hold?.quota).toBe('cpu');
      expect(hold?.remainingMs).toBeGreaterThan(20_000);
      expect(hold?.remainingMs).toBeLessThanOrEqual(30_000);
      expect(await two.take('k', { windows: [{ limit: 100, intervalMs: 60_000 }] })).toBeGreaterThan(20_000);
    });

    it('keeps the keys of a family on one Cluster slot (one hash tag)', async () => {
      const keyPrefix = fresh();
      const store = new RedisQuotaStore(conn.client, { keyPrefix });
      await store.take('t:a:defender:hunting', { windows: [minute] });
      await store.hold('t:a:defender:hunting', 1_000, 'calls');
      const keys = (await conn.command('KEYS', `${keyPrefix}*`)) as string[];
      expect(keys.sort()).toEqual([`${keyPrefix}quota:{t:a:defender:hunting}:log`, `${keyPrefix}quota:{t:a:defender:hunting}:state`]);
      expect(new Set(keys.map(clusterSlot)).size).toBe(1);
      expect(clusterSlot(`${keyPrefix}quota:{t:a:defender:incidents}:log`)).not.toBe(clusterSlot(keys[0]!));
    });
  });
});

describe('a client that is not connected', () => {
  it('makes every store fail at once with its typed error, and no URL or password shows', async () => {
    const url = 'redis://admin:s3cr3t-pw@127.0.0.1:1';
    const nodeRedis = createClient({ url });
    const ioredis = new Redis(url, { lazyConnect: true });
    for (const client of [nodeRedis, ioredis]) {
      const checkpoints = new RedisCheckpointStore(client);
      const lease = new RedisLease(client);
      const quota = new RedisQuotaStore(client);
      const errors = [
        await rejection(checkpoints.set('feed', 'x', undefined)),
        await rejection(checkpoints.get('feed')),
        await rejection(lease.acquire('sync', 1_000)),
        await rejection(quota.take('k', { windows: [] })),
      ];
      expect(errors[0]).toBeInstanceOf(CheckpointUnavailableError);
      expect(errors[1]).toBeInstanceOf(CheckpointUnavailableError);
      expect(errors[2]).toBeInstanceOf(LeaseUnavailableError);
      expect((errors[0] as Error).message).toMatch(/not connected/);
      for (const shown of [...errors, checkpoints, lease, quota]) {
        expect(inspect(shown, { depth: 10, showHidden: true })).not.toMatch(/s3cr3t|admin/);
      }
    }
  });
});

describe('the options', () => {
  it.each([
    ['a client of neither library', {}, undefined, 'client'],
    ['no client', undefined, undefined, 'client'],
    ['an unknown option', 'ok', { prefix: 'x' }, 'prefix'],
    ['a keyPrefix with a newline', 'ok', { keyPrefix: 'a\n' }, 'keyPrefix'],
    ['a commandTimeoutMs of 0', 'ok', { commandTimeoutMs: 0 }, 'commandTimeoutMs'],
  ])('refuse %s', (_case, client, options, option) => {
    const valid = createClient();
    for (const Store of [RedisCheckpointStore, RedisLease, RedisQuotaStore]) {
      const error = thrownBy(InvalidArgumentError, () => new Store((client === 'ok' ? valid : client) as never, options as never));
      expect(error.option).toBe(option);
    }
  });
});
