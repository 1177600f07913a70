import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, DefenderClient, PermissionError } from '../../src/index.js';
import type { FakeTenant } from '../../src/testing/index.js';
import { CLIENT_ID, TENANT_ID, authorizationsSentTo, fakeTenant, serveTenant, startServer } from '../support/tenant.js';

const server = startServer();

/** A tenant whose app holds `roles`, and a client that signs in with the app's client secret. */
function secretClient(roles: string[]) {
  const tenant = serveTenant(server, { incidents: 3, roles });
  const credential = tenant.credential();
  return { tenant, credential, client: new DefenderClient({ credential }) };
}

const tokenRequests = (tenant: FakeTenant) => tenant.requests.filter((request) => request.route === 'entra.token');

describe('client.auth', () => {
  it('inspects the token a client secret gets from Entra ID, and lists incidents with it', async () => {
    const { tenant, client } = secretClient(['Incident.Read.All']);
    const before = tenant.clock.now();
    const info = await client.auth.inspect();
    expect(info).toMatchObject({ tenantId: TENANT_ID, appId: CLIENT_ID, audience: 'https://api.security.microsoft.com', roles: ['Incident.Read.All'] });
    // The token lives an hour at least from its issue, after `before` on the tenant's clock, however long the call took.
    expect(info.expiresOn.getTime()).toBeGreaterThan(before + 55 * 60_000);
    expect(await client.incidents.list().toArray()).toHaveLength(3);
    expect(tokenRequests(tenant)).toHaveLength(1);
    // The tenant's log shows the secret redacted; its Entra ID answering 200 is what says it was the app's.
    expect(tokenRequests(tenant)[0]).toMatchObject({
      status: 200,
      body: { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: '[redacted]', scope: 'https://api.security.microsoft.com/.default' },
    });
  });

  it('on a 401 gets a genuinely new token from Entra ID (bypassing MSAL\'s cache) and replays once', async () => {
    const { tenant, client } = secretClient(['Incident.Read.All']);
    const sent = authorizationsSentTo(server, 'https://api.security.microsoft.com/api/*');
    const id = String([...tenant.incidents.keys()][0]);
    await client.incidents.get(id);
    tenant.faults.add('defender.getIncident', { status: 401, body: { error: { code: 'Unauthorized', message: 'revoked' } } });
    await client.incidents.get(id);
    expect(tokenRequests(tenant)).toHaveLength(2);
    expect(sent[2]).not.toBe(sent[1]);
  });

  it('shares one refresh among concurrent calls that all get a 401', async () => {
    const { tenant, client } = secretClient(['Incident.Read.All']);
    const id = String([...tenant.incidents.keys()][0]);
    await client.incidents.get(id);
    const unauthorized = { status: 401, body: { error: { code: 'Unauthorized', message: 'revoked' } } };
    tenant.faults.add('defender.getIncident', ...Array.from({ length: 10 }, () => unauthorized));
    await Promise.all(Array.from({ length: 10 }, () => client.incidents.get(id)));
    expect(tokenRequests(tenant)).toHaveLength(2);
  });

  it('requireRoles names the missing roles, the API and the consent step', async () => {
    const { client } = secretClient(['Incident.Read.All']);
    await expect(client.auth.requireRoles(['Incident.Read.All'])).resolves.toMatchObject({ roles: ['Incident.Read.All'] });
    const error = await client.auth.requireRoles(['Incident.Read.All', 'AdvancedHunting.Read.All']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    const e = error as PermissionError;
    expect(e.requiredPermissions).toEqual(['AdvancedHunting.Read.All']);
    expect(e.grantedRoles).toEqual(['Incident.Read.All']);
    expect(e.permissionApi).toBe('Microsoft Threat Protection');
    expect(e.message).toMatch(/admin consent/);
  });

  it('counts a ReadWrite permission as its Read counterpart', async () => {
    const { client } = secretClient(['Incident.ReadWrite.All']);
    await expect(client.auth.requireRoles(['Incident.Read.All', 'Incident.ReadWrite.All'])).resolves.toBeDefined();
    await expect(client.auth.requireRoles(['AdvancedHunting.Read.All'])).rejects.toBeInstanceOf(PermissionError);
  });

  it('reports a wrong secret as AuthenticationError with the AADSTS code and no secret anywhere', async () => {
    const { credential } = secretClient(['Incident.Read.All']);
    const wrong = 'Wr0ng~secret-value-that-must-not-leak-123';
    const client = new DefenderClient({ credential: { ...credential, clientSecret: wrong } });
    const error = await client.incidents.get('1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).code).toBe('AADSTS7000215');
    const dump = [inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), (error as Error).stack].join('\n');
    expect(dump).not.toContain(wrong);
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(wrong);
    expect(JSON.stringify(client)).not.toContain(wrong);
  });

  it('builds the admin-consent link on the client\'s cloud', () => {
    const { client } = fakeTenant(server, { client: { cloud: 'gcc-high' } });
    const url = new URL(client.auth.adminConsentUrl({ clientId: CLIENT_ID, tenant: 'contoso.onmicrosoft.us' }));
    expect(url.origin).toBe('https://login.microsoftonline.us');
    expect(url.pathname).toBe('/contoso.onmicrosoft.us/adminconsent');
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
  });
});
