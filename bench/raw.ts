/**
 * The honest raw baseline: the two equivalent calls a user could write by hand, `fetch` +
 * `res.text()` + `JSON.parse` and `fetch` + `res.json()`, and the faster of the two as the figure's
 * baseline. `res.json()` parses while undici still holds the whole byte buffer, so on large bodies
 * it is the slower one; a baseline must not be a straw man.
 * @packageDocumentation
 */
import { formatMs, type Summary } from './stats.js';

/** The raw calls every timed figure runs beside the SDK. */
export type RawSide = 'text' | 'json';

/** How each raw side reads a response. */
export const READ: Record<RawSide, (res: Response) => Promise<unknown>> = {
  text: async (res) => JSON.parse(await res.text()) as unknown,
  json: (res) => res.json() as Promise<unknown>,
};

/** The faster raw side and its summary. */
export interface RawBaseline {
  /** Which call was faster. */
  side: RawSide;
  /** Its timing. */
  summary: Summary;
  /** The baseline cell: both raw calls, the faster one first. */
  cell: string;
}

/** Picks the faster of the two raw calls by median, and describes both. */
export function rawBaseline(text: Summary, json: Summary): RawBaseline {
  const side: RawSide = text.median <= json.median ? 'text' : 'json';
  const summary = side === 'text' ? text : json;
  const cell = `${formatMs(text)} text+JSON.parse; res.json() ${formatMs(json)} (${(json.median / text.median).toFixed(2)}× of it)`;
  return { side, summary, cell };
}
