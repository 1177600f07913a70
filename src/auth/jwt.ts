/**
 * Reading an access token's claims (no signature check: the API checks signatures; the SDK only
 * reads the token it was given to tell you who you are and what you may do).
 * @packageDocumentation
 */
import { AuthenticationError } from '../errors.js';

/** What an app-only access token says about itself. */
export interface TokenInfo {
  /** The tenant that issued it (`tid`). Empty if the token has no `tid`. */
  tenantId: string;
  /** The app it was issued to (`appid` in v1 tokens, `azp` in v2). Empty if neither is present. */
  appId: string;
  /** Who it is for (`aud`), e.g. `https://api.security.microsoft.com`. */
  audience: string;
  /** The application permissions granted to the app (`roles`); empty when none were consented. */
  roles: string[];
  /** When it expires (`exp`). */
  expiresOn: Date;
}

function invalid(reason: string): AuthenticationError {
  return new AuthenticationError(`The access token is not a JWT the SDK can read: ${reason}. (The token itself is not shown.)`, {
    status: 401,
    code: 'invalid_token',
    operation: 'auth.inspect',
  });
}

/**
 * Decodes an access token's payload without checking its signature.
 * @throws AuthenticationError (code `invalid_token`) when the token is not a JWT with an `exp`
 *   claim; the message never contains the token.
 */
export function decodeAccessToken(token: string): TokenInfo {
  if (typeof token !== 'string' || token === '') throw invalid('it is empty or not a string');
  const parts = token.split('.');
  if (parts.length !== 3) throw invalid(`it has ${parts.length} dot-separated part${parts.length === 1 ? '' : 's'}, a JWT has 3`);
  let payload: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(parts[1]!)) throw new Error('not base64url');
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw invalid('its payload is not base64url-encoded JSON');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw invalid('its payload is not a JSON object');
  const claims = payload as Record<string, unknown>;
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) throw invalid('it has no numeric exp (expiry) claim');
  const str = (value: unknown): string => (typeof value === 'string' ? value : '');
  const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
  return {
    tenantId: str(claims.tid),
    appId: str(claims.appid) || str(claims.azp),
    audience: str(aud),
    roles: Array.isArray(claims.roles) ? claims.roles.filter((role): role is string => typeof role === 'string') : [],
    expiresOn: new Date(claims.exp * 1000),
  };
}
