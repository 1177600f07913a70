/**
 * The time window of a hunting query, as callers give it. Checked and turned into Graph's
 * `Timespan` by `apis/graph/timespan.ts`.
 *
 * @packageDocumentation
 */

/** An ISO-8601 duration, e.g. `'P7D'`, `'PT12H'`, `'P1DT6H'`. */
export type IsoDuration = string;

/**
 * The time window a Graph hunting query searches:
 * - an ISO-8601 duration back from now: `'P7D'`, `'PT12H'`;
 * - `{ start, end }`: two `Date`s, `start` before `end`;
 * - `{ start, duration }`: a `Date` and an ISO-8601 duration forward from it.
 *
 * Without one, Graph searches the last 30 days.
 */
export type HuntingTimespan = IsoDuration | { start: Date; end: Date } | { start: Date; duration: IsoDuration };
