/**
 * What RedisQuotaStore adds to each call: the median (and 95th percentile) time of one
 * `take()` against a local redis-server, with node-redis and with ioredis, next to
 * MemoryQuotaStore's. Starts its own redis-server (see test/support/redis-server.ts) unless
 * REDIS_URL is set.
 *
 * Run: `npx tsx scripts/redis-latency.ts [calls]` (default 5,000 calls each, after 500 to warm up).
 * Against a local redis-server the figure is the round trip over loopback plus the script; over
 * a network add its round trip.
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { MemoryQuotaStore, type QuotaStore } from '../src/index.js';
import { RedisQuotaStore } from '../src/redis/index.js';
import { startRedis } from '../test/support/redis-server.js';

const calls = Number(process.argv[2] ?? 5_000);
const server = process.env.REDIS_URL ? undefined : await startRedis();
const url = process.env.REDIS_URL ?? server!.url;
const nodeRedis = await createClient({ url }).on('error', () => {}).connect();
const ioredis = new Redis(url);
await new Promise((resolve) => ioredis.once('ready', resolve));

/** The documented incidents quota: 50 a minute, 1,500 an hour. */
const documented = { windows: [{ limit: 50, intervalMs: 60_000 }, { limit: 1_500, intervalMs: 3_600_000 }] };

/**
 * Median and 95th percentile of `calls` takes. `keyOf(i)` spreads the calls over keys so that
 * each is granted (a busy family: a send log of up to 50 entries), or keeps one key full (the
 * hour's 1,500 sends logged: every take reads them and is refused, the costliest case).
 */
async function measure(name: string, store: QuotaStore, keyOf: (i: number) => string): Promise<number> {
  for (let i = 0; i < 500; i++) await store.take(keyOf(i), documented);
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = process.hrtime.bigint();
    await store.take(keyOf(i), documented);
    times.push(Number(process.hrtime.bigint() - started) / 1_000);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`${name.padEnd(46)} median ${median.toFixed(1).padStart(7)} µs   p95 ${times[Math.floor(times.length * 0.95)]!.toFixed(1).padStart(7)} µs`);
  return median;
}

const run = `${process.pid}`;
const spread = (label: string) => (i: number) => `${run} ${label} k${i % 200}`;
const full = (label: string) => () => `${run} ${label} full`;
async function fill(store: QuotaStore, key: string): Promise<void> {
  for (let i = 0; i < 1_500; i++) await store.take(key, { windows: [{ limit: 1_500, intervalMs: 3_600_000 }] });
}

console.log(`take() of the incidents family (50/min, 1,500/h), ${calls} calls each, one after another (node ${process.version})`);
const stores: [string, QuotaStore][] = [
  ['MemoryQuotaStore', new MemoryQuotaStore()],
  ['RedisQuotaStore (redis)', new RedisQuotaStore(nodeRedis, { keyPrefix: 'latency:' })],
  ['RedisQuotaStore (ioredis)', new RedisQuotaStore(ioredis, { keyPrefix: 'latency:' })],
];
const medians: Record<string, number> = {};
for (const [name, store] of stores) medians[`${name}, granted`] = await measure(`${name}, granted`, store, spread(name));
for (const [name, store] of stores) {
  await fill(store, full(name)());
  medians[`${name}, 1,500 logged`] = await measure(`${name}, 1,500 logged, refused`, store, full(name));
}
for (const what of ['granted', '1,500 logged']) {
  const base = medians[`MemoryQuotaStore, ${what}`]!;
  console.log(`added per take (median), ${what}: redis ${(medians[`RedisQuotaStore (redis), ${what}`]! - base).toFixed(1)} µs, ioredis ${(medians[`RedisQuotaStore (ioredis), ${what}`]! - base).toFixed(1)} µs`);
}
nodeRedis.destroy();
ioredis.disconnect();
await server?.close();
