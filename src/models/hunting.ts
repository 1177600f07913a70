/**
 * The public shape of an advanced-hunting result, and row validation against a caller's zod
 * schema. Shared by both wire APIs.
 *
 * @packageDocumentation
 */
import { InvalidArgumentError, type ValidationIssue } from '../errors.js';
import { describe } from '../checks.js';
import type { StandardSchemaV1 } from './standard-schema.js';
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

/** Whether `value` is a Standard Schema (zod, valibot, arktype, …). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const props = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null | undefined)?.['~standard'];
  return (typeof value === 'object' || typeof value === 'function') && value !== null && props?.version === 1 && typeof props.validate === 'function';
}

/** Validates one row synchronously; an asynchronous schema (or one that throws) is the caller's mistake. */
function validateOne<Schema extends StandardSchemaV1>(row: unknown, index: number, rowSchema: Schema): StandardSchemaV1.Result<StandardSchemaV1.InferOutput<Schema>> {
  let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
  try {
    result = rowSchema['~standard'].validate(row);
  } catch (error) {
    throw new InvalidArgumentError(
      'rowSchema',
      `rowSchema could not be applied to rows[${index}]: ${error instanceof Error ? error.message : String(error)}. Use a synchronous schema.`,
    );
  }
  if (result instanceof Promise) {
    result.catch(() => undefined);
    throw new InvalidArgumentError(
      'rowSchema',
      `rowSchema could not be applied to rows[${index}]: it validates asynchronously (an async refinement or transform). Use a synchronous schema.`,
    );
  }
  return result as StandardSchemaV1.Result<StandardSchemaV1.InferOutput<Schema>>;
}

function rowIssues(issues: readonly StandardSchemaV1.Issue[], index: number): ValidationIssue[] {
  return issues.map((issue) => ({
    path: formatIssuePath(['rows', index, ...(issue.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment))]),
    message: issue.message,
  }));
}

/**
 * Validates rows against a caller's `rowSchema` (any Standard Schema). The first 20 issues are
 * collected across rows and thrown as one `ResponseValidationError`, paths like `rows[3].Timestamp`.
 * @internal
 */
export function validateRows<Schema extends StandardSchemaV1>(rows: readonly unknown[], rowSchema: Schema, operation: string): StandardSchemaV1.InferOutput<Schema>[] {
  if (!isStandardSchema(rowSchema)) {
    throw new InvalidArgumentError('rowSchema', `rowSchema must be a Standard Schema (zod, valibot, arktype); got ${describe(rowSchema)}.`);
  }
  const out: StandardSchemaV1.InferOutput<Schema>[] = new Array(rows.length);
  const issues: ValidationIssue[] = [];
  for (let i = 0; i < rows.length; i++) {
    const result = validateOne(rows[i], i, rowSchema);
    if (result.issues === undefined) {
      out[i] = result.value;
      continue;
    }
    issues.push(...rowIssues(result.issues, i));
    if (issues.length >= MAX_ROW_ISSUES) break;
  }
  if (issues.length > 0) throw responseValidationError(operation, issues, 'rows');
  return out;
}

/** Validates one streamed row (`advancedHunting.stream`), its index naming it in the error. @internal */
export function validateRow<Schema extends StandardSchemaV1>(row: unknown, index: number, rowSchema: Schema, operation: string): StandardSchemaV1.InferOutput<Schema> {
  const result = validateOne(row, index, rowSchema);
  if (result.issues === undefined) return result.value;
  throw responseValidationError(operation, rowIssues(result.issues, index), 'rows');
}
