/**
 * What `incidents.list` and `alerts.list` hand to `onInvalidItem`: one item of a page that the
 * model rejects, so that a listing can skip it and go on instead of failing the whole page.
 *
 * @packageDocumentation
 */
import type { ResponseValidationError } from '../errors.js';

/** An item of a listing that the model rejects, as `onInvalidItem` receives it. */
export interface InvalidItem {
  /**
   * What is wrong with it. Its `issues` paths start at the item's place in the response, e.g.
   * `value[3].createdTime`, or `value[2].alerts[1].title` for an alert embedded in an incident.
   */
  error: ResponseValidationError;
  /** The item exactly as the API sent it. */
  raw: unknown;
  /** The item's id, when the raw item has one the SDK could read (a string or a number). */
  id?: string;
}

/**
 * Receives each item the model rejects (`onInvalidItem` of `incidents.list` and `alerts.list`).
 * It may return a promise, which the listing waits for; if it throws or its promise rejects, the
 * listing rejects with that same error.
 */
export type InvalidItemHandler = (item: InvalidItem) => void | Promise<void>;
