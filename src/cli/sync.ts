/**
 * `m365d sync incidents|alerts --checkpoint FILE [--follow]`: the change feed as NDJSON, one new
 * or changed item a line, each batch committed to the checkpoint file once written to stdout.
 * @packageDocumentation
 */
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { FileCheckpointStore, type SyncOptions } from '../index.js';
import { clientFor, type ConnectionFlags } from './config.js';
import { positiveInteger, sinceDate, withConnection } from './flags.js';
import { jsonReplacer } from './output.js';
import { Progress } from './progress.js';

interface SyncFlags extends ConnectionFlags {
  checkpoint: string;
  follow?: boolean;
  since?: string;
  pollInterval?: string;
  batchSize?: string;
}

/** Writes `text`, resolving once the stream has taken it (so a commit never runs ahead of the output). */
function written(out: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => out.write(text, (error) => (error ? reject(error) : resolve())));
}

/** Registers `sync`. */
export function registerSync(program: Command, onStop: (stop: () => Promise<void>) => void): void {
  const group = program.command('sync').description('the change feed of incidents or alerts as NDJSON on stdout');
  for (const feed of ['incidents', 'alerts'] as const) {
    withConnection(group.command(feed))
      .description(`new and changed ${feed} as NDJSON, resuming where the checkpoint file says`)
      .requiredOption('--checkpoint <file>', 'where the feed keeps its place (created if missing)')
      .option('--follow', 'after catching up, keep polling until Ctrl-C')
      .option('--since <when>', 'where a feed with no checkpoint begins: a duration (7d, P30D) or an ISO 8601 date (default: 30 days ago)')
      .option('--poll-interval <seconds>', 'with --follow, seconds between polls (default 60)')
      .option('--batch-size <n>', 'items per batch (default 100)')
      .addHelpText('after', `
Example:
  m365d sync ${feed} --checkpoint .state/${feed}.json --follow >> ${feed}.ndjson`)
      .action(async (flags: SyncFlags) => {
        // The flag values first: a wrong one is a usage error whatever the configuration.
        const start = flags.since !== undefined ? sinceDate('--since', flags.since) : undefined;
        const poll = positiveInteger('--poll-interval', flags.pollInterval);
        const batchSize = positiveInteger('--batch-size', flags.batchSize);
        const stop = new AbortController();
        onStop(async () => stop.abort());
        const progress = new Progress(feed, flags);
        const client = await clientFor(flags, () => progress.wait());
        const options: SyncOptions = { checkpoint: new FileCheckpointStore(flags.checkpoint), follow: flags.follow === true, signal: stop.signal };
        if (start !== undefined) options.start = start;
        if (poll !== undefined) options.pollIntervalMs = poll * 1000;
        if (batchSize !== undefined) options.batchSize = batchSize;
        const source = feed === 'incidents' ? client.incidents.sync(options) : client.alerts.sync(options);
        try {
          for await (const batch of source) {
            if (batch.items.length > 0) {
              await written(process.stdout, batch.items.map((item) => `${JSON.stringify(item, jsonReplacer)}\n`).join(''));
              progress.add(batch.items.length);
            }
            await batch.commit();
          }
        } catch (error) {
          // Ctrl-C ends a followed feed: what was written is committed, and that is a normal end.
          if (!stop.signal.aborted) throw error;
        } finally {
          progress.done();
        }
      });
  }
}
