import { describe, expect, it } from 'vitest';
import { DefenderClient, PermissionError } from '../../src/index.js';
import { fakeTenant, startServer } from '../support/tenant.js';

const server = startServer();

describe('permission guidance across the two APIs', () => {
  it('on Graph, a 403 with only Defender API roles says so and names the Graph permission', async () => {
    const { client } = fakeTenant(server, { roles: ['Incident.ReadWrite.All', 'AdvancedHunting.Read.All'], client: { api: 'graph' } });
    const error = await client.incidents.list().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    const message = (error as PermissionError).message;
    expect(message).toContain('You granted the Defender API (Microsoft Threat Protection) permissions, but this client uses Microsoft Graph');
    expect(message).toContain('grant the Microsoft Graph application permission SecurityIncident.Read.All or SecurityIncident.ReadWrite.All');
    expect((error as PermissionError).permissionApi).toBe('Microsoft Graph');
  });

  it('on the Defender API, a 403 with only Graph roles says the reverse', async () => {
    const { client } = fakeTenant(server, { roles: ['SecurityIncident.ReadWrite.All', 'ThreatHunting.Read.All'], client: { silenceDeprecationWarnings: true } });
    const error = await client.advancedHunting.run('DeviceEvents').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    const message = (error as PermissionError).message;
    expect(message).toContain("You granted Microsoft Graph permissions, but this client uses the Defender API (api: 'defender')");
    expect(message).toContain('Microsoft Threat Protection application permission AdvancedHunting.Read.All');
  });

  it('gives no cross-API advice when the token holds roles of its own API', async () => {
    const { client } = fakeTenant(server, { roles: ['SecurityIncident.Read.All', 'Incident.Read.All'], client: { api: 'graph' } });
    const error = await client.advancedHunting.run('DeviceEvents').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as Error).message).not.toContain('You granted');
    expect((error as Error).message).toContain('ThreatHunting.Read.All');
  });

  it('auth.inspect and requireRoles use the Graph token and Graph permission names', async () => {
    const { client } = fakeTenant(server, { incidents: 0, roles: ['SecurityIncident.Read.All'], client: { api: 'graph' } });
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
    const { credential } = fakeTenant(server, { incidents: 0, roles: [] });
    const graph = new DefenderClient({ credential, api: 'graph' });
    const error = await graph.auth.requireRoles(['Incident.Read.All']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).requiredPermissions).toEqual(['SecurityIncident.Read.All']);
    expect((error as Error).message).toContain('If you granted the Defender API (Microsoft Threat Protection) permissions instead');
    const defender = new DefenderClient({ credential });
    const reverse = await defender.auth.requireRoles(['ThreatHunting.Read.All']).catch((e: unknown) => e);
    expect((reverse as PermissionError).requiredPermissions).toEqual(['AdvancedHunting.Read.All']);
    expect((reverse as Error).message).toContain("If you granted Microsoft Graph permissions instead");
    expect((reverse as Error).message).toContain("api: 'graph'");
  });

  it('requireRoles on the Defender API explains a token holding only Graph roles', async () => {
    const { client } = fakeTenant(server, { incidents: 0, roles: ['SecurityIncident.Read.All'] });
    const error = await client.auth.requireRoles(['Incident.Read.All']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).permissionApi).toBe('Microsoft Threat Protection');
    expect((error as Error).message).toContain('You granted Microsoft Graph permissions');
  });
});
