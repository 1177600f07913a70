/**
 * Reads a response body into a string, but never more than a cap: the transport's guard against a
 * body too large to hold (a runaway page, a gateway's endless error page). Counts bytes as they
 * arrive and stops reading at the cap, rather than after buffering everything.
 *
 * @packageDocumentation
 */

/**
 * The cap of a call's body when its operation gives none (list, get and update pages): 64 MiB, about
 * ten times a page of 100 incidents with their alerts and evidence (a few MB).
 */
export const PAGE_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * The largest cap a call can have: 512 MB, under V8's longest string (2^29 − 24 ≈ 536.9 million
 * characters), so that any body within a cap can be decoded. `advancedHunting.run()` has it: the
 * service stops results near 100,000 rows, the largest seen about 124 MB.
 */
export const LARGEST_MAX_RESPONSE_BYTES = 512_000_000;

/** How much of an error body is read (and kept): 64 KiB. Real error bodies are under 1 KB. */
export const ERROR_BODY_MAX_BYTES = 64 * 1024;

/** What {@link readBodyUpTo} read. */
export interface BodyPrefix {
  /** The body decoded as UTF-8, at most `limit` bytes of it. */
  text: string;
  /** Whether that is the whole body; `false` when it was longer than `limit`. */
  complete: boolean;
}

/** The `Content-Length` a response declares, if it gives a valid one. */
export function declaredLength(headers: Headers): number | undefined {
  const value = headers.get('content-length')?.trim();
  return value !== undefined && /^\d{1,16}$/.test(value) ? Number(value) : undefined;
}

/**
 * Cancels a body that will not be read, which closes its connection. Not awaited: a body teed by
 * something else (a response clone, a test interceptor) settles only when every branch has.
 */
export function discardBody(body: ReadableStream<Uint8Array> | null): void {
  if (body && !body.locked) void body.cancel().catch(() => undefined);
}

/**
 * Reads `body` up to `limit` bytes. A longer body is cut there, its rest cancelled unread. A read
 * that fails (reset, the attempt's timeout) rejects as `response.text()` would.
 *
 * `signals` (the caller's and the attempt's timeout) are watched here, not only through fetch:
 * ky hands fetch a signal chained to the caller's through weak references, and once a garbage
 * collection has dropped a link, fetch no longer errors a body whose request was aborted: a body
 * that stalls would then be awaited until the server sends the rest, if ever. An abort cancels
 * the body and rejects with the signal's reason.
 */
export async function readBodyUpTo(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  signals: readonly AbortSignal[] = [],
): Promise<BodyPrefix> {
  if (body === null) return { text: '', complete: true };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let complete = true;
  // Cancelling the reader ends a pending read as done; the loop then throws the reason. (Not a
  // Promise.race per read: each would keep its chunk reachable until the body is whole.)
  let abortedBy: AbortSignal | undefined;
  const onAbort = () => {
    abortedBy ??= signals.find((signal) => signal.aborted);
    void reader.cancel(abortedBy?.reason).catch(() => undefined);
  };
  for (const signal of signals) signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (signals.some((signal) => signal.aborted)) onAbort();
    for (;;) {
      const { done, value } = await reader.read();
      if (abortedBy) throw abortedBy.reason;
      if (done) break;
      if (bytes + value.byteLength > limit) {
        chunks.push(value.subarray(0, limit - bytes));
        bytes = limit;
        complete = false;
        void reader.cancel().catch(() => undefined);
        break;
      }
      chunks.push(value);
      bytes += value.byteLength;
    }
  } finally {
    for (const signal of signals) signal.removeEventListener('abort', onAbort);
  }
  // One decode of the whole, as response.text() does: twice as fast as decoding chunk by chunk.
  const whole = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  chunks.length = 0;
  // fatal: false and a BOM dropped, as response.text() decodes.
  return { text: new TextDecoder('utf-8').decode(whole), complete };
}
