/**
 * A timer-triggered Azure Function that keeps a downstream system in step with the tenant's
 * incidents: every 5 minutes it sends each new or changed incident on (here: to the function's
 * log; replace `forward` with your SIEM, ticket system or queue), and keeps its place in a
 * checkpoint file, so a run that fails or times out is picked up by the next one and no incident
 * is lost. This is `incidents.sync()`; docs/sync.md says what it promises.
 *
 * Compiled by `npm run typecheck` (not run by the demo: it needs the Functions host). Deploy as in
 * docs/serverless.md. Configuration is the environment (`clientOptionsFromEnv()`), plus:
 *   SYNC_CHECKPOINT_PATH   the checkpoint file; default `$HOME/data/defender-sync.json`. On App
 *                          Service and Premium plans `$HOME` is a file share that survives restarts
 *                          and is shared by the app's instances.
 * A timer trigger runs on one instance at a time (the host holds a lease for it), so a file is
 * enough; should two runs still overlap, the checkpoint's compare-and-set stops the second with a
 * CheckpointConflictError instead of letting both advance it. For several apps or tenants sharing a
 * feed, use a shared store instead of the file.
 *
 * The app needs Incident.Read.All (Microsoft Threat Protection), or SecurityIncident.Read.All
 * (Microsoft Graph) with DEFENDER_API=graph.
 */
import { join } from 'node:path';
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { CheckpointConflictError, DefenderClient, FileCheckpointStore, clientOptionsFromEnv, type Incident } from 'm365-defender';

// Module scope: one client per worker process, so its token cache and quota pacing serve every run.
const client = new DefenderClient(clientOptionsFromEnv());
const checkpoint = new FileCheckpointStore(process.env.SYNC_CHECKPOINT_PATH ?? join(process.env.HOME ?? '.', 'data', 'defender-sync.json'));
/** Stop reading before the host's function timeout (5 minutes by default on the Consumption plan). */
const RUN_BUDGET_MS = 4 * 60_000;

/** Sends a batch downstream. Make it idempotent on (id, lastUpdateDateTime): a batch can come twice. */
async function forward(incidents: readonly Incident[], context: InvocationContext): Promise<void> {
  for (const incident of incidents) {
    context.log(`incident ${incident.id} ${incident.status} (${incident.severity}) changed ${incident.lastUpdateDateTime.toISOString()}: ${incident.displayName}`);
  }
}

app.timer('defenderIncidentSync', {
  // NCRONTAB with seconds: every 5 minutes.
  schedule: '0 */5 * * * *',
  handler: async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const signal = AbortSignal.timeout(RUN_BUDGET_MS);
    const feed = client.incidents.sync({ checkpoint, start: new Date(Date.now() - 7 * 86_400_000), signal });
    try {
      for await (const batch of feed) await forward(batch.items, context);
    } catch (error) {
      if (signal.aborted) {
        // What was forwarded and committed stays committed; the next run goes on from there.
        context.warn(`incident sync stopped at its ${RUN_BUDGET_MS / 1000} s budget after ${feed.stats.items} incident(s); the next run resumes.`);
        return;
      }
      if (error instanceof CheckpointConflictError) {
        context.warn('another run of the incident sync moved the checkpoint; this run stops without committing.');
        return;
      }
      throw error; // fails the invocation: the host logs the SDK's error class and message
    }
    context.log(`incident sync: ${feed.stats.items} new or changed incident(s) in ${feed.stats.batches} batch(es), ${feed.stats.pages} page(s).`);
  },
});
