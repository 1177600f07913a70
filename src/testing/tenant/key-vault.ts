/*
 * The fake tenant's Azure Key Vault (secrets data plane, reference entra-keyvault-kql.md §3): secret
 * get with the challenge-based authentication @azure/keyvault-secrets performs (a request without a
 * token gets 401 + `WWW-Authenticate`, then a bearer token for `https://vault.azure.net` issued by the
 * tenant's Entra ID is checked: signature, audience, issuer tenant, expiry), and the vault's error bodies.
 * Framework-free: it answers a web `Request` with a web `Response`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { RequestHandlerLike } from '../network-fault.js';
import { trimSlash, uuidFrom } from './http-util.js';
import { bearerToken, sharedTokenSigner, type TokenSigner } from './tokens.js';

/** A secret stored in the fake vault. */
export interface VaultSecret {
  /** The secret's value (a client secret, or a PEM / base64 PFX for a certificate). */
  value: string;
  /** e.g. `application/x-pem-file` or `application/x-pkcs12` for a certificate's secret. */
  contentType?: string;
  /** `false` = disabled: reads get 403 `SecretDisabled`. Default `true`. */
  enabled?: boolean;
}

/** One request the vault received (the bearer token is not kept). */
export interface VaultRequest {
  /** The secret name as requested. */
  name: string;
  /** Whether the request carried an `Authorization` header. */
  authenticated: boolean;
  /** The status the vault answered with. */
  status: number;
  /** When it arrived, epoch ms on the tenant's clock. */
  at: number;
}

/** Options of a {@link KeyVaultApi}. */
export interface KeyVaultApiOptions {
  /**
   * Keep raw records of requests (`requests`, and Entra's `tokenRequests`/`issuedTokens`), tokens and
   * secrets included: for tests of this package. Default `true`; the fake tenant turns it off (it keeps
   * one redacted, capped log of its own).
   */
  recordRequests?: boolean;
  /** The vault URL, e.g. `https://contoso-kv.vault.azure.net`. */
  vaultUrl: string;
  /** The tenant whose tokens the vault accepts. */
  tenantId: string;
  /** Named in the challenge's `authorization` URL. Default `https://login.microsoftonline.com`. */
  authorityHost?: string;
  /** The token audience, and the challenge's `resource`. Default `https://vault.azure.net`. */
  resource?: string;
  /** The key whose signature tokens must carry. Default: the process-wide {@link sharedTokenSigner}. */
  signer?: TokenSigner;
  /** The tenant's clock, epoch ms. Default `Date.now()`. */
  now?: () => number;
  /** Initial secrets by name. */
  secrets?: Record<string, VaultSecret>;
}

// The Key Vault resource app's id, also accepted as a token audience (reference §1.6).
const KEY_VAULT_APP_ID = 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093';

/** A fake Key Vault serving `GET /secrets/{name}[/{version}]`. */
export class KeyVaultApi implements RequestHandlerLike {
  /** The vault URL, without a trailing slash. */
  readonly vaultUrl: string;
  /** The tenant whose tokens are accepted. */
  readonly tenantId: string;
  /** Every secret request, in order (no tokens recorded). */
  readonly requests: VaultRequest[] = [];
  /** Secrets by name (names compare case-insensitively, as in Key Vault). */
  readonly secrets = new Map<string, VaultSecret>();
  /** Apps allowed to read secrets (`appid` claim); `undefined` = every app of the tenant. Others get 403. */
  allowedApps: string[] | undefined;
  readonly #authorityHost: string;
  readonly #resource: string;
  readonly #signer: TokenSigner;
  readonly #now: () => number;

  readonly #record: boolean;

  constructor(options: KeyVaultApiOptions) {
    this.#record = options.recordRequests ?? true;
    this.vaultUrl = trimSlash(options.vaultUrl);
    this.tenantId = options.tenantId;
    this.#authorityHost = trimSlash(options.authorityHost ?? 'https://login.microsoftonline.com');
    this.#resource = trimSlash(options.resource ?? 'https://vault.azure.net');
    this.#signer = options.signer ?? sharedTokenSigner();
    this.#now = options.now ?? (() => Date.now());
    for (const [name, secret] of Object.entries(options.secrets ?? {})) this.setSecret(name, secret);
  }

  /** Stores (or replaces) a secret. */
  setSecret(name: string, secret: VaultSecret): void {
    this.secrets.set(name.toLowerCase(), { ...secret });
  }

  /** The vault name (first DNS label of its host). */
  get name(): string {
    return new URL(this.vaultUrl).hostname.split('.')[0] ?? '';
  }

  /** The secret name a request is for, without reading its body; `undefined` when it is not for this vault. */
  routeOf(request: Request): { name: string; version?: string } | undefined {
    const url = new URL(request.url);
    const base = new URL(this.vaultUrl);
    if (url.origin !== base.origin || request.method.toUpperCase() !== 'GET') return undefined;
    const prefix = trimSlash(base.pathname);
    const match = /^\/secrets\/([^/]+)(?:\/([^/]*))?\/?$/.exec(url.pathname.slice(prefix.length));
    if (!match?.[1]) return undefined;
    return { name: decodeURIComponent(match[1]), ...(match[2] ? { version: match[2] } : {}) };
  }

  /** Answers a secret get; `undefined` when the request is not for this vault. */
  async handle(request: Request): Promise<Response | undefined> {
    const route = this.routeOf(request);
    if (!route) return undefined;
    const authorization = request.headers.get('authorization');
    const record: VaultRequest = { name: route.name, authenticated: authorization !== null, status: 200, at: this.#now() };
    if (this.#record) this.requests.push(record);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): Response => {
      record.status = status;
      const clientRequestId = request.headers.get('x-ms-client-request-id');
      return Response.json(body, {
        status,
        headers: {
          'x-ms-request-id': randomUUID(),
          'x-ms-keyvault-region': 'westeurope',
          'x-ms-keyvault-service-version': '1.9.2164.1',
          ...(clientRequestId ? { 'x-ms-client-request-id': clientRequestId } : {}),
          ...headers,
        },
      });
    };
    if (!new URL(request.url).searchParams.get('api-version')) {
      return reply(400, { error: { code: 'BadParameter', message: 'The request URI contains an invalid or missing api-version.' } });
    }
    const token = bearerToken(request);
    if (!authorization || !token) {
      return reply(401, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } }, this.#challenge());
    }
    const checked = this.#signer.verifySignature(token);
    if (!checked.ok) {
      return reply(401, { error: { code: 'Unauthorized', message: 'AKV10046: Unable to resolve the key used for signature validation' } }, this.#challenge());
    }
    const claims = checked.claims;
    const aud = typeof claims['aud'] === 'string' ? trimSlash(claims['aud']) : '';
    if (aud !== this.#resource && aud !== KEY_VAULT_APP_ID) {
      return reply(401, { error: { code: 'Unauthorized', message: `AKV10022: Invalid audience. Expected ${this.#resource}, found: ${aud}.` } }, this.#challenge());
    }
    const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
    if (claims['tid'] !== this.tenantId) {
      return reply(401, {
        error: { code: 'Unauthorized', message: `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${this.tenantId}/, found ${iss}.` },
      }, this.#challenge());
    }
    if (typeof claims['exp'] !== 'number' || claims['exp'] * 1000 <= this.#now()) {
      return reply(401, this.expiredBody(), this.#challenge());
    }
    const appId = typeof claims['appid'] === 'string' ? claims['appid'] : '';
    if (this.allowedApps && !this.allowedApps.some((id) => id.toLowerCase() === appId.toLowerCase())) {
      const objectId = typeof claims['oid'] === 'string' ? claims['oid'] : uuidFrom(appId);
      return reply(403, {
        error: {
          code: 'Forbidden',
          message:
            `The user, group or application 'appid=${appId};oid=${objectId};iss=https://sts.windows.net/${this.tenantId}/' does not have secrets get permission ` +
            `on key vault '${this.name};location=westeurope'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
          innererror: { code: 'AccessDenied' },
        },
      });
    }
    const secret = this.secrets.get(route.name.toLowerCase());
    if (!secret) {
      const id = route.version ? `${route.name}/${route.version}` : route.name;
      return reply(404, {
        error: {
          code: 'SecretNotFound',
          message: `A secret with (name/id) ${id} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
        },
      });
    }
    if (secret.enabled === false) {
      return reply(403, { error: { code: 'Forbidden', message: 'Operation get is not allowed on a disabled secret.', innererror: { code: 'SecretDisabled' } } });
    }
    const now = Math.floor(this.#now() / 1000);
    const version = route.version ?? createHash('sha256').update(`${route.name.toLowerCase()}:${secret.value}`).digest('hex').slice(0, 32);
    return reply(200, {
      value: secret.value,
      id: `${this.vaultUrl}/secrets/${route.name}/${version}`,
      ...(secret.contentType ? { contentType: secret.contentType } : {}),
      attributes: { enabled: true, created: now, updated: now, recoveryLevel: 'Recoverable+Purgeable' },
    });
  }

  /** The 401 body for a token past its expiry. */
  expiredBody(): Record<string, unknown> {
    // Not captured from the service (reference §3.4 lists no expiry text); shaped like its other 401s.
    return { error: { code: 'Unauthorized', message: 'Token validation failed: the access token has expired.' } };
  }

  /** The `WWW-Authenticate` challenge every 401 carries (reference §3.5). */
  challengeHeaders(): Record<string, string> {
    return this.#challenge();
  }

  #challenge(): Record<string, string> {
    return { 'www-authenticate': `Bearer authorization="${this.#authorityHost}/${this.tenantId}", resource="${this.#resource}"` };
  }
}
