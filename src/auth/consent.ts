/**
 * The admin-consent link a multi-tenant (partner) app sends to a customer's administrator.
 * @packageDocumentation
 */
import { describe } from '../checks.js';
import { isLoopback, resolveCloud, type CloudName, type CustomCloud } from '../clouds.js';
import { InvalidArgumentError } from '../errors.js';

/** Options of {@link adminConsentUrl}. */
export interface AdminConsentUrlOptions {
  /** The application (client) id of the multi-tenant app (a GUID). */
  clientId: string;
  /**
   * The customer's tenant (id GUID or verified domain), or `organizations` (default: any work or
   * school tenant, the administrator signs in to theirs) or `common`.
   */
  tenant?: string;
  /** Where Entra ID sends the administrator afterwards (must be a redirect URI registered on the app). */
  redirectUri?: string;
  /** An opaque value returned to `redirectUri` with the result, to match it to your request. */
  state?: string;
  /** The cloud whose login host serves the consent page. Default `public`. A `ResolvedCloud` fits too. */
  cloud?: CloudName | CustomCloud;
  /** The login host itself, e.g. `https://login.microsoftonline.us` (instead of `cloud`). */
  authorityHost?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;

/**
 * Builds the admin-consent URL (`{login host}/{tenant}/adminconsent?client_id=…`): an administrator
 * of the customer's tenant opens it and grants the app the application permissions configured on
 * its registration. Entra ID then redirects to `redirectUri` with `tenant`, `state` and
 * `admin_consent=True`, or with `error` and `error_description`.
 * @throws InvalidArgumentError naming the option when a value is not valid.
 */
export function adminConsentUrl(options: AdminConsentUrlOptions): string {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', `adminConsentUrl needs {clientId, tenant?, redirectUri?, state?}; got ${describe(options)}.`);
  }
  const { clientId, tenant = 'organizations', redirectUri, state, cloud, authorityHost: host } = options;
  if (typeof clientId !== 'string' || !GUID.test(clientId)) {
    throw new InvalidArgumentError('clientId', `clientId must be the app's application (client) id, a GUID; got ${describe(clientId)}.`);
  }
  if (typeof tenant !== 'string' || !(GUID.test(tenant) || DOMAIN.test(tenant) || ['organizations', 'common'].includes(tenant.toLowerCase()))) {
    throw new InvalidArgumentError(
      'tenant',
      `tenant must be a tenant id GUID, a verified domain, 'organizations' or 'common'; got ${describe(tenant)}.`,
    );
  }
  const params = new URLSearchParams({ client_id: clientId });
  if (redirectUri !== undefined) {
    let url: URL | undefined;
    try {
      url = typeof redirectUri === 'string' ? new URL(redirectUri) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname)))) {
      throw new InvalidArgumentError(
        'redirectUri',
        `redirectUri must be an absolute https URL (http only for localhost) registered on the app; got ${describe(redirectUri)}.`,
      );
    }
    params.set('redirect_uri', redirectUri);
  }
  if (state !== undefined) {
    if (typeof state !== 'string' || state === '' || state.length > 2000) {
      throw new InvalidArgumentError('state', `state must be a non-empty string of at most 2000 characters; got ${describe(state)}.`);
    }
    params.set('state', state);
  }
  let authorityHost: string;
  if (host !== undefined) {
    if (cloud !== undefined) throw new InvalidArgumentError('authorityHost', 'give cloud or authorityHost, not both.');
    let url: URL | undefined;
    try {
      url = typeof host === 'string' ? new URL(host) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:' || (url.pathname !== '/' && url.pathname !== '')) {
      throw new InvalidArgumentError('authorityHost', `authorityHost must be an https login host like https://login.microsoftonline.com; got ${describe(host)}.`);
    }
    authorityHost = url.origin;
  } else {
    authorityHost = resolveCloud(cloud).authorityHost;
  }
  return `${authorityHost}/${encodeURIComponent(tenant)}/adminconsent?${params.toString()}`;
}
