import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** The fake tenant's token-signing key (tests never check signatures the SDK does not check). */
const signingKey: KeyObject = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Claims of an app-only access token, as Entra issues them. */
export interface TokenClaims {
  aud: string;
  tid: string;
  appid: string;
  roles?: string[];
  /** Expiry, epoch seconds. */
  exp: number;
  iat?: number;
  [claim: string]: unknown;
}

/** Makes an RS256-signed JWT access token with the given claims. */
export function makeAccessToken(claims: TokenClaims): string {
  const header = { typ: 'JWT', alg: 'RS256', kid: 'fake-tenant-key' };
  const now = Math.floor(Date.now() / 1000);
  const body = {
    iss: `https://sts.windows.net/${claims.tid}/`,
    iat: now,
    nbf: now,
    ver: '1.0',
    idtyp: 'app',
    ...claims,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(body))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(signingKey);
  return `${input}.${b64url(signature)}`;
}
