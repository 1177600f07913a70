/**
 * The client's token cache, in front of whatever credential it was given.
 * @packageDocumentation
 */
import { AuthenticationError, DefenderError } from '../errors.js';
import type { AccessToken, Logger, TokenCredential } from '../types.js';
import { className, redact, redactedCause } from './redact.js';

/** Options of a {@link TokenCache}. */
export interface TokenCacheOptions {
  /** Refresh a token when less than this many milliseconds of its life are left (the client's default: 5 min). */
  refreshMarginMs: number;
  /** Where to log cache decisions (never a token). */
  logger?: Logger;
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

interface Cached {
  token: string;
  expiresOnTimestamp: number;
  refreshAfterTimestamp: number | undefined;
  obtainedAt: number;
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
 *   {@link CredentialError} as it is, anything else wrapped in an {@link AuthenticationError}.
 */
export class TokenCache {
  readonly #credential: TokenCredential;
  readonly #marginMs: number;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  /**
   * @param credential - Where tokens come from.
   * @param options - Refresh margin, logger and clock.
   */
  constructor(credential: TokenCredential, options: TokenCacheOptions) {
    if (!Number.isFinite(options.refreshMarginMs) || options.refreshMarginMs < 0) {
      throw new RangeError(`refreshMarginMs must be a non-negative number of milliseconds; got ${String(options.refreshMarginMs)}.`);
    }
    this.#credential = credential;
    this.#marginMs = options.refreshMarginMs;
    this.#logger = options.logger;
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
    const now = this.#now();
    const cached = entry.cached;
    if (!forceRefresh && cached) {
      if (this.#isFresh(cached, now)) return cached.token;
      if (cached.expiresOnTimestamp > now && entry.retryAt !== undefined && now < entry.retryAt) {
        this.#logger?.debug?.(`token for ${scope}: refresh failed recently; using the current token until the next attempt at ${iso(entry.retryAt)}`);
        return cached.token;
      }
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

  #isFresh(cached: Cached, now: number): boolean {
    if (cached.refreshAfterTimestamp !== undefined && now >= cached.refreshAfterTimestamp) return false;
    const lifetime = cached.expiresOnTimestamp - cached.obtainedAt;
    // A token that lives shorter than twice the margin would be refreshed on every call.
    const margin = Math.min(this.#marginMs, Math.max(0, lifetime / 2));
    return cached.expiresOnTimestamp - now > margin;
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
      this.#logger?.debug?.(`token for ${scope} cached until ${iso(token.expiresOnTimestamp)}`);
      return { ok: true, token };
    } catch (thrown) {
      if (signal.aborted) return { ok: false, error: signal.reason };
      const error = this.#wrap(thrown, scope);
      const now = this.#now();
      const old = entry.cached;
      if (old && old.expiresOnTimestamp > now) {
        const remaining = old.expiresOnTimestamp - now;
        entry.retryAt = now + Math.max(MIN_RETRY_DELAY_MS, Math.floor(remaining / 10));
        this.#logger?.warn?.(
          `token refresh for ${scope} failed (${describeError(error)}); using the current token, valid until ${iso(old.expiresOnTimestamp)}; ` +
            `next attempt after ${iso(entry.retryAt)}`,
        );
      } else {
        this.#logger?.error?.(`token for ${scope} could not be obtained: ${describeError(error)}`);
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
    if (typeof result.token !== 'string' || result.token === '' || !Number.isFinite(result.expiresOnTimestamp)) {
      throw new AuthenticationError(
        `The credential (${source}) returned something that is not an access token for ${scope}: expected {token: string, expiresOnTimestamp: number}.`,
        { status: 401, code: 'invalid_token', operation: 'auth.getToken' },
      );
    }
    const refreshAfter = result.refreshAfterTimestamp;
    return {
      token: result.token,
      expiresOnTimestamp: result.expiresOnTimestamp,
      refreshAfterTimestamp: typeof refreshAfter === 'number' && Number.isFinite(refreshAfter) ? refreshAfter : undefined,
      obtainedAt: this.#now(),
    };
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

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`;
  }
  return String(error);
}
