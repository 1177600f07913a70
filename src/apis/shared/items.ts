/**
 * Per-item validation of a list page: each item is checked on its own, so that one item the model
 * rejects never takes the rest of its page with it. Strict (the caller gave no `onInvalidItem`):
 * the first such item throws, naming its index and id. Lenient: it comes back as an
 * {@link InvalidItem} for the resource to hand to the caller, and the page's other items stay.
 *
 * @packageDocumentation
 */
import type * as z from 'zod';
import { passes } from '../../models/compiled.js';
import type { InvalidItem } from '../../models/invalid-item.js';
import type { ValidationIssue } from '../../errors.js';
import { formatIssuePath, invalidItemError, toValidationIssues } from '../../models/validation.js';
import { refusalIssues, tryRead } from './read.js';

/** Where a page's items sit and what to do with one the model rejects. */
export interface ItemContext {
  /** The SDK operation, for messages (`incidents.list`). */
  operation: string;
  /** Whether an item the model rejects is returned (`true`) or thrown (`false`, the default). */
  skipInvalid: boolean;
}

/** The outcome of checking one item: the validated wire object, or what the caller is told. */
export type CheckedItem<T> = { ok: true; item: T } | { ok: false; invalid: InvalidItem };

/** The id of a raw item under `key`, when it is a non-empty string or a finite number. */
export function rawId(raw: unknown, key: string): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const value = (raw as Record<string, unknown>)[key];
  if (typeof value === 'string' && value !== '') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/**
 * Checks one item of a page against `schema`. A valid item is returned as sent (the wire schemas
 * have no transforms, so the body itself is the wire object, unknown fields included).
 *
 * @param path the item's path in the response, e.g. `['value', 3]`.
 * @param idKey the wire field holding the item's id (`incidentId`, `alertId`, `id`).
 * @throws ResponseValidationError for an invalid item unless `context.skipInvalid`.
 */
export function checkItem<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  path: readonly PropertyKey[],
  idKey: string,
  context: ItemContext,
): CheckedItem<z.output<S> & Record<string, unknown>> {
  if (passes(schema, raw)) return { ok: true, item: raw as z.output<S> & Record<string, unknown> };
  // Only an item that fails pays for zod's issue list.
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, item: raw as z.output<S> & Record<string, unknown> };
  return { ok: false, invalid: rejected(raw, toValidationIssues(result.error.issues, path), path, idKey, context) };
}

/**
 * What the caller is told of an item the model rejects.
 *
 * @throws ResponseValidationError unless `context.skipInvalid`.
 */
function rejected(raw: unknown, issues: readonly ValidationIssue[], path: readonly PropertyKey[], idKey: string, context: ItemContext): InvalidItem {
  const id = rawId(raw, idKey);
  const error = invalidItemError(context.operation, issues, { path: formatIssuePath(path), id, skipped: context.skipInvalid });
  if (!context.skipInvalid) throw error;
  return id === undefined ? { error, raw } : { error, raw, id };
}

/** A page's items after {@link checkItems}: those that passed, and those the caller is told about. */
export interface CheckedItems<T> {
  /** The items that passed, in page order. */
  valid: T[];
  /** The index in the page of each item of `valid`. */
  positions: number[];
  /** The items the model rejects, in page order (always empty when not `skipInvalid`: the first throws). */
  invalid: InvalidItem[];
}

/** Checks every item of `items`, found at `at` in the response (e.g. `['value']`), on its own. */
export function checkItems<S extends z.ZodType>(
  schema: S,
  items: readonly unknown[],
  at: readonly PropertyKey[],
  idKey: string,
  context: ItemContext,
): CheckedItems<z.output<S> & Record<string, unknown>> {
  const out: CheckedItems<z.output<S> & Record<string, unknown>> = { valid: [], positions: [], invalid: [] };
  items.forEach((raw, index) => {
    const checked = checkItem(schema, raw, [...at, index], idKey, context);
    if (checked.ok) {
      out.valid.push(checked.item);
      out.positions.push(index);
    } else {
      out.invalid.push(checked.invalid);
    }
  });
  return out;
}

/**
 * Reads one item of a page into the model with `read`, a mapper that checks as it reads
 * (`read.ts`): one pass over the item instead of a zod check and then a mapping.
 *
 * @param schema the wire schema `read` mirrors, for the issue list of an item it refuses.
 * @param path the item's path in the response, e.g. `['value', 3]`.
 * @param idKey the wire field holding the item's id (`incidentId`, `alertId`, `id`).
 * @throws ResponseValidationError for an item the model rejects, unless `context.skipInvalid`.
 */
export function readItem<T>(
  read: (raw: unknown) => T,
  schema: z.ZodType,
  raw: unknown,
  path: readonly PropertyKey[],
  idKey: string,
  context: ItemContext,
): CheckedItem<T> {
  const item = tryRead(read, raw);
  if (item !== undefined) return { ok: true, item };
  return { ok: false, invalid: rejected(raw, refusalIssues(schema, raw, path), path, idKey, context) };
}

/** Reads every item of `items`, found at `at` in the response (e.g. `['value']`), each on its own with {@link readItem}. */
export function readItems<T>(
  read: (raw: unknown) => T,
  schema: z.ZodType,
  items: readonly unknown[],
  at: readonly PropertyKey[],
  idKey: string,
  context: ItemContext,
): CheckedItems<T> {
  const out: CheckedItems<T> = { valid: [], positions: [], invalid: [] };
  for (let index = 0; index < items.length; index++) {
    const raw = items[index];
    const item = tryRead(read, raw);
    if (item !== undefined) {
      out.valid.push(item);
      out.positions.push(index);
    } else {
      // Only an item the model rejects pays for its path and zod's issue list.
      const path = [...at, index];
      out.invalid.push(rejected(raw, refusalIssues(schema, raw, path), path, idKey, context));
    }
  }
  return out;
}
