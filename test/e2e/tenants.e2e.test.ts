/**
 * One multi-tenant app across several tenants of the simulator (`tenants: 3`, the last without
 * consent), with the real @azure/identity credentials over TLS: `forTenant()` reads each
 * customer's own incidents, and a tenant that has not consented fails with Entra's AADSTS650052,
 * mapped to an AuthenticationError holding the admin-consent link.
 */
import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../src/index.js';
import { rejection } from '../support/throws.js';
import { envClient, useSimulator } from './support.js';

const sim = useSimulator({ seed: 5, incidents: 6, huntingRows: 0, tenants: 3, unconsentedTenants: 1 });

describe.each(['defender', 'graph'] as const)('forTenant() across the simulator\'s tenants on api %s', (api) => {
  it("lists each consented tenant's own incidents, and names the admin-consent link for the one that has not consented", async () => {
    const s = sim();
    const ids = s.env.M365D_TENANT_IDS!.split(',');
    expect(ids).toEqual(s.tenant.tenants.map((t) => t.tenantId));
    const partner = envClient(s, { DEFENDER_API: api }, { silenceDeprecationWarnings: true });
    const [home, customer, unconsented] = ids as [string, string, string];
    expect(home).toBe(s.env.AZURE_TENANT_ID);

    const listed = await partner.forTenant(customer).incidents.list().toArray();
    expect(listed.map((i) => i.id).sort()).toEqual([...s.tenant.tenants[1]!.incidents.keys()].map(String).sort());
    expect((await partner.forTenant(customer).auth.inspect()).tenantId).toBe(customer);

    const error = await rejection(partner.forTenant(unconsented).incidents.list().toArray());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).code).toBe('AADSTS650052');
    expect((error as AuthenticationError).message).toContain(`${s.origin}/${unconsented}/adminconsent?client_id=${s.env.AZURE_CLIENT_ID}`);
    expect((error as AuthenticationError).message).not.toContain(s.env.AZURE_CLIENT_SECRET!);
  });
});
