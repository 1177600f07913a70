import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, DefenderClient, PermissionError } from '../src/index.js';
import { FakeDefender, seedIncidents } from './support/defender.js';
import { FakeEntra } from './support/entra.js';
import { CLIENT_ID, TENANT_ID, fakeTenant, startServer } from './support/harness.js';

const server = startServer();
const SECRET = 'Zx8Q~very-secret-client-value-1234567890';

function entraTenant(roles: string[]) {
  const entra = new FakeEntra({
    tenantId: TENANT_ID,
    apps: [{ clientId: CLIENT_ID, clientSecret: SECRET, roles: { 'https://api.security.microsoft.com': roles } }],
  });
  const defender = new FakeDefender({ tenantId: TENANT_ID, incidents: seedIncidents(3, 1) });
  server.use(...entra.handlers(), ...defender.handlers());
  return { entra, defender };
}

describe('client.auth', () => {
  it('inspects the token a client secret gets from Entra ID, and lists incidents with it', async () => {
    const { entra } = entraTenant(['Incident.Read.All']);
    const client = new DefenderClient({ credential: { tenantId: TENANT_ID, clientId: CLIENT_ID, clientSecret: SECRET } });
    const info = await client.auth.inspect();
    expect(info).toMatchObject({ tenantId: TENANT_ID, appId: CLIENT_ID, audience: 'https://api.security.microsoft.com', roles: ['Incident.Read.All'] });
    expect(info.expiresOn.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
    expect(await client.incidents.list().toArray()).toHaveLength(3);
    expect(entra.tokenRequests).toHaveLength(1);
    expect(entra.tokenRequests[0]).toMatchObject({ grant: 'secret', scope: 'https://api.security.microsoft.com/.default' });
    expect(entra.tokenRequests[0]!.form).toMatchObject({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET });
  });

  it('on a 401 gets a genuinely new token from Entra ID (bypassing MSAL\'s cache) and replays once', async () => {
    const { entra, defender } = entraTenant(['Incident.Read.All']);
    const client = new DefenderClient({ credential: { tenantId: TENANT_ID, clientId: CLIENT_ID, clientSecret: SECRET } });
    const id = String([...defender.incidents.keys()][0]);
    await client.incidents.get(id);
    defender.inject('get', { status: 401, body: { error: { code: 'Unauthorized', message: 'revoked' } } });
    await client.incidents.get(id);
    expect(entra.tokenRequests).toHaveLength(2);
    const sent = defender.requests.map((r) => r.headers.get('authorization'));
    expect(sent[2]).not.toBe(sent[1]);
  });

  it('shares one refresh among concurrent calls that all get a 401', async () => {
    const { entra, defender } = entraTenant(['Incident.Read.All']);
    const client = new DefenderClient({ credential: { tenantId: TENANT_ID, clientId: CLIENT_ID, clientSecret: SECRET } });
    const id = String([...defender.incidents.keys()][0]);
    await client.incidents.get(id);
    const unauthorized = { status: 401, body: { error: { code: 'Unauthorized', message: 'revoked' } } };
    defender.inject('get', ...Array.from({ length: 10 }, () => unauthorized));
    await Promise.all(Array.from({ length: 10 }, () => client.incidents.get(id)));
    expect(entra.tokenRequests).toHaveLength(2);
  });

  it('requireRoles names the missing roles, the API and the consent step', async () => {
    entraTenant(['Incident.Read.All']);
    const client = new DefenderClient({ credential: { tenantId: TENANT_ID, clientId: CLIENT_ID, clientSecret: SECRET } });
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
    entraTenant(['Incident.ReadWrite.All']);
    const client = new DefenderClient({ credential: { tenantId: TENANT_ID, clientId: CLIENT_ID, clientSecret: SECRET } });
    await expect(client.auth.requireRoles(['Incident.Read.All', 'Incident.ReadWrite.All'])).resolves.toBeDefined();
    await expect(client.auth.requireRoles(['AdvancedHunting.Read.All'])).rejects.toBeInstanceOf(PermissionError);
  });

  it('reports a wrong secret as AuthenticationError with the AADSTS code and no secret anywhere', async () => {
    entraTenant(['Incident.Read.All']);
    const wrong = 'Wr0ng~secret-value-that-must-not-leak-123';
    const client = new DefenderClient({ credential: { tenantId: TENANT_ID, clientId: CLIENT_ID, clientSecret: wrong } });
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
