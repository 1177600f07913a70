/**
 * Writing records to stdout as a table, JSON, NDJSON or CSV, streamed: a listing or a hunt is
 * never held whole in memory (a table holds one block of rows at a time).
 * @packageDocumentation
 */
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { coalescedWriter } from './coalesce.js';
import { UsageError } from './exit.js';
import { terminalLine } from './terminal.js';

/** The output formats. */
export const FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
/** One of {@link FORMATS}. */
export type Format = (typeof FORMATS)[number];

/** How the output is shaped. */
export interface OutputOptions {
  format: Format;
  /** CSV: prefix cells that start with `=`, `+`, `-`, `@`, tab or CR with `'`, so a spreadsheet shows them as text. */
  csvSafe: boolean;
  /** Terminal width a table must fit. */
  width: number;
}

/**
 * Whether a stream is a terminal; `M365D_STDOUT_TTY` / `M365D_STDERR_TTY` (`1` or `0`) override
 * it, so tests and wrappers can choose the terminal behaviour through a pipe.
 */
export function isTerminal(which: 'stdout' | 'stderr', env: NodeJS.ProcessEnv = process.env): boolean {
  const forced = env[which === 'stdout' ? 'M365D_STDOUT_TTY' : 'M365D_STDERR_TTY'];
  if (forced === '1') return true;
  if (forced === '0') return false;
  return process[which].isTTY === true;
}

/** The output options: `--output`, else a table on a terminal and NDJSON through a pipe. */
export function outputOptions(flags: { output?: string; csvSafe?: boolean }, env: NodeJS.ProcessEnv = process.env): OutputOptions {
  let format: Format;
  if (flags.output !== undefined) {
    if (!(FORMATS as readonly string[]).includes(flags.output)) {
      throw new UsageError(`--output must be one of ${FORMATS.join(', ')}.`);
    }
    format = flags.output as Format;
  } else {
    format = isTerminal('stdout', env) ? 'table' : 'ndjson';
  }
  const columns = Number(env.COLUMNS);
  const width = process.stdout.columns ?? (Number.isInteger(columns) && columns > 20 ? columns : 100);
  return { format, csvSafe: flags.csvSafe === true, width };
}

/** A value as one cell of a table or CSV: dates in ISO 8601, arrays joined, objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (Array.isArray(value)) return value.every((v) => typeof v !== 'object' || v === null) ? value.join(';') : JSON.stringify(value, jsonReplacer);
  if (typeof value === 'object') return JSON.stringify(value, jsonReplacer);
  return String(value);
}

/** Leaves out the wire object (`raw`) every model item keeps: the output is the public model. */
export function jsonReplacer(key: string, value: unknown): unknown {
  return key === 'raw' ? undefined : value;
}

const FORMULA_LEAD = /^[=+\-@\t\r]/;

/** A CSV cell made safe for spreadsheets (OWASP "CSV injection"): a leading `'` makes it text. */
export function csvSafeCell(text: string): string {
  return FORMULA_LEAD.test(text) ? `'${text}` : text;
}

/**
 * Column widths (each including its padding of 2) that fit `width`: the natural width of each
 * column (its longest cell, at most 60), then the widest ones narrowed until the table fits.
 */
export function fitColumns(natural: readonly number[], width: number): number[] {
  const widths = natural.map((w) => Math.min(w, 60) + 2);
  const budget = width - (widths.length + 1); // one border character per column, plus one
  const MIN = 6;
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > budget) {
    let widest = 0;
    for (let i = 1; i < widths.length; i++) if (widths[i]! > widths[widest]!) widest = i;
    if (widths[widest]! <= MIN) break;
    widths[widest]!--;
    total--;
  }
  return widths;
}

/** No rule between rows: one line a row. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** Rows of a table rendered per block, so a long listing is neither held nor delayed. */
const TABLE_BLOCK = 500;

async function* tableText(records: AsyncIterable<Record<string, unknown>>, columns: () => Promise<string[]>, width: number): AsyncGenerator<string> {
  const { default: Table } = await import('cli-table3');
  let block: string[][] = [];
  let widths: number[] | undefined;
  let names: string[] | undefined;
  const render = (): string => {
    // A hunt's column names come from the service too.
    const head = names!.map(terminalLine);
    widths ??= fitColumns(head.map((name, i) => Math.max(name.length, ...block.map((row) => row[i]!.length))), width);
    const table = new Table({ head, colWidths: widths, wordWrap: false, truncate: '…', style: { head: [], border: [] }, chars: COMPACT });
    table.push(...block);
    block = [];
    return `${table.toString()}\n`;
  };
  for await (const record of records) {
    names ??= await columns();
    block.push(names.map((name) => terminalLine(cellText(record[name]))));
    if (block.length === TABLE_BLOCK) yield render();
  }
  names ??= await columns();
  if (block.length > 0 || widths === undefined) yield render();
}

async function* jsonText(records: AsyncIterable<unknown>): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const record of records) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(record, jsonReplacer)}`;
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}

async function* ndjsonText(records: AsyncIterable<unknown>): AsyncGenerator<string> {
  for await (const record of records) yield `${JSON.stringify(record, jsonReplacer)}\n`;
}

/**
 * Writes `records` to `out` in the chosen format, honouring back-pressure. Table and CSV columns
 * come from `columns` (asked once, when the first row is due, or at the end for no rows);
 * `project` shapes each record for them (JSON and NDJSON get the record itself).
 */
export async function writeRecords<T>(
  records: AsyncIterable<T>,
  options: OutputOptions,
  out: Writable,
  shape: { columns: () => Promise<string[]>; project?: (record: T) => Record<string, unknown> },
): Promise<void> {
  const project = shape.project ?? ((record: T) => record as Record<string, unknown>);
  async function* projected(): AsyncGenerator<Record<string, unknown>> {
    for await (const record of records) yield project(record);
  }
  switch (options.format) {
    case 'json':
      return pipeline(Readable.from(jsonText(records)), coalescedWriter(out));
    case 'ndjson':
      return pipeline(Readable.from(ndjsonText(records)), coalescedWriter(out));
    case 'table':
      return pipeline(Readable.from(tableText(projected(), shape.columns, options.width)), coalescedWriter(out));
    case 'csv': {
      const { stringify } = await import('csv-stringify');
      const rows = projected();
      const first = await rows.next();
      const names = await shape.columns();
      const cell = (value: unknown) => (options.csvSafe ? csvSafeCell(cellText(value)) : cellText(value));
      const toCells = new Transform({
        objectMode: true,
        transform(record: Record<string, unknown>, _encoding, done) {
          done(null, names.map((name) => cell(record[name])));
        },
      });
      async function* all(): AsyncGenerator<Record<string, unknown>> {
        if (!first.done) yield first.value;
        yield* rows;
      }
      // RFC 4180: CRLF line ends, quotes doubled, fields with a comma, quote or line break quoted,
      // and (with --csv-safe) the made-safe formula cells quoted too.
      const csv = stringify({ header: true, columns: names, record_delimiter: 'windows', quoted_match: options.csvSafe ? [/[\r\n]/, /^'[=+\-@\t\r]/] : /[\r\n]/ });
      return pipeline(Readable.from(all()), toCells, csv, coalescedWriter(out));
    }
  }
}

/** One record: a table of field and value, else as {@link writeRecords} writes a list of one. */
export async function writeRecord(record: Record<string, unknown>, options: OutputOptions, out: Writable, project?: (record: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  if (options.format === 'json') {
    out.write(`${JSON.stringify(record, jsonReplacer, 2)}\n`);
    return;
  }
  if (options.format === 'table') {
    const flat = (project ?? ((r) => r))(record);
    const pairs = Object.entries(flat).filter(([field]) => field !== 'raw').map(([field, value]) => ({ field, value: cellText(value) }));
    return writeRecords(toAsync(pairs), options, out, { columns: async () => ['field', 'value'] });
  }
  const flat = project ?? ((r: Record<string, unknown>) => r);
  return writeRecords(toAsync([record]), options, out, { columns: async () => Object.keys(flat(record)).filter((field) => field !== 'raw'), project: flat });
}

/** An array as an async iterable. */
export async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
