/**
 * What the SDK keeps of a lower layer's error (fetch, undici, a stream) as the `cause` of its own.
 *
 * @packageDocumentation
 */

/** The first string `code` on `error` or its causes (`ECONNRESET`, `UND_ERR_SOCKET`, …), if any. */
export function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A connection failure's error reduced to its name, message and code, to keep as `cause`: the
 * original may carry request objects (headers, with the bearer token).
 */
export function connectionFailureCause(error: unknown): Error | undefined {
  if (!(error instanceof Error)) return undefined;
  const copy = new Error(error.message);
  copy.name = error.name;
  const code = causeCode(error);
  if (code) (copy as Error & { code?: string }).code = code;
  return copy;
}
