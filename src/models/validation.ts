/**
 * Turns zod issues into the SDK's {@link ResponseValidationError}. Internal: shared by the wire
 * APIs and by hunting row validation, not exported from the package.
 *
 * @packageDocumentation
 */
import type * as z from 'zod';
import { ResponseValidationError, type ValidationIssue } from '../errors.js';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** How many issues a {@link ResponseValidationError} message spells out (all are on `issues`). */
const ISSUES_IN_MESSAGE = 3;

/**
 * Formats a path as code would write it: `value[0].alerts[0].incidentId`,
 * `Stats["total cpu"]`. An empty path is `(root)`.
 */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? '(root)' : out;
}

/** Maps zod issues to {@link ValidationIssue}s, each path prefixed with `prefix`. */
export function toValidationIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): ValidationIssue[] {
  return issues.map((issue) => ({
    path: formatIssuePath(prefix.length === 0 ? issue.path : [...prefix, ...issue.path]),
    message: issue.message,
  }));
}

/**
 * Builds the error for a response that does not have the shape the SDK relies on. The message
 * names the operation and the first few paths; it never echoes response values.
 */
export function responseValidationError(
  operation: string,
  issues: readonly ValidationIssue[],
  what = 'response',
): ResponseValidationError {
  const shown = issues
    .slice(0, ISSUES_IN_MESSAGE)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('; ');
  const more = issues.length > ISSUES_IN_MESSAGE ? ` (and ${issues.length - ISSUES_IN_MESSAGE} more)` : '';
  return new ResponseValidationError(
    `The ${what} of ${operation} did not have the expected shape: ${shown}${more}. ` +
      'See error.issues for every problem.',
    { operation, issues },
  );
}

/** Where an item a listing rejects sits, and whether the listing skips it or fails on it. */
export interface InvalidItemPlace {
  /** The item's path in the response, e.g. `value[3]`. */
  path: string;
  /** Its id, when it has one. */
  id: string | undefined;
  /** Whether the listing goes on without it (an `onInvalidItem` was given). */
  skipped: boolean;
}

/** Longest id a message quotes: ids come from the network. */
const ID_IN_MESSAGE = 80;

/**
 * Builds the error of one list item the model rejects. The message names the operation, the
 * item's index and id, and the first few issues; it echoes no other response value.
 */
export function invalidItemError(operation: string, issues: readonly ValidationIssue[], place: InvalidItemPlace): ResponseValidationError {
  const id = place.id === undefined ? '' : ` (id ${JSON.stringify(place.id.length > ID_IN_MESSAGE ? `${place.id.slice(0, ID_IN_MESSAGE)}…` : place.id)})`;
  const shown = issues
    .slice(0, ISSUES_IN_MESSAGE)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('; ');
  const more = issues.length > ISSUES_IN_MESSAGE ? ` (and ${issues.length - ISSUES_IN_MESSAGE} more)` : '';
  const what = place.skipped
    ? `${operation} skipped ${place.path}${id}, an item the SDK cannot read: ${shown}${more}.`
    : `The response of ${operation} has an item the SDK cannot read, ${place.path}${id}: ${shown}${more}. ` +
      `Pass onInvalidItem to ${operation}() to skip such items and read the others.`;
  return new ResponseValidationError(`${what} See error.issues for every problem.`, { operation, issues });
}
