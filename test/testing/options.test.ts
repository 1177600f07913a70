/**
 * The testing kit refuses options it would otherwise ignore: an unknown key, or a value of the
 * wrong type, is an InvalidArgumentError naming the option, thrown before anything is built
 * (for the simulator: before a CA is made or a port is opened).
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/index.js';
import { createFakeTenant, startSimulator, type FakeTenantOptions, type SimulatorOptions } from '../../src/testing/index.js';

/** The error `run` throws (or rejects with). */
async function errorOf(run: () => unknown): Promise<InvalidArgumentError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError, got none');
}

const APP = { clientId: '3c5a1f0e-7b2d-4e8a-9c1f-2d3e4f5a6b7c', clientSecret: 'app-secret-value', roles: { defender: ['Incident.Read.All'] } };

/** For every option of createFakeTenant: a value of the wrong type, and the option path the error must name. */
const BAD_TENANT_OPTIONS = [
  ['seed', 1.5, 'seed'],
  ['tenantId', 42, 'tenantId'],
  ['apps', { clientId: 'x' }, 'apps'],
  ['tokenLifetimeSeconds', '3600', 'tokenLifetimeSeconds'],
  ['timeScale', 0, 'timeScale'],
  ['startTime', 'yesterday', 'startTime'],
  ['incidents', -1, 'incidents'],
  ['huntingRows', 10.5, 'huntingRows'],
  ['huntingTables', [], 'huntingTables'],
  ['secrets', { name: 'value-not-object' }, 'secrets.name'],
  ['quotas', true, 'quotas'],
  ['graphExpandFailsAbove', '5', 'graphExpandFailsAbove'],
  ['churn', { perMinute: 5, lateMs: -1 }, 'churn.lateMs'],
  ['tenants', 0, 'tenants'],
  ['unconsentedTenants', 1.5, 'unconsentedTenants'],
  ['indicatorCap', -1, 'indicatorCap'],
  ['authorityHost', 'login.microsoftonline.com', 'authorityHost'],
  ['defenderBaseUrl', 443, 'defenderBaseUrl'],
  ['graphBaseUrl', 'ftp://graph.example', 'graphBaseUrl'],
  ['keyVaultUrl', '', 'keyVaultUrl'],
] as const satisfies ReadonlyArray<readonly [keyof FakeTenantOptions, unknown, string]>;

// Compile-time coverage: adding an option to FakeTenantOptions without a row above fails typechecking.
type UncoveredTenantOption = Exclude<keyof FakeTenantOptions, (typeof BAD_TENANT_OPTIONS)[number][0]>;
const everyTenantOptionCovered: [UncoveredTenantOption] extends [never] ? true : UncoveredTenantOption = true;

describe('createFakeTenant options', () => {
  it('has a row above for every option', () => {
    expect([everyTenantOptionCovered, everySimulatorOptionCovered]).toEqual([true, true]);
  });

  it.each(BAD_TENANT_OPTIONS)('refuses a wrongly typed %s, naming it', async (key, value, path) => {
    const error = await errorOf(() => createFakeTenant({ incidents: 0, huntingRows: 0, [key]: value } as FakeTenantOptions));
    expect(error.option).toBe(path);
    expect(error.message).toContain(path);
  });

  it('refuses an unknown option, naming it and listing the known ones', async () => {
    const error = await errorOf(() => createFakeTenant({ seed: 1, incidentCount: 5 } as FakeTenantOptions));
    expect(error.option).toBe('incidentCount');
    expect(error.message).toMatch(/createFakeTenant has no option "incidentCount".*"incidents"/);
  });

  it('refuses options that are not an object', async () => {
    expect((await errorOf(() => createFakeTenant(7 as unknown as FakeTenantOptions))).option).toBe('options');
  });

  it('names the nested option at fault in apps', async () => {
    const bad = (app: unknown) => errorOf(() => createFakeTenant({ incidents: 0, huntingRows: 0, apps: [APP, app] as FakeTenantOptions['apps'] }));
    expect((await bad({ ...APP, roles: { defender: 'Incident.Read.All' } })).option).toBe('apps[1].roles.defender');
    expect((await bad({ ...APP, roles: { mde: 'Machine.Isolate' } })).option).toBe('apps[1].roles.mde');
    expect((await bad({ ...APP, roles: { xdr: [] } })).option).toBe('apps[1].roles.xdr');
    expect((await bad({ ...APP, secret: 'x' })).option).toBe('apps[1].secret');
    expect((await bad({ clientSecret: 'x', roles: {} })).option).toBe('apps[1].clientId');
    expect((await bad({ ...APP, clientSecret: 12345 })).option).toBe('apps[1].clientSecret');
  });

  it('never prints a client secret in an option error', async () => {
    const error = await errorOf(() => createFakeTenant({ apps: [{ ...APP, roles: { defender: [7] } }] } as unknown as FakeTenantOptions));
    expect(error.option).toBe('apps[0].roles.defender[0]');
    expect(error.message).not.toContain(APP.clientSecret);
  });

  it('names the quota family and window field at fault, and points old field names to the new ones', async () => {
    const quotas = (value: unknown) => errorOf(() => createFakeTenant({ incidents: 0, huntingRows: 0, quotas: value } as FakeTenantOptions));
    const old = await quotas({ 'defender.hunting': [{ calls: 5, windowMs: 60_000 }] });
    expect(old.option).toBe('quotas.defender.hunting[0].calls');
    expect(old.message).toContain('"limit", "intervalMs"');
    expect((await quotas({ hunting: [{ limit: 5, intervalMs: 60_000 }] })).option).toBe('quotas.hunting');
    expect((await quotas({ 'defender.hunting': [{ limit: 0, intervalMs: 60_000 }] })).option).toBe('quotas.defender.hunting[0].limit');
    expect((await quotas({ 'defender.hunting': [{ limit: 5 }] })).option).toBe('quotas.defender.hunting[0].intervalMs');
  });

  const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

  it.each([
    ['timeScale', 1e300, 'timeScale'],
    ['timeScale', 86_401, 'timeScale'],
    ['timeScale', Number.POSITIVE_INFINITY, 'timeScale'],
    ['tokenLifetimeSeconds', Number.MAX_SAFE_INTEGER, 'tokenLifetimeSeconds'],
    ['tokenLifetimeSeconds', 86_401, 'tokenLifetimeSeconds'],
    ['startTime', 1e300, 'startTime'],
    ['startTime', -1, 'startTime'],
    ['startTime', LAST_INSTANT + 1, 'startTime'],
    ['startTime', new Date(Number.NaN), 'startTime'],
    ['quotas', { 'defender.hunting': [{ limit: 1, intervalMs: 1e300 }] }, 'quotas.defender.hunting[0].intervalMs'],
    ['quotas', { 'defender.hunting': [{ limit: 1, intervalMs: 86_400_001 }] }, 'quotas.defender.hunting[0].intervalMs'],
  ] as const)('refuses %s = %s, out of its range (a number the clock or a timer could not use)', async (key, value, path) => {
    const error = await errorOf(() => createFakeTenant({ incidents: 0, huntingRows: 0, [key]: value } as FakeTenantOptions));
    expect(error.option).toBe(path);
    expect(error.message).toMatch(/must be an? (number|valid Date|integer) .*(86,?400|9999-12-31T23:59:59\.999Z)/);
  });

  it('takes each numeric option at the ends of its range', () => {
    for (const options of [
      { timeScale: 86_400, tokenLifetimeSeconds: 86_400, startTime: 0 },
      { timeScale: 1e-6, tokenLifetimeSeconds: 1, startTime: new Date(LAST_INSTANT) },
      { quotas: { 'defender.hunting': [{ limit: 1, intervalMs: 86_400_000 }, { limit: 2, intervalMs: 0.5 }] } },
    ] satisfies FakeTenantOptions[]) {
      expect(createFakeTenant({ incidents: 1, huntingRows: 0, ...options }).incidents.size).toBe(1);
    }
  });

  it('names a bad incident or table row', async () => {
    expect((await errorOf(() => createFakeTenant({ incidents: [{ incidentName: 'no id' }] } as unknown as FakeTenantOptions))).option).toBe('incidents[0].incidentId');
    expect((await errorOf(() => createFakeTenant({ huntingTables: { AlertInfo: [1] } } as unknown as FakeTenantOptions))).option).toBe('huntingTables.AlertInfo[0]');
  });

  it('takes options set to undefined as absent, and accepts every option well typed', () => {
    const tenant = createFakeTenant({
      seed: 3,
      tenantId: '11111111-2222-4333-8444-555555555555',
      apps: [APP],
      tokenLifetimeSeconds: 600,
      timeScale: 2,
      startTime: new Date('2026-01-01T00:00:00Z'),
      incidents: 2,
      huntingRows: undefined,
      huntingTables: { AlertInfo: [{ AlertId: 'a' }] },
      secrets: { s: { value: 'v', enabled: true } },
      quotas: { 'defender.hunting': [{ limit: 5, intervalMs: 60_000 }], 'graph.hunting': [] },
      graphExpandFailsAbove: 10,
      churn: { perMinute: 1, lateMs: 0, lateShare: 0, sameTimestampShare: 0, createShare: 0.5, mergeShare: 0.5 },
      authorityHost: 'https://login.example/',
      defenderBaseUrl: 'https://api.example',
      graphBaseUrl: 'https://graph.example',
      keyVaultUrl: 'https://vault.example',
    });
    expect(tenant.incidents.size).toBe(2);
    expect(tenant.hosts.authorityHost).toBe('https://login.example');
  });
});

/** For every option the simulator adds to the tenant's: a value of the wrong type. */
const BAD_SIMULATOR_OPTIONS = [
  ['port', 70_000, 'port'],
  ['host', '', 'host'],
  ['ca', { certPem: 'x' }, 'ca.keyPem'],
  ['caDir', 5, 'caDir'],
  ['faults', [{ route: 'defender.hunting', steps: [] }], 'faults[0].steps'],
  ['certificateApp', 'yes', 'certificateApp'],
  ['onRequest', 'console.log', 'onRequest'],
  ['createTenant', {}, 'createTenant'],
  ['app', 'first', 'app'],
  ['tenantState', {}, 'tenantState'],
] as const satisfies ReadonlyArray<readonly [keyof SimulatorOptions, unknown, string]>;

type UncoveredSimulatorOption = Exclude<
  keyof SimulatorOptions,
  (typeof BAD_SIMULATOR_OPTIONS)[number][0] | (typeof BAD_TENANT_OPTIONS)[number][0]
>;
const everySimulatorOptionCovered: [UncoveredSimulatorOption] extends [never] ? true : UncoveredSimulatorOption = true;

describe('startSimulator options', () => {
  it.each(BAD_SIMULATOR_OPTIONS)('refuses a wrongly typed %s, naming it', async (key, value, path) => {
    const error = await errorOf(() => startSimulator({ [key]: value } as SimulatorOptions));
    expect(error.option).toBe(path);
  });

  it.each(BAD_TENANT_OPTIONS.filter(([key]) => !['authorityHost', 'defenderBaseUrl', 'graphBaseUrl', 'keyVaultUrl'].includes(key)))(
    'refuses a wrongly typed tenant option %s',
    async (key, value, path) => {
      expect((await errorOf(() => startSimulator({ [key]: value } as SimulatorOptions))).option).toBe(path);
    },
  );

  it('refuses an unknown option, and the hosts, which are the simulator origin', async () => {
    expect((await errorOf(() => startSimulator({ prot: 8443 } as SimulatorOptions))).option).toBe('prot');
    const hosts = await errorOf(() => startSimulator({ authorityHost: 'https://login.example' } as SimulatorOptions));
    expect(hosts.option).toBe('authorityHost');
    expect(hosts.message).toContain('startSimulator has no option "authorityHost"');
  });

  it('checks the built-in tenant\'s start-up faults before anything starts, naming the route or step option', async () => {
    const fault = (route: string, steps: unknown[]) => errorOf(() => startSimulator({ faults: [{ route: 'defender.hunting', steps: [503] }, { route, steps }] } as SimulatorOptions));
    const delay = await fault('defender.listIncidents', [429, { delayMs: 1e300 }]);
    expect(delay.option).toBe('faults[1].steps[1].delayMs');
    expect(delay.message).toBe('faults[1].steps[1].delayMs must be a number from 0 to 2,147,483,647 ms; got number 1e+300.');
    expect((await fault('defender.listIncident', [429])).option).toBe('faults[1].route');
    expect((await fault('graph.*', [{ network: { kind: 'reset-during-body' } }])).option).toBe('faults[1].steps[0].network.afterBytes');
  });

  it('refuses options that would be ignored together', async () => {
    const createTenant = () => createFakeTenant({ incidents: 0, huntingRows: 0 });
    const app = (t: ReturnType<typeof createTenant>) => t.credential();
    expect((await errorOf(() => startSimulator({ createTenant } as SimulatorOptions))).option).toBe('app');
    const seed = await errorOf(() => startSimulator({ createTenant, app, seed: 4 }));
    expect(seed.option).toBe('seed');
    expect(seed.message).toContain('configures the built-in tenant');
    expect((await errorOf(() => startSimulator({ createTenant, app, certificateApp: true }))).option).toBe('certificateApp');
    expect((await errorOf(() => startSimulator({ app: () => ({ tenantId: 't', clientId: 'c', clientSecret: 's' }) } as SimulatorOptions))).option).toBe('app');
    expect((await errorOf(() => startSimulator({ tenantState: () => ({}) } as SimulatorOptions))).option).toBe('tenantState');
    expect((await errorOf(() => startSimulator({ ca: { certPem: 'c', keyPem: 'k' }, caDir: '/tmp/ca' }))).option).toBe('caDir');
  });
});
