import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { DefenderClient, InvalidArgumentError, PermissionError, type DefenderClientOptions } from '../../src/index.js';
import { fakeTenantBoth } from '../support/graph.js';
import { CountingCredential, startServer } from '../support/harness.js';
import { thrownBy } from '../support/throws.js';

const server = startServer();
const credential = new CountingCredential();
const optionError = (options: unknown) => thrownBy(InvalidArgumentError, () => new DefenderClient(options as DefenderClientOptions));

describe("api: 'graph' client options and clouds", () => {
  it.each([
    ['public', 'https://graph.microsoft.com'],
    ['gcc', 'https://graph.microsoft.com'],
    ['gcc-high', 'https://graph.microsoft.us'],
    ['dod', 'https://dod-graph.microsoft.us'],
  ] as const)('resolves the %s cloud to Graph host %s and its scope', (cloud, host) => {
    const client = new DefenderClient({ credential, cloud, api: 'graph' });
    expect(client.api).toBe('graph');
    expect(client.cloud).toMatchObject({ graphBaseUrl: host, graphScope: `${host}/.default` });
  });

  it('calls the sovereign Graph host with a token for its audience', async () => {
    const seen: string[] = [];
    server.use(
      http.get('https://dod-graph.microsoft.us/v1.0/security/incidents', ({ request }) => {
        seen.push(request.url);
        return HttpResponse.json({ value: [] });
      }),
    );
    const client = new DefenderClient({ credential: new CountingCredential(['SecurityIncident.Read.All']), cloud: 'dod', api: 'graph' });
    await client.incidents.list().toArray();
    expect(seen).toHaveLength(1);
    expect((await client.auth.inspect()).audience).toBe('https://dod-graph.microsoft.us');
  });

  it('takes a custom cloud graphBaseUrl (a loopback simulator) with a default scope', () => {
    const client = new DefenderClient({
      credential,
      api: 'graph',
      cloud: { authorityHost: 'http://127.0.0.1:8443', apiBaseUrl: 'http://127.0.0.1:8443', scope: 'https://api.security.microsoft.com/.default', graphBaseUrl: 'http://127.0.0.1:8443/' },
    });
    expect(client.cloud).toMatchObject({ graphBaseUrl: 'http://127.0.0.1:8443', graphScope: 'http://127.0.0.1:8443/.default' });
  });

  it('needs graphBaseUrl for api: graph on a custom cloud, and checks graphScope', () => {
    const cloud = { authorityHost: 'https://login.example', apiBaseUrl: 'https://api.example', scope: 'https://api.example/.default' };
    expect(optionError({ credential, api: 'graph', cloud }).option).toBe('cloud.graphBaseUrl');
    expect(new DefenderClient({ credential, cloud }).cloud.graphBaseUrl).toBeUndefined();
    expect(optionError({ credential, api: 'graph', cloud: { ...cloud, graphBaseUrl: 'ftp://graph.example' } }).option).toBe('cloud.graphBaseUrl');
    expect(optionError({ credential, api: 'graph', cloud: { ...cloud, graphBaseUrl: 'https://graph.example', graphScope: 'graph' } }).option).toBe('cloud.graphScope');
    expect(optionError({ credential, cloud: { ...cloud, graphScope: 'https://graph.example/.default' } }).option).toBe('cloud.graphScope');
  });

  it("refuses an api other than 'defender' or 'graph'", () => {
    const error = optionError({ credential, api: 'mde' });
    expect(error.option).toBe('api');
    expect(error.message).toContain("'defender' or 'graph'");
  });
});

describe('permission guidance across the two APIs', () => {
  it('on Graph, a 403 with only Defender API roles says so and names the Graph permission', async () => {
    fakeTenantBoth(server);
    const client = new DefenderClient({ credential: new CountingCredential(['Incident.ReadWrite.All', 'AdvancedHunting.Read.All']), api: 'graph' });
    const error = await client.incidents.list().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    const message = (error as PermissionError).message;
    expect(message).toContain('You granted the Defender API (Microsoft Threat Protection) permissions, but this client uses Microsoft Graph');
    expect(message).toContain('grant the Microsoft Graph application permission SecurityIncident.Read.All or SecurityIncident.ReadWrite.All');
    expect((error as PermissionError).permissionApi).toBe('Microsoft Graph');
  });

  it('on the Defender API, a 403 with only Graph roles says the reverse', async () => {
    fakeTenantBoth(server);
    const client = new DefenderClient({ credential: new CountingCredential(['SecurityIncident.ReadWrite.All', 'ThreatHunting.Read.All']), silenceDeprecationWarnings: true });
    const error = await client.advancedHunting.run('DeviceEvents').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    const message = (error as PermissionError).message;
    expect(message).toContain("You granted Microsoft Graph permissions, but this client uses the Defender API (api: 'defender')");
    expect(message).toContain('Microsoft Threat Protection application permission AdvancedHunting.Read.All');
  });

  it('gives no cross-API advice when the token holds roles of its own API', async () => {
    fakeTenantBoth(server);
    const client = new DefenderClient({ credential: new CountingCredential(['SecurityIncident.Read.All', 'Incident.Read.All']), api: 'graph' });
    const error = await client.advancedHunting.run('DeviceEvents').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as Error).message).not.toContain('You granted');
    expect((error as Error).message).toContain('ThreatHunting.Read.All');
  });

  it('auth.inspect and requireRoles use the Graph token and Graph permission names', async () => {
    const client = new DefenderClient({ credential: new CountingCredential(['SecurityIncident.Read.All']), api: 'graph' });
    expect((await client.auth.inspect()).audience).toBe('https://graph.microsoft.com');
    await expect(client.auth.requireRoles(['SecurityIncident.Read.All'])).resolves.toMatchObject({ roles: ['SecurityIncident.Read.All'] });
    const missing = await client.auth.requireRoles(['ThreatHunting.Read.All']).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PermissionError);
    expect((missing as PermissionError).permissionApi).toBe('Microsoft Graph');
    // The Defender API's names are checked as their Graph counterparts: the same call works on both APIs.
    await expect(client.auth.requireRoles(['Incident.Read.All'])).resolves.toMatchObject({ roles: ['SecurityIncident.Read.All'] });
    const foreign = await client.auth.requireRoles(['Incident.Read.All', 'AdvancedHunting.Read.All']).catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(PermissionError);
    expect((foreign as PermissionError).requiredPermissions).toEqual(['ThreatHunting.Read.All']);
  });

  it('a token with no roles at all hints that the other API was granted (Entra leaves its roles out)', async () => {
    const graph = new DefenderClient({ credential: new CountingCredential([]), api: 'graph' });
    const error = await graph.auth.requireRoles(['Incident.Read.All']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).requiredPermissions).toEqual(['SecurityIncident.Read.All']);
    expect((error as Error).message).toContain('If you granted the Defender API (Microsoft Threat Protection) permissions instead');
    const defender = new DefenderClient({ credential: new CountingCredential([]) });
    const reverse = await defender.auth.requireRoles(['ThreatHunting.Read.All']).catch((e: unknown) => e);
    expect((reverse as PermissionError).requiredPermissions).toEqual(['AdvancedHunting.Read.All']);
    expect((reverse as Error).message).toContain("If you granted Microsoft Graph permissions instead");
    expect((reverse as Error).message).toContain("api: 'graph'");
  });

  it('requireRoles on the Defender API explains a token holding only Graph roles', async () => {
    const client = new DefenderClient({ credential: new CountingCredential(['SecurityIncident.Read.All']) });
    const error = await client.auth.requireRoles(['Incident.Read.All']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).permissionApi).toBe('Microsoft Threat Protection');
    expect((error as Error).message).toContain('You granted Microsoft Graph permissions');
  });
});
