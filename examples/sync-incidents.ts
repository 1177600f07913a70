/**
 * Keeps a file in step with the tenant's incidents: appends every new or changed incident as one
 * line of NDJSON to `incidents.ndjson`, with the feed's checkpoint beside it in `checkpoint.json`.
 * Run it from a timer (cron, a scheduled task): each run picks up where the last one stopped, and
 * a run that crashes mid-way delivers its last batch again on the next run, never loses it.
 *
 * Against your tenant:
 *   AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=… SYNC_DIR=.state npx tsx examples/sync-incidents.ts
 * Against the local simulator: run `npx m365d sim`, paste the `export …` lines it prints, then
 *   npx tsx examples/sync-incidents.ts          (or run every example at once, on both APIs: npm run demo)
 * On Microsoft Graph instead of the Defender API: add DEFENDER_API=graph; nothing else changes (the
 * checkpoint is per API: its default key is `defender:incidents` or `graph:incidents`).
 *
 * The app needs Incident.Read.All (Microsoft Threat Protection), or SecurityIncident.Read.All
 * (Microsoft Graph) with DEFENDER_API=graph.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DefenderClient, FileCheckpointStore, clientOptionsFromEnv } from 'm365-defender';

const dir = process.env.SYNC_DIR ?? '.defender-sync';
await mkdir(dir, { recursive: true });
const client = new DefenderClient(clientOptionsFromEnv());
const checkpoint = new FileCheckpointStore(join(dir, 'checkpoint.json'));
const out = join(dir, 'incidents.ndjson');

/** One run of the timer: appends what changed since the last run. */
async function syncOnce(): Promise<void> {
  const feed = client.incidents.sync({
    checkpoint,
    start: new Date(Date.now() - 30 * 86_400_000), // the first run only: later runs resume from the checkpoint
  });
  for await (const batch of feed) {
    // Each line carries the incident's id and lastUpdateDateTime: a batch delivered again after a
    // crash is told apart downstream by that pair (make the consumer idempotent, see docs/sync.md).
    await appendFile(out, batch.items.map((incident) => `${JSON.stringify({ ...incident, raw: undefined })}\n`).join(''));
    for (const incident of batch.items) {
      console.log(`${incident.lastUpdateDateTime.toISOString()}  ${incident.id}\t${incident.status}\t${incident.displayName}`);
    }
    // Asking for the next batch commits this one to checkpoint.json.
  }
  const { items, batches, pages, duplicatesSkipped } = feed.stats;
  console.log(`${items} new or changed incident(s) in ${batches} batch(es), ${pages} page(s) read, ${duplicatesSkipped} repeat(s) skipped`);
}

await syncOnce();
console.log('Run again, as the next timer tick would: it resumes from the checkpoint.');
await syncOnce();
console.log(`Incidents appended to ${out}; checkpoint in ${checkpoint.path}`);
