import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { huntingQueries, serveTenant, startServer } from '../support/tenant.js';

const server = startServer();

describe('README quickstart', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is the same code as examples/quickstart.ts', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../../examples/quickstart.ts', import.meta.url), 'utf8').split('\n').slice(1).join('\n');
    expect(readme).toContain(example);
  });

  it('runs as written against a fake tenant', async () => {
    const tenant = serveTenant(server, {
      incidents: 30,
      roles: ['Incident.Read.All', 'AdvancedHunting.Read.All'],
      huntingTables: { DeviceProcessEvents: [{ FileName: 'powershell.exe', DeviceName: 'pc-01' }, { FileName: 'cmd.exe', DeviceName: 'pc-02' }] },
    });
    const { tenantId, clientId, clientSecret } = tenant.credential();
    vi.stubEnv('AZURE_TENANT_ID', tenantId);
    vi.stubEnv('AZURE_CLIENT_ID', clientId);
    vi.stubEnv('AZURE_CLIENT_SECRET', clientSecret);
    // The public cloud, whatever the shell running the tests points at (e.g. a simulator).
    for (const name of ['AZURE_AUTHORITY_HOST', 'DEFENDER_API_BASE_URL', 'DEFENDER_GRAPH_BASE_URL', 'DEFENDER_CLOUD', 'DEFENDER_API', 'DEFENDER_REGION', 'AZURE_CLIENT_CERTIFICATE_PATH']) {
      vi.stubEnv(name, undefined);
    }
    const lines: unknown[][] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args));
    await import('../../examples/quickstart.js');
    const active = [...tenant.incidents.values()].filter((i) => i.status === 'Active').length;
    expect(active).toBeGreaterThan(0);
    expect(lines).toHaveLength(active + 1);
    expect(lines.at(-1)).toEqual([[{ FileName: 'powershell.exe', DeviceName: 'pc-01' }]]);
    expect(huntingQueries(tenant)).toEqual(['DeviceProcessEvents | where FileName == "powershell.exe" | take 5']);
  });
});
