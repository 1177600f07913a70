/**
 * What every Graph security request carries, and Graph's error bodies: `{ error: { code, message, innerError: { 'request-id', date } } }`,
 * and the `request-id` response header (reference §5.8). Graph's `error.target` names the field
 * at fault, not the request: it is not an id.
 *
 * @packageDocumentation
 */
import type { WireHttp } from '../adapter.js';
import type { ParsedErrorBody } from '../../transport/operation.js';
import { innerRequestId, nonEmptyString, odataError } from '../shared/errors.js';

/** Reads a Graph error body; the request id is `innerError['request-id']`, else the header. */
export function readGraphErrorBody(body: unknown, headers: Headers): ParsedErrorBody {
  const error = odataError(body);
  const requestId = (error && innerRequestId(error)) ?? headers.get('request-id') ?? undefined;
  if (!error) return { requestId };
  return { code: nonEmptyString(error.code), message: nonEmptyString(error.message), requestId };
}

/** Graph's request headers and error reading, for the transport. */
export const GRAPH_HTTP: WireHttp = {
  // Graph sends enum members added after unknownFutureValue only when asked (reference §5.2).
  headers: { prefer: 'include-unknown-enum-members' },
  readErrorBody: readGraphErrorBody,
};
