/**
 * The Defender API's incidents endpoints (`/api/incidents`): query building, update bodies and
 * response parsing. Called by `resources/incidents.ts`; knows nothing about transport.
 *
 * @packageDocumentation
 */
import type { Alert, Incident } from '../../models/incident.js';
import type { ValidatedIncidentListOptions, ValidatedIncidentUpdate } from '../../models/incident-options.js';
import type { InvalidItem } from '../../models/invalid-item.js';
import { checkItem, rawId, readItems } from '../shared/items.js';
import { object, readWhole } from '../shared/read.js';
import { listPageSchema, listQuery, odataString, validateOrThrow, withoutContext } from '../shared/wire.js';
import { toLegacyClassification, toLegacyDetermination, toLegacyIncidentStatus } from './enums.js';
import { portalOf, readAlert, readIncident, type MapIncidentOptions } from './mappers.js';
import { legacyAlertHolderSchema, legacyAlertSchema, legacyAlertWithIdSchema, legacyIncidentSchema } from './wire.js';

export { LEGACY_MAX_PAGE_SIZE } from './limits.js';

/** Options of the list-page parsers. */
export interface ParseListOptions extends MapIncidentOptions {
  /**
   * Return an item the model rejects (in `invalid`) and keep the page's others, rather than
   * throw: the caller gave `onInvalidItem`. Default `false`.
   */
  skipInvalid?: boolean;
}

/** One page of `GET /api/incidents`, parsed. */
export interface ParsedPage<T> {
  /** The items the model accepts, in page order. */
  items: T[];
  /** The items it rejects (only with `skipInvalid`), in page order. */
  invalid: InvalidItem[];
  /** How many incidents the page held, valid or not: what `$skip` paging counts. */
  count: number;
  /** The `@odata.nextLink`, if the API sent one (it normally does not). */
  nextLink: string | undefined;
}

/**
 * Parses one page of `GET /api/incidents` into public incidents, each incident checked on its
 * own (an invalid alert makes its incident invalid).
 *
 * @param operation the SDK operation, for error messages (e.g. `incidents.list`).
 * @param options `portalBaseUrl` to fill `webUrl`; `skipInvalid` to return rejected incidents
 *   in `invalid` instead of throwing.
 * @throws ResponseValidationError when the page itself is not a page, or (without `skipInvalid`)
 *   for the first incident the model rejects, with paths such as `value[0].alerts[0].title`.
 */
export function parseIncidentListPage(body: unknown, operation: string, options: ParseListOptions = {}): ParsedPage<Incident> {
  const page = validateOrThrow(listPageSchema, body, operation);
  const portal = portalOf(options);
  const { valid, invalid } = readItems((incident) => readIncident(incident, portal), legacyIncidentSchema, page.value, ['value'], 'incidentId', {
    operation,
    skipInvalid: options.skipInvalid === true,
  });
  return {
    items: valid,
    invalid,
    count: page.value.length,
    nextLink: page['@odata.nextLink'] ?? undefined,
  };
}

/**
 * Parses one page of `GET /api/incidents` into the alerts embedded in its incidents, each alert
 * checked on its own: an incident the model rejects still gives its valid alerts, and an alert
 * without an incident id takes its incident's.
 *
 * @throws ResponseValidationError when the page itself is not a page, or (without `skipInvalid`)
 *   for the first alert the model rejects, with paths such as `value[2].alerts[1].creationTime`.
 */
export function parseAlertListPage(body: unknown, operation: string, options: ParseListOptions = {}): ParsedPage<Alert> {
  const page = validateOrThrow(listPageSchema, body, operation);
  const context = { operation, skipInvalid: options.skipInvalid === true };
  const portal = portalOf(options);
  const items: Alert[] = [];
  const invalid: InvalidItem[] = [];
  page.value.forEach((incident, index) => {
    // Only what the alerts need of their incident is checked: its id, and that it holds a list.
    const holder = checkItem(legacyAlertHolderSchema, incident, ['value', index], 'incidentId', context);
    if (!holder.ok) {
      invalid.push(holder.invalid);
      return;
    }
    const incidentId = rawId(incident, 'incidentId');
    const schema = incidentId === undefined ? legacyAlertWithIdSchema : legacyAlertSchema;
    const alertOptions = { incidentId, portal };
    const alerts = readItems((alert) => readAlert(alert, alertOptions), schema, holder.item.alerts ?? [], ['value', index, 'alerts'], 'alertId', context);
    items.push(...alerts.valid);
    invalid.push(...alerts.invalid);
  });
  return { items, invalid, count: page.value.length, nextLink: page['@odata.nextLink'] ?? undefined };
}

/**
 * Parses the incident `GET /api/incidents/{id}` or `PATCH` returns. `raw` leaves out the
 * response's `@odata.context`, so that it matches a listed incident's `raw`.
 *
 * @throws ResponseValidationError with paths such as `alerts[0].incidentId`.
 */
export function parseIncident(body: unknown, operation: string, options: MapIncidentOptions = {}): Incident {
  const portal = portalOf(options);
  return readWhole((raw) => readIncident(withoutContext(object(raw)), portal), legacyIncidentSchema, body, operation);
}

/**
 * Builds the query of `GET /api/incidents`: `$filter` on the four fields the API can filter
 * (`lastUpdateTime`, `createdTime`, `status`, `assignedTo`), then `$top` and `$skip`.
 *
 * `…After` is inclusive (`ge`) and `…Before` exclusive (`lt`); dates are unquoted ISO-8601 UTC
 * (`lastUpdateTime ge 2020-06-03T18:04:29.463Z`); clauses are joined with ` and `.
 */
export function buildIncidentListQuery(
  options: ValidatedIncidentListOptions,
  page: { top: number; skip: number },
): URLSearchParams {
  const clauses: string[] = [];
  if (options.updatedAfter) clauses.push(`lastUpdateTime ge ${options.updatedAfter.toISOString()}`);
  if (options.updatedBefore) clauses.push(`lastUpdateTime lt ${options.updatedBefore.toISOString()}`);
  if (options.createdAfter) clauses.push(`createdTime ge ${options.createdAfter.toISOString()}`);
  if (options.createdBefore) clauses.push(`createdTime lt ${options.createdBefore.toISOString()}`);
  if (options.status) clauses.push(`status eq ${odataString(toLegacyIncidentStatus(options.status))}`);
  if (options.assignedTo !== undefined) clauses.push(`assignedTo eq ${odataString(options.assignedTo)}`);
  const query = listQuery(clauses, page.top);
  query.set('$skip', String(page.skip));
  return query;
}

/**
 * Builds the body of `PATCH /api/incidents/{id}` in the API's vocabulary: PascalCase enum values
 * (`resolved` → `Resolved`), determinations by the names the current "Update incident" page
 * lists (`notMalicious` → `Clean`, `notEnoughDataToValidate` → `NoEnoughDataToValidate`,
 * `confirmedUserActivity` → `ConfirmedActivity`, `unknown` → `NotAvailable`), `assignedTo: null`
 * → `""` (unassign), and `comment` singular. Only the fields given are sent.
 */
export function buildIncidentUpdateBody(update: ValidatedIncidentUpdate): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (update.status !== undefined) body.status = toLegacyIncidentStatus(update.status);
  if (update.assignedTo !== undefined) body.assignedTo = update.assignedTo ?? '';
  if (update.classification !== undefined) body.classification = toLegacyClassification(update.classification);
  if (update.determination !== undefined) body.determination = toLegacyDetermination(update.determination);
  if (update.tags !== undefined) body.tags = [...update.tags];
  if (update.comment !== undefined) body.comment = update.comment;
  return body;
}
