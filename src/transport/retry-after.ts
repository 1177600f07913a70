import type { QuotaKind } from '../errors.js';

/** Statuses worth another attempt for a read (GET, hunting POST). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Statuses after which a PATCH may be sent again: the server says it did not apply it
 * (throttled, or it gave up waiting for the request). A 5xx leaves the outcome unknown.
 */
export const NOT_APPLIED_STATUSES: ReadonlySet<number> = new Set([408, 429]);

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
/** The three HTTP-date forms (RFC 9110 §5.6.7); `Date.parse` alone reads "soon 5" as a date in 2001. */
const HTTP_DATE = [
  new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`),
  new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`),
];
/** asctime() form: no zone written, but GMT by definition (Date.parse would read it as local time). */
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`);

/**
 * Reads a `Retry-After` header: delta seconds or an HTTP date. The same value twice (`60, 60`:
 * the header sent twice, as a proxy may add it again) counts once.
 * @returns milliseconds to wait, or undefined when the header is absent or names no wait to honour:
 *   not one number or one HTTP date (`1, 2`, `-1`, text), zero, or a date already past. The
 *   caller then backs off as if no header had come, rather than retrying at once.
 */
export function parseRetryAfterHeader(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.length > 200) return undefined;
  const trimmed = value.trim().replace(/^(.+?)(?:\s*,\s*\1)+$/, '$1');
  let ms: number | undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Math.round(Number(trimmed) * 1000);
  else if (HTTP_DATE.some((form) => form.test(trimmed))) ms = Date.parse(trimmed) - now;
  else if (ASCTIME_DATE.test(trimmed)) ms = Date.parse(`${trimmed} GMT`) - now;
  if (ms === undefined || Number.isNaN(ms) || ms <= 0) return undefined;
  // absurd values stay exact integers (the pacer caps what it holds for; see MAX_HOLD_MS)
  return Math.min(ms, Number.MAX_SAFE_INTEGER);
}

/** Parses a .NET TimeSpan such as `00:01:00` or `1.02:03:04.5` into milliseconds. */
function parseTimeSpan(text: string): number | undefined {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = '0'] = match;
  return (
    ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds) * 1000 +
    Math.round(Number(`0.${fraction}`) * 1000)
  );
}

const UNIT_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000 };

/**
 * Reads the wait out of a 429 message when no `Retry-After` header came (the Defender API
 * states it in the body): "… again in 8 seconds", "… again in 00:05:00", or the quota window of
 * "maximum allowed 45 per 00:01:00" (the worst case until the window frees a slot).
 * @returns milliseconds to wait, or undefined when the text says nothing usable.
 */
export function parseQuotaMessage(message: string | undefined): number | undefined {
  if (!message) return undefined;
  const inUnits = /again in (\d+(?:\.\d+)?)\s*(second|minute|hour)s?/i.exec(message);
  if (inUnits?.[1] && inUnits[2]) return Math.round(Number(inUnits[1]) * (UNIT_MS[inUnits[2].toLowerCase()] ?? 1000));
  const inSpan = /again in (\d+(?:\.\d+)?:\d{2}:\d{2}(?:\.\d+)?)/i.exec(message);
  if (inSpan?.[1]) return parseTimeSpan(inSpan[1]);
  const window = /maximum allowed \d+ per (\d+(?:\.\d+)?:\d{2}:\d{2}(?:\.\d+)?)/i.exec(message);
  if (window?.[1]) return parseTimeSpan(window[1]);
  return undefined;
}

/** Tells which quota a 429 body speaks of: the hunting CPU quota, the call count, or neither. */
export function quotaKind(message: string | undefined): QuotaKind {
  if (!message) return 'unknown';
  if (/processing resources|cpu|resource usage|running time/i.test(message)) return 'cpu';
  if (/calls quota|maximum allowed|too many requests|rate limit/i.test(message)) return 'calls';
  return 'unknown';
}

/**
 * Exponential back-off with "equal jitter": half the delay fixed, half random, so concurrent
 * callers spread out but none retries at once.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
