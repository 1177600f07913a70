/**
 * Microsoft Graph security (`/v1.0/security`) behind the resources: `@odata.nextLink` paging,
 * `$expand=alerts` with its fallback, comments as a separate call, `alerts_v2`, and
 * `runHuntingQuery` with `Timespan`. Loaded on the first Graph call, through the
 * `LazyGraphAdapter` the client holds (`lazy-graph.ts`).
 *
 * @packageDocumentation
 */
import {
  GRAPH_DEFAULT_ALERT_PAGE_SIZE,
  GRAPH_HUNTING_PATH,
  GRAPH_MAX_INCIDENT_PAGE_SIZE,
  GRAPH_OPERATIONS,
  GRAPH_PATHS,
  buildCommentBody,
  buildGraphAlertListQuery,
  buildGraphAlertUpdateBody,
  buildGraphIncidentListQuery,
  buildGraphIncidentUpdateBody,
  buildHuntingBody,
  parseGraphAlert,
  parseGraphAlertPage,
  parseGraphHuntingResponse,
  parseGraphComments,
  parseGraphIncident,
  parseGraphIncidentPage,
} from '../../apis/graph/index.js';
import { DefenderError, ServerError, TimeoutError } from '../../errors.js';
import type { AlertUpdate, ValidatedAlertListOptions } from '../../models/alert-options.js';
import type { Alert, Incident } from '../../models/incident.js';
import type { ValidatedIncidentListOptions, ValidatedIncidentUpdate } from '../../models/incident-options.js';
import { toGraphTimespan } from '../../models/timespan.js';
import type { Transport, TransportResponse } from '../../transport/transport.js';
import type { Logger } from '../../types.js';
import { isGraphCursor } from './graph-cursor.js';
import type { AdapterPage, ListCursor, WireAdapter } from './types.js';

type Signal = { signal?: AbortSignal | undefined };

/** A next link without `$expand`: the same page, asked for without the alerts. */
function withoutExpand(link: string): string {
  const url = new URL(link, 'https://placeholder.invalid');
  url.searchParams.delete('$expand');
  return /^https?:\/\//i.test(link) ? url.href : `${url.pathname}${url.search}`;
}

/** Settings of {@link GraphAdapter}. */
export interface GraphAdapterSettings {
  /** Where the `$expand=alerts` fallback is logged. */
  logger?: Logger | undefined;
}

/** The Graph security API's {@link WireAdapter}. */
export class GraphAdapter implements WireAdapter {
  readonly api = 'graph' as const;
  readonly maxIncidentPageSize = GRAPH_MAX_INCIDENT_PAGE_SIZE;
  readonly #transport: Transport;
  readonly #logger: Logger | undefined;

  constructor(transport: Transport, settings: GraphAdapterSettings = {}) {
    this.#transport = transport;
    this.#logger = settings.logger;
  }

  isCursor(value: unknown): value is ListCursor {
    return isGraphCursor(value);
  }

  async listIncidentsPage(options: ValidatedIncidentListOptions, cursor: ListCursor | undefined): Promise<AdapterPage<Incident>> {
    const op = GRAPH_OPERATIONS.listIncidents;
    const expand = options.expandAlerts === true && cursor?.perIncidentAlerts !== true;
    const top = options.pageSize ?? GRAPH_MAX_INCIDENT_PAGE_SIZE;
    const fetch = (withExpand: boolean): Promise<TransportResponse> =>
      cursor?.link
        ? this.#transport.request({ method: 'GET', path: withExpand ? cursor.link : withoutExpand(cursor.link), operation: op, signal: options.signal })
        : this.#transport.request({
            method: 'GET',
            path: GRAPH_PATHS.incidents,
            query: buildGraphIncidentListQuery(options, { top, expandAlerts: withExpand }),
            operation: op,
            signal: options.signal,
          });

    let perIncidentAlerts = options.expandAlerts === true && cursor?.perIncidentAlerts === true;
    let response: TransportResponse;
    try {
      response = await fetch(expand);
    } catch (error) {
      // `$expand=alerts` 500s (or runs out of time) on large tenants (reference §5.2): list
      // without it, then read each incident with its alerts, Microsoft's documented workaround
      // (the incident permission suffices, unlike alerts_v2).
      if (!expand || !(error instanceof ServerError || error instanceof TimeoutError)) throw error;
      this.#logger?.warn?.(
        `incidents.list: the list with $expand=alerts failed (${error instanceof ServerError ? error.status : 'timeout'}) after retries; ` +
          'listing without $expand and reading each incident with its alerts (GET /security/incidents/{id}?$expand=alerts) instead.',
      );
      perIncidentAlerts = true;
      response = await fetch(false);
    }
    const page = parseGraphIncidentPage(response.body, op.name);
    if (perIncidentAlerts) {
      for (const incident of page.items) incident.alerts = await this.#alertsOf(incident.id, options.signal);
    }
    const next: ListCursor | undefined =
      page.nextLink && page.nextLink !== cursor?.link
        ? perIncidentAlerts
          ? { link: page.nextLink, perIncidentAlerts: true }
          : { link: page.nextLink }
        : undefined;
    return { items: page.items, next };
  }

  /** One incident's alerts, read with the incident (`GET /security/incidents/{id}?$expand=alerts`). */
  async #alertsOf(incidentId: string, signal: AbortSignal | undefined): Promise<Alert[]> {
    // Errors name the call the user made; pacing and permission are incidents.get's.
    const op = { ...GRAPH_OPERATIONS.getIncident, name: 'incidents.list' };
    const response = await this.#transport.request({
      method: 'GET',
      path: GRAPH_PATHS.incident(incidentId),
      query: new URLSearchParams({ $expand: 'alerts' }),
      operation: op,
      signal,
    });
    return parseGraphIncident(response.body, op.name).alerts;
  }

  async getIncident(id: string, options: Signal & { expandAlerts: boolean }): Promise<Incident> {
    const op = GRAPH_OPERATIONS.getIncident;
    const response = await this.#transport.request({
      method: 'GET',
      path: GRAPH_PATHS.incident(id),
      ...(options.expandAlerts ? { query: new URLSearchParams({ $expand: 'alerts' }) } : {}),
      operation: op,
      signal: options.signal,
    });
    return parseGraphIncident(response.body, op.name);
  }

  async updateIncident(id: string, update: ValidatedIncidentUpdate, options: Signal): Promise<Incident> {
    const body = buildGraphIncidentUpdateBody(update);
    let incident: Incident | undefined;
    if (Object.keys(body).length > 0) {
      const op = GRAPH_OPERATIONS.updateIncident;
      const response = await this.#transport.request({ method: 'PATCH', path: GRAPH_PATHS.incident(id), body, operation: op, signal: options.signal });
      incident = parseGraphIncident(response.body, op.name);
    }
    if (update.comment === undefined) return incident as Incident;
    // Graph takes comments on their own endpoint. The comment changes the incident again
    // (lastUpdateDateTime), so the result is read back; but the writes are done by then, and a
    // failed read must not invite the caller to send the comment twice.
    const posted = await this.#transport.request({
      method: 'POST',
      path: GRAPH_PATHS.incidentComments(id),
      body: buildCommentBody(update.comment),
      operation: GRAPH_OPERATIONS.commentIncident,
      signal: options.signal,
    });
    try {
      return await this.getIncident(id, { signal: options.signal, expandAlerts: false });
    } catch (error) {
      if (incident) {
        const { comments, raw } = parseGraphComments(posted.body, GRAPH_OPERATIONS.commentIncident.name);
        this.#logger?.warn?.(`incidents.update: incident ${id} was updated and commented; reading it back failed (${describeFailure(error)}), so the result is the PATCH's answer with the comments the POST returned.`);
        return { ...incident, comments, raw: { ...(incident.raw as Record<string, unknown>), comments: raw } };
      }
      throw new DefenderError(
        `incidents.update: the comment was added to incident ${id}, but reading the incident back failed (${describeFailure(error)}); do not send the comment again.`,
        { cause: error },
      );
    }
  }

  async listAlertsPage(options: ValidatedAlertListOptions, cursor: ListCursor | undefined): Promise<AdapterPage<Alert>> {
    const op = GRAPH_OPERATIONS.listAlerts;
    const response = cursor?.link
      ? await this.#transport.request({ method: 'GET', path: cursor.link, operation: op, signal: options.signal })
      : await this.#transport.request({
          method: 'GET',
          path: GRAPH_PATHS.alerts,
          query: buildGraphAlertListQuery(options, options.pageSize ?? GRAPH_DEFAULT_ALERT_PAGE_SIZE),
          operation: op,
          signal: options.signal,
        });
    const page = parseGraphAlertPage(response.body, op.name);
    return { items: page.items, next: page.nextLink && page.nextLink !== cursor?.link ? { link: page.nextLink } : undefined };
  }

  async getAlert(id: string, options: Signal): Promise<Alert> {
    const op = GRAPH_OPERATIONS.getAlert;
    const response = await this.#transport.request({ method: 'GET', path: GRAPH_PATHS.alert(id), operation: op, signal: options.signal });
    return parseGraphAlert(response.body, op.name);
  }

  async updateAlert(id: string, update: AlertUpdate, options: Signal): Promise<Alert> {
    const body = buildGraphAlertUpdateBody(update);
    let alert: Alert | undefined;
    if (Object.keys(body).length > 0) {
      const op = GRAPH_OPERATIONS.updateAlert;
      const response = await this.#transport.request({ method: 'PATCH', path: GRAPH_PATHS.alert(id), body, operation: op, signal: options.signal });
      alert = parseGraphAlert(response.body, op.name);
    }
    if (update.comment === undefined) return alert as Alert;
    await this.#transport.request({
      method: 'POST',
      path: GRAPH_PATHS.alertComments(id),
      body: buildCommentBody(update.comment),
      operation: GRAPH_OPERATIONS.commentAlert,
      signal: options.signal,
    });
    // The comment is on the alert now; read it back so the result shows it. A failed read must
    // not invite the caller to send the comment twice.
    try {
      return await this.getAlert(id, options);
    } catch (error) {
      if (alert) {
        this.#logger?.warn?.(`alerts.update: alert ${id} was updated and commented; reading it back failed (${describeFailure(error)}), so the result is the PATCH's answer.`);
        return alert;
      }
      throw new DefenderError(
        `alerts.update: the comment was added to alert ${id}, but reading the alert back failed (${describeFailure(error)}); do not send the comment again.`,
        { cause: error },
      );
    }
  }

  huntingTimespan(value: unknown): string | undefined {
    return value === undefined ? undefined : toGraphTimespan(value);
  }

  async runHunting(query: string, timespan: string | undefined, options: Signal & { timeoutMs: number }) {
    const op = GRAPH_OPERATIONS.runHuntingQuery;
    const response = await this.#transport.request({
      method: 'POST',
      path: GRAPH_HUNTING_PATH,
      body: buildHuntingBody(query, timespan),
      operation: op,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    return parseGraphHuntingResponse(response.body, op.name);
  }

  async streamHunting(query: string, timespan: string | undefined, options: Signal & { timeoutMs: number; operation: string }) {
    // The body reader (and through it the streaming JSON parser) loads on the first stream(),
    // before the request is sent: a missing module must not cost a query.
    const { HuntingBodyReader, loadHuntingParser } = await import('../../apis/hunting-body.js');
    const Parser = await loadHuntingParser();
    const op = { ...GRAPH_OPERATIONS.runHuntingQuery, name: options.operation };
    const response = await this.#transport.requestStream({
      method: 'POST',
      path: GRAPH_HUNTING_PATH,
      body: buildHuntingBody(query, timespan),
      operation: op,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    return HuntingBodyReader.create(response.body, Parser, {
      operation: options.operation,
      keepStats: false,
      idleTimeoutMs: options.timeoutMs,
      signal: options.signal,
    });
  }
}

/** A short description of why a call failed, for log lines and wrapping errors. */
function describeFailure(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
