/*
 * The fake tenant's API quotas: sliding windows of calls per tenant, app and API family, with the
 * service's 429 bodies (reference defender-api.md §3.2, §3.3, §4.1, §4.2, §5.8). Time comes only
 * from the injected clock, so a time-scaled tenant burns an hour of quota in seconds.
 */

/**
 * A family of the fake tenant's calls that share a quota: `<api>.<calls>`. Not the SDK's
 * `TenantQuotaFamily` (the pacer's `incidents`, `incidents.get`, `alerts`, `hunting`, kept per API).
 */
export type TenantQuotaFamily =
  | 'defender.hunting'
  | 'defender.incidents'
  | 'defender.incident.get'
  | 'graph.incidents'
  | 'graph.alerts'
  | 'graph.hunting'
  | 'mde.machines'
  | 'mde.machineActions'
  | 'mde.indicators'
  | 'mde.indicators.import'
  | 'mde.packageUri';

/** At most `limit` calls in any `intervalMs` milliseconds: the same shape as the SDK's `RateLimitWindow`. */
export interface TenantQuotaLimit {
  /** How many calls the window allows (an integer, at least 1). */
  limit: number;
  /** The window's length, in simulated milliseconds (60,000 for "per minute"). */
  intervalMs: number;
}

/** Who is calling what: quotas are kept per tenant, app and family. */
export interface QuotaRequest {
  /** The tenant called. */
  tenantId: string;
  /** The calling app's client id (the token's `appid`). */
  appId: string;
  /** The family the call counts against. */
  family: TenantQuotaFamily;
}

/** The call may go ahead (and has been counted). */
export interface QuotaGranted {
  /** Always `true`. */
  ok: true;
}

/** The call is refused: what the service answers. */
export interface QuotaRefused {
  /** Always `false`. */
  ok: false;
  /** The HTTP status to answer with. */
  status: 429;
  /** Seconds until a slot frees in every exhausted window (at least 1); also the `Retry-After` header. */
  retryAfterSeconds: number;
  /** Headers to answer with (`Retry-After`, `Content-Type`, Graph's request ids). */
  headers: Record<string, string>;
  /** The service's JSON error body. */
  body: unknown;
}

/** Options of {@link QuotaBook}. */
export interface QuotaBookOptions {
  /** The simulated clock, epoch milliseconds. */
  now: () => number;
  /** Limits per family, replacing the documented defaults of the families given. An empty list means unlimited. */
  limits?: Partial<Record<TenantQuotaFamily, TenantQuotaLimit[]>>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The documented quotas. Defender (legacy) hunting 45/min (its CPU quota is not simulated);
 * incidents list and update share 50/min and 1,500/h; get has its own 100/min and 1,500/h.
 * Graph publishes 45/min for `runHuntingQuery` but no numbers for `incidents`/`alerts_v2`: they
 * use the 150/min documented for `/security` alerts.
 */
export const DEFAULT_TENANT_QUOTA_LIMITS: Readonly<Record<TenantQuotaFamily, readonly TenantQuotaLimit[]>> = Object.freeze({
  'defender.hunting': [{ limit: 45, intervalMs: MINUTE }],
  'defender.incidents': [{ limit: 50, intervalMs: MINUTE }, { limit: 1_500, intervalMs: HOUR }],
  'defender.incident.get': [{ limit: 100, intervalMs: MINUTE }, { limit: 1_500, intervalMs: HOUR }],
  'graph.incidents': [{ limit: 150, intervalMs: MINUTE }],
  'graph.alerts': [{ limit: 150, intervalMs: MINUTE }],
  'graph.hunting': [{ limit: 45, intervalMs: MINUTE }],
  // Defender for Endpoint: 100/min and 1,500/h per endpoint (reference mde-actions.md §1.4); the package link 2/min and 120/h, import 30/min.
  'mde.machines': [{ limit: 100, intervalMs: MINUTE }, { limit: 1_500, intervalMs: HOUR }],
  'mde.machineActions': [{ limit: 100, intervalMs: MINUTE }, { limit: 1_500, intervalMs: HOUR }],
  'mde.indicators': [{ limit: 100, intervalMs: MINUTE }, { limit: 1_500, intervalMs: HOUR }],
  'mde.indicators.import': [{ limit: 30, intervalMs: MINUTE }],
  'mde.packageUri': [{ limit: 2, intervalMs: MINUTE }, { limit: 120, intervalMs: HOUR }],
});

/** The tenant quota families, in {@link DEFAULT_TENANT_QUOTA_LIMITS} order. */
export const TENANT_QUOTA_FAMILIES = Object.keys(DEFAULT_TENANT_QUOTA_LIMITS) as readonly TenantQuotaFamily[];

/** Accepted calls of one key under one limit, oldest first (a ring would do; an offset is enough). */
interface Window {
  times: number[];
  start: number;
}

/**
 * Counts calls per tenant, app and family in sliding windows and refuses those over a limit with
 * the service's 429: legacy Defender bodies `{"error":{"code":"429","message":"API calls quota
 * exceeded! maximum allowed 45 per 00:01:00","target":…}}`, Graph bodies
 * `{"error":{"code":"TooManyRequests","message":"Too many requests.","innerError":…}}`, and a
 * `Retry-After` header with the seconds until the call would succeed. Refused calls are not counted.
 *
 * @example
 * ```ts
 * const quotas = new QuotaBook({ now: () => clock.now() });
 * const answer = quotas.take({ tenantId, appId, family: 'defender.hunting' });
 * if (!answer.ok) return Response.json(answer.body, { status: answer.status, headers: answer.headers });
 * ```
 */
export class QuotaBook {
  readonly #now: () => number;
  readonly #limits: Record<TenantQuotaFamily, readonly TenantQuotaLimit[]>;
  readonly #windows = new Map<string, Window[]>();

  constructor({ now, limits = {} }: QuotaBookOptions) {
    this.#now = now;
    this.#limits = { ...DEFAULT_TENANT_QUOTA_LIMITS };
    for (const [family, familyLimits] of Object.entries(limits) as Array<[TenantQuotaFamily, TenantQuotaLimit[] | undefined]>) {
      if (!familyLimits) continue;
      for (const limit of familyLimits) {
        if (!Number.isInteger(limit.limit) || limit.limit < 1 || !(limit.intervalMs > 0)) {
          throw new RangeError(`QuotaBook: a ${family} limit needs limit ≥ 1 (an integer) and intervalMs > 0; got ${JSON.stringify(limit)}.`);
        }
      }
      this.#limits[family] = familyLimits.map((limit) => ({ ...limit }));
    }
  }

  /** The limits in force for `family`. */
  limitsOf(family: TenantQuotaFamily): readonly TenantQuotaLimit[] {
    return this.#limits[family] ?? [];
  }

  /**
   * Counts one call of `appId` in `tenantId` against `family`'s limits, or refuses it when any
   * window is full. `Retry-After` is the wait until every full window has a free slot.
   */
  take({ tenantId, appId, family }: QuotaRequest): QuotaGranted | QuotaRefused {
    const limits = this.limitsOf(family);
    if (limits.length === 0) return { ok: true };
    const now = this.#now();
    const key = `${tenantId}\u0000${appId}\u0000${family}`;
    let windows = this.#windows.get(key);
    if (!windows) this.#windows.set(key, (windows = limits.map(() => ({ times: [], start: 0 }))));

    let waitMs = 0;
    let binding: TenantQuotaLimit | undefined;
    limits.forEach((limit, i) => {
      const window = windows[i] as Window;
      prune(window, now - limit.intervalMs);
      const used = window.times.length - window.start;
      if (used < limit.limit) return;
      // the slot that frees first is the oldest call still inside the window
      const freesAt = (window.times[window.start] as number) + limit.intervalMs;
      if (freesAt - now > waitMs || !binding) {
        waitMs = freesAt - now;
        binding = limit;
      }
    });
    if (binding) return refusal(family, binding, waitMs, now);
    for (const window of windows) window.times.push(now);
    return { ok: true };
  }

  /** Forgets every counted call. */
  reset(): void {
    this.#windows.clear();
  }
}

/** Drops calls at or before `cutoff`; compacts now and then so the array does not grow forever. */
function prune(window: Window, cutoff: number): void {
  const { times } = window;
  while (window.start < times.length && (times[window.start] as number) <= cutoff) window.start++;
  if (window.start > 64 && window.start * 2 > times.length) {
    times.splice(0, window.start);
    window.start = 0;
  }
}

function refusal(family: TenantQuotaFamily, limit: TenantQuotaLimit, waitMs: number, now: number): QuotaRefused {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  const headers = { 'Retry-After': String(retryAfterSeconds), 'Content-Type': 'application/json; charset=utf-8' };
  const id = globalThis.crypto.randomUUID();
  if (family.startsWith('graph.')) {
    const date = new Date(now).toISOString().slice(0, 19);
    return {
      ok: false,
      status: 429,
      retryAfterSeconds,
      headers: { ...headers, 'request-id': id, 'client-request-id': id },
      body: { error: { code: 'TooManyRequests', message: 'Too many requests.', innerError: { date, 'request-id': id, 'client-request-id': id } } },
    };
  }
  // legacy 429 bodies use code "429", not "TooManyRequests" (reference §3.3)
  return {
    ok: false,
    status: 429,
    retryAfterSeconds,
    headers,
    body: { error: { code: '429', message: `API calls quota exceeded! maximum allowed ${limit.limit} per ${timeSpan(limit.intervalMs)}`, target: id } },
  };
}

/** Milliseconds as a .NET TimeSpan (`00:01:00`, `01:00:00`, `1.00:00:00`). */
function timeSpan(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor((totalSeconds % 86_400) / 3600))}:${pad(Math.floor((totalSeconds % 3600) / 60))}:${pad(totalSeconds % 60)}`;
  return days ? `${days}.${clock}` : clock;
}
