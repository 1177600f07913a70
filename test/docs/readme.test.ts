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

describe('README commands', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const scripts = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;

  it('names only npm scripts that exist and files the clone has (the installed-project commands run in .ci/smoke.sh)', () => {
    const named = [...readme.matchAll(/npm run (?:-s )?([\w:-]+)/g)].map((m) => m[1]!);
    expect(named).toEqual(expect.arrayContaining(['demo', 'sim', 'm365d']));
    for (const name of named) expect(scripts, `npm run ${name}`).toHaveProperty(name);
    for (const [, file] of readme.matchAll(/npx tsx (\S+\.ts)/g)) expect(() => readFileSync(new URL(`../../${file}`, import.meta.url)), file).not.toThrow();
  });

  it('shows the command line in its first screen, and says where npx m365d works', () => {
    const firstScreen = readme.split('\n').slice(0, 25).join('\n');
    expect(firstScreen).toMatch(/npx m365d token --require /);
    expect(firstScreen).toMatch(/in this clone use\s+`npm run m365d -- …`/);
  });
});
