import { sharedTokenSigner, type AccessTokenClaims } from '../../src/testing/tenant/tokens.js';
import type { TokenCredential } from '../../src/types.js';
import { CLIENT_ID, TENANT_ID } from './tenant.js';

/** Claims of an app-only access token, as Entra issues them. */
export type TokenClaims = AccessTokenClaims;

/**
 * Makes an RS256-signed JWT access token with the given claims, signed with the process-wide key
 * (`sharedTokenSigner`) that the kit's services check when they are built without a tenant's own key.
 */
export function makeAccessToken(claims: TokenClaims): string {
  return sharedTokenSigner().sign(claims);
}

/** {@link makeAccessToken}, expiring in an hour unless `claims` gives `exp`. */
export function makeHourToken(claims: { aud: string; tid: string; appid: string; roles?: string[]; exp?: number | undefined }): string {
  return makeAccessToken({ ...claims, exp: claims.exp ?? Math.floor(Date.now() / 1000) + 3600 });
}

/**
 * A credential with one fixed token for `audience`, valid a day: for a test's own handlers, which
 * do not check it (a fake tenant's APIs would refuse it: they check their own key's signature).
 */
export function staticCredential(audience: string, roles: string[] = []): TokenCredential {
  const exp = Math.floor(Date.now() / 1000) + 24 * 3600;
  const token = makeAccessToken({ aud: audience, tid: TENANT_ID, appid: CLIENT_ID, roles, exp });
  return { getToken: async () => ({ token, expiresOnTimestamp: exp * 1000 }) };
}
