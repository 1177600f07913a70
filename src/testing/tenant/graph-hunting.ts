/*
 * Graph's `runHuntingQuery` over the fake tenant's tables (reference §5.7): the `Timespan` window is
 * applied to each table's `Timestamp` before the KQL runs, and the result is shaped as Graph's
 * `huntingQueryResults` (`schema[{name, type}]`, `results`).
 */
import { runKql } from '../kql/index.js';
import type { KqlTable, KqlType } from '../kql/index.js';
import { tableColumns } from './hunting-columns.js';
import { toMs } from '../kql/values.js';

/** A hunting table: bare rows (column types inferred from the values) or rows with declared columns. */
export type HuntingTable = Record<string, unknown>[] | KqlTable;

/** A `Timespan` that cannot be read; the message says why. */
export class TimespanError extends Error {
  constructor(timespan: string) {
    super(`The Timespan '${timespan}' is not valid. Use an ISO 8601 duration (P7D), an interval (start/end), duration/end, start/duration or a start time.`);
    this.name = 'TimespanError';
  }
}

/** The service's default window when no `Timespan` is sent (reference §5.7). */
export const DEFAULT_TIMESPAN_MS = 30 * 86_400_000;

const DURATION = /^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/i;

/** An ISO-8601 duration in milliseconds (years as 365 days, months as 30), or `undefined`. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  const days = n(1) * 365 + n(2) * 30 + n(3) * 7 + n(4);
  return ((days * 24 + n(5)) * 60 + n(6)) * 60_000 + n(7) * 1000;
}

function parseInstant(text: string): number | undefined {
  if (!INSTANT.test(text)) return undefined;
  // a time without an offset is UTC, like every time the service reads
  const ms = Date.parse(/T.*(?:Z|[+-]\d{2}:\d{2})$/i.test(text) || !text.includes('T') ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The `[start, end]` window (epoch ms) of a Graph `Timespan`: `P7D` (back from now), `start/end`,
 * `duration/end`, `start/duration`, or a bare start (until now). No timespan: the last 30 days.
 *
 * @throws TimespanError when `timespan` has none of those forms
 */
export function timespanWindow(timespan: string | undefined, now: number): { start: number; end: number } {
  if (timespan === undefined) return { start: now - DEFAULT_TIMESPAN_MS, end: now };
  const text = timespan.trim();
  const parts = text.split('/');
  let window: { start: number; end: number } | undefined;
  if (parts.length === 1) {
    const duration = parseDuration(text);
    const start = parseInstant(text);
    if (duration !== undefined) window = { start: now - duration, end: now };
    else if (start !== undefined) window = { start, end: now };
  } else if (parts.length === 2) {
    const [a = '', b = ''] = parts;
    const [startA, durationA, endB, durationB] = [parseInstant(a), parseDuration(a), parseInstant(b), parseDuration(b)];
    if (startA !== undefined && endB !== undefined) window = { start: startA, end: endB };
    else if (durationA !== undefined && endB !== undefined) window = { start: endB - durationA, end: endB };
    else if (startA !== undefined && durationB !== undefined) window = { start: startA, end: startA + durationB };
  }
  if (!window || window.start > window.end) throw new TimespanError(timespan);
  return window;
}

// ---------------------------------------------------------------- tables

function asKqlTable(name: string, table: HuntingTable): KqlTable {
  return Array.isArray(table) ? { columns: tableColumns(name, table), rows: table } : table;
}

/** Graph's `schema[].type` names (.NET type names; reference entra-keyvault-kql §4.6). */
const SCHEMA_TYPES: Record<KqlType, string> = {
  string: 'String', long: 'Int64', int: 'Int32', real: 'Double', bool: 'Boolean', datetime: 'DateTime',
  dynamic: 'Object', timespan: 'TimeSpan', guid: 'Guid',
};

function windowTable(table: KqlTable, start: number, end: number): KqlTable {
  if (!table.columns.some((column) => column.name === 'Timestamp')) return table;
  const rows = table.rows.filter((row) => {
    const at = toMs(row['Timestamp']);
    return at !== null && at >= start && at <= end;
  });
  return { columns: table.columns, rows };
}

/** Graph's `huntingQueryResults` body, without `@odata.context`. */
export interface HuntingQueryResults {
  /** The columns: name and Graph type name. */
  schema: Array<{ name: string; type: string }>;
  /** The rows, one object per row. */
  results: Record<string, unknown>[];
}

/**
 * Runs `query` over `tables` with each table's rows cut to the `Timespan` window on `Timestamp`.
 *
 * @throws TimespanError, KqlSyntaxError, KqlSemanticError
 */
export function runHuntingQuery(
  query: string,
  timespan: string | undefined,
  tables: Record<string, HuntingTable>,
  now: number,
): HuntingQueryResults {
  const { start, end } = timespanWindow(timespan, now);
  // Windowed lazily: a query pays only for the tables it reads.
  const windowed: Record<string, KqlTable> = {};
  for (const [name, table] of Object.entries(tables)) {
    let cut: KqlTable | undefined;
    Object.defineProperty(windowed, name, {
      enumerable: true,
      get: () => (cut ??= windowTable(asKqlTable(name, table), start, end)),
    });
  }
  const result = runKql(query, windowed, { now: new Date(now) });
  return {
    schema: result.columns.map((column) => ({ name: column.name, type: SCHEMA_TYPES[column.type] ?? 'Object' })),
    results: result.rows,
  };
}
