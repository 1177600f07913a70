/**
 * Graph's `runHuntingQuery` `Timespan` (reference §5.7) from a caller's {@link HuntingTimespan},
 * checked before anything is sent.
 *
 * @packageDocumentation
 */
import { describe } from '../../checks.js';
import { InvalidArgumentError } from '../../errors.js';
import type { HuntingTimespan } from '../../models/timespan.js';

// Years and months are refused: their length varies, and Kusto's timespans have no such unit.
const DURATION = /^P(?:(\d+)W|(?=\d|T\d)(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?)$/;

const EXAMPLE = "an ISO-8601 duration such as 'P7D' or 'PT12H', { start: Date, end: Date } or { start: Date, duration: 'P1D' }";

function durationMs(option: string, value: unknown): number {
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  if (!match) {
    throw new InvalidArgumentError(option, `${option} must be ${EXAMPLE}; got ${describe(value)}.`);
  }
  const [, weeks, days, hours, minutes, seconds] = match;
  const ms =
    Number(weeks ?? 0) * 604_800_000 +
    Number(days ?? 0) * 86_400_000 +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Number(seconds ?? 0) * 1000;
  if (ms <= 0) throw new InvalidArgumentError(option, `${option} must be a duration longer than zero; got ${describe(value)}.`);
  return ms;
}

function checkDate(option: string, value: unknown): Date {
  if (Object.prototype.toString.call(value) !== '[object Date]' || Number.isNaN((value as Date).getTime())) {
    throw new InvalidArgumentError(option, `${option} must be a valid Date; got ${describe(value)}.`);
  }
  return value as Date;
}

/**
 * Checks a {@link HuntingTimespan} and returns Graph's `Timespan` string: the duration as given,
 * `<start>/<end>`, or `<start>/<duration>`, dates in ISO-8601 UTC.
 *
 * @throws InvalidArgumentError (`timespan`) naming what is wrong.
 */
export function toGraphTimespan(value: unknown): string {
  if (typeof value === 'string') {
    durationMs('timespan', value);
    return value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError('timespan', `timespan must be ${EXAMPLE}; got ${describe(value)}.`);
  }
  const window = value as { start?: unknown; end?: unknown; duration?: unknown };
  for (const key of Object.keys(window)) {
    if (!['start', 'end', 'duration'].includes(key)) {
      throw new InvalidArgumentError('timespan', `timespan has no field "${key}"; it takes { start, end } or { start, duration }.`);
    }
  }
  const start = checkDate('timespan.start', window.start);
  if (window.end !== undefined && window.duration !== undefined) {
    throw new InvalidArgumentError('timespan', 'timespan takes { start, end } or { start, duration }, not both end and duration.');
  }
  if (window.end !== undefined) {
    const end = checkDate('timespan.end', window.end);
    if (end.getTime() <= start.getTime()) {
      throw new InvalidArgumentError('timespan', `timespan.start (${start.toISOString()}) must be earlier than timespan.end (${end.toISOString()}).`);
    }
    return `${start.toISOString()}/${end.toISOString()}`;
  }
  if (window.duration !== undefined) {
    durationMs('timespan.duration', window.duration);
    return `${start.toISOString()}/${window.duration as string}`;
  }
  throw new InvalidArgumentError('timespan', 'timespan { start } needs an end (a Date) or a duration (e.g. \'P1D\').');
}
