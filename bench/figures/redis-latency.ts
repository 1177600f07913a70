/**
 * Figure 10: what `RedisQuotaStore` adds to each paced call. The median time of one `take()` of
 * the incidents family (50 a minute, 1,500 an hour) against a redis-server on loopback, with
 * node-redis and with ioredis, beside `MemoryQuotaStore`'s; granted (keys spread so that each take
 * passes) and refused (one key with the hour's 1,500 sends logged: every take reads them all, the
 * costliest case). Starts its own redis-server (`REDIS_SERVER` names another binary) unless
 * `REDIS_URL` is set; without one the figure says so. Over a network, add its round trip.
 * @packageDocumentation
 */
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { MemoryQuotaStore, type QuotaStore } from '../../src/index.js';
import { RedisQuotaStore } from '../../src/redis/index.js';
import { startRedis, type TestRedis } from '../../test/support/redis-server.js';
import type { BenchContext } from '../context.js';
import { quantile } from '../stats.js';
import { notMeasured, type Row } from '../table.js';

/** The documented incidents quota: 50 a minute, 1,500 an hour. */
const DOCUMENTED = { windows: [{ limit: 50, intervalMs: 60_000 }, { limit: 1_500, intervalMs: 3_600_000 }] };

interface Latency {
  median: number;
  p95: number;
}

/** Median and 95th percentile, in µs, of `calls` takes one after another, after 500 to warm up. */
async function measure(store: QuotaStore, keyOf: (i: number) => string, calls: number): Promise<Latency> {
  for (let i = 0; i < 500; i++) await store.take(keyOf(i), DOCUMENTED);
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = process.hrtime.bigint();
    await store.take(keyOf(i), DOCUMENTED);
    times.push(Number(process.hrtime.bigint() - started) / 1_000);
  }
  times.sort((a, b) => a - b);
  return { median: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

const micros = (latency: Latency) => `${latency.median.toFixed(1)} µs (p95 ${latency.p95.toFixed(0)})`;

/** Measures figure 10. */
export async function redisLatencyFigures(ctx: BenchContext): Promise<Row[]> {
  const binary = process.env.REDIS_SERVER ?? 'redis-server';
  if (!process.env.REDIS_URL && spawnSync(binary, ['--version']).status !== 0) {
    return [notMeasured('10 RedisQuotaStore take()', `no ${binary} on PATH (apt-get install redis-server, or set REDIS_URL)`, 'report')];
  }
  const calls = ctx.quick ? 1_000 : 5_000;
  let server: TestRedis | undefined;
  let nodeRedis: { destroy(): void } | undefined;
  let ioredis: Redis | undefined;
  try {
    server = process.env.REDIS_URL ? undefined : await startRedis();
    const url = process.env.REDIS_URL ?? server!.url;
    const node = await createClient({ url }).on('error', () => {}).connect();
    nodeRedis = node;
    const io = new Redis(url, { lazyConnect: true });
    ioredis = io;
    await io.connect();
    const run = `bench-${process.pid}`;
    const stores: [string, QuotaStore][] = [
      ['memory', new MemoryQuotaStore()],
      ['redis', new RedisQuotaStore(node, { keyPrefix: `${run}:` })],
      ['ioredis', new RedisQuotaStore(io, { keyPrefix: `${run}:` })],
    ];
    const rows: Row[] = [];
    for (const kind of ['granted', 'refused'] as const) {
      ctx.log(`  10: ${calls.toLocaleString('en')} takes, ${kind}, on each store`);
      const results = new Map<string, Latency>();
      for (const [name, store] of stores) {
        if (kind === 'granted') {
          results.set(name, await measure(store, (i) => `${name} k${i % 200}`, calls));
        } else {
          const key = `${name} full`;
          for (let i = 0; i < 1_500; i++) await store.take(key, { windows: [{ limit: 1_500, intervalMs: 3_600_000 }] });
          results.set(name, await measure(store, () => key, calls));
        }
      }
      const memory = results.get('memory')!;
      for (const client of ['redis', 'ioredis']) {
        const latency = results.get(client)!;
        rows.push({
          figure: `10 RedisQuotaStore take() (${client}), ${kind === 'granted' ? 'granted' : '1,500 logged, refused'}`,
          sdk: micros(latency),
          baseline: `${micros(memory)} MemoryQuotaStore`,
          ratio: `+${(latency.median - memory.median).toFixed(0)} µs a call`,
          target: 'report',
          verdict: 'info',
        });
      }
    }
    return rows;
  } finally {
    nodeRedis?.destroy();
    ioredis?.disconnect();
    await server?.close();
  }
}
