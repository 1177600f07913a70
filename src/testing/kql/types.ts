/** Public shapes of the simulator's advanced-hunting engine. */

/** KQL scalar types a column can have. */
export type KqlType = 'string' | 'long' | 'int' | 'real' | 'bool' | 'datetime' | 'dynamic' | 'timespan' | 'guid';

/** A column of a table or result: its name and KQL type. */
export interface KqlColumn {
  /** The column name, e.g. `Timestamp`. */
  name: string;
  /** Its KQL type. */
  type: KqlType;
}

/** An in-memory table. `datetime` cells are `Date`s, ISO strings or epoch milliseconds; `timespan` cells are milliseconds. */
export interface KqlTable {
  /** The columns, in order. */
  columns: KqlColumn[];
  /** The rows: column name → cell. */
  rows: Record<string, unknown>[];
}

/**
 * A query result. `datetime` cells are ISO strings with a 7-digit fraction (`2024-03-26T09:39:50.7680000Z`,
 * as the service returns them), `timespan` cells are `[-][d.]hh:mm:ss[.fffffff]` strings.
 */
export interface KqlResult {
  /** The result columns, in order. */
  columns: KqlColumn[];
  /** The result rows: column name → cell. */
  rows: Record<string, unknown>[];
}

/** Options of `runKql`. */
export interface RunKqlOptions {
  /** The instant `now()` and `ago()` see (one instant for the whole query). Default: the current time. */
  now?: Date;
  /** Result cap. Default 100,000 (the service's limit). */
  maxRows?: number;
}
