/**
 * Strict ISO-8601 date-time parsing shared by both wire APIs and by input validation.
 *
 * Why not `Date.parse`: it accepts anything from `"September 6, 2020"` to `"2020-09-06 12:18"`,
 * and reads a date-time without an offset as *local* time. Microsoft's DateTimeOffset strings
 * carry up to 7 fractional digits (`2020-09-06T12:18:03.6266667Z`); V8 happens to accept those,
 * but the SDK should not depend on that.
 *
 * @packageDocumentation
 */

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** Options of {@link parseDateTime}. */
export interface ParseDateTimeOptions {
  /**
   * Refuse a date-time without `Z` or an offset. Off for wire values (the Defender API's
   * DateTimeOffset values are UTC, so a missing offset is read as UTC, never as local time);
   * on for caller input, where a missing offset is ambiguous.
   */
  requireOffset?: boolean;
}

/**
 * Parses an ISO-8601 date-time (`YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM]`) into a `Date`.
 * Fractions longer than milliseconds (.NET's 7 digits) are truncated to milliseconds, not
 * rounded, so a value never moves into the next second. Returns `undefined` for anything else,
 * including impossible dates such as February 30.
 */
export function parseDateTime(value: string, options: ParseDateTimeOptions = {}): Date | undefined {
  const fast = fastUtcMillis(value, true);
  if (fast !== undefined) return fast === INVALID ? undefined : new Date(fast);
  return parseSlow(value, options);
}

/** `fastUtcMillis`'s answer for a string of the fast shape that is not a real date-time. */
const INVALID = -Infinity;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two ASCII digits at `i`, or -1. */
function digits2(value: string, i: number): number {
  const a = value.charCodeAt(i) - 48;
  const b = value.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The fast path for the shape nearly every wire value has, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`:
 * epoch milliseconds, `INVALID` for an impossible date of that shape, or `undefined` when the
 * string has another shape (the regex path then decides). Both wire APIs send thousands of
 * these per page; this avoids a regex match and a round-trip `Date` per value. Without
 * `compute`, a valid value answers 0: validation needs no epoch arithmetic.
 */
function fastUtcMillis(value: string, compute: boolean): number | undefined {
  const length = value.length;
  if (length < 20 || length > 40) return undefined;
  const last = value.charCodeAt(length - 1);
  if (last !== 90 /* Z */ && last !== 122 /* z */) return undefined;
  if (value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58) {
    return undefined;
  }
  const t = value.charCodeAt(10);
  if (t !== 84 /* T */ && t !== 116 /* t */) return undefined;
  const century = digits2(value, 0);
  const yy = digits2(value, 2);
  const month = digits2(value, 5);
  const day = digits2(value, 8);
  const hour = digits2(value, 11);
  const minute = digits2(value, 14);
  const second = digits2(value, 17);
  if (century < 0 || yy < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let millis = 0;
  if (length > 20) {
    const sep = value.charCodeAt(19);
    if ((sep !== 46 /* . */ && sep !== 44 /* , */) || length === 21) return undefined;
    for (let i = 20; i < length - 1; i++) {
      const digit = value.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return undefined;
      if (i < 23) millis = millis * 10 + digit;
    }
    for (let i = Math.min(length - 1, 23); i < 23; i++) millis *= 10;
  }
  const year = century * 100 + yy;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return INVALID;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day > days) return INVALID;
  // Years 0–99 are refused, as the regex path refuses them (Date.UTC reads them as 1900–1999).
  if (year < 100) return INVALID;
  if (!compute) return 0;
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (years ≥ 100, month 1–12), as `Date.UTC`
 * counts them: plain integer arithmetic (H. Hinnant's `days_from_civil`), several times cheaper
 * than the `Date.UTC` call on a page's thousand date-times.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function parseSlow(value: string, options: ParseDateTimeOptions): Date | undefined {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  if (zone === undefined && options.requireOffset) return undefined;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(utc);
  // Date.UTC rolls Feb 30 over into March; a real date survives the round trip.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return undefined;
  }
  return new Date(utc - offsetMinutes * 60_000);
}

/** Whether `value` is a string {@link parseDateTime} accepts. */
export function isDateTimeString(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const fast = fastUtcMillis(value, false);
  if (fast !== undefined) return fast !== INVALID;
  return parseSlow(value, {}) !== undefined;
}
