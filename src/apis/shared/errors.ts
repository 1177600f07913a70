/**
 * The OData error envelope both APIs answer failures with: `{ error: { code, message, … } }`.
 *
 * @packageDocumentation
 */

/** A non-empty string, or `undefined`. */
export const nonEmptyString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The `error` object of an OData error body, if the body has one. */
export function odataError(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : undefined;
}

/** `error.innerError['request-id']` (Graph spells it `innerError`; some answers `innererror`). */
export function innerRequestId(error: Record<string, unknown>): string | undefined {
  const inner = error.innerError ?? error.innererror;
  return typeof inner === 'object' && inner !== null ? nonEmptyString((inner as Record<string, unknown>)['request-id']) : undefined;
}
