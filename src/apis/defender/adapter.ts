/**
 * The Defender API (`api.security.microsoft.com`) behind the resources: `$skip` paging,
 * severity filtered client-side, alerts read from the incidents they are embedded in, and the
 * legacy hunting endpoint with its deprecation warning.
 *
 * @packageDocumentation
 */
import type * as DefenderWire from './index.js';
import { LEGACY_MAX_PAGE_SIZE } from './limits.js';
import { buildHuntingBody } from './hunting.js';
import { DEFENDER_OPERATIONS } from './operations.js';
import { InvalidArgumentError, UnsupportedOperationError } from '../../errors.js';
import type { ValidatedAlertListOptions } from '../../models/alert-options.js';
import type { Alert, Incident } from '../../models/incident.js';
import type { ValidatedIncidentListOptions, ValidatedIncidentUpdate } from '../../models/incident-options.js';
import type { Transport } from '../../transport/transport.js';
import type { AdapterPage, ListCursor, WireAdapter } from '../adapter.js';
import { runHuntingCall, streamHuntingCall, type HuntingCall } from '../shared/hunting-call.js';
import { warnLegacyHuntingOnce } from './deprecation.js';
import { DEFENDER_PATHS } from './paths.js';

type ParsedPage<T> = DefenderWire.ParsedPage<T>;

let wireModule: Promise<typeof DefenderWire> | undefined;

/**
 * The Defender API's wire schemas, mappers and parsers, loaded on the first call (they build
 * their zod schemas when evaluated: kept out of `import('m365-defender')`, bench figure 4). A
 * failed load is tried again on the next call.
 */
function wire(): Promise<typeof DefenderWire> {
  wireModule ??= import('./index.js').catch((error: unknown) => {
    wireModule = undefined;
    throw error;
  });
  return wireModule;
}

const isDefenderCursor = (value: unknown): value is ListCursor => {
  if (typeof value !== 'object' || value === null) return false;
  const { skip, link, perIncidentAlerts } = value as ListCursor;
  return Number.isSafeInteger(skip) && (skip as number) >= 0 && (link === undefined || typeof link === 'string') && perIncidentAlerts === undefined;
};

/** Whether an alert passes the `alerts.list` filters (applied client-side on this API). */
function alertMatches(alert: Alert, f: ValidatedAlertListOptions): boolean {
  const atOrAfter = (date: Date | null, bound: Date | undefined) => bound === undefined || (date !== null && date.getTime() >= bound.getTime());
  return (
    (f.status === undefined || alert.status === f.status) &&
    (f.severity === undefined || alert.severity === f.severity) &&
    (f.serviceSource === undefined || alert.serviceSource === f.serviceSource) &&
    (f.assignedTo === undefined || alert.assignedTo === f.assignedTo) &&
    atOrAfter(alert.createdDateTime, f.createdAfter) &&
    atOrAfter(alert.lastUpdateDateTime, f.updatedAfter) &&
    (f.updatedBefore === undefined || (alert.lastUpdateDateTime !== null && alert.lastUpdateDateTime.getTime() < f.updatedBefore.getTime()))
  );
}

/** The ids of a page's items before the SDK's own filters, invalid ones included (loop detection). */
function sentIds(page: { items: readonly { id: string }[]; invalid: readonly { id?: string | undefined }[] }): string[] {
  return [...page.items.map((item) => item.id), ...page.invalid.flatMap((problem) => (problem.id === undefined ? [] : [problem.id]))];
}

/** Settings of {@link DefenderAdapter}. */
export interface DefenderAdapterSettings {
  /** The portal origin for `webUrl`, if known. */
  portalBaseUrl: string | undefined;
  /** Do not emit the legacy-hunting deprecation warning. */
  silenceDeprecationWarnings: boolean;
}

/** The Defender API's {@link WireAdapter}. */
export class DefenderAdapter implements WireAdapter {
  readonly api = 'defender' as const;
  readonly maxIncidentPageSize = LEGACY_MAX_PAGE_SIZE;
  readonly alertsEmbeddedInIncidents = true;
  readonly #transport: Transport;
  readonly #mapOptions: { portalBaseUrl?: string };
  readonly #silence: boolean;

  constructor(transport: Transport, settings: DefenderAdapterSettings) {
    this.#transport = transport;
    this.#mapOptions = settings.portalBaseUrl ? { portalBaseUrl: settings.portalBaseUrl } : {};
    this.#silence = settings.silenceDeprecationWarnings;
  }

  isCursor(value: unknown): value is ListCursor {
    return isDefenderCursor(value);
  }

  async listIncidentsPage(options: ValidatedIncidentListOptions, cursor: ListCursor | undefined): Promise<AdapterPage<Incident>> {
    const op = DEFENDER_OPERATIONS.listIncidents;
    const { body, next } = await this.#incidentPage(options, cursor);
    const { parseIncidentListPage } = await wire();
    const page = parseIncidentListPage(body, op.name, { ...this.#mapOptions, skipInvalid: options.onInvalidItem !== undefined });
    // The API cannot filter on severity (reference §2.2): drop the others here.
    const items = options.severity ? page.items.filter((incident) => incident.severity === options.severity) : page.items;
    return { items, invalid: page.invalid, next: next(page), sentIds: sentIds(page) };
  }

  async incidentsExceed(options: ValidatedIncidentListOptions, n: number): Promise<boolean> {
    const { body } = await this.#incidentPage({ ...options, pageSize: 1 }, { skip: n });
    const { parseListCount } = await wire();
    return parseListCount(body, DEFENDER_OPERATIONS.listIncidents.name) > 0;
  }

  alertsExceed(): Promise<boolean> {
    // No alerts endpoint to count: counting every incident instead would answer for the wrong
    // items and no time window. The alerts feed asks incidentsExceed of its window's incidents.
    return Promise.reject(unsupported('alerts count'));
  }

  /**
   * Fetches one raw page of `GET /api/incidents`, and how to find the next from the parsed page.
   * Paging counts every incident the page held, valid or not: a skipped one still moves `$skip`.
   */
  async #incidentPage(
    options: ValidatedIncidentListOptions,
    cursor: ListCursor | undefined,
  ): Promise<{ body: unknown; next: (page: ParsedPage<unknown>) => ListCursor | undefined }> {
    const op = DEFENDER_OPERATIONS.listIncidents;
    const top = options.pageSize ?? LEGACY_MAX_PAGE_SIZE;
    const skip = cursor?.skip ?? 0;
    const { buildIncidentListQuery } = await wire();
    const response = cursor?.link
      ? await this.#transport.request({ method: 'GET', path: cursor.link, operation: op, signal: options.signal })
      : await this.#transport.request({
          method: 'GET',
          path: DEFENDER_PATHS.incidents,
          query: buildIncidentListQuery(options, { top, skip }),
          operation: op,
          signal: options.signal,
        });
    const next = (page: ParsedPage<unknown>): ListCursor | undefined => {
      const after = skip + page.count;
      // Follow @odata.nextLink if the API gives one (never the same link twice in a row);
      // else page by $skip until a short page.
      return page.nextLink && page.nextLink !== cursor?.link
        ? { skip: after, link: page.nextLink }
        : page.count < top || page.nextLink
          ? undefined
          : { skip: after };
    };
    return { body: response.body, next };
  }

  async getIncident(id: string, options: { signal?: AbortSignal | undefined }): Promise<Incident> {
    const op = DEFENDER_OPERATIONS.getIncident;
    const response = await this.#transport.request({
      method: 'GET',
      path: DEFENDER_PATHS.incident(id),
      operation: op,
      signal: options.signal,
    });
    return (await wire()).parseIncident(response.body, op.name, this.#mapOptions);
  }

  async updateIncident(id: string, update: ValidatedIncidentUpdate, options: { signal?: AbortSignal | undefined }): Promise<Incident> {
    const op = DEFENDER_OPERATIONS.updateIncident;
    const { buildIncidentUpdateBody, parseIncident } = await wire();
    const body = buildIncidentUpdateBody(update);
    const path = DEFENDER_PATHS.incident(id);
    const response = await this.#transport.request({ method: 'PATCH', path, body, operation: op, signal: options.signal });
    return parseIncident(response.body, op.name, this.#mapOptions);
  }

  async listAlertsPage(options: ValidatedAlertListOptions, cursor: ListCursor | undefined): Promise<AdapterPage<Alert>> {
    // The legacy API has no alerts endpoint: read the alerts embedded in each incident, each
    // alert on its own (an incident the model rejects still gives its valid alerts).
    const { body, next } = await this.#incidentPage(options.signal ? { signal: options.signal } : {}, cursor);
    // Messages name the call the user made; pacing and permission are the incidents list's.
    const { parseAlertListPage } = await wire();
    const page = parseAlertListPage(body, 'alerts.list', { ...this.#mapOptions, skipInvalid: options.onInvalidItem !== undefined });
    return { items: page.items.filter((alert) => alertMatches(alert, options)), invalid: page.invalid, next: next(page), sentIds: sentIds(page) };
  }

  getAlert(): Promise<Alert> {
    return Promise.reject(unsupported('alerts.get'));
  }

  updateAlert(): Promise<Alert> {
    return Promise.reject(unsupported('alerts.update'));
  }

  huntingTimespan(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    throw new InvalidArgumentError(
      'timespan',
      "timespan is not available on the Defender API (api: 'defender'): its hunting endpoint has none. " +
        'Limit the time in the query itself (`| where Timestamp > ago(7d)`), or use the Graph API (api: \'graph\').',
    );
  }

  async runHunting(query: string, _timespan: string | undefined, options: { signal?: AbortSignal | undefined; timeoutMs: number }) {
    const call = this.#huntingCall(query, options);
    const body = await runHuntingCall(this.#transport, call);
    return (await wire()).parseHuntingResponse(body, call.operation.name);
  }

  async streamHunting(query: string, _timespan: string | undefined, options: { signal?: AbortSignal | undefined; timeoutMs: number; operation: string }) {
    return streamHuntingCall(this.#transport, this.#huntingCall(query, options), { operation: options.operation, keepStats: true });
  }

  /** The legacy hunting call; warns, once per process, that the endpoint is deprecated. */
  #huntingCall(query: string, options: { signal?: AbortSignal | undefined; timeoutMs: number }): HuntingCall {
    if (!this.#silence) warnLegacyHuntingOnce();
    return {
      path: DEFENDER_PATHS.hunting,
      body: buildHuntingBody(query),
      operation: DEFENDER_OPERATIONS.runHuntingQuery,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    };
  }
}

function unsupported(operation: string): UnsupportedOperationError {
  return new UnsupportedOperationError(
    `${operation} is not available on the Defender API (api: 'defender'): it has no alerts endpoint (alerts come embedded in ` +
      "incidents, which alerts.list reads). Use the Microsoft Graph API: new DefenderClient({ api: 'graph', … }) with the " +
      'Microsoft Graph permission SecurityAlert.Read.All (SecurityAlert.ReadWrite.All to update).',
    { operation, api: 'defender' },
  );
}
