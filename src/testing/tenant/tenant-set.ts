/*
 * Which of several fake tenants on the same hosts answers a request (option `tenants`): an Entra
 * request goes to the tenant named in its path, an API request to the tenant its bearer token was
 * issued by (`tid`), as the real services tell customers apart; anything else to the first tenant,
 * the partner's own (its Key Vault, and its Entra answers for unknown tenants).
 */
import { trimSlash } from './http-util.js';
import { bearerToken, decodeTokenClaims } from './tokens.js';

/** What routing needs of a tenant. */
interface Member {
  readonly tenantId: string;
}

/** The tenant of `tenants` that answers `request`; the first when none is named. */
export function memberFor<T extends Member>(request: Request, tenants: readonly T[], authorityHost: string): T {
  const home = tenants[0]!;
  const byId = (id: unknown) => (typeof id === 'string' ? tenants.find((tenant) => tenant.tenantId.toLowerCase() === id.toLowerCase()) : undefined);
  const url = new URL(request.url);
  const authority = new URL(authorityHost);
  const prefix = trimSlash(authority.pathname);
  if (url.origin === authority.origin && url.pathname.startsWith(`${prefix}/`)) {
    const segment = url.pathname.slice(prefix.length + 1).split('/')[0] ?? '';
    let tenant: string;
    try {
      tenant = decodeURIComponent(segment);
    } catch {
      tenant = segment;
    }
    const named = byId(tenant);
    if (named) return named;
  }
  const token = bearerToken(request);
  return (token && byId(decodeTokenClaims(token)?.['tid'])) || home;
}
