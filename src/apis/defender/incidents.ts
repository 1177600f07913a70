/**
 * The Defender API's incidents endpoints (`/api/incidents`): query building, update bodies and
 * response parsing. Called by `resources/incidents.ts`; knows nothing about transport.
 *
 * @packageDocumentation
 */
import type { Incident } from '../../models/incident.js';
import type { ValidatedIncidentListOptions, ValidatedIncidentUpdate } from '../../models/incident-options.js';
import { listQuery, odataString, validateOrThrow, withoutContext } from '../shared/wire.js';
import { toLegacyClassification, toLegacyDetermination, toLegacyIncidentStatus } from './enums.js';
import { mapIncident, type MapIncidentOptions } from './mappers.js';
import { legacyIncidentListSchema, legacyIncidentSchema } from './wire.js';

/** The most incidents one `GET /api/incidents` returns (`$top` above it is a 400). */
export const LEGACY_MAX_PAGE_SIZE = 100;

/**
 * Parses one page of `GET /api/incidents` into public incidents.
 *
 * @param operation the SDK operation, for error messages (e.g. `incidents.list`).
 * @param options `portalBaseUrl` to fill `webUrl`; without it `webUrl` is `null`.
 * @returns the incidents and the `@odata.nextLink`, if the API sent one (it normally does not).
 * @throws ResponseValidationError with paths such as `value[0].alerts[0].incidentId`.
 */
export function parseIncidentListPage(
  body: unknown,
  operation: string,
  options: MapIncidentOptions = {},
): { items: Incident[]; nextLink: string | undefined } {
  const page = validateOrThrow(legacyIncidentListSchema, body, operation);
  return {
    items: page.value.map((incident) => mapIncident(incident, options)),
    nextLink: page['@odata.nextLink'] ?? undefined,
  };
}

/**
 * Parses the incident `GET /api/incidents/{id}` or `PATCH` returns. `raw` leaves out the
 * response's `@odata.context`, so that it matches a listed incident's `raw`.
 *
 * @throws ResponseValidationError with paths such as `alerts[0].incidentId`.
 */
export function parseIncident(body: unknown, operation: string, options: MapIncidentOptions = {}): Incident {
  return mapIncident(withoutContext(validateOrThrow(legacyIncidentSchema, body, operation)), options);
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
