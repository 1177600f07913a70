import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeDefender, seedIncidents } from './support/defender.js';
import { FakeEntra } from './support/entra.js';
import { CLIENT_ID, TENANT_ID, startServer } from './support/harness.js';

const server = startServer();

describe('README quickstart', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is the same code as examples/quickstart.ts', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../examples/quickstart.ts', import.meta.url), 'utf8').split('\n').slice(1).join('\n');
    expect(readme).toContain(example);
  });

  it('runs as written against a fake tenant', async () => {
    const secret = 'quickstart-secret-value';
    const entra = new FakeEntra({
      tenantId: TENANT_ID,
      apps: [{ clientId: CLIENT_ID, clientSecret: secret, roles: { 'https://api.security.microsoft.com': ['Incident.Read.All', 'AdvancedHunting.Read.All'] } }],
    });
    const defender = new FakeDefender({
      tenantId: TENANT_ID,
      incidents: seedIncidents(30, 3),
      huntingTables: { DeviceProcessEvents: [{ FileName: 'powershell.exe', DeviceName: 'pc-01' }, { FileName: 'cmd.exe', DeviceName: 'pc-02' }] },
    });
    server.use(...entra.handlers(), ...defender.handlers());
    vi.stubEnv('AZURE_TENANT_ID', TENANT_ID);
    vi.stubEnv('AZURE_CLIENT_ID', CLIENT_ID);
    vi.stubEnv('AZURE_CLIENT_SECRET', secret);
    // The public cloud, whatever the shell running the tests points at (e.g. a simulator).
    for (const name of ['AZURE_AUTHORITY_HOST', 'DEFENDER_API_BASE_URL', 'DEFENDER_GRAPH_BASE_URL', 'DEFENDER_CLOUD', 'DEFENDER_API', 'DEFENDER_REGION', 'AZURE_CLIENT_CERTIFICATE_PATH']) {
      vi.stubEnv(name, undefined);
    }
    const lines: unknown[][] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args));
    await import('../examples/quickstart.js');
    const active = [...defender.incidents.values()].filter((i) => i.status === 'Active').length;
    expect(active).toBeGreaterThan(0);
    expect(lines).toHaveLength(active + 1);
    expect(lines.at(-1)).toEqual([[{ FileName: 'powershell.exe', DeviceName: 'pc-01' }]]);
    expect(defender.huntingQueries).toEqual(['DeviceProcessEvents | where FileName == "powershell.exe" | take 5']);
  });
});
