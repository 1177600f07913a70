import { adminConsentUrl, decodeAccessToken, type AdminConsentUrlOptions, type TokenInfo, type TokenCache } from '../auth/index.js';
import { crossApiAdvice, permissionApiOf, toApiPermissions } from '../apis/permissions.js';
import type { ResolvedCloud } from '../clouds.js';
import { InvalidArgumentError, PermissionError } from '../errors.js';
import type { WireApiName } from '../types.js';

/** Options of the `client.auth` calls that need a token. */
export interface AuthCallOptions {
  /** Aborts getting the token. */
  signal?: AbortSignal;
}

/** The client's token: what it holds and whether it is enough. Reached as `client.auth`. */
export class ClientAuth {
  readonly #tokens: TokenCache;
  readonly #cloud: ResolvedCloud;
  readonly #scope: string;
  readonly #api: WireApiName;

  /** @internal */
  constructor(tokens: TokenCache, cloud: ResolvedCloud, api: WireApiName, scope: string) {
    this.#tokens = tokens;
    this.#cloud = cloud;
    this.#api = api;
    this.#scope = scope;
  }

  /**
   * Decodes the current token (getting one if needed) without checking its signature:
   * tenant, app, audience, roles and expiry. The token itself is never returned. It is the token
   * for the API the client uses: audience `https://api.security.microsoft.com` on
   * `api: 'defender'`, `https://graph.microsoft.com` (or the cloud's Graph host) on `api: 'graph'`.
   */
  async inspect(options: AuthCallOptions = {}): Promise<TokenInfo> {
    const token = await this.#tokens.getToken(this.#scope, options.signal ? { signal: options.signal } : {});
    return decodeAccessToken(token);
  }

  /**
   * Checks that the token holds every one of `roles` — the "validate the token" step of
   * Microsoft's guide — and throws a `PermissionError` listing the missing ones otherwise.
   * Permissions are those of the API the client uses: Microsoft Threat Protection's
   * (`Incident.Read.All`, …) on `api: 'defender'`, Microsoft Graph's (`SecurityIncident.Read.All`,
   * `ThreatHunting.Read.All`, …) on `api: 'graph'`. Names of the other API are translated to their
   * counterparts (`Incident.Read.All` is checked as `SecurityIncident.Read.All` on Graph), so the
   * same call works on both. When the token holds the other API's permissions, the error says so.
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
    const missing = toApiPermissions(this.#api, roles).filter((role) => !holds(role));
    if (missing.length > 0) {
      const permissionApi = permissionApiOf(this.#api);
      const where = this.#api === 'graph' ? 'Microsoft APIs → Microsoft Graph → Application permissions' : `"APIs my organization uses" → ${permissionApi}`;
      const advice = crossApiAdvice(this.#api, missing, info.roles) ?? '';
      throw new PermissionError(
        `The token for app ${info.appId} lacks the ${permissionApi} application permission(s) ${missing.join(', ')}; ` +
          `it holds ${info.roles.length ? info.roles.join(', ') : 'no roles'}. In the app registration add them under ` +
          `${where}, then grant admin consent (a new token is needed after consent).${advice}`,
        { status: 403, requiredPermissions: missing, grantedRoles: info.roles, permissionApi, operation: 'auth.requireRoles' },
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
