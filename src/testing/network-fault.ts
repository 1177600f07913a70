/*
 * The contract between the fake tenant (which answers a web `Request` with a web `Response`) and the
 * adapters that put it on the wire (msw handlers, the HTTPS simulator). Some faults cannot be
 * expressed as a status and a body: the connection must break. The tenant marks such a response
 * with {@link withNetworkFault}; each adapter reads the mark with {@link networkFaultOf} and breaks
 * the connection its own way (msw: `Response.error()` or a body stream that errors; the simulator:
 * `socket.destroy()` before the headers or after some body bytes).
 */

/** A fault on the connection itself, rather than an HTTP answer. */
export type NetworkFault =
  /** The connection is reset before any response byte is sent (the request may have been processed). */
  | { kind: 'reset' }
  /** The status line, headers and the first `afterBytes` bytes of the body are sent, then the connection is reset. */
  | { kind: 'reset-during-body'; afterBytes: number }
  /** Nothing is ever sent: the server holds the connection open until the client gives up. */
  | { kind: 'stall' };

const FAULT = Symbol.for('m365-defender.testing.networkFault');

/** Marks `response` so that the adapter breaks the connection as `fault` says. Returns `response`. */
export function withNetworkFault(response: Response, fault: NetworkFault): Response {
  Object.defineProperty(response, FAULT, { value: fault, enumerable: false });
  return response;
}

/** The fault a response was marked with, if any. */
export function networkFaultOf(response: Response): NetworkFault | undefined {
  return (response as unknown as Record<symbol, NetworkFault | undefined>)[FAULT];
}

/** Anything that answers HTTP requests the way the fake tenant does. */
export interface RequestHandlerLike {
  /** Answers a request; `undefined` when the request is not for this handler (the adapter then 404s or passes it on). */
  handle(request: Request): Promise<Response | undefined>;
}
