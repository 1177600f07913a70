/**
 * A child process for the shared-quota test: one of several workers of one app, each getting
 * incident `argv[3]` `argv[4]` times, eight at a time, as fast as its pacer lets it. With `argv[2]` a Redis
 * URL its pacer counts in that Redis (RedisQuotaStore); with `memory` in its own memory only. The
 * client comes from the environment the simulator printed; the `incidents.get` window is
 * `argv[5]` ms long with `argv[6]` calls. Prints `ready` once signed in and connected, sends on a line on stdin,
 * then prints `{ ok, limited, failed }` as JSON. It stops at its first 429.
 */
import { createInterface } from 'node:readline';
import { createClient } from 'redis';
import { clientOptionsFromEnv, DefenderClient, RateLimitError, type QuotaStore } from 'm365-defender';
import { RedisQuotaStore } from 'm365-defender/redis';

const [where, id, times, intervalMs, limit] = process.argv.slice(2);
const redis = where === 'memory' ? undefined : await createClient({ url: where! }).on('error', () => {}).connect();
const store: QuotaStore | undefined = redis && new RedisQuotaStore(redis);
const client = new DefenderClient(
  clientOptionsFromEnv(process.env, {
    // a 429 is counted, not retried: the test counts what the pacing let through
    maxRetries: 0,
    maxRetryWaitMs: 600_000,
    rateLimit: {
      limits: { 'incidents.get': [{ limit: Number(limit), intervalMs: Number(intervalMs) }] },
      // a slow answer on a busy machine must not look like an outage here
      storeTimeoutMs: 30_000,
      ...(store ? { store } : {}),
    },
  }),
);
/** Calls in flight at once: enough that a slot freeing never waits for a worker to be free to take it. */
const STREAMS = 8;
// signed in, and connected to the API (another quota family) as many times as there are streams
await Promise.all(Array.from({ length: STREAMS }, () => client.incidents.list({ pageSize: 1 }).toArray({ limit: 1 })));
process.stdout.write('ready\n');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
// STREAMS loops, each sending its next call the moment the pacer grants it; a 429 ends the worker
// (waiting out every hold would only make the run long)
const counts = { ok: 0, limited: 0, failed: 0 };
let left = Number(times);
await Promise.all(
  Array.from({ length: STREAMS }, async () => {
    while (left > 0 && counts.limited === 0) {
      left -= 1;
      try {
        await client.incidents.get(id!);
        counts.ok += 1;
      } catch (error) {
        if (error instanceof RateLimitError) counts.limited += 1;
        else counts.failed += 1;
      }
    }
  }),
);
process.stdout.write(`${JSON.stringify(counts)}\n`);
redis?.destroy();
process.exit(0);
