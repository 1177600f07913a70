/**
 * A `list` command's body, the same for incidents, alerts, devices and device actions: the
 * listing streamed to the output, at most `--limit` items, counted on the progress line.
 * @packageDocumentation
 */
import type { DefenderClient, PagedList } from '../index.js';
import { clientFor, type ConnectionFlags } from './config.js';
import { positiveInteger } from './flags.js';
import { outputOptions, writeRecords } from './output.js';
import { Progress } from './progress.js';

/** The flags every `list` command takes besides its filters. */
export interface ListingFlags extends ConnectionFlags {
  limit?: string;
  output?: string;
  csvSafe?: boolean;
}

/** How a listing is shown: its progress noun, its table and CSV columns, and the row of one item. */
export interface ListingShape<T> {
  noun: string;
  columns: string[];
  row: (item: T) => Record<string, unknown>;
}

/** The first `limit` items of a listing, counted on the progress line. */
export async function* limited<T>(list: PagedList<T>, limit: number | undefined, progress: Progress): AsyncGenerator<T> {
  let count = 0;
  if (limit === 0) return;
  for await (const page of list.byPage()) {
    progress.add(0, 1);
    for (const item of page.items) {
      progress.add(1);
      yield item;
      if (limit !== undefined && ++count >= limit) return;
    }
  }
}

/**
 * Writes the listing `list` makes with the command's client (its filters are checked there,
 * before anything is sent), with the output and limit the flags ask for.
 */
export async function writeListing<T>(flags: ListingFlags, shape: ListingShape<T>, list: (client: DefenderClient) => PagedList<T>): Promise<void> {
  const output = outputOptions(flags);
  const limit = positiveInteger('--limit', flags.limit);
  const progress = new Progress(shape.noun, flags);
  const client = await clientFor(flags, () => progress.wait());
  try {
    await writeRecords(limited(list(client), limit, progress), output, process.stdout, { columns: async () => shape.columns, project: shape.row });
  } finally {
    progress.done();
  }
}
