import type { KyInstance } from 'ky';
import {
  ApiError,
  AuthenticationError,
  ConnectionError,
  DefenderError,
  NotFoundError,
  PermissionError,
  QueryError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
} from '../errors.js';
import { redact, redactJson } from '../auth/redact.js';
import { causeCode, connectionFailureCause } from '../causes.js';
import type { Logger } from '../types.js';
import { SDK_VERSION } from '../version.js';
import type { ErrorBodyReader, OperationSpec, ParsedErrorBody } from './operation.js';
import type { Pacer } from './pacer.js';
import { ERROR_BODY_MAX_BYTES, PAGE_MAX_RESPONSE_BYTES, declaredLength, discardBody, readBodyUpTo } from './read-body.js';
import {
  NOT_APPLIED_STATUSES,
  RETRYABLE_STATUSES,
  backoffDelay,
  parseQuotaMessage,
  parseRetryAfterHeader,
  quotaKind,
} from './retry-after.js';
import { sleep } from '../sleep.js';

/** Where the transport gets bearer tokens: the client's token cache. */
export interface TokenSource {
  getToken(scope: string, options?: { signal?: AbortSignal }): Promise<string>;
  invalidate(scope: string, token: string): void;
}

/** One call through the transport. */
export interface TransportRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under the API base URL, e.g. `/api/incidents`; or an absolute URL on the API origin. */
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  operation: OperationSpec;
  signal?: AbortSignal | undefined;
  /** Timeout of each attempt, in milliseconds. */
  timeoutMs?: number | undefined;
  /**
   * Return a 2xx body unread (see {@link Transport.requestStream}): the timeout then covers the
   * wait for the response headers only, and nothing is retried once they have arrived.
   */
  stream?: boolean | undefined;
}

/** A successful response. */
export interface TransportResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/** A successful response whose body has not been read (see {@link Transport.requestStream}). */
export interface TransportStreamResponse {
  status: number;
  /** The body as it arrives; `null` when the response has none. The caller must read or cancel it. */
  body: ReadableStream<Uint8Array> | null;
  headers: Headers;
}

/** Settings of a {@link Transport}; the client fills them from its options. */
export interface TransportSettings {
  baseUrl: string;
  scope: string;
  tokens: TokenSource;
  logger?: Logger | undefined;
  userAgent?: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  maxRetryWaitMs: number;
  /** Reads the roles of the token sent, for 403 messages. */
  rolesOf?: (token: string) => readonly string[];
  /**
   * Extra advice appended to a 403's message, given the operation and the token's roles (e.g.
   * "you granted the other API's permissions"); `undefined` for none.
   */
  permissionAdvice?: (operation: OperationSpec, grantedRoles: readonly string[]) => string | undefined;
  /** Reads the wire API's error bodies (code, message, request id). */
  readErrorBody: ErrorBodyReader;
  /** Headers sent on every request of the wire API, e.g. Graph's `Prefer: include-unknown-enum-members`. */
  headers: Readonly<Record<string, string>>;
  /** Back-off base and cap, in milliseconds. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Client-side quota pacing; `undefined` when the client's `rateLimit` is `false`. */
  pacer?: Pacer | undefined;
  /** The cap of every buffered body, replacing each operation's own (the client's `maxResponseBytes`). */
  maxResponseBytes?: number | undefined;
}

/** How much of an error body that is not JSON is kept on `error.body` (an HTML page, say). */
const ERROR_TEXT_LIMIT = 2048;

/** What one attempt got: a response and as much of its body as was read, or a failure. */
type Outcome =
  | { response: Response; headersAt: number; text: string; complete: boolean; cap: number; declared?: number | undefined }
  | { failure: DefenderError; retryable: boolean };

/** Error codes of connection failures after which the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** ky and its error test, with the options every transport uses. */
interface Http {
  send: KyInstance;
  isNetworkError: (error: unknown) => boolean;
}

let httpModule: Promise<Http> | undefined;

/**
 * ky, loaded on the first request rather than on import: evaluating it builds a `Request`, which
 * loads Node's fetch (undici), tens of milliseconds of every cold start for a client that may
 * never send anything (bench figure 4).
 */
function loadHttp(): Promise<Http> {
  // ky gives fetch with sane defaults; retry, timeout and errors are ours (see class doc).
  httpModule ??= import('ky').then((ky) => ({
    send: ky.default.create({ retry: 0, timeout: false, throwHttpErrors: false, redirect: 'manual' }),
    isNetworkError: ky.isNetworkError,
  }));
  return httpModule;
}

/**
 * The one request path of the SDK: bearer auth from the token cache, retries with Retry-After,
 * one re-authentication on 401, timeouts, abort, error mapping and logging. Resources never
 * call `fetch` or ky themselves.
 */
export class Transport {
  readonly #settings: TransportSettings;
  readonly #origin: string;
  readonly #userAgent: string;

  constructor(settings: TransportSettings) {
    this.#settings = settings;
    const base = new URL(settings.baseUrl);
    this.#origin = base.origin;
    const sdk = `m365-defender/${SDK_VERSION} node/${process.versions.node}`;
    this.#userAgent = settings.userAgent ? `${settings.userAgent} ${sdk}` : sdk;
  }

  /** The origin every request goes to; the token is never sent anywhere else. */
  get origin(): string {
    return this.#origin;
  }

  #resolveUrl(path: string, operation: string): URL {
    // Paths are either rooted ("/api/incidents", appended to the base URL with its own path) or
    // absolute links the API gave (a next-page link). Whatever the form, the final URL's origin is
    // checked, so no link or edited continuation token can send the token to another host.
    const absolute = /^https?:\/\//i.test(path);
    if (!absolute && !path.startsWith('/')) {
      throw new ResponseValidationError(`${operation}: refused the link "${path.slice(0, 80)}": it is neither absolute nor rooted.`, {
        operation,
        issues: [{ path: 'next page link', message: 'not an absolute or rooted URL' }],
      });
    }
    let url: URL;
    try {
      url = absolute ? new URL(path) : new URL(`${this.#settings.baseUrl}${path}`);
    } catch {
      throw new ResponseValidationError(`${operation}: refused a link that is not a valid URL.`, {
        operation,
        issues: [{ path: 'next page link', message: 'not a valid URL' }],
      });
    }
    if (url.origin !== this.#origin || url.username !== '' || url.password !== '') {
      throw new ResponseValidationError(
        `${operation}: refused to follow a link to ${url.origin}: the SDK sends its token only to ${this.#origin}.`,
        { operation, issues: [{ path: 'next page link', message: `link leaves the API origin ${this.#origin}` }] },
      );
    }
    return url;
  }

  /** Sends a request and returns the parsed JSON body of a 2xx response, or throws a typed error. */
  async request(req: TransportRequest): Promise<TransportResponse> {
    const { operation, signal } = req;
    const s = this.#settings;
    signal?.throwIfAborted();
    const url = this.#resolveUrl(req.path, operation.name);
    if (req.query) url.search = req.query.toString();
    const clientRequestId = crypto.randomUUID();
    const timeoutMs = req.timeoutMs ?? s.timeoutMs;
    let attempt = 0;
    let waitedMs = 0;
    let reauthenticated = false;
    let serverErrorRetries = 0;

    for (;;) {
      attempt++;
      const token = await s.tokens.getToken(s.scope, signal ? { signal } : {});
      // The slot is taken after the token (and ky's first load) so that the time the pacer records is the time of sending.
      if (s.pacer) {
        await loadHttp();
        waitedMs += await s.pacer.acquire({
          family: operation.family,
          operation: operation.name,
          attempt,
          budgetMs: s.maxRetryWaitMs - waitedMs,
          signal,
        });
      }
      const started = Date.now();
      s.logger?.debug?.(`→ ${req.method} ${url.href} (${operation.name}, attempt ${attempt}, client-request-id ${clientRequestId})`);

      let outcome: Outcome;
      try {
        outcome = await this.#send(req, url, token, clientRequestId, timeoutMs);
      } catch (error) {
        s.pacer?.answered(operation.family, Date.now() - started);
        if (signal?.aborted) throw signal.reason;
        throw error;
      }
      // It reached the service (if at all) before its response began: later calls' windows allow for that.
      s.pacer?.answered(operation.family, ('headersAt' in outcome ? outcome.headersAt : Date.now()) - started);

      let failure: DefenderError;
      let retryable: boolean;
      let waitHintMs: number | undefined;
      if ('failure' in outcome) {
        ({ failure, retryable } = outcome);
        s.logger?.debug?.(`✗ ${operation.name} attempt ${attempt}: ${failure.message}`);
      } else {
        const { response, text, complete } = outcome;
        s.logger?.debug?.(`← ${response.status} ${req.method} ${url.pathname} in ${Date.now() - started} ms`);
        if (response.status >= 200 && response.status < 300) {
          if (req.stream) return { status: response.status, body: response.body, headers: response.headers };
          if (!complete) throw this.#tooLarge(operation, outcome.cap, outcome.declared);
          return { status: response.status, body: this.#parseSuccess(text, response, operation.name, token), headers: response.headers };
        }
        const body = this.#parseErrorBody(text, complete, token);
        if (response.status === 401 && !reauthenticated) {
          // The token may have been revoked or expired early: drop it (only if still cached, so
          // concurrent 401s share one refresh) and replay once with the current token.
          reauthenticated = true;
          s.tokens.invalidate(s.scope, token);
          attempt--;
          s.logger?.info?.(`${operation.name}: the API answered 401; refreshing the token and replaying once.`);
          continue;
        }
        const retryAfterMs = this.#retryAfter(response, body, token);
        failure = this.#mapError(response, body, operation, clientRequestId, token, retryAfterMs);
        retryable = operation.idempotent
          ? RETRYABLE_STATUSES.has(response.status)
          : NOT_APPLIED_STATUSES.has(response.status);
        waitHintMs = retryAfterMs;
        if (s.pacer && failure instanceof RateLimitError) {
          // A 429 despite pacing (another process shares the quota): hold the whole family.
          waitHintMs ??= backoffDelay(attempt, s.backoffBaseMs ?? 500, s.backoffCapMs ?? 30_000);
          await s.pacer.hold(operation.family, waitHintMs, failure.quota);
        }
      }

      if (retryable && failure instanceof ServerError) {
        serverErrorRetries++;
        if (serverErrorRetries > (operation.maxServerErrorRetries ?? s.maxRetries)) retryable = false;
      }
      if (!retryable || attempt > s.maxRetries) {
        s.logger?.error?.(`${operation.name} failed: ${failure.message}`);
        throw failure;
      }
      const delay = waitHintMs ?? backoffDelay(attempt, s.backoffBaseMs ?? 500, s.backoffCapMs ?? 30_000);
      if (waitedMs + delay > s.maxRetryWaitMs) {
        // Fail now rather than sleep past the caller's budget.
        s.logger?.error?.(`${operation.name} failed: waiting ${delay} ms more would exceed maxRetryWaitMs (${s.maxRetryWaitMs} ms).`);
        throw failure;
      }
      s.logger?.warn?.(`${operation.name}: ${failure.message} Retrying in ${delay} ms (attempt ${attempt + 1} of ${s.maxRetries + 1}).`);
      // The pacer waits out the hold before the next attempt (and counts it against the budget).
      if (s.pacer && failure instanceof RateLimitError) continue;
      waitedMs += delay;
      await sleep(delay, signal);
    }
  }

  /**
   * Like {@link request}, but returns a 2xx body as a stream, unread, for the caller to parse as
   * it arrives. Everything before the body is the same: auth, pacing, retries (which can only
   * happen before the first byte of a successful body), error statuses read in full and mapped.
   * The attempt's timeout covers the wait for the response headers; the caller's `signal` still
   * aborts the body afterwards.
   */
  async requestStream(req: TransportRequest): Promise<TransportStreamResponse> {
    const response = await this.request({ ...req, stream: true });
    return response as TransportStreamResponse;
  }

  async #send(
    req: TransportRequest,
    url: URL,
    token: string,
    clientRequestId: string,
    timeoutMs: number,
  ): Promise<Outcome> {
    const { operation } = req;
    const http = await loadHttp();
    // The attempt's timeout, held by its own timer (an AbortSignal.timeout() nobody references
    // may be collected before it fires). A streamed body outlives the attempt: its timeout stops
    // once the headers are in.
    const attemptTimeout = new AbortController();
    const timeout = attemptTimeout.signal;
    const timer = setTimeout(() => attemptTimeout.abort(new DOMException('The operation timed out.', 'TimeoutError')), timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      ...this.#settings.headers,
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'user-agent': this.#userAgent,
      'client-request-id': clientRequestId,
      'return-client-request-id': 'true',
    };
    const init: { method: string; headers: Record<string, string>; signal: AbortSignal; body?: string } = {
      method: req.method,
      headers,
      signal,
    };
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json; charset=utf-8';
      init.body = JSON.stringify(req.body);
    }
    try {
      const response = await http.send(url, init);
      const headersAt = Date.now();
      if (req.stream && response.ok) {
        clearTimeout(timer);
        return { response, headersAt, text: '', complete: true, cap: Infinity };
      }
      // An error body is kept to a prefix; a success body must fit the call's cap, or none of it is used.
      const cap = response.ok ? (this.#settings.maxResponseBytes ?? operation.maxResponseBytes ?? PAGE_MAX_RESPONSE_BYTES) : ERROR_BODY_MAX_BYTES;
      const declared = declaredLength(response.headers);
      if (response.ok && declared !== undefined && declared > cap) {
        clearTimeout(timer);
        discardBody(response.body);
        return { response, headersAt, text: '', complete: false, cap, declared };
      }
      const { text, complete } = await readBodyUpTo(response.body, cap, req.signal ? [req.signal, timeout] : [timeout]);
      clearTimeout(timer);
      return { response, headersAt, text, complete, cap };
    } catch (thrown) {
      clearTimeout(timer);
      if (req.signal?.aborted) throw req.signal.reason;
      // ky 2 wraps fetch's network errors in its NetworkError (whose message holds the full URL):
      // keep fetch's own error as the cause, as with ky 1.
      const error = http.isNetworkError(thrown) ? (thrown as Error).cause : thrown;
      if (timeout.aborted) {
        return {
          failure: new TimeoutError(`${operation.name} timed out after ${timeoutMs} ms.`, { timeoutMs, operation: operation.name }),
          // A timed-out hunting query still burns the tenant's CPU quota: never resend it.
          retryable: false,
        };
      }
      const code = causeCode(error);
      const notSent = code !== undefined && NOT_SENT_CODES.has(code);
      return {
        failure: new ConnectionError(
          `${operation.name}: the connection to ${url.origin} failed${code ? ` (${code})` : ''}.`,
          { operation: operation.name, cause: connectionFailureCause(error) },
        ),
        retryable: operation.idempotent || notSent,
      };
    }
  }

  #parseSuccess(text: string, response: Response, operation: string, token: string): unknown {
    if (text === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      const type = redact(response.headers.get('content-type') ?? 'no content type', [token]).slice(0, 100);
      throw new ResponseValidationError(
        `${operation}: the response (${response.status}, ${type}) is not valid JSON.`,
        { operation, issues: [{ path: '', message: `expected JSON, got ${text.length} characters of ${type}` }] },
      );
    }
  }

  /**
   * An error body as kept on the error: JSON parsed, else text cut to 2 KB, and either way with the
   * token sent, and anything like a token, redacted (some gateways echo the request's headers).
   */
  #parseErrorBody(text: string, complete: boolean, token: string): unknown {
    if (text === '') return undefined;
    if (complete) {
      try {
        return redactJson(JSON.parse(text), [token]);
      } catch {
        // not JSON: kept as text
      }
    }
    const safe = redact(text, [token]);
    const kept = safe.length > ERROR_TEXT_LIMIT ? `${safe.slice(0, ERROR_TEXT_LIMIT)}…` : safe;
    return complete ? kept : `${kept} [truncated: the error body is longer than ${ERROR_BODY_MAX_BYTES} bytes, the SDK read no further]`;
  }

  /** What the wire API reads of an error body; the request id may come from a header, so redacted too. */
  #readErrorBody(body: unknown, headers: Headers, token: string): ParsedErrorBody {
    const parsed = this.#settings.readErrorBody(body, headers);
    const safe = (value: string | undefined) => (value === undefined ? undefined : redact(value, [token]));
    return { code: safe(parsed.code), message: safe(parsed.message), requestId: safe(parsed.requestId) };
  }

  #retryAfter(response: Response, body: unknown, token: string): number | undefined {
    const header = response.headers.get('retry-after');
    // A header naming no wait to honour (0, a past date, a list, text) means back-off, not the body's guess.
    if (header !== null) return parseRetryAfterHeader(header);
    if (response.status === 429 || response.status === 503) return parseQuotaMessage(this.#readErrorBody(body, response.headers, token).message);
    return undefined;
  }

  /** A 2xx body past the call's cap: not retried, since the next answer would be as large. */
  #tooLarge(operation: OperationSpec, cap: number, declared: number | undefined): ResponseValidationError {
    const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`;
    const what = declared !== undefined
      ? `declares ${bytes(declared)} (Content-Length), more than this call's cap of ${bytes(cap)}; none of it was read`
      : `is larger than this call's cap of ${bytes(cap)}; the SDK stopped reading there`;
    const advice = operation.isQuery ? ' Narrow the query, or read its rows with advancedHunting.stream(), which has no cap.' : '';
    return new ResponseValidationError(`${operation.name}: the response ${what} (client option maxResponseBytes).${advice}`, {
      operation: operation.name,
      issues: [{ path: '(root)', message: declared !== undefined ? `Content-Length ${declared} exceeds ${cap}` : `body longer than ${cap} bytes` }],
    });
  }

  #mapError(
    response: Response,
    body: unknown,
    operation: OperationSpec,
    clientRequestId: string,
    token: string,
    retryAfterMs: number | undefined,
  ): ApiError {
    const status = response.status;
    const parsed = this.#readErrorBody(body, response.headers, token);
    const requestId = parsed.requestId;
    const details = {
      status,
      code: parsed.code,
      requestId,
      clientRequestId,
      retryAfterMs,
      body,
      operation: operation.name,
    };
    const said = parsed.message ? `: ${parsed.message}` : '';
    const ref = requestId ? ` (request id ${requestId})` : '';
    const name = operation.name;
    // Match on the status: real 429 bodies carry "code":"429", "TooManyRequests" or "".
    switch (true) {
      case status === 401:
        return new AuthenticationError(
          `${name}: the API rejected the token twice (401)${said}${ref}. Check that the credential is for the right tenant and that the token's audience is ${this.#settings.scope.replace(/\/\.default$/, '')}.`,
          details,
        );
      case status === 403: {
        const granted = this.#settings.rolesOf?.(token) ?? [];
        const needs = operation.requiredRoles.join(' or ');
        const advice =
          this.#settings.permissionAdvice?.(operation, granted) ?? ' Add the permission to the app registration and grant admin consent.';
        return new PermissionError(
          `${name} needs the ${operation.permissionApi} application permission ${needs}; the token holds ${granted.length ? granted.join(', ') : 'no roles'}${said}${ref}.${advice}`,
          { ...details, requiredPermissions: operation.requiredRoles, grantedRoles: granted, permissionApi: operation.permissionApi },
        );
      }
      case status === 404:
        return new NotFoundError(`${name}: not found (404)${said}${ref}.`, details);
      case status === 429: {
        const quota = quotaKind(parsed.message);
        const wait = retryAfterMs !== undefined ? ` The service asks to wait ${Math.ceil(retryAfterMs / 1000)} s.` : '';
        return new RateLimitError(`${name}: ${quota === 'cpu' ? 'CPU' : 'call'} quota exceeded (429)${said}${ref}.${wait}`, {
          ...details,
          quota,
        });
      }
      case status === 400 && operation.isQuery === true:
        return new QueryError(`${name}: the query was refused (400)${said}${ref}.`, details);
      case status >= 500:
        return new ServerError(`${name}: the service failed (${status})${said}${ref}.`, details);
      default:
        return new ApiError(`${name} failed (${status})${said}${ref}.`, details);
    }
  }
}
