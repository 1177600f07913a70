/*
 * The fake tenant's legacy Defender API (reference defender-api.md §2–§4): incidents list/get/PATCH
 * and advanced hunting (a real KQL subset, src/testing/kql), with the service's wire shapes, token
 * checks (signature, audience, tenant, expiry: 401; roles: 403) and error bodies.
 * Framework-free: it answers a web `Request` with a web `Response`.
 */
import { randomUUID } from 'node:crypto';
import { KqlSemanticError, KqlSyntaxError, runKql, type KqlTable, type KqlType } from '../kql/index.js';
import { tableColumns } from './hunting-columns.js';
import { OPERATOR_KINDS, satisfies, ticksOf } from './graph-odata.js';
import { formatTime } from '../data/seed-incidents.js';
import type { RequestHandlerLike } from '../network-fault.js';
import { injectedResponse, InjectionQueues, isRecord, nonNegativeInt, readRequestBody, recordOf, safeDecode, trimSlash, type CannedResponse, type RecordedHttpRequest } from './http-util.js';
import { legacyView, type LegacyIncidentWire } from './legacy-wire.js';
import { bearerToken, sharedTokenSigner, type TokenSigner } from './tokens.js';

/** Options of a {@link DefenderApi}. */
export interface DefenderApiOptions {
  /**
   * Keep raw records of requests (`requests`, and Entra's `tokenRequests`/`issuedTokens`), tokens and
   * secrets included: for tests of this package. Default `true`; the fake tenant turns it off (it keeps
   * one redacted, capped log of its own).
   */
  recordRequests?: boolean;
  /** API origin the handlers answer on. Default `https://api.security.microsoft.com`. */
  baseUrl?: string;
  /** The tenant whose tokens are accepted (the token's `tid` must match). */
  tenantId: string;
  /** Token audience accepted. Default: `https://api.security.microsoft.com` and the `baseUrl` origin. */
  resource?: string;
  /** Initial incidents: an array is deep-copied; a `Map` is used as is (shared with another API of the same tenant). */
  incidents?: LegacyIncidentWire[] | Map<number, LegacyIncidentWire>;
  /** Advanced hunting tables: table name → rows (used as is). */
  huntingTables?: Record<string, Record<string, unknown>[]>;
  /** The key whose signature tokens must carry. Default: the process-wide {@link sharedTokenSigner}. */
  signer?: TokenSigner;
  /** The tenant's clock, epoch ms (token expiry, `lastUpdateTime`, KQL `now()`). Default `Date.now()`. */
  now?: () => number;
}

/** A route of the legacy API, as named by {@link DefenderApi.inject}. */
export type DefenderRoute = 'list' | 'get' | 'update' | 'hunting';

/** A canned response for {@link DefenderApi.inject}: JSON `body`, or `rawBody` sent verbatim; `'network-error'` resets the connection. */
export type InjectedResponse = CannedResponse | 'network-error';

/** One request the fake received. `body` is parsed JSON, else the text, else `undefined`. */
export type RecordedRequest = RecordedHttpRequest<DefenderRoute>;

const DEFAULT_BASE_URL = 'https://api.security.microsoft.com';
const MAX_TOP = 100;
const READ_ROLES = ['Incident.Read.All', 'Incident.ReadWrite.All'];
const WRITE_ROLES = ['Incident.ReadWrite.All'];
const HUNTING_ROLES = ['AdvancedHunting.Read.All'];
const PATCHABLE = ['status', 'assignedTo', 'classification', 'determination', 'tags', 'comment'] as const;
const STATUSES = ['Active', 'Resolved', 'InProgress', 'Redirected'];
const CLASSIFICATIONS = ['Unknown', 'FalsePositive', 'TruePositive', 'InformationalExpectedActivity'];
const DETERMINATIONS = [
  'NotAvailable', 'Apt', 'Malware', 'SecurityPersonnel', 'SecurityTesting', 'UnwantedSoftware', 'Other',
  'MultiStagedAttack', 'MaliciousUserActivity', 'CompromisedAccount', 'CompromisedUser', 'Phishing',
  'LineOfBusinessApplication', 'ConfirmedActivity', 'ConfirmedUserActivity', 'Clean', 'NoEnoughDataToValidate',
  'InsufficientData',
];
const ODATA_JSON = 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8';

/** Thrown inside handlers to answer with a legacy error body. */
class WireError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * In-memory legacy Defender API (`/api/incidents`, `/api/advancedhunting/run`).
 * Checks the bearer token's signature, `aud`, `tid`, `exp` and `roles` like the service does, answers
 * with the service's wire shapes and error bodies, and records every request it handles.
 */
export class DefenderApi implements RequestHandlerLike {
  /** Every request the fake handled, in arrival order (injected and rejected ones included). */
  readonly requests: RecordedRequest[] = [];
  /** The tenant's incidents by id; tests may read and mutate it directly. */
  incidents = new Map<number, LegacyIncidentWire>();
  /** The `Query` of every hunting request received (injected and rejected ones included). */
  huntingQueries: string[] = [];
  /** Hunting tables: table name → rows; mutable. */
  huntingTables: Record<string, Record<string, unknown>[]>;

  /** The API origin (and path prefix) it answers on, without a trailing slash. */
  readonly baseUrl: string;
  /** The tenant whose tokens are accepted. */
  readonly tenantId: string;
  private readonly audiences: string[];
  private readonly queues = new InjectionQueues<DefenderRoute, InjectedResponse>();
  private readonly signer: TokenSigner;
  private readonly now: () => number;

  readonly #record: boolean;

  constructor(options: DefenderApiOptions) {
    this.#record = options.recordRequests ?? true;
    this.baseUrl = trimSlash(options.baseUrl ?? DEFAULT_BASE_URL);
    this.tenantId = options.tenantId;
    this.audiences = options.resource
      ? [trimSlash(options.resource)]
      : [DEFAULT_BASE_URL, new URL(this.baseUrl).origin];
    if (options.incidents instanceof Map) this.incidents = options.incidents;
    else for (const incident of options.incidents ?? []) this.incidents.set(incident.incidentId, structuredClone(incident));
    this.huntingTables = options.huntingTables ?? {};
    this.signer = options.signer ?? sharedTokenSigner();
    this.now = options.now ?? (() => Date.now());
  }

  /**
   * Queues responses for a route, served before normal handling (no auth check, no state change):
   * each matching request consumes one. A route's own queue is used before the `'any'` queue.
   */
  inject(route: DefenderRoute | 'any', ...responses: InjectedResponse[]): void {
    this.queues.add(route, ...responses);
  }

  // ------------------------------------------------------------ dispatch

  /** Which route a request is for, without reading its body; `undefined` when it is not for this API. */
  routeOf(request: Request): { route: DefenderRoute; id?: string } | undefined {
    const url = new URL(request.url);
    const base = new URL(this.baseUrl);
    if (url.origin !== base.origin) return undefined;
    const prefix = base.pathname.replace(/\/+$/, '');
    if (!url.pathname.toLowerCase().startsWith(`${prefix.toLowerCase()}/api/`)) return undefined;
    const path = url.pathname.slice(prefix.length).replace(/\/+$/, '').toLowerCase();
    const method = request.method.toUpperCase();
    if (path === '/api/incidents' && method === 'GET') return { route: 'list' };
    const item = /^\/api\/incidents\/([^/]+)$/.exec(path);
    if (item) {
      const id = url.pathname.slice(prefix.length).replace(/\/+$/, '').split('/')[3] ?? '';
      if (method === 'GET') return { route: 'get', id };
      if (method === 'PATCH') return { route: 'update', id };
    }
    if (path === '/api/advancedhunting/run' && method === 'POST') return { route: 'hunting' };
    return undefined;
  }

  /** Answers a request for this API; `undefined` when it is not for this API. */
  async handle(request: Request): Promise<Response | undefined> {
    const match = this.routeOf(request);
    if (!match) return undefined;
    const { text, body } = await readRequestBody(request);
    if (this.#record) this.requests.push(recordOf(request, body, match.route, this.now()));
    if (this.#record && match.route === 'hunting' && isRecord(body) && typeof body['Query'] === 'string') {
      this.huntingQueries.push(body['Query']);
    }

    const injected = this.queues.take(match.route);
    if (injected !== undefined) return injectedResponse(injected);

    try {
      switch (match.route) {
        case 'list':
          this.authorize(request, READ_ROLES);
          return this.list(new URL(request.url));
        case 'get':
          this.authorize(request, READ_ROLES);
          return this.get(match.id ?? '');
        case 'update': {
          const appId = this.authorize(request, WRITE_ROLES);
          return this.update(match.id ?? '', request, text, appId);
        }
        case 'hunting':
          this.authorize(request, HUNTING_ROLES);
          requireJson(request);
          return this.hunt(body);
      }
    } catch (error) {
      if (error instanceof WireError) return errorResponse(error.status, error.code, error.message);
      throw error;
    }
  }

  /** Validates the bearer token (signature, audience, tenant, expiry, then roles); returns its `appid`. */
  private authorize(request: Request, anyOfRoles: string[]): string {
    const header = request.headers.get('authorization');
    const unauthorized = (reason: string) =>
      new WireError(401, 'Unauthorized', `Unauthorized request - reason of failure: ${reason}`);
    if (!header) throw unauthorized('Authorization header is missing');
    const token = bearerToken(request);
    if (!token) throw unauthorized('Authorization header is not a Bearer token');
    const checked = this.signer.verify(token, { audiences: this.audiences, tenantId: this.tenantId, now: this.now() });
    if (!checked.ok) throw unauthorized(checked.reason);
    const { claims } = checked;
    const roles = Array.isArray(claims['roles']) ? claims['roles'] : [];
    if (!anyOfRoles.some((role) => roles.includes(role))) {
      throw new WireError(403, 'Forbidden', `Missing application roles. API required roles: ${anyOfRoles[0]}, application roles`);
    }
    return typeof claims['appid'] === 'string' ? claims['appid'] : 'unknown';
  }

  // ------------------------------------------------------------ incidents

  private list(url: URL): Response {
    const params = url.searchParams;
    for (const name of params.keys()) {
      if (name.startsWith('$') && !['$filter', '$top', '$skip'].includes(name)) {
        throw odataError(`Query option '${name}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.`);
      }
    }
    const top = nonNegativeInt(params.get('$top'), '$top', odataError) ?? MAX_TOP;
    // ASP.NET OData's MaxTop message; the body's code is BadRequest (reference §2.2).
    if (top > MAX_TOP) {
      throw new WireError(400, 'BadRequest', `The query specified in the URI is not valid. The limit of '${MAX_TOP}' for Top query has been exceeded. The value from the incoming request is '${top}'.`);
    }
    const skip = nonNegativeInt(params.get('$skip'), '$skip', odataError) ?? 0;
    const filter = params.get('$filter');
    const clauses = filter === null ? [] : parseFilter(filter);
    const value = [...this.incidents.values()]
      .filter((incident) => clauses.every((clause) => clause(incident)))
      .sort((a, b) => compareBig(ticks(b.createdTime), ticks(a.createdTime)) || b.incidentId - a.incidentId)
      .slice(skip, skip + top)
      .map(legacyView);
    return Response.json(
      { '@odata.context': `${this.baseUrl}/api/$metadata#Incidents`, value },
      { headers: { 'Content-Type': ODATA_JSON } },
    );
  }

  private find(rawId: string): LegacyIncidentWire {
    const id = safeDecode(rawId);
    if (!/^\d+$/.test(id)) throw new WireError(404, 'NotFound', `Incident '${id}' was not found`);
    const incident = this.incidents.get(Number(id));
    if (!incident) throw new WireError(404, 'ResourceNotFound', `Incident ${id} was not found`);
    return incident;
  }

  private entity(incident: LegacyIncidentWire): Response {
    return Response.json(
      { '@odata.context': `${this.baseUrl}/api/$metadata#Incidents/$entity`, ...legacyView(incident) },
      { headers: { 'Content-Type': ODATA_JSON } },
    );
  }

  private get(rawId: string): Response {
    return this.entity(this.find(rawId));
  }

  private update(rawId: string, request: Request, text: string, appId: string): Response {
    const incident = this.find(rawId);
    requireJson(request);
    const invalid = (message: string) => new WireError(400, 'InvalidRequestBody', message);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw invalid('Request body is not valid JSON.');
    }
    if (!isRecord(parsed)) throw invalid('Request body must be a JSON object.');
    const patch = parsed;
    for (const key of Object.keys(patch)) {
      // Property names are case-sensitive (reference §2.3).
      if (!(PATCHABLE as readonly string[]).includes(key)) {
        throw invalid(`Request body is invalid: '${key}' is not a known property. Allowed properties: ${PATCHABLE.join(', ')}.`);
      }
    }
    if (Object.keys(patch).length === 0) {
      throw new WireError(400, 'MissingRequiredParameter', 'Request body must contain at least one property to update.');
    }
    const oneOf = (key: string, allowed: string[]) => {
      const value = patch[key];
      if (value !== undefined && (typeof value !== 'string' || !allowed.includes(value))) {
        throw invalid(`Request body is invalid: '${String(value)}' is not a valid value for '${key}'.`);
      }
    };
    oneOf('status', STATUSES);
    oneOf('classification', CLASSIFICATIONS);
    oneOf('determination', DETERMINATIONS);
    const { assignedTo, tags, comment } = patch;
    if (assignedTo !== undefined && assignedTo !== null && typeof assignedTo !== 'string') {
      throw invalid("Request body is invalid: 'assignedTo' must be a string.");
    }
    if (tags !== undefined && (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string'))) {
      throw invalid("Request body is invalid: 'tags' must be an array of strings.");
    }
    if (comment !== undefined && (typeof comment !== 'string' || comment.length === 0)) {
      throw invalid("Request body is invalid: 'comment' must be a non-empty string.");
    }

    const now = formatTime(Math.floor(this.now()), 0);
    if (typeof patch['status'] === 'string') incident.status = patch['status'];
    if (typeof patch['classification'] === 'string') incident.classification = patch['classification'];
    if (typeof patch['determination'] === 'string') incident.determination = patch['determination'];
    // XSOAR unassigns with "" (reference §2.3); the fake stores that as null.
    if (assignedTo !== undefined) incident.assignedTo = assignedTo === '' ? null : (assignedTo as string | null);
    if (tags !== undefined) incident.tags = [...(tags as string[])];
    if (typeof comment === 'string') incident.comments.push({ comment, createdBy: appId, createdTime: now });
    incident.lastUpdateTime = now;
    return this.entity(incident);
  }

  // ------------------------------------------------------------ advanced hunting

  private hunt(body: unknown): Response {
    // The real message for a missing (or wrongly cased) Query key (defender-docs PR #330).
    if (!isRecord(body) || typeof body['Query'] !== 'string') {
      throw new WireError(400, 'InvalidRequestBody', 'Missing query.');
    }
    const query = body['Query'];
    let result;
    try {
      result = runKql(query, this.kqlTables(), { now: new Date(this.now()), maxRows: MAX_HUNTING_ROWS });
    } catch (error) {
      // The legacy API wraps Kusto's messages; the "Syntax error:"/"Semantic error:" prefixes are the portal's (reference §3.3, entra-keyvault-kql.md §4.7).
      if (error instanceof KqlSyntaxError) throw new WireError(400, 'BadRequest', error.message);
      if (error instanceof KqlSemanticError) throw new WireError(400, 'BadRequest', `Semantic error: ${error.message}`);
      throw error;
    }
    const Results = result.rows;
    const size = JSON.stringify(Results).length;
    const cpu = formatCpu(0.0156 + Results.length / 200_000);
    return Response.json({
      Stats: {
        ExecutionTime: 0.0156 + Results.length / 100_000,
        resource_usage: {
          cache: {
            memory: { hits: 128, misses: 2, total: 130 },
            disk: { hits: 4, misses: 0, total: 4 },
          },
          cpu: { user: cpu, kernel: '00:00:00', 'total cpu': cpu },
          memory: { peak_per_node: 4_194_304 + size },
        },
        dataset_statistics: [{ table_row_count: Results.length, table_size: size }],
      },
      Schema: result.columns.map((column) => ({ Name: column.name, Type: LEGACY_TYPE_NAMES[column.type] })),
      Results,
    });
  }

  /** The hunting tables with their column types (documented, else inferred from the rows). */
  private kqlTables(): Record<string, KqlTable> {
    const tables: Record<string, KqlTable> = {};
    for (const [name, rows] of Object.entries(this.huntingTables)) tables[name] = { columns: tableColumns(name, rows), rows };
    return tables;
  }
}

// ---------------------------------------------------------------- responses

function errorResponse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message, target: randomUUID() } }, { status });
}

/** The legacy `Unauthorized` answer (what an expired or refused token gets). */
export function legacyUnauthorized(reason: string): Response {
  return errorResponse(401, 'Unauthorized', `Unauthorized request - reason of failure: ${reason}`);
}

function odataError(message: string): WireError {
  return new WireError(400, 'ODataError', `The query specified in the URI is not valid. ${message}`);
}

function requireJson(request: Request): void {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new WireError(415, 'UnsupportedMediaType', `The request entity's media type '${contentType || '(none)'}' is not supported for this resource.`);
  }
}

// ---------------------------------------------------------------- helpers

/** A DateTimeOffset string in 100-ns ticks since the epoch, keeping all 7 fractional digits. */
function ticks(iso: string): bigint {
  const value = ticksOf(iso);
  if (value === undefined) throw new RangeError(`not a DateTimeOffset: ${iso}`);
  return value;
}

function compareBig(a: bigint, b: bigint): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

// ---------------------------------------------------------------- $filter

type Literal = { kind: 'datetime'; ticks: bigint; text: string } | { kind: 'string'; value: string } | { kind: 'null' };
type Predicate = (incident: LegacyIncidentWire) => boolean;

const FILTERABLE: Record<string, 'datetime' | 'string'> = {
  lastUpdateTime: 'datetime',
  createdTime: 'datetime',
  status: 'string',
  assignedTo: 'string',
};
const INCIDENT_PROPERTIES = [
  'incidentId', 'redirectIncidentId', 'incidentName', 'createdTime', 'lastUpdateTime', 'assignedTo', 'classification',
  'determination', 'detectionSource', 'status', 'severity', 'tags', 'comments', 'alerts',
];

/** Parses the subset of OData the legacy API documents: `<field> <op> <literal>` joined by `and`. */
function parseFilter(filter: string): Predicate[] {
  const tokens: Array<{ text: string; at: number }> = [];
  const lexer = /\s*('(?:[^']|'')*'|[^\s()',]+|\S)/gy;
  for (let m = lexer.exec(filter); m; m = lexer.exec(filter)) {
    if (m[1] !== undefined) tokens.push({ text: m[1], at: m.index + m[0].length - m[1].length });
  }
  const syntax = (at: number) => odataError(`Syntax error at position ${at} in '${filter}'.`);
  const predicates: Predicate[] = [];
  let i = 0;
  for (;;) {
    const [field, op, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (!field) throw syntax(filter.length);
    if (!/^[A-Za-z_]\w*$/.test(field.text)) throw syntax(field.at);
    const type = FILTERABLE[field.text];
    if (!type) {
      throw odataError(
        INCIDENT_PROPERTIES.includes(field.text)
          ? `The property '${field.text}' cannot be used in the $filter query option.`
          : `Could not find a property named '${field.text}' on type 'Incident'.`,
      );
    }
    if (!op || !OPERATOR_KINDS[op.text]) throw syntax(op?.at ?? filter.length);
    if (!value) throw syntax(filter.length);
    if (value.text.startsWith("'") && !/^'(?:[^']|'')*'$/.test(value.text)) {
      throw odataError(`There is an unterminated string literal at position ${value.at} in '${filter}'.`);
    }
    predicates.push(comparison(field.text, type, op.text, parseLiteral(value.text)));
    i += 3;
    const next = tokens[i];
    if (!next) return predicates;
    if (next.text !== 'and') throw syntax(next.at);
    i += 1;
  }
}

function parseLiteral(text: string): Literal {
  if (text === 'null') return { kind: 'null' };
  if (text.startsWith("'")) return { kind: 'string', value: text.slice(1, -1).replaceAll("''", "'") };
  if (/^\d{4}-/.test(text)) {
    try {
      return { kind: 'datetime', ticks: ticks(text), text };
    } catch {
      throw odataError(`The DateTimeOffset text '${text}' should be in format 'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within valid range.`);
    }
  }
  // A bare word is an OData property path.
  throw odataError(`Could not find a property named '${text}' on type 'Incident'.`);
}

function comparison(field: string, type: 'datetime' | 'string', op: string, literal: Literal): Predicate {
  if (literal.kind !== 'null' && literal.kind !== type) {
    const edm = (kind: string) => (kind === 'datetime' ? 'Edm.DateTimeOffset' : 'Edm.String');
    throw odataError(`A binary operator with incompatible types was detected. Found operand types '${edm(type)}' and '${edm(literal.kind)}' for operator kind '${OPERATOR_KINDS[op]}'.`);
  }
  return (incident) => {
    const actual = incident[field];
    if (literal.kind === 'null' || actual === null || actual === undefined) {
      const bothNull = literal.kind === 'null' && (actual === null || actual === undefined);
      return op === 'eq' ? bothNull : op === 'ne' ? !bothNull : false;
    }
    const order =
      literal.kind === 'datetime'
        ? compareBig(ticks(String(actual)), literal.ticks)
        : String(actual) === literal.value ? 0 : String(actual) < literal.value ? -1 : 1;
    return satisfies(op, order);
  };
}

// ---------------------------------------------------------------- hunting helpers

const MAX_HUNTING_ROWS = 100_000;

/** KQL types as the legacy `Schema[].Type` names them (.NET names; reference entra-keyvault-kql.md §4.6). */
const LEGACY_TYPE_NAMES: Record<KqlType, string> = {
  string: 'String',
  long: 'Int64',
  int: 'Int32',
  real: 'Double',
  bool: 'Boolean',
  datetime: 'DateTime',
  dynamic: 'Dynamic',
  timespan: 'TimeSpan',
  guid: 'Guid',
};


/** Seconds as a .NET TimeSpan string (`00:00:00.0156250`). */
function formatCpu(seconds: number): string {
  const whole = Math.floor(seconds);
  const fraction = String(Math.round((seconds - whole) * 10_000_000)).padStart(7, '0');
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(whole / 3600))}:${pad(Math.floor((whole % 3600) / 60))}:${pad(whole % 60)}.${fraction}`;
}
