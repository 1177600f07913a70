import { createCredential, credentialForTenant, decodeAccessToken, isTenantId, TokenCache, type CredentialInput } from './auth/index.js';
import { ClientAuth } from './resources/auth.js';
import { checkLogger, describe, rejectUnknownOptions } from './checks.js';
import { resolveCloud, type CloudName, type CustomCloud, type DefenderRegion, type ResolvedCloud } from './clouds.js';
import { InvalidArgumentError } from './errors.js';
import { crossApiAdvice } from './apis/permissions.js';
import type { WireAdapter } from './apis/adapter.js';
import { DefenderAdapter } from './apis/defender/adapter.js';
import { DEFENDER_HTTP } from './apis/defender/http.js';
import { LazyGraphAdapter } from './apis/graph/lazy-adapter.js';
import { GRAPH_HTTP } from './apis/graph/http.js';
import { AdvancedHunting } from './resources/advanced-hunting.js';
import { Alerts } from './resources/alerts.js';
import { Incidents } from './resources/incidents.js';
import { DeviceActions } from './resources/device-actions.js';
import { Devices } from './resources/devices.js';
import { Indicators } from './resources/indicators.js';
import { LazyMdeAdapter } from './apis/mde/lazy-adapter.js';
import { mdeAdvice } from './apis/permissions.js';
import { Transport } from './transport/transport.js';
import { Pacer, resolveRateLimitOptions, type RateLimitOptions } from './transport/pacer.js';
import { LARGEST_MAX_RESPONSE_BYTES } from './transport/read-body.js';
import type { Logger, WireApiName } from './types.js';

/** Options of {@link DefenderClient}. */
export interface DefenderClientOptions {
  /**
   * How the client gets its app-only token: `{tenantId, clientId, clientSecret}`,
   * `{tenantId, clientId, certificate}`, `{tenantId, clientId, keyVault}`, any `TokenCredential`
   * (e.g. from `@azure/identity`), or `credentialsFromEnv()`.
   */
  credential: CredentialInput;
  /**
   * Which wire API to call; the public model and methods are the same on both.
   * - `'defender'` (the default): `api.security.microsoft.com`, as in Microsoft's "create an app
   *   without a user" guide; permissions of "Microsoft Threat Protection" (`Incident.Read.All`,
   *   `Incident.ReadWrite.All`, `AdvancedHunting.Read.All`). Its hunting endpoint is being retired.
   * - `'graph'`: Microsoft Graph security (`graph.microsoft.com/v1.0/security`); Microsoft Graph
   *   permissions (`SecurityIncident.Read.All`, `SecurityIncident.ReadWrite.All`,
   *   `SecurityAlert.Read.All`, `SecurityAlert.ReadWrite.All`, `ThreatHunting.Read.All`). A custom
   *   `cloud` needs `graphBaseUrl` for it.
   */
  api?: 'defender' | 'graph';
  /**
   * Do not emit the SDK's deprecation warnings (today one: the first hunting call on
   * `api: 'defender'`, code `M365D_DEP_LEGACY_HUNTING`). Default `false`.
   */
  silenceDeprecationWarnings?: boolean;
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
   * Waits for a quota slot (see `rateLimit`) count against the same budget.
   */
  maxRetryWaitMs?: number;
  /** Prefix for the User-Agent header; partners send `M365DPartner-<Company>-<Product>/<version>`. */
  userAgent?: string;
  /** Where the client writes what it does (console-like); silent by default. Never receives tokens or secrets. */
  logger?: Logger;
  /** Refresh the token when less than this is left of its life, in milliseconds (default 300,000). */
  tokenRefreshMarginMs?: number;
  /**
   * Client-side pacing of the documented quotas (on by default): a call waits for a slot of its
   * quota family instead of being sent into a 429, and a 429 that still arrives holds the whole
   * family until its `Retry-After` passes. Clients sharing one credential object share the
   * quotas. `false` turns pacing off (each call still honours 429s when it retries); an object
   * sets `limits` per family and an `onRateLimit` callback that may cancel a wait. See
   * docs/rate-limits.md.
   */
  rateLimit?: false | RateLimitOptions;
  /**
   * The largest response body a call reads into memory, in bytes: past it the call fails with
   * `ResponseValidationError` (not retried), and stops reading there. Default: 64 MiB for
   * incidents and alerts, 512 MB for `advancedHunting.run()`; `stream()` has no cap. A value from 1
   * to 512,000,000 replaces both, e.g. a lower one in a memory-limited function. See docs/errors.md.
   */
  maxResponseBytes?: number;
}

const KNOWN_OPTIONS = new Set<string>([
  'credential', 'api', 'silenceDeprecationWarnings', 'cloud', 'region', 'timeoutMs', 'huntingTimeoutMs', 'maxRetries', 'maxRetryWaitMs',
  'userAgent', 'logger', 'tokenRefreshMarginMs', 'rateLimit', 'maxResponseBytes',
]);

/** Why a custom cloud without `mdeScope` makes no Defender for Endpoint call (raised at the first one, not at construction). */
function noMdeScope(): InvalidArgumentError {
  return new InvalidArgumentError(
    'cloud.mdeScope',
    'client.devices, client.deviceActions and client.indicators call the Defender for Endpoint API, whose token audience a custom cloud must give as ' +
      "cloud.mdeScope (e.g. 'https://api.securitycenter.microsoft.com/.default'; DEFENDER_MDE_SCOPE in the environment): the SDK does not guess it, " +
      'so that no token of another cloud is sent to cloud.apiBaseUrl. Nothing was sent.',
  );
}

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
  /** Alerts: `list`, and on Graph `get` and `update`. */
  readonly alerts: Alerts;
  /** The wire API this client calls: `'defender'` or `'graph'`. */
  readonly api: WireApiName;
  /** Advanced hunting: `run` a KQL query. */
  readonly advancedHunting: AdvancedHunting;
  /** The token: `inspect()` its claims, `requireRoles()` before you start. */
  readonly auth: ClientAuth;
  /** The hosts this client talks to. */
  readonly cloud: ResolvedCloud;
  /** The options it was created with, for {@link DefenderClient.forTenant}. */
  readonly #options: DefenderClientOptions;
  /**
   * Devices and response actions on them (Defender for Endpoint API, whatever `api` is):
   * `find`, `list`, `get`, `isolate`, `release`, `runAntivirusScan`, `collectInvestigationPackage`,
   * `restrictAppExecution`, `removeAppRestriction`, `stopAndQuarantineFile`.
   */
  readonly devices: Devices;
  /** Device actions already asked for: `list`, `get`, `cancel`. */
  readonly deviceActions: DeviceActions;
  /** Custom indicators: `list`, `submit`, `submitMany`, `delete`. */
  readonly indicators: Indicators;

  /**
   * Creates a client. Options are checked now: a bad one throws `InvalidArgumentError` or
   * `CredentialError` naming it. No request is made until the first call.
   */
  constructor(options: DefenderClientOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError('options', 'new DefenderClient(options) needs an options object with at least a credential.');
    }
    rejectUnknownOptions(options, KNOWN_OPTIONS, { what: 'new DefenderClient' });
    if (options.api !== undefined && options.api !== 'defender' && options.api !== 'graph') {
      throw new InvalidArgumentError('api', `api must be 'defender' or 'graph'; got ${describe(options.api)}.`);
    }
    if (options.silenceDeprecationWarnings !== undefined && typeof options.silenceDeprecationWarnings !== 'boolean') {
      throw new InvalidArgumentError('silenceDeprecationWarnings', `silenceDeprecationWarnings must be true or false; got ${describe(options.silenceDeprecationWarnings)}.`);
    }
    if (options.userAgent !== undefined && (typeof options.userAgent !== 'string' || !/^[\x20-\x7e]{1,256}$/.test(options.userAgent))) {
      throw new InvalidArgumentError('userAgent', 'userAgent must be a single-line string of printable ASCII, e.g. "M365DPartner-Contoso-Sentinel/1.2".');
    }
    checkLogger(options.logger);
    this.#options = options;
    if (options.credential === undefined || options.credential === null) {
      throw new InvalidArgumentError('credential', 'credential is required: {tenantId, clientId, clientSecret}, a certificate, a Key Vault reference, or a TokenCredential.');
    }
    this.cloud = resolveCloud(options.cloud, options.region);
    const api: WireApiName = options.api ?? 'defender';
    this.api = api;
    if (api === 'graph' && (this.cloud.graphBaseUrl === undefined || this.cloud.graphScope === undefined)) {
      throw new InvalidArgumentError(
        'cloud.graphBaseUrl',
        "api: 'graph' with a custom cloud needs cloud.graphBaseUrl (e.g. 'https://graph.microsoft.com'; optionally cloud.graphScope).",
      );
    }
    const baseUrl = api === 'graph' ? (this.cloud.graphBaseUrl as string) : this.cloud.apiBaseUrl;
    const scope = api === 'graph' ? (this.cloud.graphScope as string) : this.cloud.scope;
    const timeoutMs = integerOption('timeoutMs', options.timeoutMs, 30_000, 1, 3_600_000);
    const huntingTimeoutMs = integerOption('huntingTimeoutMs', options.huntingTimeoutMs, 200_000, 1, 3_600_000);
    const maxRetries = integerOption('maxRetries', options.maxRetries, 3, 0, 10);
    const maxRetryWaitMs = integerOption('maxRetryWaitMs', options.maxRetryWaitMs, 60_000, 0, 3_600_000);
    const tokenRefreshMarginMs = integerOption('tokenRefreshMarginMs', options.tokenRefreshMarginMs, 300_000, 0, 3_600_000);
    const rateLimit = resolveRateLimitOptions(options.rateLimit);
    const maxResponseBytes =
      options.maxResponseBytes === undefined ? undefined : integerOption('maxResponseBytes', options.maxResponseBytes, 0, 1, LARGEST_MAX_RESPONSE_BYTES);

    const credential = createCredential(options.credential, { cloud: this.cloud, logger: options.logger });
    const tokens = new TokenCache(credential, { refreshMarginMs: tokenRefreshMarginMs, maxRetryWaitMs, logger: options.logger });
    // What both transports (the incidents API's and the Defender for Endpoint API's) share: the
    // token cache, limits, logging and the roles read from a token for permission advice.
    const shared = {
      tokens,
      logger: options.logger,
      userAgent: options.userAgent,
      timeoutMs,
      maxRetries,
      maxRetryWaitMs,
      maxResponseBytes,
      rolesOf: (token: string) => {
        try {
          return decodeAccessToken(token).roles;
        } catch {
          return [];
        }
      },
    };
    const pacerFor = (paced: 'defender' | 'graph' | 'mde') =>
      rateLimit === false ? undefined : new Pacer({ credential: options.credential, api: paced, rateLimit, logger: options.logger });
    const transport = new Transport({
      ...shared,
      baseUrl,
      scope,
      ...(api === 'graph' ? GRAPH_HTTP : DEFENDER_HTTP),
      permissionAdvice: (operation, granted) => crossApiAdvice(api, operation.requiredRoles, granted),
      pacer: pacerFor(api),
    });
    const adapter: WireAdapter =
      api === 'graph'
        ? new LazyGraphAdapter(transport, { logger: options.logger })
        : new DefenderAdapter(transport, {
            portalBaseUrl: this.cloud.portalBaseUrl,
            silenceDeprecationWarnings: options.silenceDeprecationWarnings === true,
          });
    // Device actions and indicators exist only on the Defender for Endpoint API, with its own
    // token audience, permissions and quotas: a transport of its own on the Defender API host.
    const mdeScope = this.cloud.mdeScope;
    const mdeTransport = mdeScope === undefined ? noMdeScope : new Transport({
      ...shared,
      baseUrl: this.cloud.apiBaseUrl,
      scope: mdeScope,
      ...DEFENDER_HTTP,
      permissionAdvice: (_operation, granted) => mdeAdvice(granted),
      pacer: pacerFor('mde'),
    });
    const mde = new LazyMdeAdapter(mdeTransport);
    this.devices = new Devices(mde);
    this.deviceActions = new DeviceActions(mde);
    this.indicators = new Indicators(mde);
    this.incidents = new Incidents(adapter, options.logger);
    this.alerts = new Alerts(adapter, options.logger);
    this.advancedHunting = new AdvancedHunting(adapter, huntingTimeoutMs);
    this.auth = new ClientAuth(tokens, this.cloud, api, scope, this.cloud.mdeScope);
  }

  /**
   * A client for another tenant that consented to the same multi-tenant app (a partner serving
   * its customers' tenants): the same credential material (client secret, certificate or Key
   * Vault reference) and options, with `tenantId` in place of this client's tenant. It has its own
   * token cache and its own quotas (the service counts them per tenant and app). Nothing is sent
   * until its first call; a tenant that has not consented then fails with an
   * `AuthenticationError` (`code` `AADSTS650052`) whose message holds the admin-consent link.
   *
   * @param tenantId - The customer's directory (tenant) id GUID, or a verified domain.
   * @throws InvalidArgumentError (option `tenantId`) when `tenantId` is neither; (option
   *   `credential`) when this client was created with a `TokenCredential`: it is bound to its own
   *   tenant, so create a client for the other tenant with a credential of its own.
   *
   * @example
   * ```ts
   * const partner = new DefenderClient({ credential: { tenantId: home, clientId, clientSecret } });
   * const contoso = partner.forTenant('contoso.onmicrosoft.com');
   * ```
   */
  forTenant(tenantId: string): DefenderClient {
    if (!isTenantId(tenantId)) {
      throw new InvalidArgumentError(
        'tenantId',
        `forTenant(tenantId): tenantId must be a customer's directory (tenant) id GUID or a verified domain such as contoso.onmicrosoft.com; got ${describe(tenantId)}.`,
      );
    }
    const credential = credentialForTenant(this.#options.credential, tenantId);
    if (credential === undefined) {
      throw new InvalidArgumentError(
        'credential',
        'forTenant() needs the app\'s credential material ({tenantId, clientId} with clientSecret, certificate or keyVault): this client was created with a ' +
          'TokenCredential, which gets tokens for the tenant it was made for. Create a DefenderClient for the other tenant with a TokenCredential for that tenant.',
      );
    }
    return new DefenderClient({ ...this.#options, credential });
  }
}
