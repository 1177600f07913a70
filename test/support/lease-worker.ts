/**
 * A child process for the lease failover test: one sync worker, `incidents.sync({ follow: true })`
 * with a RedisLease and a RedisCheckpointStore in the Redis at `argv[2]`, lease time to live
 * `argv[3]` ms, against the simulator whose environment it was given. It pauses after it was
 * handed batch number `argv[4]` (1-based; 0: never), before committing it, until a `go` line on
 * stdin. It prints one JSON line per event: `acquire` (the fence it got, or null, and Redis's
 * clock in ms when it got one), `write` (each checkpoint write: fence, expected version, result),
 * `batch` (the delivered items' version keys), `paused`, `committed`, `stats` (on a `stats` line)
 * and `end` (the error's name and fence it stopped with; a `stop` line aborts it).
 */
import { createInterface } from 'node:readline';
import { createClient } from 'redis';
import { clientOptionsFromEnv, DefenderClient, LeaseLostError, type CheckpointStore, type Lease } from 'm365-defender';
import { RedisCheckpointStore, RedisLease } from 'm365-defender/redis';

const [url, ttl, pauseAt] = process.argv.slice(2);
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const redis = await createClient({ url: url! }).on('error', () => {}).connect();
const redisNow = async () => {
  const [seconds, micros] = (await redis.sendCommand(['TIME'])) as [string, string];
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
};

// The public store and lease, with every acquisition and write told to the test.
const redisLease = new RedisLease(redis);
const lease: Lease = {
  acquire: async (key, ttlMs) => {
    const grant = await redisLease.acquire(key, ttlMs);
    say({ event: 'acquire', fence: grant?.fence ?? null, ...(grant ? { at: await redisNow() } : {}) });
    return grant;
  },
  renew: (key, token, ttlMs) => redisLease.renew(key, token, ttlMs),
  release: (key, token) => redisLease.release(key, token),
};
const redisStore = new RedisCheckpointStore(redis);
const checkpoint: CheckpointStore = {
  get: (key) => redisStore.get(key),
  set: async (key, value, expected, options) => {
    const ok = await redisStore.set(key, value, expected, options);
    say({ event: 'write', fence: options?.fence ?? null, expected: expected ?? null, ok });
    return ok;
  },
};

const control = new AbortController();
let resume: (() => void) | undefined;
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'go') resume?.();
  else if (line === 'stats') say({ event: 'stats', ...feed.stats });
  else if (line === 'stop') control.abort(new Error('stopped by the test'));
});

const client = new DefenderClient(
  // the client's pacing is off: it counts this machine's time, which the tenant's clock does not follow here
  clientOptionsFromEnv(process.env, { rateLimit: { limits: { incidents: [], alerts: [] } }, silenceDeprecationWarnings: true }),
);
const feed = client.incidents.sync({
  checkpoint,
  lease,
  leaseTtlMs: Number(ttl),
  follow: true,
  pollIntervalMs: 200,
  batchSize: 10,
  // the simulated clock runs ahead of this machine's: its items are real
  maxClockSkewMs: 31 * 86_400_000,
  start: new Date(Date.now() - 31 * 86_400_000),
  signal: control.signal,
});
let delivered = 0;
try {
  for await (const batch of feed) {
    delivered += 1;
    say({ event: 'batch', n: delivered, keys: batch.items.map((item) => `incident:${item.id}@${item.lastUpdateDateTime.getTime()}`) });
    if (delivered === Number(pauseAt)) {
      say({ event: 'paused', n: delivered });
      await new Promise<void>((resolve) => (resume = resolve));
    }
    await batch.commit();
    say({ event: 'committed', n: delivered });
  }
  say({ event: 'end', error: null });
} catch (error) {
  say({ event: 'end', error: error instanceof Error ? error.name : String(error), fence: error instanceof LeaseLostError ? error.fence : null });
}
redis.destroy();
process.exit(0);
