/**
 * What both wire APIs' schemas and parsers are built from: the lenient field types (any string
 * for an enum, `null` or missing for an optional field), response validation that keeps the body
 * itself, and OData string literals. The APIs' own schemas, names and ids stay in their folders.
 *
 * @packageDocumentation
 */
import * as z from 'zod';
import { passes } from '../../models/compiled.js';
import { isDateTimeString } from '../../models/dates.js';
import { responseValidationError, toValidationIssues } from '../../models/validation.js';

/** An optional string: `null` and missing both accepted. */
export const str = z.string().nullish();
/** An optional array of strings. */
export const strings = z.array(z.string()).nullish();
/** A DateTimeOffset string such as `2020-09-06T12:18:03.6266667Z` (7 fractional digits). */
export const dateTime = z.string().refine(isDateTimeString, 'expected an ISO-8601 date-time string');
/**
 * An optional {@link dateTime}: `null`, missing, or `""` (which real payloads send for a date
 * that is not set, and the mappers read as `null`).
 */
export const optionalDateTime = z
  .string()
  .refine((value) => value === '' || isDateTimeString(value), 'expected an ISO-8601 date-time string')
  .nullish();
/** An optional integer the API may send as a number or a numeric string. */
export const integer = z.union([z.number().int(), z.string().regex(/^-?\d+$/)], { error: 'expected an integer' }).nullish();

/**
 * The envelope of a list page on both APIs: `value` and `@odata.nextLink`. The items are checked
 * one by one (`items.ts`), so that one the model rejects does not fail the page.
 */
export const listPageSchema = z.object({ value: z.array(z.unknown()), '@odata.nextLink': str });

/** How many items a list page holds, valid or not. @throws ResponseValidationError when it is not a list page. */
export function parseListCount(body: unknown, operation: string): number {
  return validateOrThrow(listPageSchema, body, operation).value.length;
}

/** A list page asked for with `$count=true`: `@odata.count` is the number of items the whole listing holds. */
const countedPageSchema = z.object({ '@odata.count': z.number().int().nonnegative() });

/** The `@odata.count` of a list page asked for with `$count=true`. @throws ResponseValidationError when it has none. */
export function parseODataCount(body: unknown, operation: string): number {
  return validateOrThrow(countedPageSchema, body, operation)['@odata.count'];
}

/** What a wire object also holds: the fields the schema does not check, kept in `raw`. */
export type Open<T> = T & Record<string, unknown>;

/**
 * Validates `body` against `schema` and returns `body` itself: the wire schemas have no
 * transforms, so a body that passes is already the wire object, unknown fields included
 * (zod's output, a copy without them, is not needed).
 *
 * @param operation the SDK operation, for the error message (e.g. `incidents.list`).
 * @throws ResponseValidationError naming each field that did not pass.
 */
export function validateOrThrow<S extends z.ZodType>(schema: S, body: unknown, operation: string): z.output<S> & Record<string, unknown> {
  if (passes(schema, body)) return body as z.output<S> & Record<string, unknown>;
  const result = schema.safeParse(body);
  if (!result.success) throw responseValidationError(operation, toValidationIssues(result.error.issues));
  return body as z.output<S> & Record<string, unknown>;
}

/** The object without the response's `@odata.context` (a copy: the caller's body stays as it was). */
export function withoutContext<T extends Record<string, unknown>>(object: T): T {
  const { '@odata.context': _context, ...rest } = object;
  return rest as T;
}

/** An OData string literal: single quotes, with quotes inside doubled. */
export const odataString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** An OData list query: `$filter` with `clauses` joined by ` and ` (left out when there are none), then `$top`. */
export function listQuery(clauses: readonly string[], top: number): URLSearchParams {
  const query = new URLSearchParams();
  if (clauses.length > 0) query.set('$filter', clauses.join(' and '));
  query.set('$top', String(top));
  return query;
}
