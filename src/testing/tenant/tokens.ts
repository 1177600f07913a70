/*
 * Access tokens of the fake tenant: RS256 JWTs signed with a per-tenant RSA key, and their
 * verification the way the Defender API, Graph and Key Vault do it (signature, audience, tenant,
 * expiry). Entra ID signs with its own key; a tampered token fails the signature check.
 */
import { createHash, createSign, createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { isRecord, trimSlash } from './http-util.js';

/** Claims of an app-only access token, as Entra ID issues them (reference entra-keyvault-kql.md §1.6). */
export interface AccessTokenClaims {
  /** The resource the token is for, e.g. `https://api.security.microsoft.com`. */
  aud: string;
  /** The tenant id. */
  tid: string;
  /** The client id of the app the token was issued to. */
  appid: string;
  /** Granted application roles; absent when none were granted. */
  roles?: string[];
  /** Expiry, epoch seconds. */
  exp: number;
  /** Issued-at, epoch seconds. */
  iat?: number;
  /** Any other claim (`iss`, `nbf`, `oid`, `sub`, …). */
  [claim: string]: unknown;
}

/** The outcome of checking an access token: its claims, or why it was refused (for the 401 message). */
export type TokenCheck = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

/** What a service checks in a bearer token besides its signature. */
export interface TokenExpectations {
  /** Accepted `aud` values (trailing slashes ignored). */
  audiences: readonly string[];
  /** The tenant the token must belong to (`tid`). */
  tenantId: string;
  /** The current time in epoch milliseconds (the tenant's simulated clock). */
  now: number;
}

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/**
 * An RSA key pair that signs and verifies the tenant's access tokens (RS256, header `kid` and `x5t`).
 * The private key never leaves the instance and is not shown by `inspect()`.
 */
export class TokenSigner {
  #keys: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | undefined;

  // The key pair is made on first use: a tenant whose tokens are never needed costs no RSA key generation.
  get #key(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
    if (!this.#keys) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const kid = createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
      this.#keys = { privateKey, publicKey, kid };
    }
    return this.#keys;
  }

  /** The key id written to each token's header (the base64url SHA-1 of the public key). */
  get kid(): string {
    return this.#key.kid;
  }

  /** Signs `claims` as an Entra v1 app-only access token (`iss`, `iat`, `nbf`, `ver`, `idtyp` defaulted). */
  sign(claims: AccessTokenClaims, nowMs: number = Date.now()): string {
    const header = { typ: 'JWT', alg: 'RS256', x5t: this.kid, kid: this.kid };
    const now = Math.floor(nowMs / 1000);
    const body = {
      iss: `https://sts.windows.net/${claims.tid}/`,
      iat: now,
      nbf: now,
      ver: '1.0',
      idtyp: 'app',
      ...claims,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(body))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(this.#key.privateKey);
    return `${input}.${b64url(signature)}`;
  }

  /** Whether `token` is a well-formed RS256 JWT signed by this key; its claims when it is. */
  verifySignature(token: string): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts[0] || !parts[1] || !parts[2]) return { ok: false, reason: 'the access token is malformed' };
    const header = parseJson(parts[0]);
    const claims = parseJson(parts[1]);
    if (!header || !claims) return { ok: false, reason: 'the access token is malformed' };
    if (header['alg'] !== 'RS256') return { ok: false, reason: `the access token algorithm '${String(header['alg'])}' is not supported` };
    const valid = createVerify('RSA-SHA256').update(`${parts[0]}.${parts[1]}`).verify(this.#key.publicKey, Buffer.from(parts[2], 'base64url'));
    if (!valid) return { ok: false, reason: 'the access token signature is invalid' };
    return { ok: true, claims };
  }

  /** Verifies signature, `aud`, `tid` and `exp` (with `nbf`), as the APIs do before looking at roles. */
  verify(token: string, expected: TokenExpectations): TokenCheck {
    const checked = this.verifySignature(token);
    if (!checked.ok) return checked;
    const { claims } = checked;
    const aud = typeof claims['aud'] === 'string' ? trimSlash(claims['aud']) : '';
    if (!expected.audiences.some((a) => trimSlash(a) === aud)) return { ok: false, reason: `the access token audience '${aud}' is invalid` };
    if (claims['tid'] !== expected.tenantId) return { ok: false, reason: 'the access token was issued for another tenant' };
    const nowSeconds = expected.now / 1000;
    if (typeof claims['exp'] !== 'number' || claims['exp'] <= nowSeconds) return { ok: false, reason: 'the access token has expired' };
    // Entra allows 5 minutes of clock skew on nbf.
    if (typeof claims['nbf'] === 'number' && claims['nbf'] > nowSeconds + 300) return { ok: false, reason: 'the access token is not yet valid' };
    return checked;
  }

  /** The public key as a JWKS document (what `jwks_uri` serves). */
  jwks(): {
    /** The tenant's one signing key, as a JWK (`kty`, `use`, `kid`, `x5t`, `n`, `e`). */
    keys: Array<Record<string, unknown>>;
  } {
    const jwk = this.#key.publicKey.export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n: jwk.n, e: jwk.e }] };
  }

  /** Never shows key material. */
  toJSON(): {
    /** The signing key's id, once the key exists. */
    kid: string | undefined;
  } {
    return { kid: this.#keys?.kid };
  }
}

let shared: TokenSigner | undefined;

/**
 * The process-wide signer used when no tenant key is given: the fakes in a test suite that build
 * tokens by hand (`makeAccessToken`) and the fakes that check them agree on it.
 */
export function sharedTokenSigner(): TokenSigner {
  shared ??= new TokenSigner();
  return shared;
}

/** The claims of a JWT without verifying it (for routing and recording only), or `undefined`. */
export function decodeTokenClaims(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  return part ? parseJson(part) : undefined;
}

/** The bearer token of a request's `Authorization` header, or `undefined`. */
export function bearerToken(request: Request): string | undefined {
  return /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
}

function parseJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
