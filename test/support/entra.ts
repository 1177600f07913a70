/**
 * A fake Microsoft Entra ID token service for msw: the client-credentials grant on the v2 and v1
 * token endpoints (client secret, or a certificate client assertion verified for real), OpenID
 * discovery, and Entra's real error bodies. A thin msw wrapper over the fake tenant's
 * {@link EntraApi}; tokens are signed with the shared test key that `makeAccessToken` uses.
 *
 * ```ts
 * const entra = new FakeEntra({ tenantId, apps: [{ clientId, clientSecret: 's3cret', roles: { [DEFENDER]: ['Incident.Read.All'] } }] });
 * const server = setupServer(...entra.handlers());
 * ```
 */
import type { HttpHandler } from 'msw';
import { handlers } from '../../src/testing/msw.js';
import { EntraApi, type EntraApiOptions, type EntraApp, type EntraCannedResponse } from '../../src/testing/tenant/entra.js';

export { entraErrorBody } from '../../src/testing/tenant/entra.js';
export type { TokenRequest } from '../../src/testing/tenant/entra.js';

/** An app registration in the fake tenant. */
export type FakeApp = EntraApp;
/** A canned response for {@link FakeEntra.failNext}. */
export type FakeResponse = EntraCannedResponse;
/** Options of a {@link FakeEntra}. */
export type FakeEntraOptions = Omit<EntraApiOptions, 'signer' | 'now' | 'tokenLifetime'>;

/** A fake Entra ID tenant for msw. */
export class FakeEntra extends EntraApi {
  constructor(options: FakeEntraOptions) {
    super(options);
  }

  /** The msw handlers: token endpoints (v2, v1), OpenID discovery (v2, v1), JWKS and instance discovery. */
  handlers(): HttpHandler[] {
    return handlers(this);
  }
}
