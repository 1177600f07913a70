/**
 * The hunting call as both adapters send it: one POST, read whole (`advancedHunting.run`) or
 * as it arrives (`advancedHunting.stream`). Each adapter gives its path, body and operation.
 *
 * @packageDocumentation
 */
import type { OperationSpec } from '../../transport/operation.js';
import type { Transport, TransportRequest } from '../../transport/transport.js';
import type { HuntingBodyReader } from './hunting-body.js';

/** One API's hunting request: where it goes and what it sends. */
export interface HuntingCall {
  /** The path under the API's base URL. */
  path: string;
  /** The request body. */
  body: unknown;
  /** The operation, with the permissions and retry policy of the API's hunting call. */
  operation: OperationSpec;
  /** Aborts the call. */
  signal?: AbortSignal | undefined;
  /** Bounds the wait for the response (and, streaming, for each chunk). */
  timeoutMs: number;
}

/** The transport request of a hunting call. */
function huntingRequest(call: HuntingCall): TransportRequest {
  return { method: 'POST', path: call.path, body: call.body, operation: call.operation, signal: call.signal, timeoutMs: call.timeoutMs };
}

/** Sends a hunting query and returns the response body, read whole. */
export async function runHuntingCall(transport: Transport, call: HuntingCall): Promise<unknown> {
  return (await transport.request(huntingRequest(call))).body;
}

/**
 * Sends a hunting query and returns a reader of its response body as it arrives. `operation`
 * is the public call's name (it names errors and the request); `keepStats` keeps the API's
 * statistics (the Defender API sends them, Graph does not).
 */
export async function streamHuntingCall(
  transport: Transport,
  call: HuntingCall,
  reading: { operation: string; keepStats: boolean },
): Promise<HuntingBodyReader> {
  // The body reader loads on the first stream(), before the request is sent: a chunk that
  // cannot be loaded must not cost a query.
  const { HuntingBodyReader } = await import('./hunting-body.js');
  const response = await transport.requestStream(huntingRequest({ ...call, operation: { ...call.operation, name: reading.operation } }));
  return HuntingBodyReader.create(response.body, {
    operation: reading.operation,
    keepStats: reading.keepStats,
    idleTimeoutMs: call.timeoutMs,
    signal: call.signal,
  });
}
