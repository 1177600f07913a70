/*
 * The fake tenant serving several tenants (`tenants: N`): a partner's own tenant and customer
 * tenants that consented (or not) to the same multi-tenant app, on the same hosts. Entra requests
 * reach the tenant named in their path, API requests the tenant of their token.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/index.js';
import { createFakeTenant, type FakeTenant } from '../../../src/testing/index.js';
import { handlers } from '../../../src/testing/msw.js';
import { decodeTokenClaims } from '../../../src/testing/tenant/tokens.js';
import { startServer } from '../../support/tenant.js';
import { thrownBy } from '../../support/throws.js';

const server = startServer();
const SCOPE = 'https://api.security.microsoft.com/.default';

function serve(tenants: number, unconsentedTenants = 0): FakeTenant {
  const tenant = createFakeTenant({ seed: 3, incidents: 4, huntingRows: 0, tenants, unconsentedTenants });
  server.use(...handlers(tenant));
  return tenant;
}

/** The token endpoint's answer for the partner's app in `tenantId`. */
async function tokenRequest(partner: FakeTenant, tenantId: string) {
  const { clientId, clientSecret } = partner.credential();
  const response = await fetch(`${partner.hosts.authorityHost}/${tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: SCOPE }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('createFakeTenant({ tenants })', () => {
  it('serves N tenants with their own ids and data generated from their own seeds, sharing hosts and clock', () => {
    const partner = serve(3);
    expect(partner.tenants).toHaveLength(3);
    expect(partner.tenants[0]).toBe(partner);
    expect(new Set(partner.tenants.map((t) => t.tenantId)).size).toBe(3);
    expect(partner.tenants.map((t) => t.seed)).toEqual([3, 4, 5]);
    expect(partner.tenants.map((t) => t.hosts)).toEqual([partner.hosts, partner.hosts, partner.hosts]);
    const ids = (t: FakeTenant) => JSON.stringify([...t.incidents.values()]);
    expect(ids(partner.tenants[1]!)).not.toBe(ids(partner));
    partner.clock.advance(60_000);
    expect(Math.abs(partner.tenants[2]!.clock.now() - partner.clock.now())).toBeLessThan(1_000);
  });

  it('issues a token of the tenant named in the path to the app it consented to, and answers its API calls from its own data', async () => {
    const partner = serve(3);
    const customer = partner.tenants[2]!;
    const { status, body } = await tokenRequest(partner, customer.tenantId);
    expect(status).toBe(200);
    expect(decodeTokenClaims(body.access_token as string)?.['tid']).toBe(customer.tenantId);
    const listed = await fetch(`${partner.hosts.defenderBaseUrl}/api/incidents`, { headers: { authorization: `Bearer ${body.access_token as string}` } });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { value: unknown[] }).value).toHaveLength(customer.incidents.size);
    expect(customer.requests.map((r) => r.route)).toEqual(['entra.token', 'defender.listIncidents']);
    expect(partner.requests).toHaveLength(0);
  });

  it("answers a tenant that has not consented as Entra ID does: 400 invalid_client AADSTS650052 naming the service and the tenant", async () => {
    const partner = serve(3, 1);
    const unconsented = partner.tenants[2]!;
    expect(unconsented.apps.map((app) => app.consented !== false)).toEqual([false]);
    expect(partner.tenants[1]!.apps.map((app) => app.consented !== false)).toEqual([true]);
    const { status, body } = await tokenRequest(partner, unconsented.tenantId);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_client', error_codes: [650052] });
    expect(body.error_description).toMatch(
      new RegExp(`^AADSTS650052: The app is trying to access a service '8ee8fdad-f234-4243-8f3b-15c294843740'\\(Microsoft Threat Protection\\) that your organization '${unconsented.tenantId}' lacks a service principal for\\.`),
    );
    expect(unconsented.issuedTokens).toBe(0);
  });

  it('refuses more unconsented tenants than customer tenants, naming the option', () => {
    expect(thrownBy(InvalidArgumentError, () => createFakeTenant({ incidents: 0, huntingRows: 0, tenants: 2, unconsentedTenants: 2 })).option).toBe('unconsentedTenants');
  });
});
