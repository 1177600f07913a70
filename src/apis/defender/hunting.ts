/**
 * The Defender API's advanced-hunting request body (reference §3.1): `{ "Query": "…" }`.
 *
 * @packageDocumentation
 */

/** The body of `POST /api/advancedhunting/run`. */
export function buildHuntingBody(query: string): { Query: string } {
  return { Query: query };
}
