/**
 * `m365d hunt`: an advanced-hunting query, its rows streamed to the output as they arrive
 * (`advancedHunting.stream()`): a 100,000-row result is never held in memory.
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { HuntingStream } from '../index.js';
import { clientFor, type ConnectionFlags } from './config.js';
import { UsageError } from './exit.js';
import { withConnection, withOutput } from './flags.js';
import { outputOptions, writeRecords } from './output.js';
import { Progress } from './progress.js';

interface HuntFlags extends ConnectionFlags {
  file?: string;
  timespan?: string;
  output?: string;
  csvSafe?: boolean;
}

/** The rows of a stream, counted on the progress line. */
async function* counted(stream: HuntingStream, progress: Progress): AsyncGenerator<Record<string, unknown>> {
  for await (const row of stream) {
    progress.add(1);
    yield row;
  }
}

/** Registers `hunt`. */
export function registerHunt(program: Command, onStop: (stop: () => Promise<void>) => void): void {
  withOutput(withConnection(program.command('hunt')))
    .description('run an advanced-hunting query and stream its rows to the output')
    .argument('[query]', 'the KQL query (or --file)')
    .option('-f, --file <path>', 'read the query from this file')
    .option('--timespan <duration>', "with --api graph: the ISO 8601 period searched, e.g. P7D (default 30 days); on the Defender API filter in the query: | where Timestamp > ago(7d)")
    .addHelpText('after', `
Examples:
  m365d hunt "DeviceProcessEvents | where Timestamp > ago(1d) | take 100"
  m365d hunt --file suspicious-logons.kql --api graph --timespan P7D --output csv --csv-safe > logons.csv`)
    .action(async (queryArgument: string | undefined, flags: HuntFlags) => {
      const output = outputOptions(flags);
      if ((queryArgument === undefined) === (flags.file === undefined)) throw new UsageError('hunt needs a query or --file FILE (one of them).');
      // The API as the client will choose it (DEFENDER_API unless --api; a wrong one is the SDK's to refuse).
      const api = flags.api ?? (process.env.DEFENDER_API?.trim() || 'defender');
      if (flags.timespan !== undefined && api === 'defender') {
        throw new UsageError("--timespan goes with --api graph: the Defender API's hunting has no time span. Limit the time in the query instead: | where Timestamp > ago(7d).");
      }
      const query = queryArgument ?? (await readFile(flags.file!, 'utf8'));
      const progress = new Progress('rows', flags);
      const client = await clientFor(flags, () => progress.wait());
      const stream = client.advancedHunting.stream(query, flags.timespan !== undefined ? { timespan: flags.timespan } : {});
      onStop(() => stream.close());
      try {
        await writeRecords(counted(stream, progress), output, process.stdout, { columns: async () => (await stream.schema).map((column) => column.name) });
      } finally {
        progress.done();
        await stream.close();
      }
    });
}
