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
  return typeof value === 'string' && parseDateTime(value) !== undefined;
}
