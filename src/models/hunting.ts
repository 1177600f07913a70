/**
 * The public shape of an advanced-hunting result, and row validation against a caller's zod
 * schema. Shared by both wire APIs.
 *
 * @packageDocumentation
 */
import type { z } from 'zod';
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
  let i = 0;
  try {
    for (; i < rows.length; i++) {
      const result = rowSchema.safeParse(rows[i]);
      if (result.success) {
        out[i] = result.data;
        continue;
      }
      for (const issue of result.error.issues) {
        issues.push({ path: formatIssuePath(['rows', i, ...issue.path]), message: issue.message });
      }
      if (issues.length >= MAX_ROW_ISSUES) break;
    }
  } catch (error) {
    // zod throws (rather than reporting) when a schema has async refinements or transforms.
    throw new InvalidArgumentError(
      'rowSchema',
      `rowSchema could not be applied to rows[${i}]: ${error instanceof Error ? error.message : String(error)}. ` +
        'Use a synchronous zod schema.',
    );
  }
  if (issues.length > 0) throw responseValidationError(operation, issues, 'rows');
  return out;
}
