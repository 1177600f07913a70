/**
 * What every Defender API request carries, and its error bodies: `{ error: { code, message, target } }`, where `target` is the
 * request's tracking id (reference §4.3).
 *
 * @packageDocumentation
 */
import type { WireHttp } from '../adapter.js';
import type { ParsedErrorBody } from '../../transport/operation.js';
import { innerRequestId, nonEmptyString, odataError } from '../shared/errors.js';

/** Reads a Defender API error body; the request id is `error.target`. */
export function readDefenderErrorBody(body: unknown, headers: Headers): ParsedErrorBody {
  const error = odataError(body);
  if (!error) return { requestId: headers.get('request-id') ?? undefined };
  return {
    code: nonEmptyString(error.code),
    message: nonEmptyString(error.message),
    requestId: nonEmptyString(error.target) ?? innerRequestId(error) ?? headers.get('request-id') ?? undefined,
  };
}

/** The Defender API's request headers (none of its own) and error reading, for the transport. */
export const DEFENDER_HTTP: WireHttp = { headers: {}, readErrorBody: readDefenderErrorBody };
