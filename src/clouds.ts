import { describe } from './checks.js';
import { InvalidArgumentError } from './errors.js';

/** The national clouds the SDK knows by name. */
export type CloudName = 'public' | 'gcc' | 'gcc-high' | 'dod';

/** A cloud the SDK does not know by name: give its hosts yourself. */
export interface CustomCloud {
  /** The Entra ID login host, e.g. `https://login.microsoftonline.com`. */
  authorityHost: string;
  /** The API base URL, e.g. `https://api.security.microsoft.com`. */
  apiBaseUrl: string;
  /** The token scope for that API, e.g. `https://api.security.microsoft.com/.default`. */
  scope: string;
  /**
   * The Microsoft Graph origin, e.g. `https://graph.microsoft.com` (no `/v1.0`: the SDK adds it).
   * Required when the client uses `api: 'graph'`; without it a custom cloud is Defender-API only.
   */
  graphBaseUrl?: string;
  /** The token scope for Graph. Default: `<graphBaseUrl origin>/.default`. */
  graphScope?: string;
  /**
   * The token scope of the Defender for Endpoint API (`client.devices`, `deviceActions`,
   * `indicators`), called on `apiBaseUrl`, e.g. `https://api.securitycenter.microsoft.com/.default`.
   * No default: the SDK never sends a token of a Microsoft audience to hosts you name unless you
   * say so. Without it those three fail at their first call with `InvalidArgumentError` (option
   * `cloud.mdeScope`); incidents, alerts and hunting work as they do.
   */
  mdeScope?: string;
}

/** Commercial regional hosts of the Defender API (optional; they shorten the path to your data). */
export type DefenderRegion = 'us' | 'eu' | 'uk' | 'au' | 'swa' | 'ina' | 'aea';

/** The cloud the client talks to, with every host resolved. */
export interface ResolvedCloud {
  /** The cloud's name, or `'custom'`. */
  name: CloudName | 'custom';
  /** Entra ID login host, no trailing slash. */
  authorityHost: string;
  /** Defender API base URL, no trailing slash. */
  apiBaseUrl: string;
  /** Token scope for the Defender API. */
  scope: string;
  /** Microsoft Graph base URL (without `/v1.0`), no trailing slash; undefined for a custom cloud that gave none. */
  graphBaseUrl: string | undefined;
  /** Token scope for Microsoft Graph; undefined when `graphBaseUrl` is. */
  graphScope: string | undefined;
  /**
   * Token scope of the Defender for Endpoint API: its own audience, also when it is called on
   * `apiBaseUrl` (a token for the Defender API's audience gets 403 there). Undefined for a custom
   * cloud that gave none: the client then makes no Defender for Endpoint call.
   */
  mdeScope: string | undefined;
  /** Whether the authority host is one @azure/identity knows (custom hosts need `disableInstanceDiscovery`). */
  knownAuthority: boolean;
  /** The Defender portal, for incident links (`webUrl`); undefined for a custom cloud. */
  portalBaseUrl: string | undefined;
}

const PUBLIC_LOGIN = 'https://login.microsoftonline.com';
const GOV_LOGIN = 'https://login.microsoftonline.us';

// Portal hosts per cloud: reference §1.7 (D-gov).
// Graph hosts per cloud: reference §1.7 (GCC stays on worldwide Graph; L4 and L5 have their own).
const NAMED: Record<CloudName, { authorityHost: string; apiBaseUrl: string; portalBaseUrl: string; graphBaseUrl: string }> = {
  public: { authorityHost: PUBLIC_LOGIN, apiBaseUrl: 'https://api.security.microsoft.com', portalBaseUrl: 'https://security.microsoft.com', graphBaseUrl: 'https://graph.microsoft.com' },
  gcc: { authorityHost: PUBLIC_LOGIN, apiBaseUrl: 'https://api-gcc.security.microsoft.us', portalBaseUrl: 'https://security.microsoft.com', graphBaseUrl: 'https://graph.microsoft.com' },
  'gcc-high': { authorityHost: GOV_LOGIN, apiBaseUrl: 'https://api-gov.security.microsoft.us', portalBaseUrl: 'https://security.microsoft.us', graphBaseUrl: 'https://graph.microsoft.us' },
  dod: { authorityHost: GOV_LOGIN, apiBaseUrl: 'https://api-gov.security.microsoft.us', portalBaseUrl: 'https://security.apps.mil', graphBaseUrl: 'https://dod-graph.microsoft.us' },
};

/** The Defender for Endpoint token audience per cloud (mde-actions.md §1.1, §1.2; gov per the gov page's API host). */
const MDE_SCOPES: Record<CloudName, string> = {
  public: 'https://api.securitycenter.microsoft.com/.default',
  gcc: 'https://api.securitycenter.microsoft.com/.default',
  'gcc-high': 'https://api-gov.securitycenter.microsoft.us/.default',
  dod: 'https://api-gov.securitycenter.microsoft.us/.default',
};

const REGIONS: readonly DefenderRegion[] = ['us', 'eu', 'uk', 'au', 'swa', 'ina', 'aea'];

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function checkUrl(option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidArgumentError(option, `${option} must be an absolute https URL string; got ${describe(value)}.`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(option, `${option} must be an absolute URL; got "${value}".`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new InvalidArgumentError(
      option,
      `${option} must use https (plain http is allowed only for loopback hosts); got "${url.origin}".`,
    );
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new InvalidArgumentError(option, `${option} must not carry a query, fragment or user name; got "${url.origin}${url.pathname}…".`);
  }
  return trimSlash(url.href);
}

/** Whether a host name is this machine (127.0.0.0/8, ::1, localhost): plain http is allowed there. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Resolves the `cloud` and `region` options to hosts.
 * @throws InvalidArgumentError naming the option when a value is not valid.
 */
export function resolveCloud(cloud: CloudName | CustomCloud | undefined, region?: DefenderRegion): ResolvedCloud {
  if (region !== undefined && !REGIONS.includes(region)) {
    throw new InvalidArgumentError('region', `region must be one of ${REGIONS.map((r) => `'${r}'`).join(', ')}; got ${describe(region)}.`);
  }
  if (cloud === undefined || typeof cloud === 'string') {
    const name = cloud ?? 'public';
    const known = Object.hasOwn(NAMED, name) ? NAMED[name as CloudName] : undefined;
    if (!known) {
      throw new InvalidArgumentError(
        'cloud',
        `cloud must be 'public', 'gcc', 'gcc-high', 'dod' or {authorityHost, apiBaseUrl, scope, graphBaseUrl?}; got ${describe(cloud)}.`,
      );
    }
    if (region !== undefined && name !== 'public') {
      throw new InvalidArgumentError('region', `region applies to the 'public' cloud only; cloud is '${name}'.`);
    }
    const apiBaseUrl = region ? `https://${region}.api.security.microsoft.com` : known.apiBaseUrl;
    return {
      name: name as CloudName,
      authorityHost: known.authorityHost,
      apiBaseUrl,
      // The token audience is the API's global identifier, also for regional hosts.
      scope: `${known.apiBaseUrl}/.default`,
      mdeScope: MDE_SCOPES[name as CloudName],
      knownAuthority: true,
      portalBaseUrl: known.portalBaseUrl,
      graphBaseUrl: known.graphBaseUrl,
      graphScope: `${known.graphBaseUrl}/.default`,
    };
  }
  if (typeof cloud !== 'object' || cloud === null) {
    throw new InvalidArgumentError('cloud', `cloud must be a cloud name or {authorityHost, apiBaseUrl, scope}; got ${describe(cloud)}.`);
  }
  if (region !== undefined) {
    throw new InvalidArgumentError('region', 'region cannot be combined with a custom cloud: put the regional host in cloud.apiBaseUrl.');
  }
  const authorityHost = checkUrl('cloud.authorityHost', cloud.authorityHost);
  const apiBaseUrl = checkUrl('cloud.apiBaseUrl', cloud.apiBaseUrl);
  if (typeof cloud.scope !== 'string' || !/^\S+\/\.default$/.test(cloud.scope)) {
    throw new InvalidArgumentError('cloud.scope', `cloud.scope must be a resource URI ending in "/.default"; got ${describe(cloud.scope)}.`);
  }
  const knownAuthority = [PUBLIC_LOGIN, GOV_LOGIN].includes(authorityHost);
  let graphBaseUrl: string | undefined;
  let graphScope: string | undefined;
  if (cloud.graphBaseUrl !== undefined) {
    graphBaseUrl = checkUrl('cloud.graphBaseUrl', cloud.graphBaseUrl).replace(/\/v1\.0$/i, '');
    graphScope = cloud.graphScope ?? `${new URL(graphBaseUrl).origin}/.default`;
  } else if (cloud.graphScope !== undefined) {
    throw new InvalidArgumentError('cloud.graphScope', 'cloud.graphScope needs cloud.graphBaseUrl: give the Graph host too.');
  }
  if (graphScope !== undefined && (typeof graphScope !== 'string' || !/^\S+\/\.default$/.test(graphScope))) {
    throw new InvalidArgumentError('cloud.graphScope', `cloud.graphScope must be a resource URI ending in "/.default"; got ${describe(graphScope)}.`);
  }
  // No default: a public-cloud Defender for Endpoint token must not go to a host the caller named for another purpose.
  const mdeScope = cloud.mdeScope;
  if (mdeScope !== undefined && (typeof mdeScope !== 'string' || !/^\S+\/\.default$/.test(mdeScope))) {
    throw new InvalidArgumentError('cloud.mdeScope', `cloud.mdeScope must be a resource URI ending in "/.default"; got ${describe(mdeScope)}.`);
  }
  return { name: 'custom', authorityHost, apiBaseUrl, scope: cloud.scope, mdeScope, knownAuthority, portalBaseUrl: undefined, graphBaseUrl, graphScope };
}
