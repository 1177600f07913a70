import { createCredential, decodeAccessToken, TokenCache, type CredentialInput } from './auth/index.js';
import { ClientAuth } from './resources/auth.js';
import { describe, resolveCloud, type CloudName, type CustomCloud, type DefenderRegion, type ResolvedCloud } from './clouds.js';
import { InvalidArgumentError } from './errors.js';
import { AdvancedHunting } from './resources/advanced-hunting.js';
import { Incidents } from './resources/incidents.js';
import { Transport } from './transport/transport.js';
import type { Logger } from './types.js';

/** Options of {@link DefenderClient}. */
export interface DefenderClientOptions {
  /**
   * How the client gets its app-only token: `{tenantId, clientId, clientSecret}`,
   * `{tenantId, clientId, certificate}`, `{tenantId, clientId, keyVault}`, any `TokenCredential`
   * (e.g. from `@azure/identity`), or `credentialsFromEnv()`.
   */
  credential: CredentialInput;
  /**
   * Which wire API to call. `'defender'` (the default) is `api.security.microsoft.com`, as in
   * Microsoft's "create an app without a user" guide.
   */
  api?: 'defender';
  /** The cloud: `'public'` (default), `'gcc'`, `'gcc-high'`, `'dod'`, or custom hosts. */
  cloud?: CloudName | CustomCloud;
  /** A commercial regional Defender API host (`'us'`, `'eu'`, `'uk'`, …), public cloud only. */
  region?: DefenderRegion;
  /** Timeout of each attempt of a call, in milliseconds (default 30,000). */
  timeoutMs?: number;
  /** Timeout of an advanced-hunting call, in milliseconds (default 200,000: the service runs up to 3 minutes). */
  huntingTimeoutMs?: number;
  /** How many times a failed call is retried when that is safe (default 3). */
  maxRetries?: number;
  /**
   * The most a call may spend waiting between retries, in milliseconds (default 60,000). A wait
   * the service asks for (Retry-After) that would exceed it fails at once instead of sleeping.
   */
  maxRetryWaitMs?: number;
  /** Prefix for the User-Agent header; partners send `M365DPartner-<Company>-<Product>/<version>`. */
  userAgent?: string;
  /** Where the client writes what it does (console-like); silent by default. Never receives tokens or secrets. */
  logger?: Logger;
  /** Refresh the token when less than this is left of its life, in milliseconds (default 300,000). */
  tokenRefreshMarginMs?: number;
}

const KNOWN_OPTIONS = new Set<string>([
  'credential', 'api', 'cloud', 'region', 'timeoutMs', 'huntingTimeoutMs', 'maxRetries', 'maxRetryWaitMs',
  'userAgent', 'logger', 'tokenRefreshMarginMs',
]);

function integerOption(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(name, `${name} must be an integer from ${min} to ${max}; got ${describe(value)}.`);
  }
  return value;
}

/**
 * The client for Microsoft 365 Defender (Defender XDR), as an app with no signed-in user.
 *
 * @example
 * ```ts
 * import { DefenderClient } from 'm365-defender';
 * const client = new DefenderClient({
 *   credential: { tenantId, clientId, clientSecret },
 * });
 * for await (const incident of client.incidents.list({ status: 'active' })) {
 *   console.log(incident.id, incident.severity, incident.displayName);
 * }
 * ```
 */
export class DefenderClient {
  /** Incidents: `list`, `get`, `update`. */
  readonly incidents: Incidents;
  /** Advanced hunting: `run` a KQL query. */
  readonly advancedHunting: AdvancedHunting;
  /** The token: `inspect()` its claims, `requireRoles()` before you start. */
  readonly auth: ClientAuth;
  /** The hosts this client talks to. */
  readonly cloud: ResolvedCloud;

  /**
   * Creates a client. Options are checked now: a bad one throws `InvalidArgumentError` or
   * `CredentialError` naming it. No request is made until the first call.
   */
  constructor(options: DefenderClientOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError('options', 'new DefenderClient(options) needs an options object with at least a credential.');
    }
    for (const key of Object.keys(options)) {
      if (!KNOWN_OPTIONS.has(key)) {
        throw new InvalidArgumentError(key, `Unknown option "${key}". Known options: ${[...KNOWN_OPTIONS].join(', ')}.`);
      }
    }
    if (options.api !== undefined && options.api !== 'defender') {
      throw new InvalidArgumentError('api', `api must be 'defender'; got ${describe(options.api)}.`);
    }
    if (options.userAgent !== undefined && (typeof options.userAgent !== 'string' || !/^[\x20-\x7e]{1,256}$/.test(options.userAgent))) {
      throw new InvalidArgumentError('userAgent', 'userAgent must be a single-line string of printable ASCII, e.g. "M365DPartner-Contoso-Sentinel/1.2".');
    }
    if (options.logger !== undefined && (typeof options.logger !== 'object' || options.logger === null)) {
      throw new InvalidArgumentError('logger', 'logger must be a console-like object with debug/info/warn/error methods.');
    }
    if (options.credential === undefined || options.credential === null) {
      throw new InvalidArgumentError('credential', 'credential is required: {tenantId, clientId, clientSecret}, a certificate, a Key Vault reference, or a TokenCredential.');
    }
    this.cloud = resolveCloud(options.cloud, options.region);
    const timeoutMs = integerOption('timeoutMs', options.timeoutMs, 30_000, 1, 3_600_000);
    const huntingTimeoutMs = integerOption('huntingTimeoutMs', options.huntingTimeoutMs, 200_000, 1, 3_600_000);
    const maxRetries = integerOption('maxRetries', options.maxRetries, 3, 0, 10);
    const maxRetryWaitMs = integerOption('maxRetryWaitMs', options.maxRetryWaitMs, 60_000, 0, 3_600_000);
    const tokenRefreshMarginMs = integerOption('tokenRefreshMarginMs', options.tokenRefreshMarginMs, 300_000, 0, 3_600_000);

    const credential = createCredential(options.credential, { cloud: this.cloud, logger: options.logger });
    const tokens = new TokenCache(credential, { refreshMarginMs: tokenRefreshMarginMs, logger: options.logger });
    const transport = new Transport({
      baseUrl: this.cloud.apiBaseUrl,
      scope: this.cloud.scope,
      tokens,
      logger: options.logger,
      userAgent: options.userAgent,
      timeoutMs,
      maxRetries,
      maxRetryWaitMs,
      rolesOf: (token) => {
        try {
          return decodeAccessToken(token).roles;
        } catch {
          return [];
        }
      },
    });
    this.incidents = new Incidents(transport, this.cloud.portalBaseUrl);
    this.advancedHunting = new AdvancedHunting(transport, huntingTimeoutMs);
    this.auth = new ClientAuth(tokens, this.cloud);
  }
}
