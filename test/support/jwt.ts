import { sharedTokenSigner, type AccessTokenClaims } from '../../src/testing/tenant/tokens.js';

/** Claims of an app-only access token, as Entra issues them. */
export type TokenClaims = AccessTokenClaims;

/**
 * Makes an RS256-signed JWT access token with the given claims, signed with the shared test key
 * that `FakeEntra` signs with and `FakeDefender` accepts.
 */
export function makeAccessToken(claims: TokenClaims): string {
  return sharedTokenSigner().sign(claims);
}

/** {@link makeAccessToken}, expiring in an hour unless `claims` gives `exp`. */
export function makeHourToken(claims: { aud: string; tid: string; appid: string; roles?: string[]; exp?: number | undefined }): string {
  return makeAccessToken({ ...claims, exp: claims.exp ?? Math.floor(Date.now() / 1000) + 3600 });
}
