/*
 * Microsoft Graph's response envelope for the fake tenant: the `request-id` / `client-request-id`
 * headers every Graph response carries, and Graph's error body (reference §5.8):
 * `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
 */
import { randomUUID } from 'node:crypto';
import { bearerToken, type TokenSigner } from './tokens.js';

/** The content type Graph sends with JSON bodies. */
export const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** The ids one Graph response carries: a fresh `request-id`, and the caller's `client-request-id` echoed (else the same id). */
export interface GraphRequestIds {
  /** The `request-id` Graph answers with. */
  requestId: string;
  /** The caller's `client-request-id`, else the same id as `requestId`. */
  clientRequestId: string;
}

/** New ids for an answer to `request`. */
export function graphRequestIds(request: Request): GraphRequestIds {
  const requestId = randomUUID();
  return { requestId, clientRequestId: request.headers.get('client-request-id') ?? requestId };
}

/** Graph's `innerError.date`: UTC, seconds precision, no offset (`2025-09-01T15:15:04`). */
export function graphErrorDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** Options of {@link graphErrorResponse}. */
export interface GraphErrorOptions {
  /** The clock, epoch ms. Default `Date.now()`. */
  now?: number;
  /** Ids to use (default: new ones for `request`). */
  ids?: GraphRequestIds;
  /** Extra response headers (`WWW-Authenticate`, `Retry-After`…). */
  headers?: Record<string, string>;
  /** Extra members of `error`, placed before `innerError` (the `$top` 400 has `details: []`). */
  extra?: Record<string, unknown>;
}

/** A JSON response with Graph's content type and id headers. */
export function graphJsonResponse(status: number, body: unknown, ids: GraphRequestIds, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': GRAPH_JSON,
      'request-id': ids.requestId,
      'client-request-id': ids.clientRequestId,
      ...headers,
    },
  });
}

/**
 * A Graph error response: `{"error":{"code","message",…extra,"innerError":{"date","request-id","client-request-id"}}}`
 * with the matching headers.
 */
export function graphErrorResponse(request: Request, status: number, code: string, message: string, options: GraphErrorOptions = {}): Response {
  const ids = options.ids ?? graphRequestIds(request);
  const body = {
    error: {
      code,
      message,
      ...options.extra,
      innerError: {
        date: graphErrorDate(options.now ?? Date.now()),
        'request-id': ids.requestId,
        'client-request-id': ids.clientRequestId,
      },
    },
  };
  return graphJsonResponse(status, body, ids, options.headers);
}

/** The `WWW-Authenticate` challenge Graph sends with a 401. */
export const GRAPH_CHALLENGE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

/**
 * Graph's 401 (`InvalidAuthenticationToken`) for a bearer token it refused, for `verifyToken`
 * implementations. `message` is Graph's reason text, e.g. `Access token is empty.`,
 * `Access token has expired or is not yet valid.`, `Invalid audience.`
 */
export function graphUnauthorized(request: Request, message: string, now?: number): Response {
  return graphErrorResponse(request, 401, 'InvalidAuthenticationToken', message, {
    ...(now === undefined ? {} : { now }),
    headers: { 'www-authenticate': GRAPH_CHALLENGE },
  });
}

/** Graph's 401 text for each reason a token check gives. */
function unauthorizedMessage(reason: string): string {
  if (reason.includes('audience')) return 'Access token validation failure. Invalid audience.';
  if (reason.includes('expired')) return 'Lifetime validation failed, the token is expired.';
  if (reason.includes('not yet valid')) return 'Lifetime validation failed, the token is not yet valid.';
  if (reason.includes('another tenant')) return 'Access token validation failure. Invalid issuer.';
  if (reason.includes('malformed')) return 'Invalid JWT token. The token is not in JWS or JWE compact serialization format.';
  return 'Access token validation failure.';
}

/**
 * A `verifyToken` for the Graph API: checks the bearer token's signature (by `signer`), audience,
 * tenant and expiry, and refuses it with Graph's 401 and the text Graph gives for the reason.
 */
export function graphTokenVerifier(options: {
  signer: TokenSigner;
  audiences: readonly string[];
  tenantId: string;
  now: () => number;
}): (request: Request) => { appId: string; roles: string[] } | Response {
  return (request) => {
    const token = bearerToken(request);
    if (!token) return graphUnauthorized(request, 'Access token is empty.', options.now());
    const checked = options.signer.verify(token, { audiences: options.audiences, tenantId: options.tenantId, now: options.now() });
    if (!checked.ok) return graphUnauthorized(request, unauthorizedMessage(checked.reason), options.now());
    const { claims } = checked;
    return {
      appId: typeof claims['appid'] === 'string' ? claims['appid'] : '',
      roles: Array.isArray(claims['roles']) ? claims['roles'].filter((role): role is string => typeof role === 'string') : [],
    };
  };
}
