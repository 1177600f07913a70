/*
 * Column types of the fake tenant's hunting tables, shared by the Defender API and Graph fakes:
 * the documented type when the table and column are known (generated rows keep datetimes as
 * epoch milliseconds, which only the documented schema can tell from numbers), else a type
 * inferred from the values.
 */
import { HUNTING_TABLE_SCHEMAS } from '../data/hunting-schemas.js';
import type { KqlColumn, KqlType } from '../kql/index.js';

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Each documented hunting table's column types by name. */
const DOCUMENTED_TYPES: ReadonlyMap<string, ReadonlyMap<string, KqlType>> = new Map(
  Object.entries(HUNTING_TABLE_SCHEMAS).map(([table, columns]) => [table, new Map(columns.map((c) => [c.name, c.type]))]),
);

const cache = new WeakMap<Record<string, unknown>[], { length: number; columns: KqlColumn[] }>();

/**
 * The columns present in table `table`'s `rows`, in first-seen order, typed as documented when
 * known, else from their non-null values. Cached per rows array and length (tables are read far
 * more often than they change).
 */
export function tableColumns(table: string, rows: Record<string, unknown>[]): KqlColumn[] {
  const cached = cache.get(rows);
  if (cached && cached.length === rows.length) return cached.columns;
  const documented = DOCUMENTED_TYPES.get(table);
  const values = new Map<string, unknown[]>();
  for (const row of rows) {
    for (const [name, value] of Object.entries(row)) {
      let seen = values.get(name);
      if (!seen) values.set(name, (seen = []));
      if (value !== null && value !== undefined && seen.length < 50) seen.push(value);
    }
  }
  const columns = [...values].map(([name, seen]) => ({ name, type: documented?.get(name) ?? typeOf(seen) }));
  cache.set(rows, { length: rows.length, columns });
  return columns;
}

function typeOf(values: unknown[]): KqlType {
  if (values.length === 0) return 'string';
  if (values.every((v) => typeof v === 'boolean')) return 'bool';
  if (values.every((v) => typeof v === 'number')) return values.every((v) => Number.isInteger(v)) ? 'long' : 'real';
  if (values.every((v) => v instanceof Date || (typeof v === 'string' && ISO_DATETIME.test(v)))) return 'datetime';
  if (values.every((v) => typeof v === 'string')) return 'string';
  return 'dynamic';
}
