/**
 * Graph's `POST /security/runHuntingQuery` (reference §5.7): `{Query, Timespan}` in,
 * `{schema: [{name, type}], results}` out. Keys are read case-insensitively by the shared parser
 * (one doc example shows `Name`/`Type`).
 *
 * @packageDocumentation
 */
import type { HuntingColumn } from '../../models/hunting.js';
import { parseHuntingResponse } from '../shared/hunting.js';

/** Builds the request body; `Timespan` only when one was given (Graph defaults to 30 days). */
export function buildHuntingBody(query: string, timespan: string | undefined): { Query: string; Timespan?: string } {
  return timespan === undefined ? { Query: query } : { Query: query, Timespan: timespan };
}

/**
 * Parses a `huntingQueryResults` body. Graph sends no statistics.
 * @throws ResponseValidationError with paths such as `results[3]` or `schema[0].name`.
 */
export function parseGraphHuntingResponse(body: unknown, operation: string): { schema: HuntingColumn[]; rows: Record<string, unknown>[] } {
  const { schema, rows } = parseHuntingResponse(body, operation, 'graph');
  return { schema, rows };
}
