/** Public shapes of the simulator's advanced-hunting engine. */

/** KQL scalar types a column can have. */
export type KqlType = 'string' | 'long' | 'int' | 'real' | 'bool' | 'datetime' | 'dynamic' | 'timespan' | 'guid';

export interface KqlColumn {
  name: string;
  type: KqlType;
}

/** An in-memory table. `datetime` cells are `Date`s, ISO strings or epoch milliseconds; `timespan` cells are milliseconds. */
export interface KqlTable {
  columns: KqlColumn[];
  rows: Record<string, unknown>[];
}

/**
 * A query result. `datetime` cells are ISO strings with a 7-digit fraction (`2024-03-26T09:39:50.7680000Z`,
 * as the service returns them), `timespan` cells are `[-][d.]hh:mm:ss[.fffffff]` strings.
 */
export interface KqlResult {
  columns: KqlColumn[];
  rows: Record<string, unknown>[];
}

export interface RunKqlOptions {
  /** The instant `now()` and `ago()` see (one instant for the whole query). Default: the current time. */
  now?: Date;
  /** Result cap. Default 100,000 (the service's limit). */
  maxRows?: number;
}
