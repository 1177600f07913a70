/**
 * Client options from environment variables, so that one program runs unchanged against a real
 * tenant or against the local simulator (`m365d sim` prints the variables to set).
 * @packageDocumentation
 */
import { credentialsFromEnv, type CredentialEnvironment } from './auth/credentials.js';
import type { DefenderClientOptions } from './client.js';
import type { CloudName, CustomCloud, DefenderRegion } from './clouds.js';
import { describe } from './checks.js';
import { isLoopback } from './clouds.js';
import { InvalidArgumentError } from './errors.js';

const CLOUD_NAMES: readonly CloudName[] = ['public', 'gcc', 'gcc-high', 'dod'];
const APIS = ['defender', 'graph'] as const;
const REGIONS: readonly DefenderRegion[] = ['us', 'eu', 'uk', 'au', 'swa', 'ina', 'aea'];
const PUBLIC_AUTHORITY_HOST = 'https://login.microsoftonline.com';
const PUBLIC_API_BASE_URL = 'https://api.security.microsoft.com';
const PUBLIC_GRAPH_BASE_URL = 'https://graph.microsoft.com';
// Graph's token audience likewise.
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
// The Defender API's token audience is its global identifier, whatever host serves it.
const DEFENDER_SCOPE = 'https://api.security.microsoft.com/.default';
// The Defender for Endpoint API's commercial audience, also on the Defender API's hosts.
const MDE_SCOPE = 'https://api.securitycenter.microsoft.com/.default';

/**
 * The token scope for a custom API host: the public audience for a loopback host (the
 * simulator, which accepts the real audiences) and for the Defender API's regional hosts
 * (`eu.api.security.microsoft.com`: the audience is the global one); otherwise the host's own
 * `/.default` (e.g. `https://graph.microsoft.us/.default` for GCC High Graph).
 */
function audienceOf(baseUrl: string | undefined, publicScope: string): string {
  if (baseUrl === undefined) return publicScope;
  const { origin, hostname } = new URL(baseUrl);
  if (isLoopback(hostname) || /\.api\.security\.microsoft\.com$/i.test(hostname)) return publicScope;
  return `${origin}/.default`;
}

/**
 * The Defender for Endpoint scope for a custom API host: the commercial audience for the public
 * host, its regional hosts and a loopback host (the simulator); none for any other host, whose
 * audience only its owner knows (`DEFENDER_MDE_SCOPE`).
 */
function mdeAudienceOf(baseUrl: string | undefined): string | undefined {
  if (baseUrl === undefined) return MDE_SCOPE;
  const { hostname } = new URL(baseUrl);
  return isLoopback(hostname) || /^([a-z]+\.)?api\.security\.microsoft\.com$/i.test(hostname) ? MDE_SCOPE : undefined;
}

/**
 * Builds {@link DefenderClientOptions} from environment variables:
 *
 * | variable | option |
 * |---|---|
 * | `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` or `AZURE_CLIENT_CERTIFICATE_PATH` (+ `AZURE_CLIENT_CERTIFICATE_PASSWORD`, `AZURE_CLIENT_SEND_CERTIFICATE_CHAIN`) | `credential`, as {@link credentialsFromEnv} reads them |
 * | `DEFENDER_CLOUD` (`public`, `gcc`, `gcc-high`, `dod`) | `cloud` by name |
 * | `AZURE_AUTHORITY_HOST`, `DEFENDER_API_BASE_URL`, `DEFENDER_GRAPH_BASE_URL` | a custom `cloud` (a missing host defaults to the public one), e.g. the simulator's |
 * | `DEFENDER_SCOPE`, `DEFENDER_GRAPH_SCOPE` | the custom cloud's token scopes (default: the public audience for loopback and regional hosts, else `<host>/.default`) |
 * | `DEFENDER_MDE_SCOPE` | the custom cloud's Defender for Endpoint scope (`mdeScope`; default: the commercial audience for the public, regional and loopback hosts, else none) |
 * | `DEFENDER_REGION` (`us`, `eu`, `uk`, …) | `region` |
 * | `DEFENDER_API` (`defender` or `graph`) | `api` |
 *
 * Unset or empty variables are left out, so the client's defaults apply. `overrides` win over the
 * environment; with `overrides.credential` the credential variables are not read at all (e.g. a
 * Key Vault credential, or a `TokenCredential` of your own).
 *
 * @example
 * ```ts
 * const client = new DefenderClient(clientOptionsFromEnv());
 * const tuned = new DefenderClient(clientOptionsFromEnv(process.env, { maxRetries: 5 }));
 * ```
 * @throws CredentialError naming the missing credential variables.
 * @throws InvalidArgumentError naming the variable (`DEFENDER_API`, `DEFENDER_CLOUD`, …) whose value is not valid.
 */
export function clientOptionsFromEnv(
  env: CredentialEnvironment = process.env,
  overrides: Partial<DefenderClientOptions> = {},
): DefenderClientOptions {
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const options: DefenderClientOptions = { credential: overrides.credential ?? credentialsFromEnv(env) };

  const api = get('DEFENDER_API');
  if (api !== undefined) {
    if (!(APIS as readonly string[]).includes(api)) {
      throw new InvalidArgumentError('DEFENDER_API', `DEFENDER_API must be 'defender' or 'graph'; got ${describe(api)}.`);
    }
    // 'graph' is accepted here; the client itself says whether this version supports it.
    options.api = api as DefenderClientOptions['api'];
  }

  const cloudName = get('DEFENDER_CLOUD');
  const authorityHost = get('AZURE_AUTHORITY_HOST');
  const apiBaseUrl = get('DEFENDER_API_BASE_URL');
  const graphBaseUrl = get('DEFENDER_GRAPH_BASE_URL');
  const scope = get('DEFENDER_SCOPE');
  const graphScope = get('DEFENDER_GRAPH_SCOPE');
  const mdeScope = get('DEFENDER_MDE_SCOPE');
  const custom = [
    ['AZURE_AUTHORITY_HOST', authorityHost],
    ['DEFENDER_API_BASE_URL', apiBaseUrl],
    ['DEFENDER_GRAPH_BASE_URL', graphBaseUrl],
    ['DEFENDER_SCOPE', scope],
    ['DEFENDER_GRAPH_SCOPE', graphScope],
    ['DEFENDER_MDE_SCOPE', mdeScope],
  ] as const;
  if (cloudName !== undefined) {
    if (!(CLOUD_NAMES as readonly string[]).includes(cloudName)) {
      throw new InvalidArgumentError('DEFENDER_CLOUD', `DEFENDER_CLOUD must be one of ${CLOUD_NAMES.map((c) => `'${c}'`).join(', ')}; got ${describe(cloudName)}.`);
    }
    const set = custom.filter(([, value]) => value !== undefined).map(([name]) => name);
    if (set.length > 0) {
      throw new InvalidArgumentError(
        'DEFENDER_CLOUD',
        `DEFENDER_CLOUD ('${cloudName}') cannot be combined with ${set.join(' and ')}: set either a named cloud or custom hosts.`,
      );
    }
    options.cloud = cloudName as CloudName;
  } else if (custom.some(([, value]) => value !== undefined)) {
    for (const [name, value] of custom.slice(0, 3)) {
      if (value !== undefined && !/^https?:\/\/[^/?#\s]+\/?$/i.test(value)) {
        throw new InvalidArgumentError(name, `${name} must be an origin such as https://login.microsoftonline.com (no path); got ${describe(value)}.`);
      }
    }
    const cloud: CustomCloud = {
      authorityHost: authorityHost ?? PUBLIC_AUTHORITY_HOST,
      apiBaseUrl: apiBaseUrl ?? PUBLIC_API_BASE_URL,
      scope: scope ?? audienceOf(apiBaseUrl, DEFENDER_SCOPE),
      graphBaseUrl: graphBaseUrl ?? PUBLIC_GRAPH_BASE_URL,
      graphScope: graphScope ?? audienceOf(graphBaseUrl, GRAPH_SCOPE),
    };
    const mde = mdeScope ?? mdeAudienceOf(apiBaseUrl);
    if (mde !== undefined) cloud.mdeScope = mde;
    options.cloud = cloud;
  }

  const region = get('DEFENDER_REGION');
  if (region !== undefined) {
    if (!(REGIONS as readonly string[]).includes(region)) {
      throw new InvalidArgumentError('DEFENDER_REGION', `DEFENDER_REGION must be one of ${REGIONS.join(', ')}; got ${describe(region)}.`);
    }
    options.region = region as DefenderRegion;
  }
  return { ...options, ...overrides } as DefenderClientOptions;
}
