/**
 * The public shape of an advanced-hunting result, and row validation against a caller's zod
 * schema. Shared by both wire APIs.
 *
 * @packageDocumentation
 */
import type * as z from 'zod';
import { InvalidArgumentError, type ValidationIssue } from '../errors.js';
import { describe } from '../clouds.js';
import { formatIssuePath, responseValidationError } from './validation.js';

/** One column of a hunting result. */
export interface HuntingColumn {
  /** Column name, e.g. `DeviceName`. */
  name: string;
  /** Kusto type name as the API reports it, e.g. `String`, `DateTime`, `Int64`. */
  type: string;
}

/** The result of an advanced-hunting query. */
export interface HuntingResult<Row = Record<string, unknown>> {
  /** The columns, in query order. */
  schema: HuntingColumn[];
  /**
   * The rows, keyed by column name. Values are as the API sent them (`DateTime` columns are
   * ISO strings, `dynamic` columns JSON values) unless a `rowSchema` converted them.
   */
  rows: Row[];
  /** Query statistics (execution time, resource usage). Defender API only; Graph sends none. */
  stats?: unknown;
}

/**
 * Query statistics as the Defender API sends them (`ExecutionTime`, `resource_usage`, …), unchanged.
 * Graph sends none.
 */
export type HuntingStats = Record<string, unknown>;

/**
 * The rows of a hunting query as they arrive, from `client.advancedHunting.stream()`: iterate it
 * with `for await`. Rows are parsed from the response body one by one, so memory stays flat
 * however large the result.
 *
 * It can be iterated once. The query is sent on the first `next()`, the first read of
 * {@link HuntingStream.schema}, or the first wait on {@link HuntingStream.stats}. `break` (or
 * `return()`), {@link HuntingStream.close} and `await using` cancel the rest of the body; a stream
 * whose `schema` was read but which is not iterated to its end holds its connection until one of
 * them is used.
 *
 * @example
 * ```ts
 * await using stream = client.advancedHunting.stream(query);
 * console.log(await stream.schema); // the connection is released when the block exits
 * ```
 */
export interface HuntingStream<Row = Record<string, unknown>> extends AsyncIterable<Row> {
  /**
   * The columns. Reading it sends the query if needed and reads the body until the schema has
   * been parsed; it resolves before the first row is yielded. Rejects with the stream's error, or,
   * if the stream was closed before the schema arrived, with a `DefenderError` named `AbortError`
   * (once resolved, it keeps its value after close).
   */
  readonly schema: Promise<HuntingColumn[]>;
  /**
   * The statistics (Defender API; `undefined` on Graph), once the body has been read to its end,
   * or with those read so far when the stream is closed (`break`, `close()`) first. Rejects with
   * the stream's error.
   *
   * Await it after the loop. Waiting on it (`await`, `then`, `catch`, `finally`) **before the
   * iteration has started** makes the stream read the rest of the body itself, discarding the rows
   * (not validated by `rowSchema`), so that it settles; the stream can then no longer be iterated
   * (doing so throws a `DefenderError`). Merely reading the property does nothing.
   */
  readonly stats: Promise<HuntingStats | undefined>;
  /**
   * Stops the stream: cancels the rest of the body, releasing the connection (or aborts the
   * request if its response has not arrived). `schema` keeps its value if it had resolved, else
   * rejects with a `DefenderError` named `AbortError`; `stats` resolves with the statistics read so
   * far. A loop in progress ends after its current row; iterating the stream afterwards throws a
   * `DefenderError`. Idempotent: later calls return the same promise.
   */
  close(): Promise<void>;
  /** Calls {@link HuntingStream.close}: `await using stream = client.advancedHunting.stream(…)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Issues listed per {@link validateRows} failure before it stops looking. */
const MAX_ROW_ISSUES = 20;

/**
 * Validates each row against `rowSchema` and returns the parsed rows (with whatever transforms
 * the schema applies, e.g. `z.coerce.date()`).
 *
 * The schema is the caller's, built once; each row costs one `safeParse` and nothing else, so
 * 100,000 rows are fine. Validation stops after 20 issues.
 *
 * @throws ResponseValidationError listing the bad rows, with paths such as `rows[12].DeviceName`.
 * @throws InvalidArgumentError (`rowSchema`) when `rowSchema` is not a synchronous zod schema.
 */
export function validateRows<Schema extends z.ZodType>(
  rows: readonly unknown[],
  rowSchema: Schema,
  operation: string,
): z.output<Schema>[] {
  if (typeof (rowSchema as { safeParse?: unknown } | null)?.safeParse !== 'function') {
    throw new InvalidArgumentError('rowSchema', `rowSchema must be a zod schema; got ${describe(rowSchema)}.`);
  }
  const out: z.output<Schema>[] = new Array(rows.length);
  const issues: ValidationIssue[] = [];
  for (let i = 0; i < rows.length; i++) {
    const result = safeParseRow(rows[i], i, rowSchema);
    if (result.success) {
      out[i] = result.data;
      continue;
    }
    issues.push(...rowIssues(result.error.issues, i));
    if (issues.length >= MAX_ROW_ISSUES) break;
  }
  if (issues.length > 0) throw responseValidationError(operation, issues, 'rows');
  return out;
}

/**
 * Validates one row (number `index` of the result) against `rowSchema`, for rows that arrive
 * one at a time (`advancedHunting.stream`).
 *
 * @throws ResponseValidationError with paths such as `rows[12].DeviceName`.
 * @throws InvalidArgumentError (`rowSchema`) when `rowSchema` is not a synchronous zod schema.
 */
export function validateRow<Schema extends z.ZodType>(row: unknown, index: number, rowSchema: Schema, operation: string): z.output<Schema> {
  const result = safeParseRow(row, index, rowSchema);
  if (result.success) return result.data;
  throw responseValidationError(operation, rowIssues(result.error.issues, index), 'rows');
}

function safeParseRow<Schema extends z.ZodType>(row: unknown, index: number, rowSchema: Schema) {
  try {
    return rowSchema.safeParse(row);
  } catch (error) {
    // zod throws (rather than reporting) when a schema has async refinements or transforms.
    throw new InvalidArgumentError(
      'rowSchema',
      `rowSchema could not be applied to rows[${index}]: ${error instanceof Error ? error.message : String(error)}. ` +
        'Use a synchronous zod schema.',
    );
  }
}

function rowIssues(issues: readonly z.core.$ZodIssue[], index: number): ValidationIssue[] {
  return issues.map((issue) => ({ path: formatIssuePath(['rows', index, ...issue.path]), message: issue.message }));
}
