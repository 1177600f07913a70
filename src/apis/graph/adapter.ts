/**
 * Microsoft Graph security (`/v1.0/security`) behind the resources: `@odata.nextLink` paging,
 * `$expand=alerts` with its fallback, comments as a separate call, `alerts_v2`, and
 * `runHuntingQuery` with `Timespan`. Loaded on the first Graph call, through the
 * `LazyGraphAdapter` the client holds (`lazy-adapter.ts`).
 *
 * @packageDocumentation
 */
import {
  GRAPH_DEFAULT_ALERT_PAGE_SIZE,
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
  parseGraphAlertsOfIncident,
  parseGraphHuntingResponse,
  parseGraphComments,
  parseGraphIncident,
  parseGraphIncidentPage,
  parseODataCount,
  withCount,
} from './index.js';
import { DefenderError, ServerError, TimeoutError } from '../../errors.js';
import type { AlertUpdate, ValidatedAlertListOptions } from '../../models/alert-options.js';
import type { Alert, Incident } from '../../models/incident.js';
import type { ValidatedIncidentListOptions, ValidatedIncidentUpdate } from '../../models/incident-options.js';
import type { InvalidItem } from '../../models/invalid-item.js';
import type { OperationSpec } from '../../transport/operation.js';
import type { Transport, TransportResponse } from '../../transport/transport.js';
import type { Logger } from '../../types.js';
import type { AdapterPage, ListCursor, WireAdapter } from '../adapter.js';
import { runHuntingCall, streamHuntingCall, type HuntingCall } from '../shared/hunting-call.js';
import { isGraphCursor } from './cursor.js';
import { toGraphTimespan } from './timespan.js';

type Signal = { signal?: AbortSignal | undefined };

/** A next link without `$expand`: the same page, asked for without the alerts. */
function withoutExpand(link: string): string {
  const url = new URL(link, 'https://placeholder.invalid');
  url.searchParams.delete('$expand');
  return /^https?:\/\//i.test(link) ? url.href : `${url.pathname}${url.search}`;
}

/** What {@link GraphAdapter}'s comment step needs to know of the incident or alert it comments. */
interface CommentTarget<T> {
  /** The public call, for messages: `incidents.update`. */
  call: string;
  /** What is commented, for messages: `incident`. */
  kind: string;
  /** Its id. */
  id: string;
  /** The comments path. */
  path: string;
  /** The comment operation: its own name, so a failure says the PATCH before it was applied. */
  operation: OperationSpec;
  /** Reads the object back after the comment. */
  readBack: () => Promise<T>;
  /** The result when the read fails after a PATCH, from its answer and the POST's; and what the log adds to "the PATCH's answer". */
  fromPatch: (patched: T, posted: TransportResponse) => [result: T, withWhat: string];
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
  readonly alertsEmbeddedInIncidents = false;
  readonly #transport: Transport;
  readonly #logger: Logger | undefined;

  constructor(transport: Transport, settings: GraphAdapterSettings = {}) {
    this.#transport = transport;
    this.#logger = settings.logger;
  }

  isCursor(value: unknown): value is ListCursor {
    return isGraphCursor(value);
  }

  async incidentsExceed(options: ValidatedIncidentListOptions, n: number): Promise<boolean> {
    const op = GRAPH_OPERATIONS.listIncidents;
    const query = withCount(buildGraphIncidentListQuery(options, { top: 1, expandAlerts: false }));
    const response = await this.#transport.request({ method: 'GET', path: GRAPH_PATHS.incidents, query, operation: op, signal: options.signal });
    return parseODataCount(response.body, op.name) > n;
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
    const skipInvalid = options.onInvalidItem !== undefined;
    const page = parseGraphIncidentPage(response.body, op.name, { skipInvalid });
    let { items, invalid } = page;
    if (perIncidentAlerts) {
      items = [];
      invalid = [...invalid];
      for (const [index, incident] of page.items.entries()) {
        const read = await this.#alertsOf(incident, page.positions[index] ?? index, skipInvalid, options.signal);
        if (read.ok) items.push({ ...incident, alerts: read.alerts });
        else invalid.push(read.invalid);
      }
    }
    const next: ListCursor | undefined =
      page.nextLink && page.nextLink !== cursor?.link
        ? perIncidentAlerts
          ? { link: page.nextLink, perIncidentAlerts: true }
          : { link: page.nextLink }
        : undefined;
    return { items, invalid, next };
  }

  /**
   * One incident's alerts, read with the incident (`GET /security/incidents/{id}?$expand=alerts`).
   * An answer the model rejects makes the listed incident invalid, as an expanded list would.
   */
  async #alertsOf(
    incident: Incident,
    index: number,
    skipInvalid: boolean,
    signal: AbortSignal | undefined,
  ): Promise<{ ok: true; alerts: Alert[] } | { ok: false; invalid: InvalidItem }> {
    // Errors name the call the user made; pacing and permission are incidents.get's.
    const op = { ...GRAPH_OPERATIONS.getIncident, name: 'incidents.list' };
    const response = await this.#transport.request({
      method: 'GET',
      path: GRAPH_PATHS.incident(incident.id),
      query: new URLSearchParams({ $expand: 'alerts' }),
      operation: op,
      signal,
    });
    return parseGraphAlertsOfIncident(response.body, ['value', index], { operation: op.name, skipInvalid });
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
    const incident = await this.#patch(GRAPH_PATHS.incident(id), body, GRAPH_OPERATIONS.updateIncident, parseGraphIncident, options.signal);
    if (update.comment === undefined) return incident as Incident;
    // Graph takes comments on their own endpoint. The comment changes the incident again
    // (lastUpdateDateTime), so the result is read back.
    return this.#commentThenReadBack(update.comment, incident, options.signal, {
      call: 'incidents.update',
      kind: 'incident',
      id,
      path: GRAPH_PATHS.incidentComments(id),
      operation: GRAPH_OPERATIONS.commentIncident,
      readBack: () => this.getIncident(id, { signal: options.signal, expandAlerts: false }),
      fromPatch: (patched, posted) => {
        const { comments, raw } = parseGraphComments(posted.body, GRAPH_OPERATIONS.commentIncident.name);
        return [{ ...patched, comments, raw: { ...(patched.raw as Record<string, unknown>), comments: raw } }, ' with the comments the POST returned'];
      },
    });
  }

  async alertsExceed(options: ValidatedAlertListOptions, n: number): Promise<boolean> {
    const op = GRAPH_OPERATIONS.listAlerts;
    const query = withCount(buildGraphAlertListQuery(options, 1));
    const response = await this.#transport.request({ method: 'GET', path: GRAPH_PATHS.alerts, query, operation: op, signal: options.signal });
    return parseODataCount(response.body, op.name) > n;
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
    const page = parseGraphAlertPage(response.body, op.name, { skipInvalid: options.onInvalidItem !== undefined });
    return {
      items: page.items,
      invalid: page.invalid,
      next: page.nextLink && page.nextLink !== cursor?.link ? { link: page.nextLink } : undefined,
    };
  }

  async getAlert(id: string, options: Signal): Promise<Alert> {
    const op = GRAPH_OPERATIONS.getAlert;
    const response = await this.#transport.request({ method: 'GET', path: GRAPH_PATHS.alert(id), operation: op, signal: options.signal });
    return parseGraphAlert(response.body, op.name);
  }

  async updateAlert(id: string, update: AlertUpdate, options: Signal): Promise<Alert> {
    const body = buildGraphAlertUpdateBody(update);
    const alert = await this.#patch(GRAPH_PATHS.alert(id), body, GRAPH_OPERATIONS.updateAlert, parseGraphAlert, options.signal);
    if (update.comment === undefined) return alert as Alert;
    // Graph takes comments on their own endpoint; the alert is read back so the result shows the comment.
    return this.#commentThenReadBack(update.comment, alert, options.signal, {
      call: 'alerts.update',
      kind: 'alert',
      id,
      path: GRAPH_PATHS.alertComments(id),
      operation: GRAPH_OPERATIONS.commentAlert,
      readBack: () => this.getAlert(id, options),
      fromPatch: (patched) => [patched, ''],
    });
  }

  /** Sends a `PATCH` and parses its answer; sends nothing, and returns `undefined`, when `body` is empty. */
  async #patch<T>(
    path: string,
    body: Record<string, unknown>,
    operation: OperationSpec,
    parse: (body: unknown, operation: string) => T,
    signal: AbortSignal | undefined,
  ): Promise<T | undefined> {
    if (Object.keys(body).length === 0) return undefined;
    const response = await this.#transport.request({ method: 'PATCH', path, body, operation, signal });
    return parse(response.body, operation.name);
  }

  /**
   * Posts a comment, then reads the commented object back. The writes are done by then, so a
   * failed read must not invite the caller to send the comment twice: after a `PATCH` the
   * result is built from its answer (and logged), without one the error says not to resend.
   */
  async #commentThenReadBack<T>(comment: string, patched: T | undefined, signal: AbortSignal | undefined, target: CommentTarget<T>): Promise<T> {
    const posted = await this.#transport.request({
      method: 'POST',
      path: target.path,
      body: buildCommentBody(comment),
      operation: target.operation,
      signal,
    });
    try {
      return await target.readBack();
    } catch (error) {
      const { call, kind, id } = target;
      if (patched !== undefined) {
        const [result, withWhat] = target.fromPatch(patched, posted);
        this.#logger?.warn?.(
          `${call}: ${kind} ${id} was updated and commented; reading it back failed (${describeFailure(error)}), so the result is the PATCH's answer${withWhat}.`,
        );
        return result;
      }
      throw new DefenderError(
        `${call}: the comment was added to ${kind} ${id}, but reading the ${kind} back failed (${describeFailure(error)}); do not send the comment again.`,
        { cause: error },
      );
    }
  }

  huntingTimespan(value: unknown): string | undefined {
    return value === undefined ? undefined : toGraphTimespan(value);
  }

  async runHunting(query: string, timespan: string | undefined, options: Signal & { timeoutMs: number }) {
    const call = huntingCall(query, timespan, options);
    return parseGraphHuntingResponse(await runHuntingCall(this.#transport, call), call.operation.name);
  }

  async streamHunting(query: string, timespan: string | undefined, options: Signal & { timeoutMs: number; operation: string }) {
    return streamHuntingCall(this.#transport, huntingCall(query, timespan, options), { operation: options.operation, keepStats: false });
  }
}

/** Graph's hunting call (`POST /security/runHuntingQuery`). */
function huntingCall(query: string, timespan: string | undefined, options: Signal & { timeoutMs: number }): HuntingCall {
  return {
    path: GRAPH_PATHS.hunting,
    body: buildHuntingBody(query, timespan),
    operation: GRAPH_OPERATIONS.runHuntingQuery,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  };
}

/** A short description of why a call failed, for log lines and wrapping errors. */
function describeFailure(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
