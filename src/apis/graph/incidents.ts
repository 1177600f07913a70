/**
 * Graph's incidents and alerts endpoints (`/v1.0/security/incidents`, `/v1.0/security/alerts_v2`):
 * query building, update bodies and response parsing. Knows nothing about transport.
 *
 * @packageDocumentation
 */
import type { ValidatedAlertListOptions, AlertUpdate } from '../../models/alert-options.js';
import type { Alert, Incident, IncidentComment } from '../../models/incident.js';
import type { ValidatedIncidentListOptions, ValidatedIncidentUpdate } from '../../models/incident-options.js';
import type { InvalidItem } from '../../models/invalid-item.js';
import { readItem, readItems, type ItemContext } from '../shared/items.js';
import { object, readWhole, refuse } from '../shared/read.js';
import { listPageSchema, listQuery, odataString, validateOrThrow, withoutContext } from '../shared/wire.js';
import { readAlert, readComment, readIncident } from './mappers.js';
import { graphAlertSchema, graphCommentListSchema, graphIncidentSchema } from './wire.js';

export { parseODataCount } from '../shared/wire.js';
export { GRAPH_MAX_INCIDENT_PAGE_SIZE } from './limits.js';
/** Alerts per `GET /security/alerts_v2` when the caller does not say. */
export const GRAPH_DEFAULT_ALERT_PAGE_SIZE = 100;


/** One page of a Graph list, parsed. */
export interface GraphParsedPage<T> {
  /** The items the model accepts, in page order. */
  items: T[];
  /** The index in the page of each of `items`. */
  positions: number[];
  /** The items it rejects (only with `skipInvalid`), in page order. */
  invalid: InvalidItem[];
  /** The `@odata.nextLink`, if any. */
  nextLink: string | undefined;
}

/** Whether a list parser returns rejected items (the caller gave `onInvalidItem`) rather than throw. */
export interface GraphParseListOptions {
  /** Return an item the model rejects in `invalid`, rather than throw. Default `false`. */
  skipInvalid?: boolean;
}

/** An incident read on its own: `raw` leaves out the response's `@odata.context`, to match a listed incident's. */
const readIncidentWithoutContext = (raw: unknown): Incident => readIncident(withoutContext(object(raw)));

/** The comment collection (`graphCommentListSchema`): its comments, and the list as sent. */
function readCommentList(raw: unknown): { comments: IncidentComment[]; raw: unknown[] } {
  const value: unknown = object(raw).value;
  if (!Array.isArray(value)) return refuse();
  return { comments: value.map(readComment), raw: value };
}

/**
 * Parses a page of `GET /security/incidents`, each incident checked on its own (an invalid
 * expanded alert makes its incident invalid).
 *
 * @throws ResponseValidationError when the page itself is not a page, or (without `skipInvalid`)
 *   for the first incident the model rejects, with paths such as `value[3].createdDateTime`.
 */
export function parseGraphIncidentPage(body: unknown, operation: string, options: GraphParseListOptions = {}): GraphParsedPage<Incident> {
  const page = validateOrThrow(listPageSchema, body, operation);
  const { valid, positions, invalid } = readItems(readIncident, graphIncidentSchema, page.value, ['value'], 'id', { operation, skipInvalid: options.skipInvalid === true });
  return { items: valid, positions, invalid, nextLink: page['@odata.nextLink'] ?? undefined };
}

/** Parses one incident (`GET`/`PATCH /security/incidents/{id}`); `raw` leaves out `@odata.context`. */
export function parseGraphIncident(body: unknown, operation: string): Incident {
  return readWhole(readIncidentWithoutContext, graphIncidentSchema, body, operation);
}

/**
 * Parses an incident read with its alerts for the `$expand=alerts` fallback of a listing, as the
 * item at `path` of that listing's page (`['value', 3]`): its alerts, or what the caller is told.
 *
 * @throws ResponseValidationError for an incident the model rejects, unless `context.skipInvalid`.
 */
export function parseGraphAlertsOfIncident(
  body: unknown,
  path: readonly PropertyKey[],
  context: ItemContext,
): { ok: true; alerts: Alert[] } | { ok: false; invalid: InvalidItem } {
  const checked = readItem(readIncidentWithoutContext, graphIncidentSchema, body, path, 'id', context);
  return checked.ok ? { ok: true, alerts: checked.item.alerts } : checked;
}

/**
 * Parses a page of `GET /security/alerts_v2`, each alert checked on its own.
 *
 * @throws ResponseValidationError when the page itself is not a page, or (without `skipInvalid`)
 *   for the first alert the model rejects, with paths such as `value[3].incidentId`.
 */
export function parseGraphAlertPage(body: unknown, operation: string, options: GraphParseListOptions = {}): GraphParsedPage<Alert> {
  const page = validateOrThrow(listPageSchema, body, operation);
  const { valid, positions, invalid } = readItems((alert) => readAlert(alert), graphAlertSchema, page.value, ['value'], 'id', { operation, skipInvalid: options.skipInvalid === true });
  return { items: valid, positions, invalid, nextLink: page['@odata.nextLink'] ?? undefined };
}

/** Parses one alert (`GET`/`PATCH /security/alerts_v2/{id}`). */
export function parseGraphAlert(body: unknown, operation: string): Alert {
  return readWhole((raw) => readAlert(withoutContext(object(raw))), graphAlertSchema, body, operation);
}

/** Parses the comment collection `POST .../comments` returns. */
export function parseGraphComments(body: unknown, operation: string): { comments: IncidentComment[]; raw: unknown[] } {
  return readWhole(readCommentList, graphCommentListSchema, body, operation);
}

/**
 * Builds the query of `GET /security/incidents`: `$filter` on `lastUpdateDateTime`,
 * `createdDateTime` (dates unquoted ISO-8601), `status`, `severity` and `assignedTo` (quoted),
 * then `$top` and, with `expandAlerts`, `$expand=alerts`.
 */
export function buildGraphIncidentListQuery(
  options: ValidatedIncidentListOptions,
  page: { top: number; expandAlerts: boolean },
): URLSearchParams {
  const clauses: string[] = [];
  if (options.updatedAfter) clauses.push(`lastUpdateDateTime ge ${options.updatedAfter.toISOString()}`);
  if (options.updatedBefore) clauses.push(`lastUpdateDateTime lt ${options.updatedBefore.toISOString()}`);
  if (options.createdAfter) clauses.push(`createdDateTime ge ${options.createdAfter.toISOString()}`);
  if (options.createdBefore) clauses.push(`createdDateTime lt ${options.createdBefore.toISOString()}`);
  if (options.status) clauses.push(`status eq ${odataString(options.status)}`);
  if (options.severity) clauses.push(`severity eq ${odataString(options.severity)}`);
  if (options.assignedTo !== undefined) clauses.push(`assignedTo eq ${odataString(options.assignedTo)}`);
  const query = listQuery(clauses, page.top);
  if (page.expandAlerts) query.set('$expand', 'alerts');
  return query;
}

/** Builds the query of `GET /security/alerts_v2` from the alert filters. */
export function buildGraphAlertListQuery(options: ValidatedAlertListOptions, top: number): URLSearchParams {
  const clauses: string[] = [];
  if (options.createdAfter) clauses.push(`createdDateTime ge ${options.createdAfter.toISOString()}`);
  if (options.updatedAfter) clauses.push(`lastUpdateDateTime ge ${options.updatedAfter.toISOString()}`);
  if (options.updatedBefore) clauses.push(`lastUpdateDateTime lt ${options.updatedBefore.toISOString()}`);
  if (options.status) clauses.push(`status eq ${odataString(options.status)}`);
  if (options.severity) clauses.push(`severity eq ${odataString(options.severity)}`);
  if (options.serviceSource) clauses.push(`serviceSource eq ${odataString(options.serviceSource)}`);
  if (options.assignedTo !== undefined) clauses.push(`assignedTo eq ${odataString(options.assignedTo)}`);
  return listQuery(clauses, top);
}

/** A list query asking for one item and the number the whole listing holds (`$count=true`). */
export function withCount(query: URLSearchParams): URLSearchParams {
  query.set('$top', '1');
  query.set('$count', 'true');
  return query;
}

/** The query listing one incident's alerts (the `$expand=alerts` fallback). */
export function buildAlertsOfIncidentQuery(incidentId: string): URLSearchParams {
  return new URLSearchParams({ $filter: `incidentId eq ${odataString(incidentId)}` });
}

/** Graph's metadata name where the model's differs (reference §5.4: trust the metadata names). */
const GRAPH_DETERMINATIONS: Record<string, string> = { confirmedUserActivity: 'confirmedActivity' };

/**
 * Builds the body of `PATCH /security/incidents/{id}`: camelCase values as Graph lists them,
 * `tags` → `customTags`, `assignedTo: null` kept as `null`. The comment is not part of it: it
 * goes to `POST .../comments` ({@link buildCommentBody}).
 */
export function buildGraphIncidentUpdateBody(update: ValidatedIncidentUpdate): Record<string, unknown> {
  const body = triageBody(update);
  if (update.tags !== undefined) body.customTags = [...update.tags];
  return body;
}

/** Builds the body of `PATCH /security/alerts_v2/{id}` (the comment goes separately). */
export function buildGraphAlertUpdateBody(update: AlertUpdate): Record<string, unknown> {
  return triageBody(update);
}

/** The fields an incident's and an alert's `PATCH` both take, as Graph names them; only those given. */
function triageBody(update: AlertUpdate | ValidatedIncidentUpdate): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (update.status !== undefined) body.status = update.status;
  if (update.assignedTo !== undefined) body.assignedTo = update.assignedTo;
  if (update.classification !== undefined) body.classification = update.classification;
  if (update.determination !== undefined) body.determination = GRAPH_DETERMINATIONS[update.determination] ?? update.determination;
  return body;
}

/** The body of `POST .../comments` (reference §5.1). */
export function buildCommentBody(comment: string): Record<string, unknown> {
  return { '@odata.type': 'microsoft.graph.security.alertComment', comment };
}
