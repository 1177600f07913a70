/*
 * One multi-tenant app across its customers' tenants: `client.forTenant(tenantId)` against a fake
 * partner tenant serving customer tenants (`tenants: 3`), the last of which has not consented.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, DefenderClient, InvalidArgumentError, MemoryQuotaStore, RateLimitError } from '../src/index.js';
import { CLIENT_ID, serveTenant, startServer, TENANT_ID, TenantCredential } from './support/tenant.js';
import { rejection, thrownBy } from './support/throws.js';

const server = startServer();

function partner() {
  const home = serveTenant(server, { tenants: 3, unconsentedTenants: 1 });
  const [, customer, unconsented] = home.tenants as [typeof home, typeof home, typeof home];
  // One store for every client, as a shared (Redis) store would be: its keys must tell the tenants apart.
  // One list call a minute; a call that would wait longer than maxRetryWaitMs fails at once.
  const rateLimit = { store: new MemoryQuotaStore(), limits: { incidents: [{ limit: 1, intervalMs: 60_000 }] } };
  const client = new DefenderClient({ credential: home.credential(), maxRetries: 0, maxRetryWaitMs: 1_000, rateLimit });
  return { home, customer: customer!, unconsented: unconsented!, client };
}

const tokenRequests = (tenant: { requests: readonly { route: string }[] }) => tenant.requests.filter((r) => r.route === 'entra.token').length;

describe('client.forTenant(tenantId)', () => {
  it("reads the customer tenant's own incidents with a token of that tenant, leaving the partner's client and cache alone", async () => {
    const { home, customer, client } = partner();
    // The tenants were made with the same five incidents: the customer's store is its own.
    customer.incidents.delete([...customer.incidents.keys()][0]!);
    const mine = await client.incidents.list().toArray();
    const contoso = client.forTenant(customer.tenantId);
    const theirs = await contoso.incidents.list().toArray();

    expect(customer.tenantId).not.toBe(home.tenantId);
    expect(theirs.map((i) => i.id).sort()).toEqual([...customer.incidents.keys()].map(String).sort());
    expect([theirs.length, mine.length]).toEqual([4, 5]);
    expect((await contoso.auth.inspect()).tenantId).toBe(customer.tenantId);
    expect((await client.auth.inspect()).tenantId).toBe(home.tenantId);
    // Each client has its own token cache: one token request per tenant.
    expect([tokenRequests(home), tokenRequests(customer)]).toEqual([1, 1]);
  });

  it("counts each tenant's quota on its own, also in a store the clients share", async () => {
    const { customer, client } = partner();
    await client.incidents.list().toArray();
    // Another tenant: a slot of its own, at once.
    expect(await client.forTenant(customer.tenantId).incidents.list().toArray()).toHaveLength(5);
    // The partner's own quota is spent: its next call would wait a minute, so it fails.
    expect(await rejection(client.incidents.list().toArray())).toBeInstanceOf(RateLimitError);
  });

  it('fails with an AuthenticationError (AADSTS650052) holding the admin-consent link when the tenant has not consented, and no secret', async () => {
    const { unconsented, client, home } = partner();
    const error = await rejection(client.forTenant(unconsented.tenantId).incidents.list().toArray());
    expect(error).toBeInstanceOf(AuthenticationError);
    const auth = error as AuthenticationError;
    expect(auth.code).toBe('AADSTS650052');
    expect(auth.message).toContain(`has not consented to app ${CLIENT_ID}`);
    expect(auth.message).toContain(`https://login.microsoftonline.com/${unconsented.tenantId}/adminconsent?client_id=${CLIENT_ID}`);
    const secret = home.credential().clientSecret;
    expect(`${auth.message}${inspect(auth, { depth: 10 })}${JSON.stringify(auth)}`).not.toContain(secret);
    expect(unconsented.requests.filter((r) => r.route !== 'entra.token')).toHaveLength(0);
  });

  it('never shows the secret when the client it returns is printed', () => {
    const { customer, client, home } = partner();
    expect(inspect(client.forTenant(customer.tenantId), { depth: 10 })).not.toContain(home.credential().clientSecret);
  });

  it.each([
    ['common', 'common'],
    ['an empty string', ''],
    ['a number', 42],
    ['a name with a space', 'contoso tenant'],
    ['a GUID with a bad digit', '72f988bf-86f1-41af-91ab-2d7cd011db4g'],
  ])('refuses %s as tenantId with an InvalidArgumentError naming it', (_case, tenantId) => {
    const { client } = partner();
    expect(thrownBy(InvalidArgumentError, () => client.forTenant(tenantId as string)).option).toBe('tenantId');
  });

  it('takes a verified domain as tenantId', () => {
    const { client } = partner();
    expect(client.forTenant('contoso.onmicrosoft.com')).toBeInstanceOf(DefenderClient);
  });

  it('refuses a client made with a TokenCredential (bound to its own tenant), saying what to do', () => {
    const home = serveTenant(server, { tenants: 3, unconsentedTenants: 1 });
    const client = new DefenderClient({ credential: new TenantCredential(home) });
    const error = thrownBy(InvalidArgumentError, () => client.forTenant(TENANT_ID));
    expect(error.option).toBe('credential');
    expect(error.message).toMatch(/TokenCredential for that tenant/);
  });
});
