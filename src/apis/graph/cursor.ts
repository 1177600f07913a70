/**
 * The shape of a Graph continuation cursor, shared by `GraphAdapter` and the
 * `LazyGraphAdapter` that stands in for it until the first Graph call (a continuation token
 * is checked before anything is sent, so this check must not load the Graph wire code).
 *
 * @packageDocumentation
 */
import type { ListCursor } from '../adapter.js';

/** Whether a decoded continuation token's cursor is one the Graph adapter issues (a next link, never a `$skip`). */
export function isGraphCursor(value: unknown): value is ListCursor {
  if (typeof value !== 'object' || value === null) return false;
  const { skip, link, perIncidentAlerts } = value as ListCursor;
  return skip === undefined && typeof link === 'string' && (perIncidentAlerts === undefined || typeof perIncidentAlerts === 'boolean');
}
