/*
 * The fake tenant's Microsoft Graph security API (reference defender-api.md §5): incidents, alerts_v2
 * and runHuntingQuery under `{baseUrl}/v1.0/security/`, served from the SAME incident store as the
 * legacy Defender API (src/testing/tenant/defender-api.ts), rendered into Graph's wire shape
 * (graph-wire.ts). A PATCH or comment here changes the stored legacy incident, so the legacy API sees
 * it. Framework-free: it answers a web `Request` with a web `Response`.
 */
import { formatTime } from '../data/seed-incidents.js';
import { KqlSemanticError, KqlSyntaxError } from '../kql/index.js';
import type { RequestHandlerLike } from '../network-fault.js';
import { graphErrorResponse, graphJsonResponse, graphRequestIds, type GraphRequestIds } from './graph-errors.js';
import { runHuntingQuery, TimespanError, type HuntingTable } from './graph-hunting.js';
import { compileFilter, ODataQueryError, ticksOf, type FilterKind, type GraphPredicate } from './graph-odata.js';
import { injectedResponse, InjectionQueues, isRecord, nonNegativeInt, readRequestBody, recordOf, safeDecode, trimSlash, type InjectedHttpResponse, type RecordedHttpRequest } from './http-util.js';
import { GRAPH_WRITABLE_ENUMS, renderAlert, renderComment, renderIncident, toLegacy, type GraphRenderOptions } from './graph-wire.js';
import type { LegacyAlertWire, LegacyCommentWire, LegacyIncidentWire } from './legacy-wire.js';

export { graphErrorResponse, graphTokenVerifier, graphUnauthorized } from './graph-errors.js';

/** Who a verified token belongs to. */
export interface GraphCaller {
  /** The token's `appid`. */
  appId: string;
  /** The token's `roles`. */
  roles: string[];
}

/** Options of a {@link GraphApi}. */
export interface GraphApiOptions {
  /**
   * Keep raw records of requests (`requests`, and Entra's `tokenRequests`/`issuedTokens`), tokens and
   * secrets included: for tests of this package. Default `true`; the fake tenant turns it off (it keeps
   * one redacted, capped log of its own).
   */
  recordRequests?: boolean;
  /** Graph origin, e.g. `https://graph.microsoft.com` (routes live under `{baseUrl}/v1.0/security/`). */
  baseUrl: string;
  /** The tenant's id (`tenantId` fields, portal links). */
  tenantId: string;
  /** The tenant's incidents in the legacy shape: the same `Map` the legacy API serves. */
  incidents: Map<number, LegacyIncidentWire>;
  /** Advanced hunting tables: table name → rows (types inferred) or `{columns, rows}`. */
  tables: Record<string, HuntingTable>;
  /**
   * Checks the bearer token (signature, audience, tenant, expiry): the caller, or a ready 401
   * response (see `graphUnauthorized`). Roles are checked by the API afterwards.
   */
  verifyToken: (request: Request) => GraphCaller | Response;
  /** The tenant's clock, epoch ms (`lastUpdateDateTime` of changes, hunting `now()` and `Timespan`). */
  now: () => number;
  /** Largest `$top` on incidents; above it the real 400. Default 50 (reference §5.2). */
  pageSizeLimit?: number;
  /** A list of incidents with `$expand=alerts` answers 500 when more incidents than this match its filter (reference §5.2). Default: never. */
  expandFailsAbove?: number;
}

/** A route of the Graph API, as named by {@link GraphApi.inject}. */
export type GraphRoute = 'listIncidents' | 'getIncident' | 'updateIncident' | 'commentIncident' | 'listAlerts' | 'getAlert' | 'updateAlert' | 'commentAlert' | 'hunting';

/**
 * A canned response for {@link GraphApi.inject}: JSON `body`, or `rawBody` sent verbatim (Graph's id
 * headers are added unless given); `'network-error'` resets the connection; `{fault}` breaks it as said.
 */
export type GraphInjectedResponse = InjectedHttpResponse;

/** One request the fake received. `body` is parsed JSON, else the text, else `undefined`. */
export type GraphRecordedRequest = RecordedHttpRequest<GraphRoute>;

const INCIDENT_READ = ['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'];
const INCIDENT_WRITE = ['SecurityIncident.ReadWrite.All'];
// The service's own 403 text lists the incident roles as enough to read alerts_v2 (wazuh/wazuh#31670).
const ALERT_READ = ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All', 'SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'];
const ALERT_WRITE = ['SecurityAlert.ReadWrite.All'];
const HUNTING = ['ThreatHunting.Read.All'];
const DEFAULT_ALERT_PAGE = 2000;

const INCIDENT_TYPE = 'microsoft.graph.security.incident';
const ALERT_TYPE = 'microsoft.graph.security.alert';
const INCIDENT_PROPERTIES = [
  'id', 'tenantId', 'status', 'incidentWebUrl', 'redirectIncidentId', 'displayName', 'createdDateTime', 'lastUpdateDateTime',
  'assignedTo', 'classification', 'determination', 'severity', 'customTags', 'systemTags', 'description', 'summary',
  'resolvingComment', 'lastModifiedBy', 'priorityScore', 'comments', 'alerts',
];
const ALERT_PROPERTIES = [
  'id', 'providerAlertId', 'incidentId', 'status', 'severity', 'classification', 'determination', 'serviceSource',
  'detectionSource', 'productName', 'detectorId', 'tenantId', 'title', 'description', 'recommendedActions', 'category',
  'assignedTo', 'alertWebUrl', 'incidentWebUrl', 'actorDisplayName', 'threatDisplayName', 'threatFamilyName',
  'mitreTechniques', 'createdDateTime', 'lastUpdateDateTime', 'resolvedDateTime', 'firstActivityDateTime',
  'lastActivityDateTime', 'alertPolicyId', 'additionalData', 'customDetails', 'systemTags', 'comments', 'evidence',
];
const INCIDENT_FILTERS: Record<string, FilterKind> = {
  status: 'enum', severity: 'enum', classification: 'enum', determination: 'enum',
  lastUpdateDateTime: 'datetime', createdDateTime: 'datetime', assignedTo: 'string',
};
const ALERT_FILTERS: Record<string, FilterKind> = {
  status: 'enum', severity: 'enum', classification: 'enum', determination: 'enum', serviceSource: 'enum',
  lastUpdateDateTime: 'datetime', createdDateTime: 'datetime', assignedTo: 'string', incidentId: 'string',
};
const ORDERABLE = ['createdDateTime', 'lastUpdateDateTime'];

/** Thrown inside handlers to answer with a Graph error body. */
class GraphWireError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Query-option errors of this service's OData layer: the `$top` 400 captured in the field has an empty `code` and `details: []` (reference §5.2). */
function queryError(error: ODataQueryError | string): GraphWireError {
  const message = typeof error === 'string' ? `The query specified in the URI is not valid. ${error}` : error.message;
  return new GraphWireError(400, '', message, { details: [] });
}

type Match = { route: GraphRoute; id?: string };

/**
 * In-memory Microsoft Graph security API (`/v1.0/security/incidents`, `alerts_v2`, `runHuntingQuery`)
 * over the tenant's legacy incident store. Checks tokens through `verifyToken` and roles itself
 * (403 with Graph's "Missing application roles" text), honours `Prefer: include-unknown-enum-members`,
 * and records every request it handles.
 */
export class GraphApi implements RequestHandlerLike {
  /** Every request the fake handled, in arrival order (injected and rejected ones included). */
  readonly requests: GraphRecordedRequest[] = [];
  /** The tenant's incidents (legacy shape), shared with the legacy API. */
  readonly incidents: Map<number, LegacyIncidentWire>;
  /** Hunting tables; mutable. */
  tables: Record<string, HuntingTable>;
  /** See {@link GraphApiOptions.expandFailsAbove}; may be changed at any time. */
  expandFailsAbove: number | undefined;
  /** The Graph origin, without a trailing slash. */
  readonly baseUrl: string;
  /** The tenant's id. */
  readonly tenantId: string;
  readonly #pageSizeLimit: number;
  readonly #verifyToken: (request: Request) => GraphCaller | Response;
  readonly #now: () => number;
  readonly #queues = new InjectionQueues<GraphRoute, GraphInjectedResponse>();
  /** Graph-only state: which app last changed an incident. */
  readonly #lastModifiedBy = new Map<number, string>();
  /** Alert comments by alert id: Graph-only state, kept out of the shared legacy store. */
  readonly #alertComments = new Map<string, LegacyCommentWire[]>();

  readonly #record: boolean;

  constructor(options: GraphApiOptions) {
    this.#record = options.recordRequests ?? true;
    this.baseUrl = trimSlash(options.baseUrl);
    this.tenantId = options.tenantId;
    this.incidents = options.incidents;
    this.tables = options.tables;
    this.#verifyToken = options.verifyToken;
    this.#now = options.now;
    this.#pageSizeLimit = options.pageSizeLimit ?? 50;
    this.expandFailsAbove = options.expandFailsAbove;
  }

  /** Forgets the Graph-only state (alert comments, who last changed an incident): part of the tenant's `reset()`. */
  clearState(): void {
    this.#lastModifiedBy.clear();
    this.#alertComments.clear();
  }

  /**
   * Queues responses for a route, served before normal handling (no auth check, no state change):
   * each matching request consumes one. A route's own queue is used before the `'any'` queue.
   */
  inject(route: GraphRoute | 'any', ...responses: GraphInjectedResponse[]): void {
    this.#queues.add(route, ...responses);
  }

  /** Which route a request is for, without reading its body; `undefined` when it is not for this API. */
  routeOf(request: Request): Match | undefined {
    const url = new URL(request.url);
    const base = new URL(this.baseUrl);
    if (url.origin !== base.origin) return undefined;
    const prefix = `${base.pathname.replace(/\/+$/, '')}/v1.0/security/`.toLowerCase();
    if (!url.pathname.toLowerCase().startsWith(prefix)) return undefined;
    // Graph paths are case-insensitive; ids keep their case.
    const segments = url.pathname.slice(prefix.length).replace(/\/+$/, '').split('/').map(safeDecode);
    const [collection = '', id, sub, ...rest] = segments;
    if (rest.length > 0) return undefined;
    const method = request.method.toUpperCase();
    const name = collection.toLowerCase();
    if (name === 'incidents') {
      if (id === undefined) return method === 'GET' ? { route: 'listIncidents' } : undefined;
      if (sub === undefined) {
        if (method === 'GET') return { route: 'getIncident', id };
        if (method === 'PATCH') return { route: 'updateIncident', id };
        return undefined;
      }
      return sub.toLowerCase() === 'comments' && method === 'POST' ? { route: 'commentIncident', id } : undefined;
    }
    if (name === 'alerts_v2') {
      if (id === undefined) return method === 'GET' ? { route: 'listAlerts' } : undefined;
      if (sub !== undefined) return sub.toLowerCase() === 'comments' && method === 'POST' ? { route: 'commentAlert', id } : undefined;
      if (method === 'GET') return { route: 'getAlert', id };
      if (method === 'PATCH') return { route: 'updateAlert', id };
      return undefined;
    }
    if ((name === 'runhuntingquery' || name === 'microsoft.graph.security.runhuntingquery') && id === undefined) {
      return method === 'POST' ? { route: 'hunting' } : undefined;
    }
    return undefined;
  }

  /** Answers a request for this API; `undefined` when it is not for this API. */
  async handle(request: Request): Promise<Response | undefined> {
    const match = this.routeOf(request);
    if (!match) return undefined;
    const { body } = await readRequestBody(request);
    if (this.#record) this.requests.push(recordOf(request, body, match.route, this.#now()));
    const ids = graphRequestIds(request);

    const injected = this.#queues.take(match.route);
    if (injected !== undefined) return injectedResponse(injected, { 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId });

    try {
      const caller = this.#verifyToken(request);
      if (caller instanceof Response) return caller;
      const render: GraphRenderOptions = {
        tenantId: this.tenantId,
        includeUnknownEnumMembers: /(^|[,\s])include-unknown-enum-members(\s*(;|,|$))/i.test(request.headers.get('prefer') ?? ''),
        lastModifiedBy: (id) => this.#lastModifiedBy.get(id) ?? null,
        alertComments: (id) => this.#alertComments.get(id) ?? [],
      };
      const url = new URL(request.url);
      switch (match.route) {
        case 'listIncidents':
          this.#authorize(caller, INCIDENT_READ);
          return this.#listIncidents(url, render, ids);
        case 'getIncident':
          this.#authorize(caller, INCIDENT_READ);
          return this.#getIncident(match.id ?? '', url, render, ids);
        case 'updateIncident':
          this.#authorize(caller, INCIDENT_WRITE);
          return this.#updateIncident(match.id ?? '', body, caller, render, ids);
        case 'commentIncident':
          this.#authorize(caller, INCIDENT_WRITE);
          return this.#commentIncident(match.id ?? '', body, caller, ids);
        case 'listAlerts':
          this.#authorize(caller, ALERT_READ);
          return this.#listAlerts(url, render, ids);
        case 'getAlert':
          this.#authorize(caller, ALERT_READ);
          return this.#getAlert(match.id ?? '', render, ids);
        case 'updateAlert':
          this.#authorize(caller, ALERT_WRITE);
          return this.#updateAlert(match.id ?? '', body, render, ids);
        case 'commentAlert':
          this.#authorize(caller, ALERT_WRITE);
          return this.#commentAlert(match.id ?? '', body, caller, ids);
        case 'hunting':
          this.#authorize(caller, HUNTING);
          return this.#hunt(body, ids);
      }
    } catch (error) {
      if (error instanceof GraphWireError) {
        return graphErrorResponse(request, error.status, error.code, error.message, {
          ids,
          now: this.#now(),
          ...(error.extra ? { extra: error.extra } : {}),
        });
      }
      throw error;
    }
  }

  #authorize(caller: GraphCaller, anyOf: string[]): void {
    if (anyOf.some((role) => caller.roles.includes(role))) return;
    // Graph's text, roles comma-joined without spaces (wazuh/wazuh#31670, KelvinTegelaar/CIPP#1085).
    throw new GraphWireError(403, 'Forbidden', `Missing application roles. API required roles: ${anyOf.join(',')}, application roles: ${caller.roles.join(',')}.`);
  }

  #json(body: unknown, ids: GraphRequestIds, status = 200): Response {
    return graphJsonResponse(status, body, ids);
  }

  #context(path: string): string {
    return `${this.baseUrl}/v1.0/$metadata#${path}`;
  }

  // ------------------------------------------------------------ incidents

  #listIncidents(url: URL, render: GraphRenderOptions, ids: GraphRequestIds): Response {
    const params = url.searchParams;
    rejectUnknownOptions(params, ['$filter', '$top', '$skip', '$count', '$expand', '$orderby']);
    const top = nonNegativeInt(params.get('$top'), '$top', queryError) ?? this.#pageSizeLimit;
    if (top > this.#pageSizeLimit) {
      throw queryError(`The limit of '${this.#pageSizeLimit}' for Top query has been exceeded. The value from the incoming request is '${top}'.`);
    }
    const skip = nonNegativeInt(params.get('$skip'), '$skip', queryError) ?? 0;
    const count = booleanOption(params.get('$count'));
    const expand = expandAlerts(params.get('$expand'));
    const matches = this.#select(
      [...this.incidents.values()],
      (incident) => renderIncident(incident, { ...render, includeUnknownEnumMembers: true }),
      params,
      INCIDENT_FILTERS,
      INCIDENT_PROPERTIES,
      INCIDENT_TYPE,
    );
    if (expand && this.expandFailsAbove !== undefined && matches.length > this.expandFailsAbove) {
      // large tenants: `$expand=alerts` with a filter fails persistently (elastic/integrations#18144)
      throw new GraphWireError(500, 'InternalServerError', 'An internal server error occurred while processing the request.');
    }
    const value = matches.slice(skip, skip + top).map((incident) => renderIncident(incident, render, expand));
    const body: Record<string, unknown> = { '@odata.context': this.#context(expand ? 'security/incidents(alerts())' : 'security/incidents') };
    if (count) body['@odata.count'] = matches.length;
    if (skip + top < matches.length && top > 0) {
      const next = new URL(url);
      next.searchParams.set('$skip', String(skip + top));
      body['@odata.nextLink'] = odataUrl(next);
    }
    body['value'] = value;
    return this.#json(body, ids);
  }

  #incident(id: string): LegacyIncidentWire {
    const incident = /^\d+$/.test(id) ? this.incidents.get(Number(id)) : undefined;
    if (!incident) throw new GraphWireError(404, 'NotFound', `Incident with id '${id}' was not found.`);
    return incident;
  }

  #getIncident(id: string, url: URL, render: GraphRenderOptions, ids: GraphRequestIds): Response {
    rejectUnknownOptions(url.searchParams, ['$expand', '$select']);
    const expand = expandAlerts(url.searchParams.get('$expand'));
    const incident = this.#incident(id);
    return this.#json({ '@odata.context': this.#context('security/incidents/$entity'), ...renderIncident(incident, render, expand) }, ids);
  }

  #updateIncident(id: string, body: unknown, caller: GraphCaller, render: GraphRenderOptions, ids: GraphRequestIds): Response {
    const incident = this.#incident(id);
    const patch = requireObject(body);
    checkProperties(patch, ['status', 'assignedTo', 'classification', 'determination', 'customTags'], INCIDENT_TYPE);
    const status = enumValue(patch, 'status', GRAPH_WRITABLE_ENUMS.incidentStatus);
    const classification = enumValue(patch, 'classification', GRAPH_WRITABLE_ENUMS.classification);
    const determination = enumValue(patch, 'determination', GRAPH_WRITABLE_ENUMS.determination);
    const assignedTo = assignee(patch);
    const tags = patch['customTags'];
    if (tags !== undefined && (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string'))) {
      throw new GraphWireError(400, 'BadRequest', "Cannot convert the literal to the expected type 'Collection(Edm.String)' for the property 'customTags'.");
    }
    if (status !== undefined) incident.status = toLegacy.incidentStatus(status);
    if (classification !== undefined) incident.classification = toLegacy.classification(classification);
    if (determination !== undefined) incident.determination = toLegacy.determination(determination);
    if (assignedTo !== undefined) incident.assignedTo = assignedTo;
    if (tags !== undefined) incident.tags = [...(tags as string[])];
    incident.lastUpdateTime = formatTime(this.#now(), 0);
    this.#lastModifiedBy.set(incident.incidentId, caller.appId);
    return this.#json({ '@odata.context': this.#context('security/incidents/$entity'), ...renderIncident(incident, render) }, ids);
  }

  #commentIncident(id: string, body: unknown, caller: GraphCaller, ids: GraphRequestIds): Response {
    const incident = this.#incident(id);
    const comment = commentOf(body);
    const now = formatTime(this.#now(), 0);
    incident.comments.push({ comment, createdBy: caller.appId, createdTime: now });
    incident.lastUpdateTime = now;
    return this.#json({ '@odata.context': this.#context(`security/incidents('${incident.incidentId}')/comments`), value: incident.comments.map(renderComment) }, ids);
  }

  /** `POST alerts_v2/{id}/comments` (reference §5.1): appends, answers the alert's comment collection. */
  #commentAlert(id: string, body: unknown, caller: GraphCaller, ids: GraphRequestIds): Response {
    const alert = this.#alert(id);
    const comment = commentOf(body);
    const now = formatTime(this.#now(), 0);
    const comments = this.#alertComments.get(alert.alertId) ?? [];
    comments.push({ comment, createdBy: caller.appId, createdTime: now });
    this.#alertComments.set(alert.alertId, comments);
    alert.lastUpdatedTime = now;
    return this.#json({ '@odata.context': this.#context(`security/alerts_v2('${alert.alertId}')/comments`), value: comments.map(renderComment) }, ids);
  }

  // ------------------------------------------------------------ alerts_v2

  #alerts(): LegacyAlertWire[] {
    return [...this.incidents.values()].flatMap((incident) => incident.alerts);
  }

  #listAlerts(url: URL, render: GraphRenderOptions, ids: GraphRequestIds): Response {
    const params = url.searchParams;
    rejectUnknownOptions(params, ['$filter', '$top', '$skip', '$count', '$orderby', '$skiptoken']);
    const top = nonNegativeInt(params.get('$top'), '$top', queryError) ?? DEFAULT_ALERT_PAGE;
    const token = params.get('$skiptoken');
    const skip = token === null ? (nonNegativeInt(params.get('$skip'), '$skip', queryError) ?? 0) : readSkipToken(token);
    const count = booleanOption(params.get('$count'));
    const matches = this.#select(
      this.#alerts(),
      (alert) => renderAlert(alert, { ...render, includeUnknownEnumMembers: true }),
      params,
      ALERT_FILTERS,
      ALERT_PROPERTIES,
      ALERT_TYPE,
    );
    const body: Record<string, unknown> = { '@odata.context': this.#context('security/alerts_v2') };
    if (count) body['@odata.count'] = matches.length;
    if (skip + top < matches.length && top > 0) {
      // alerts_v2 pages with an opaque `$skiptoken` (reference §5.2: follow nextLink)
      const next = new URL(url);
      next.searchParams.delete('$skip');
      next.searchParams.set('$skiptoken', Buffer.from(JSON.stringify({ offset: skip + top })).toString('base64url'));
      body['@odata.nextLink'] = odataUrl(next);
    }
    body['value'] = matches.slice(skip, skip + top).map((alert) => renderAlert(alert, render));
    return this.#json(body, ids);
  }

  #alert(id: string): LegacyAlertWire {
    const alert = this.#alerts().find((candidate) => candidate.alertId === id);
    if (!alert) throw new GraphWireError(404, 'NotFound', `Alert with id '${id}' was not found.`);
    return alert;
  }

  #getAlert(id: string, render: GraphRenderOptions, ids: GraphRequestIds): Response {
    return this.#json({ '@odata.context': this.#context('security/alerts_v2/$entity'), ...renderAlert(this.#alert(id), render) }, ids);
  }

  #updateAlert(id: string, body: unknown, render: GraphRenderOptions, ids: GraphRequestIds): Response {
    const alert = this.#alert(id);
    const patch = requireObject(body);
    checkProperties(patch, ['status', 'assignedTo', 'classification', 'determination'], ALERT_TYPE);
    const status = enumValue(patch, 'status', GRAPH_WRITABLE_ENUMS.alertStatus);
    const classification = enumValue(patch, 'classification', GRAPH_WRITABLE_ENUMS.classification);
    const determination = enumValue(patch, 'determination', GRAPH_WRITABLE_ENUMS.determination);
    const assignedTo = assignee(patch);
    const now = formatTime(this.#now(), 0);
    if (status !== undefined) {
      alert.status = toLegacy.alertStatus(status);
      alert.resolvedTime = status === 'resolved' ? (alert.resolvedTime ?? now) : null;
    }
    if (classification !== undefined) alert.classification = toLegacy.classification(classification);
    if (determination !== undefined) alert.determination = toLegacy.determination(determination);
    if (assignedTo !== undefined) alert.assignedTo = assignedTo;
    alert.lastUpdatedTime = now;
    return this.#json({ '@odata.context': this.#context('security/alerts_v2/$entity'), ...renderAlert(alert, render) }, ids);
  }

  // ------------------------------------------------------------ listing

  /** Filters (on the full rendering, evolvable members included) and orders: newest first unless `$orderby` says otherwise. */
  #select<T>(
    items: T[],
    renderForFilter: (item: T) => Record<string, unknown>,
    params: URLSearchParams,
    filterable: Record<string, FilterKind>,
    properties: readonly string[],
    typeName: string,
  ): T[] {
    const filter = params.get('$filter');
    let predicate: GraphPredicate | undefined;
    try {
      predicate = filter === null || filter.trim() === '' ? undefined : compileFilter(filter, filterable, properties, typeName);
    } catch (error) {
      if (error instanceof ODataQueryError) throw queryError(error);
      throw error;
    }
    const order = orderBy(params.get('$orderby'), properties);
    return items
      .map((item) => ({ item, rendered: renderForFilter(item) }))
      .filter(({ rendered }) => predicate === undefined || predicate(rendered))
      .sort((a, b) => {
        const ta = ticksOf(String(a.rendered[order.field])) ?? 0n;
        const tb = ticksOf(String(b.rendered[order.field])) ?? 0n;
        const byTime = ta === tb ? 0 : ta < tb ? -1 : 1;
        const byId = String(a.rendered['id']).localeCompare(String(b.rendered['id']), 'en', { numeric: true });
        return order.descending ? -byTime || -byId : byTime || byId;
      })
      .map(({ item }) => item);
  }

  // ------------------------------------------------------------ hunting

  #hunt(body: unknown, ids: GraphRequestIds): Response {
    const payload = requireObject(body);
    const query = payload['Query'] ?? payload['query'];
    const timespan = payload['Timespan'] ?? payload['timespan'];
    if (typeof query !== 'string' || query.trim() === '') {
      throw new GraphWireError(400, 'BadRequest', "The parameter 'Query' is required and must be a non-empty string.");
    }
    if (timespan !== undefined && timespan !== null && typeof timespan !== 'string') {
      throw new GraphWireError(400, 'BadRequest', "The parameter 'Timespan' must be a string.");
    }
    try {
      const result = runHuntingQuery(query, timespan ?? undefined, this.tables, this.#now());
      return this.#json({ '@odata.context': this.#context('microsoft.graph.security.huntingQueryResults'), ...result }, ids);
    } catch (error) {
      if (error instanceof TimespanError || error instanceof KqlSyntaxError) throw new GraphWireError(400, 'BadRequest', error.message);
      // Graph appends this sentence to semantic errors (microsoftgraph/msgraph-sdk-powershell#3188).
      if (error instanceof KqlSemanticError) throw new GraphWireError(400, 'BadRequest', `${error.message}. Fix semantic errors in your query.`);
      throw error;
    }
  }
}

// ---------------------------------------------------------------- request helpers

function requireObject(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw new GraphWireError(400, 'BadRequest', 'The request body is missing or is not a JSON object.');
  return body;
}

/** OData refuses a property its type does not declare (`@odata.type` annotations are fine). */
function checkProperties(body: Record<string, unknown>, writable: string[], typeName: string): void {
  for (const key of Object.keys(body)) {
    if (key.startsWith('@')) continue;
    if (!writable.includes(key)) {
      throw new GraphWireError(400, 'BadRequest', `The property '${key}' does not exist on type '${typeName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
    }
  }
}

/** A Graph enum value from a PATCH body, matched case-insensitively (the docs' example sends PascalCase). */
function enumValue(body: Record<string, unknown>, key: string, allowed: readonly string[]): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  const known = typeof value === 'string' ? allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase()) : undefined;
  if (known === undefined) throw new GraphWireError(400, 'BadRequest', `Requested value '${String(value)}' was not found.`);
  return known;
}

function assignee(body: Record<string, unknown>): string | null | undefined {
  const value = body['assignedTo'];
  if (value === undefined) return undefined;
  if (value !== null && typeof value !== 'string') {
    throw new GraphWireError(400, 'BadRequest', "Cannot convert the literal to the expected type 'Edm.String' for the property 'assignedTo'.");
  }
  return value === '' ? null : value;
}

function rejectUnknownOptions(params: URLSearchParams, allowed: string[]): void {
  for (const name of params.keys()) {
    if (name.startsWith('$') && !allowed.includes(name)) {
      throw queryError(`Query option '${name}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.`);
    }
  }
}

function booleanOption(raw: string | null): boolean {
  if (raw === null) return false;
  if (!/^(true|false)$/i.test(raw.trim())) throw queryError(`'${raw}' is not a valid count option.`);
  return raw.trim().toLowerCase() === 'true';
}

function expandAlerts(raw: string | null): boolean {
  if (raw === null || raw.trim() === '') return false;
  for (const item of raw.split(',').map((part) => part.trim())) {
    if (item.toLowerCase() !== 'alerts') throw queryError(`Could not find a property named '${item}' on type '${INCIDENT_TYPE}'.`);
  }
  return true;
}

function orderBy(raw: string | null, properties: readonly string[]): { field: string; descending: boolean } {
  if (raw === null || raw.trim() === '') return { field: 'createdDateTime', descending: true };
  const match = /^\s*([A-Za-z]\w*)(?:\s+(asc|desc))?\s*$/i.exec(raw);
  if (!match) throw queryError(`Syntax error at position 0 in '${raw}'.`);
  const field = match[1] ?? '';
  if (!ORDERABLE.includes(field)) {
    throw queryError(properties.includes(field)
      ? `The property '${field}' cannot be used in the $orderby query option.`
      : `Could not find a property named '${field}'.`);
  }
  return { field, descending: match[2]?.toLowerCase() === 'desc' };
}

function readSkipToken(token: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isRecord(parsed) && typeof parsed['offset'] === 'number' && Number.isInteger(parsed['offset']) && parsed['offset'] >= 0) return parsed['offset'];
  } catch {
    // fall through
  }
  throw queryError(`The skip token '${token}' is not valid.`);
}

/** A URL with `$` left unescaped in query option names, like Graph's nextLinks. */
function odataUrl(url: URL): string {
  return url.toString().replace(/%24/g, '$');
}

/** The `comment` of an `alertComment` body (incident and alert comments share the type). */
function commentOf(body: unknown): string {
  const payload = requireObject(body);
  checkProperties(payload, ['comment'], 'microsoft.graph.security.alertComment');
  const comment = payload['comment'];
  if (typeof comment !== 'string' || comment.trim() === '') {
    throw new GraphWireError(400, 'BadRequest', "The property 'comment' is required and must be a non-empty string.");
  }
  return comment;
}
