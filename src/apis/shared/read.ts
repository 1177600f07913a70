/**
 * Reading a wire value into the model in the same step as checking it: each reader here accepts
 * exactly what one field type of `wire.ts` accepts and returns what the model makes of it, so
 * that a mapper walks an item once, checking and building as it goes, instead of zod checking
 * the whole item and the mapper then reading it again. The first value its wire schema would
 * refuse stops the read ({@link refuse}); the caller ({@link readItem}, {@link readWhole}) then
 * asks the wire schema itself, through zod's `safeParse`, for the issue list, so that the errors,
 * their paths and messages are zod's as before. A property test holds the listings to zod's
 * `safeParse` of the wire schemas and to the mapping of before, on generated valid and mutated
 * pages of both APIs (test/resources/list-read.property.test.ts).
 *
 * @packageDocumentation
 */
import type * as z from 'zod';
import type { ValidationIssue } from '../../errors.js';
import { parseDateTime } from '../../models/dates.js';
import { formatIssuePath, responseValidationError, toValidationIssues } from '../../models/validation.js';

/** Thrown by a reader at the first value the wire schema refuses; never leaves this module's callers. */
const REFUSED: unique symbol = Symbol('refused by the wire schema');

/** Stops a read: the value in hand is one the wire schema refuses. */
export function refuse(): never {
  throw REFUSED;
}

/** A wire object (JSON object, not an array), as `z.object` accepts it. */
export type WireObject = Record<string, unknown>;

/** A `z.object`: a non-null object that is not an array. */
export function object(value: unknown): WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as WireObject) : refuse();
}

/** A `z.object(...).nullish()`: the object, or `null` when missing. */
export function objectOrNull(value: unknown): WireObject | null {
  return value == null ? null : object(value);
}

/** A `z.array(...).nullish()`: the items, `[]` when missing (each item is the caller's to read). */
export function list(value: unknown): readonly unknown[] {
  return value == null ? [] : Array.isArray(value) ? value : refuse();
}

/** `str` (a string, `null` or missing): the string, or `null`. */
export function str(value: unknown): string | null {
  return value == null ? null : typeof value === 'string' ? value : refuse();
}

/** `z.string()`: a string, required. */
export function requiredString(value: unknown): string {
  return typeof value === 'string' ? value : refuse();
}

/** `strings` (an array of strings, `null` or missing): a copy, `[]` when missing. */
export function strings(value: unknown): string[] {
  if (value == null) return [];
  if (!Array.isArray(value)) return refuse();
  const out: string[] = new Array<string>(value.length);
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    out[i] = typeof item === 'string' ? item : refuse();
  }
  return out;
}

const INTEGER_STRING = /^-?\d+$/;

/** `integer` (a safe integer, a string of digits, `null` or missing): the number, or `null`. */
export function integer(value: unknown): number | null {
  if (value == null) return null;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : refuse();
  return typeof value === 'string' && INTEGER_STRING.test(value) ? Number(value) : refuse();
}

/** `dateTime` (an ISO-8601 date-time string, required): its `Date`, checked and built in one parse. */
export function dateTime(value: unknown): Date {
  return (typeof value === 'string' && parseDateTime(value)) || refuse();
}

/** `optionalDateTime` (a date-time string, `""`, `null` or missing): its `Date`, or `null`. */
export function optionalDateTime(value: unknown): Date | null {
  return value == null || value === '' ? null : dateTime(value);
}

/** `z.number()` (finite) or `z.string()`, `null` or missing: as a string, or `null` (a version). */
export function stringOrNumber(value: unknown): string | null {
  if (value == null) return null;
  if (typeof value === 'string') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : refuse();
}

/** What `read` made of `raw`, or `undefined` when it refused it; any other exception (a bug) goes on. */
export function tryRead<T>(read: (raw: unknown) => T, raw: unknown): T | undefined {
  try {
    return read(raw);
  } catch (error) {
    if (error === REFUSED) return undefined;
    throw error;
  }
}

/**
 * zod's issues for a value a mapper refused, each path prefixed with `prefix`. Should zod accept
 * the value, the mapper and its wire schema disagree (an SDK bug): the value stays refused, with
 * an issue that says so rather than a model built from a value the mapper could not read.
 */
export function refusalIssues(schema: z.ZodType, raw: unknown, prefix: readonly PropertyKey[] = []): ValidationIssue[] {
  const result = schema.safeParse(raw);
  if (!result.success) return toValidationIssues(result.error.issues, prefix);
  return [{ path: formatIssuePath(prefix), message: 'the SDK could not read this value, which its schema accepts (an m365-defender bug: please report it)' }];
}

/**
 * Reads a whole response body with `read`.
 *
 * @param schema the wire schema `read` mirrors, for the issue list of a body it refuses.
 * @throws ResponseValidationError naming each field that did not pass.
 */
export function readWhole<T>(read: (raw: unknown) => T, schema: z.ZodType, body: unknown, operation: string): T {
  const out = tryRead(read, body);
  if (out !== undefined) return out;
  throw responseValidationError(operation, refusalIssues(schema, body));
}
