/**
 * Several processes of one app, one quota: each process passes a RedisQuotaStore on the same
 * Redis, so that together they pace to the tenant's quota instead of each to all of it. Run it
 * in as many terminals as you like at once; a 429 one of them meets holds the others too.
 *
 * With Redis (any Redis 6.2+; `docker run -p 6379:6379 redis` will do):
 *   REDIS_URL=redis://localhost:6379 AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=… npx tsx examples/redis-shared-quota.ts
 * Without REDIS_URL it paces in this process's memory only (as `npm run demo` runs it).
 * See docs/scaling.md; the app needs Incident.Read.All (or SecurityIncident.Read.All on Graph).
 */
import { createClient } from 'redis';
import { DefenderClient, MemoryQuotaStore, clientOptionsFromEnv, type QuotaStore } from 'm365-defender';
import { RedisQuotaStore } from 'm365-defender/redis';

const url = process.env.REDIS_URL;
// the app owns the connection: the store neither connects nor closes it
const redis = url ? await createClient({ url }).on('error', (error: Error) => console.warn(`redis: ${error.message}`)).connect() : undefined;
const store: QuotaStore = redis ? new RedisQuotaStore(redis) : new MemoryQuotaStore();
console.log(redis ? 'pacing with every process on this Redis' : 'REDIS_URL is not set: pacing in this process only');

const client = new DefenderClient(
  clientOptionsFromEnv(process.env, {
    rateLimit: {
      store,
      // fallback: Redis did not answer, and this wait was counted by this process alone
      onRateLimit: ({ family, waitMs, fallback }) => console.log(`waiting ${waitMs} ms for the "${family}" quota${fallback ? ' (Redis down: counted locally)' : ''}`),
    },
  }),
);

const incidents = await client.incidents.list({ status: 'active' }).toArray({ limit: 20 });
for (const incident of incidents) console.log(`${incident.id}\t${incident.severity}\t${incident.displayName}`);
console.log(`${incidents.length} active incidents`);
redis?.destroy();
