import { adminConsentUrl, decodeAccessToken, type AdminConsentUrlOptions, type TokenInfo, type TokenCache } from '../auth/index.js';
import { DEFENDER_PERMISSION_API } from '../apis/defender/operations.js';
import type { ResolvedCloud } from '../clouds.js';
import { InvalidArgumentError, PermissionError } from '../errors.js';

/** Options of the `client.auth` calls that need a token. */
export interface AuthCallOptions {
  /** Aborts getting the token. */
  signal?: AbortSignal;
}

/** The client's token: what it holds and whether it is enough. Reached as `client.auth`. */
export class ClientAuth {
  readonly #tokens: TokenCache;
  readonly #cloud: ResolvedCloud;

  /** @internal */
  constructor(tokens: TokenCache, cloud: ResolvedCloud) {
    this.#tokens = tokens;
    this.#cloud = cloud;
  }

  /**
   * Decodes the current token (getting one if needed) without checking its signature:
   * tenant, app, audience, roles and expiry. The token itself is never returned.
   */
  async inspect(options: AuthCallOptions = {}): Promise<TokenInfo> {
    const token = await this.#tokens.getToken(this.#cloud.scope, options.signal ? { signal: options.signal } : {});
    return decodeAccessToken(token);
  }

  /**
   * Checks that the token holds every one of `roles` — the "validate the token" step of
   * Microsoft's guide — and throws a `PermissionError` listing the missing ones otherwise.
   *
   * @example
   * ```ts
   * await client.auth.requireRoles(['Incident.ReadWrite.All', 'AdvancedHunting.Read.All']);
   * ```
   */
  async requireRoles(roles: readonly string[], options: AuthCallOptions = {}): Promise<TokenInfo> {
    if (!Array.isArray(roles) || roles.length === 0 || roles.some((role) => typeof role !== 'string' || role === '')) {
      throw new InvalidArgumentError('roles', 'roles must be a non-empty array of permission names, e.g. ["Incident.Read.All"].');
    }
    const info = await this.inspect(options);
    // A ReadWrite permission grants its Read counterpart (the API accepts either for reads).
    const holds = (role: string) => info.roles.includes(role) || info.roles.includes(role.replace(/\.Read\.All$/, '.ReadWrite.All'));
    const missing = roles.filter((role) => !holds(role));
    if (missing.length > 0) {
      throw new PermissionError(
        `The token for app ${info.appId} lacks the ${DEFENDER_PERMISSION_API} application permission(s) ${missing.join(', ')}; ` +
          `it holds ${info.roles.length ? info.roles.join(', ') : 'no roles'}. In the app registration add them under ` +
          `"APIs my organization uses" → ${DEFENDER_PERMISSION_API}, then grant admin consent (a new token is needed after consent).`,
        { status: 403, requiredPermissions: missing, grantedRoles: info.roles, permissionApi: DEFENDER_PERMISSION_API, operation: 'auth.requireRoles' },
      );
    }
    return info;
  }

  /**
   * The admin-consent link a customer's administrator opens to grant a multi-tenant app its
   * permissions in their tenant, on this client's cloud.
   */
  adminConsentUrl(options: Omit<AdminConsentUrlOptions, 'cloud' | 'authorityHost'>): string {
    return adminConsentUrl({ ...options, authorityHost: this.#cloud.authorityHost });
  }
}
