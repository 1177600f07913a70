/**
 * The client's token cache, in front of whatever credential it was given.
 * @packageDocumentation
 */
import { AuthenticationError, DefenderError } from '../errors.js';
import type { AccessToken, Logger, TokenCredential } from '../types.js';
import { decodeAccessToken } from './jwt.js';
import { className, redact, redactedCause } from './redact.js';
import { sleep } from '../sleep.js';

/** Options of a {@link TokenCache}. */
export interface TokenCacheOptions {
  /** Refresh a token when less than this many milliseconds of its life are left (the client's default: 5 min). */
  refreshMarginMs: number;
  /** Where to log cache decisions (never a token). */
  logger?: Logger;
  /**
   * How long a call may wait for a throttled token endpoint's `Retry-After` to pass before asking
   * again, in milliseconds (the client's `maxRetryWaitMs`); a longer wait fails the call at once.
   * Default 60 000.
   */
  maxRetryWaitMs?: number;
  /** The clock, in milliseconds since the epoch (tests). Default `Date.now`. */
  now?: () => number;
}

/** Options of one {@link TokenCache.getToken} call. */
export interface TokenCacheGetOptions {
  /** Rejects this call with `signal.reason` when aborted; a refresh shared with other callers goes on for them. */
  signal?: AbortSignal;
  /** Skip the cached token (it was just rejected): get a new one, sharing a refresh already in flight. */
  forceRefresh?: boolean;
}

/** The shortest wait before trying again after a failed refresh while the old token is still valid. */
const MIN_RETRY_DELAY_MS = 30_000;

/**
 * A token whose expiry is unknown or already past (an odd `expires_in`, a NaN or past
 * `expiresOnTimestamp`, and no readable `exp` claim) is kept this long rather than fetched anew by
 * every call; a token living less than this is logged at warn.
 */
const TOKEN_LIFETIME_FLOOR_MS = 60_000;

/**
 * Less life than this reads as "expired": MSAL counts `expires_in` from the request time rounded
 * to the second, so a zero or missing `expires_in` comes out up to half a second ahead.
 */
const MIN_USABLE_LIFETIME_MS = 1_000;

/** How long the token endpoint is left alone after a 429 that gave no `Retry-After`. */
const DEFAULT_THROTTLE_MS = 30_000;
/** The bounds of a token endpoint's `Retry-After` the cache honours (an absurd value is capped). */
const MIN_THROTTLE_MS = 1_000;
const MAX_THROTTLE_MS = 300_000;

interface Cached {
  token: string;
  /** Until when the cache holds the token valid. */
  expiresOnTimestamp: number;
  /** From when a call refreshes it rather than using it. */
  refreshAt: number;
}

/** The token endpoint asked to be left alone (429, or a 5xx with `Retry-After`) until `until`. */
interface Circuit {
  until: number;
  error: AuthenticationError;
}

type Outcome = { ok: true; token: Cached } | { ok: false; error: unknown };

interface Flight {
  promise: Promise<Outcome>;
  controller: AbortController;
  /** Callers still waiting on this refresh (those without a signal never leave). */
  waiters: number;
  settled: boolean;
}

interface Entry {
  cached?: Cached | undefined;
  flight?: Flight | undefined;
  /** After a failed refresh with a still-valid token: no new attempt before this time. */
  retryAt?: number | undefined;
  /** The API rejected the cached token: the next refresh asks the credential to skip its own cache. */
  rejected?: boolean | undefined;
  /** Set while the token endpoint is throttling: no request before `until`. */
  circuit?: Circuit | undefined;
}

/**
 * Keeps one token per scope and refreshes it shortly before it expires:
 *
 * - served from memory while more than `refreshMarginMs` of its life is left (or half its life,
 *   for tokens shorter than twice the margin), and not past the credential's `refreshAfterTimestamp`;
 * - one refresh in flight per scope however many callers wait; each caller's `signal` rejects only
 *   that caller, and the credential's `getToken` is aborted only when every waiting caller aborted;
 * - a failed refresh while the old token is still valid serves the old token, logs a warning, and
 *   is tried again no sooner than 30 s (or a tenth of the remaining life, if longer) later;
 * - a failed refresh with no valid token throws: the credential's {@link AuthenticationError} or
 *   {@link CredentialError} as it is, anything else wrapped in an {@link AuthenticationError};
 * - a throttled token endpoint (an {@link AuthenticationError} with status 429, or a 5xx with
 *   `retryAfterMs`) opens a circuit for that scope until its `Retry-After` (at least 1 s, at most
 *   5 min; 30 s for a 429 without one) has passed: meanwhile nothing is sent to it. A call with no
 *   valid token waits for the circuit once if the wait fits `maxRetryWaitMs` (and its signal does
 *   not abort), then asks again; otherwise it fails at once with an {@link AuthenticationError}
 *   like the last one, whose `retryAfterMs` is the time left;
 * - a token's expiry comes from the credential's `expiresOnTimestamp`; when that is missing, not
 *   a number, past or less than a second away, from the token's own `exp` claim; when neither
 *   gives a future time, the token is kept 60 s rather than fetched anew by every call. Either
 *   fallback, and any token living less than 60 s, is logged at warn (never the token). A
 *   `refreshAfterTimestamp` already past is ignored;
 * - a token that cannot go in an `Authorization` header (empty, or holding a space, a control or
 *   a non-ASCII character) is refused with an {@link AuthenticationError} `invalid_token` before
 *   anything is sent, without the token in it.
 */
export class TokenCache {
  readonly #credential: TokenCredential;
  readonly #marginMs: number;
  readonly #logger: Logger | undefined;
  readonly #maxWaitMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  /**
   * @param credential - Where tokens come from.
   * @param options - Refresh margin, logger, wait budget and clock.
   */
  constructor(credential: TokenCredential, options: TokenCacheOptions) {
    if (!Number.isFinite(options.refreshMarginMs) || options.refreshMarginMs < 0) {
      throw new RangeError(`refreshMarginMs must be a non-negative number of milliseconds; got ${String(options.refreshMarginMs)}.`);
    }
    const maxWaitMs = options.maxRetryWaitMs ?? 60_000;
    if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) {
      throw new RangeError(`maxRetryWaitMs must be a non-negative number of milliseconds; got ${String(options.maxRetryWaitMs)}.`);
    }
    this.#credential = credential;
    this.#marginMs = options.refreshMarginMs;
    this.#logger = options.logger;
    this.#maxWaitMs = maxWaitMs;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Returns a bearer token for `scope`, from memory when it is fresh enough.
   * @throws the `signal`'s reason when it aborts; {@link AuthenticationError} or
   *   {@link CredentialError} when no valid token can be had.
   */
  async getToken(scope: string, options: TokenCacheGetOptions = {}): Promise<string> {
    const { signal, forceRefresh = false } = options;
    signal?.throwIfAborted();
    const entry = this.#entry(scope);
    for (let waited = false; ; waited = true) {
      const now = this.#now();
      const cached = entry.cached;
      if (!forceRefresh && cached) {
        if (now < cached.refreshAt) return cached.token;
        if (cached.expiresOnTimestamp > now && entry.retryAt !== undefined && now < entry.retryAt) {
          this.#logger?.debug?.(`token for ${scope}: refresh failed recently; using the current token until the next attempt at ${iso(entry.retryAt)}`);
          return cached.token;
        }
      }
      const circuit = entry.flight ? undefined : entry.circuit;
      if (!circuit || now >= circuit.until) break;
      // The token endpoint asked to be left alone: wait once if the budget allows, else fail now.
      const left = circuit.until - now;
      if (waited || left > this.#maxWaitMs) {
        this.#logger?.debug?.(`token for ${scope}: not asking the credential again before ${iso(circuit.until)} (throttled); the call fails unsent`);
        throw throttled(circuit, left, this.#maxWaitMs);
      }
      this.#logger?.debug?.(`token for ${scope}: waiting ${left} ms for the token endpoint's Retry-After before asking again`);
      await sleep(left, signal);
    }
    const flight = entry.flight ?? this.#startRefresh(scope, entry);
    const outcome = await this.#wait(entry, flight, signal);
    if (outcome.ok) return outcome.token.token;
    const current = entry.cached;
    if (!forceRefresh && current && current.expiresOnTimestamp > this.#now()) return current.token;
    throw outcome.error;
  }

  /**
   * Forgets the cached token for `scope` if it is `token` (the API rejected it). A newer token,
   * cached since the rejected one was handed out, is kept.
   */
  invalidate(scope: string, token: string): void {
    const entry = this.#entries.get(scope);
    if (entry?.cached?.token === token) {
      entry.cached = undefined;
      entry.retryAt = undefined;
      entry.rejected = true;
      this.#logger?.debug?.(`token for ${scope} invalidated`);
    }
  }

  #entry(scope: string): Entry {
    let entry = this.#entries.get(scope);
    if (!entry) {
      entry = {};
      this.#entries.set(scope, entry);
    }
    return entry;
  }

  #startRefresh(scope: string, entry: Entry): Flight {
    const controller = new AbortController();
    const flight: Flight = { promise: undefined as never, controller, waiters: 0, settled: false };
    flight.promise = this.#refresh(scope, entry, controller.signal).finally(() => {
      flight.settled = true;
      if (entry.flight === flight) entry.flight = undefined;
    });
    entry.flight = flight;
    return flight;
  }

  async #refresh(scope: string, entry: Entry, signal: AbortSignal): Promise<Outcome> {
    try {
      const bypass = entry.rejected === true;
      entry.rejected = undefined;
      const result = await this.#credential.getToken(scope, bypass ? { abortSignal: signal, forceRefresh: true } : { abortSignal: signal });
      const token = this.#accept(result, scope);
      // Keep the longer-lived token if a refresh abandoned earlier finished late.
      if (!entry.cached || token.expiresOnTimestamp >= entry.cached.expiresOnTimestamp || entry.cached.expiresOnTimestamp <= this.#now()) {
        entry.cached = token;
      }
      entry.retryAt = undefined;
      entry.circuit = undefined;
      this.#logger?.debug?.(`token for ${scope} cached until ${iso(token.expiresOnTimestamp)}`);
      return { ok: true, token };
    } catch (thrown) {
      if (signal.aborted) return { ok: false, error: signal.reason };
      const error = this.#wrap(thrown, scope);
      const now = this.#now();
      const hold = throttleHold(error);
      entry.circuit = hold ? { until: now + hold.ms, error: error as AuthenticationError } : undefined;
      const circuitNote = hold
        ? `; the token endpoint is left alone until ${iso(now + hold.ms)}` +
          (hold.capped ? ` (its Retry-After of ${Math.round(hold.asked / 1000)} s capped at ${MAX_THROTTLE_MS / 1000} s)` : '')
        : '';
      const old = entry.cached;
      if (old && old.expiresOnTimestamp > now) {
        const remaining = old.expiresOnTimestamp - now;
        entry.retryAt = Math.max(now + Math.max(MIN_RETRY_DELAY_MS, Math.floor(remaining / 10)), entry.circuit?.until ?? 0);
        this.#logger?.warn?.(
          `token refresh for ${scope} failed (${describeError(error)}); using the current token, valid until ${iso(old.expiresOnTimestamp)}; ` +
            `next attempt after ${iso(entry.retryAt)}${circuitNote}`,
        );
      } else {
        this.#logger?.error?.(`token for ${scope} could not be obtained: ${describeError(error)}${circuitNote}`);
      }
      return { ok: false, error };
    }
  }

  #accept(result: AccessToken | null, scope: string): Cached {
    const source = className(this.#credential);
    if (result === null || result === undefined) {
      throw new AuthenticationError(`The credential (${source}) returned no token for ${scope}.`, {
        status: 401,
        code: 'no_token',
        operation: 'auth.getToken',
      });
    }
    const token: unknown = typeof result === 'object' ? result.token : undefined;
    if (typeof token !== 'string') {
      throw new AuthenticationError(
        `The credential (${source}) returned something that is not an access token for ${scope}: expected {token: string, expiresOnTimestamp: number}.`,
        { status: 401, code: 'invalid_token', operation: 'auth.getToken' },
      );
    }
    // Sent as "Bearer <token>": a control character would make fetch refuse the header (echoing
    // the token in its message) or, worse, split it; RFC 6750 tokens are visible ASCII.
    if (!/^[\x21-\x7e]+$/.test(token)) {
      throw new AuthenticationError(
        `The credential (${source}) returned a token for ${scope} that cannot be sent in an Authorization header: ` +
          `${token === '' ? 'it is empty' : 'it holds a space, a control character (such as a line break or NUL) or a non-ASCII character'}. ` +
          'Nothing was sent. (The token itself is not shown.)',
        { status: 401, code: 'invalid_token', operation: 'auth.getToken' },
      );
    }
    return this.#lifetime(token, result, scope);
  }

  /** When the cache holds `token` valid and when it refreshes it (see the class doc on odd lifetimes). */
  #lifetime(token: string, result: AccessToken, scope: string): Cached {
    const now = this.#now();
    const reported = typeof result.expiresOnTimestamp === 'number' && Number.isFinite(result.expiresOnTimestamp) ? result.expiresOnTimestamp : undefined;
    let expires: number;
    let floored = false;
    if (reported !== undefined && reported - now >= MIN_USABLE_LIFETIME_MS) {
      expires = reported;
    } else {
      const claimed = expiryClaim(token);
      const said =
        reported === undefined ? 'no usable expiresOnTimestamp' : reported > now ? `an expiry ${reported - now} ms away` : `an expiry ${Math.round((now - reported) / 1000)} s in the past`;
      if (claimed !== undefined && claimed - now >= MIN_USABLE_LIFETIME_MS) {
        expires = claimed;
        this.#logger?.warn?.(`token for ${scope}: the credential (${className(this.#credential)}) gave ${said}; using the token's own exp claim, ${iso(claimed)}`);
      } else {
        expires = now + TOKEN_LIFETIME_FLOOR_MS;
        floored = true;
        this.#logger?.warn?.(
          `token for ${scope}: the credential (${className(this.#credential)}) gave ${said} and the token has ${claimed === undefined ? 'no readable exp claim' : 'an exp claim already past'}; ` +
            `keeping it ${TOKEN_LIFETIME_FLOOR_MS / 1000} s rather than fetching a new token for every call (a 401 from the API still replaces it)`,
        );
      }
    }
    const lifetime = expires - now;
    if (!floored && lifetime < TOKEN_LIFETIME_FLOOR_MS) {
      this.#logger?.warn?.(`token for ${scope} lives only ${(lifetime / 1000).toFixed(1)} s: a new one will be fetched that often (Entra ID tokens live 60–90 min)`);
    }
    // A token that lives shorter than twice the margin would be refreshed on every call.
    let refreshAt = floored ? expires : expires - Math.min(this.#marginMs, lifetime / 2);
    const refreshAfter = result.refreshAfterTimestamp;
    // A refreshAfterTimestamp already past would make every call refresh: ignored.
    if (typeof refreshAfter === 'number' && Number.isFinite(refreshAfter) && refreshAfter > now) refreshAt = Math.min(refreshAt, refreshAfter);
    return { token, expiresOnTimestamp: expires, refreshAt };
  }

  #wrap(error: unknown, scope: string): unknown {
    if (error instanceof DefenderError) return error;
    const source = className(this.#credential);
    const name = error instanceof Error ? error.name : typeof error;
    const detail = redact(error instanceof Error ? error.message : String(error)).split(/\r?\n/)[0]?.slice(0, 300) ?? '';
    return new AuthenticationError(`The credential (${source}) failed to get a token for ${scope}: ${name}${detail ? `: ${detail}` : ''}`, {
      status: 401,
      code: 'credential_failed',
      operation: 'auth.getToken',
      cause: redactedCause(error),
    });
  }

  #wait(entry: Entry, flight: Flight, signal: AbortSignal | undefined): Promise<Outcome> {
    flight.waiters += 1;
    if (!signal) return flight.promise;
    return new Promise<Outcome>((resolve, reject) => {
      const onAbort = () => {
        flight.waiters -= 1;
        if (flight.waiters === 0 && !flight.settled) {
          // Nobody is left waiting: stop the credential, and let the next caller start afresh.
          if (entry.flight === flight) entry.flight = undefined;
          flight.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then((outcome) => {
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      });
    });
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The `exp` claim of a JWT, in milliseconds; `undefined` for a token that is not one. */
function expiryClaim(token: string): number | undefined {
  try {
    return decodeAccessToken(token).expiresOn.getTime();
  } catch {
    return undefined;
  }
}

/** How long to leave the token endpoint alone after `error`; `undefined` when it did not throttle. */
function throttleHold(error: unknown): { ms: number; asked: number; capped: boolean } | undefined {
  if (!(error instanceof AuthenticationError)) return undefined;
  const { status, retryAfterMs } = error;
  if (status !== 429 && !(status >= 500 && retryAfterMs !== undefined)) return undefined;
  const asked = retryAfterMs ?? DEFAULT_THROTTLE_MS;
  const ms = Math.min(MAX_THROTTLE_MS, Math.max(MIN_THROTTLE_MS, Number.isFinite(asked) ? asked : MAX_THROTTLE_MS));
  return { ms, asked, capped: !(asked <= MAX_THROTTLE_MS) };
}

/** The error of a call refused while the circuit is open: the last answer's, with the time left. */
function throttled(circuit: Circuit, left: number, maxWaitMs: number): AuthenticationError {
  const last = circuit.error;
  return new AuthenticationError(
    `Not sent: the token endpoint asked not to be called again before ${iso(circuit.until)} (${Math.ceil(left / 1000)} s more, ` +
      `${left > maxWaitMs ? `beyond maxRetryWaitMs of ${maxWaitMs} ms` : 'after one wait already'}). Its last answer: ${last.message}`,
    {
      status: last.status,
      code: last.code,
      requestId: last.requestId,
      retryAfterMs: left,
      body: last.body,
      operation: last.operation ?? 'auth.getToken',
      cause: last,
    },
  );
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`;
  }
  return String(error);
}
