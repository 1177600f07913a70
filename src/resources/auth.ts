import { adminConsentUrl, decodeAccessToken, type AdminConsentUrlOptions, type TokenInfo, type TokenCache } from '../auth/index.js';
import { MDE_PERMISSION_API, crossApiAdvice, isMdePermission, mdeAdvice, permissionApiOf, toApiPermissions } from '../apis/permissions.js';
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
  readonly #mdeScope: string | undefined;

  /** @internal */
  constructor(tokens: TokenCache, cloud: ResolvedCloud, api: WireApiName, scope: string, mdeScope?: string) {
    this.#tokens = tokens;
    this.#cloud = cloud;
    this.#api = api;
    this.#scope = scope;
    this.#mdeScope = mdeScope;
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
   * Defender for Endpoint permissions (`Machine.Isolate`, `Ti.ReadWrite.All`, …, for
   * `client.devices` and `client.indicators`) are checked on that API's own token; the result is
   * then the incidents token's, unless only such permissions were asked for.
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
    const mde = roles.filter(isMdePermission);
    const others = roles.filter((role) => !isMdePermission(role));
    if (mde.length > 0 && this.#mdeScope === undefined) {
      throw new InvalidArgumentError(
        'cloud.mdeScope',
        `auth.requireRoles: ${mde.join(', ')} ${mde.length === 1 ? 'is a' : 'are'} Defender for Endpoint permission${mde.length === 1 ? '' : 's'}, checked on that API's token, ` +
          'whose audience a custom cloud must give as cloud.mdeScope; this client has none. Nothing was sent.',
      );
    }
    const mdeInfo = mde.length > 0 && this.#mdeScope !== undefined ? await this.#requireMde(mde, this.#mdeScope, options) : undefined;
    if (others.length === 0 && mdeInfo) return mdeInfo;
    roles = others.length > 0 ? others : roles;
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

  /** Checks Defender for Endpoint permissions on that API's token. */
  async #requireMde(roles: readonly string[], scope: string, options: AuthCallOptions): Promise<TokenInfo> {
    const info = decodeAccessToken(await this.#tokens.getToken(scope, options.signal ? { signal: options.signal } : {}));
    // Machine.ReadWrite.All grants Machine.Read.All; Ti.ReadWrite.All grants Ti.ReadWrite.
    const holds = (role: string) =>
      info.roles.includes(role) || info.roles.includes(role.replace(/\.Read\.All$/, '.ReadWrite.All')) || info.roles.includes(`${role}.All`);
    const missing = roles.filter((role) => !holds(role));
    if (missing.length > 0) {
      throw new PermissionError(
        `The Defender for Endpoint token for app ${info.appId} lacks the ${MDE_PERMISSION_API} application permission(s) ${missing.join(', ')}; ` +
          `it holds ${info.roles.length ? info.roles.join(', ') : 'no roles'}. In the app registration add them under ` +
          `"APIs my organization uses" → ${MDE_PERMISSION_API}, then grant admin consent.${mdeAdvice(info.roles) ?? ''}`,
        { status: 403, requiredPermissions: missing, grantedRoles: info.roles, permissionApi: MDE_PERMISSION_API, operation: 'auth.requireRoles' },
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
