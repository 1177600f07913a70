/**
 * Redis dies mid-run and comes back, with real sockets on both sides (the simulator over TLS, a
 * real redis-server). While it is down: calls keep flowing, paced by the client's own memory,
 * with one warning and `fallback: true` in onRateLimit; checkpoint and lease calls fail with their
 * typed errors and nothing is written. Once it is back: both use Redis again.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointUnavailableError, LeaseUnavailableError, RateLimitError, type RateLimitInfo } from '../../src/index.js';
import { RedisCheckpointStore, RedisLease, RedisQuotaStore } from '../../src/redis/index.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { rejection } from '../support/throws.js';
import { envClient, useSimulator } from './support.js';

const sim = useSimulator({ seed: 16, incidents: 5, quotas: false });
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});

/** Polls `condition` every 20 ms until it holds (bounded by the test's timeout, not asserted on time). */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('when redis-server stops and starts again', () => {
  it('pacing falls back with one warning and comes back; checkpoint and lease fail typed, then work again', async () => {
    const conn = createClient({ url: redis.url, socket: { reconnectStrategy: 50 } });
    conn.on('error', () => {});
    await conn.connect();
    const warnings: string[] = [];
    const infos: string[] = [];
    const waits: RateLimitInfo[] = [];
    const logger = { warn: (m: string) => void warnings.push(m), info: (m: string) => void infos.push(m), debug: () => {}, error: () => {} };
    const client = envClient(sim(), {}, {
      logger,
      rateLimit: {
        store: new RedisQuotaStore(conn),
        storeRetryMs: 100,
        limits: { incidents: [{ limit: 1, intervalMs: 5_000 }] },
        onRateLimit: (info) => {
          waits.push(info);
          return false;
        },
      },
    });
    const checkpoints = new RedisCheckpointStore(conn);
    const lease = new RedisLease(conn);
    const id = String([...sim().tenant.incidents.keys()][0]);
    const quotaKeys = () => conn.keys('m365d:quota:*');

    for (let i = 0; i < 3; i++) await client.incidents.get(id);
    expect(await checkpoints.set('feed', 'before', undefined)).toBe(true);
    expect(await quotaKeys()).not.toEqual([]);
    expect(warnings).toEqual([]);

    await redis.stop();
    await until(() => !conn.isReady);
    const sent = sim().tenant.requests.length;
    for (let i = 0; i < 10; i++) await client.incidents.get(id);
    expect(sim().tenant.requests.length - sent).toBe(10);
    expect(warnings).toEqual([expect.stringMatching(/^rateLimit\.store failed \(.*not connected.*\): pacing with this process's memory alone/)]);
    // the family's limit still holds, counted in memory: the second list would wait
    await client.incidents.list({ pageSize: 1 }).toArray({ limit: 1 });
    expect(await rejection(client.incidents.list({ pageSize: 1 }).toArray({ limit: 1 }))).toBeInstanceOf(RateLimitError);
    expect(waits).toEqual([expect.objectContaining({ family: 'incidents', fallback: true })]);
    expect(await rejection(checkpoints.set('feed', 'during', 1))).toBeInstanceOf(CheckpointUnavailableError);
    expect(await rejection(checkpoints.get('feed'))).toBeInstanceOf(CheckpointUnavailableError);
    expect(await rejection(lease.acquire('sync', 10_000))).toBeInstanceOf(LeaseUnavailableError);

    await redis.restart();
    await until(() => conn.isReady);
    // the server came back empty (no persistence): nothing "during" reached it
    expect(await checkpoints.get('feed')).toBeUndefined();
    expect(await checkpoints.set('feed', 'after', undefined)).toBe(true);
    expect(await checkpoints.get('feed')).toEqual({ value: 'after', version: 1 });
    expect((await lease.acquire('sync', 10_000))?.fence).toBe(1);
    await until(async () => {
      await client.incidents.get(id);
      return infos.includes('rateLimit.store answers again: pacing with it again.');
    });
    expect((await quotaKeys()).some((key) => key.includes('incidents.get'))).toBe(true);
    expect(warnings).toHaveLength(1);
    conn.destroy();
  }, 120_000);
});
