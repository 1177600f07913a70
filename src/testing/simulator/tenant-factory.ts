/**
 * Where the simulator's tenant comes from: the built-in fake tenant (with an optional
 * certificate app), or a caller's own through `createTenant`.
 * @packageDocumentation
 */
import { createFakeTenant, type FakeAppOptions, type FakeTenant } from '../tenant/tenant.js';
import type { SimulatorApp, SimulatorHosts, SimulatorOptions, SimulatorTenant } from './types.js';

/** How the simulator creates, resets and describes its tenant. */
export interface TenantFactory<T> {
  create(hosts: SimulatorHosts): T | Promise<T>;
  /** Back to the start state; default: a new tenant from `create`. */
  reset?(tenant: T): void;
  app(tenant: T): SimulatorApp;
  state(tenant: T): Record<string, unknown>;
}

/** The factory the options ask for. */
export function tenantFactory<T extends SimulatorTenant>(options: SimulatorOptions<T>, certificatePem: string | undefined): TenantFactory<T> {
  if (options.createTenant && options.app) {
    return { create: options.createTenant, app: options.app, state: options.tenantState ?? (() => ({})) };
  }
  return builtInTenantFactory(options as unknown as SimulatorOptions, certificatePem) as unknown as TenantFactory<T>;
}

function builtInTenantFactory(options: SimulatorOptions, certificatePem: string | undefined): TenantFactory<FakeTenant> {
  const { port: _p, host: _h, ca: _c, caDir: _d, faults: _f, onRequest: _o, createTenant: _t, app: _a, tenantState: _s, certificateApp: _x, ...tenantOptions } = options;
  return {
    create(hosts) {
      let apps = tenantOptions.apps;
      if (certificatePem !== undefined) {
        // The default app of this seed (drawn from the seed, so a data-less probe tenant gives it), plus a certificate app.
        const base: FakeAppOptions[] =
          apps ??
          createFakeTenant({ ...tenantOptions, incidents: 0, huntingRows: 0 }).apps.map((app) => ({
            clientId: app.clientId,
            ...(app.clientSecret !== undefined ? { clientSecret: app.clientSecret } : {}),
            roles: { defender: [...app.roles.defender], graph: [...app.roles.graph], mde: [...app.roles.mde] },
          }));
        apps = [...base, { clientId: certificateClientId(options.seed ?? 1), certificatePem, roles: { ...(base[0]?.roles ?? {}) } }];
      }
      return createFakeTenant({ ...tenantOptions, ...(apps ? { apps } : {}), ...hosts });
    },
    reset: (tenant) => tenant.reset(),
    app: (tenant) => tenant.credential(),
    state: (tenant) => {
      tenant.churn?.apply();
      const byRoute: Record<string, number> = {};
      for (const request of tenant.requests) byRoute[request.route] = (byRoute[request.route] ?? 0) + 1;
      return {
        tenantId: tenant.tenantId,
        seed: tenant.seed,
        incidents: tenant.incidents.size,
        huntingRows: Object.values(tenant.tables).reduce((sum, rows) => sum + rows.length, 0),
        issuedTokens: tenant.issuedTokens,
        faultsPending: tenant.faults.pending,
        requestsByTenantRoute: byRoute,
        throttled: tenant.requests.filter((request) => request.status === 429).length,
        quotas: options.quotas !== false,
        timeScale: tenant.clock.timeScale,
        clock: new Date(tenant.clock.now()).toISOString(),
        ...(tenant.churn ? { churn: tenant.churn.stats } : {}),
        ...(tenant.tenants.length > 1
          ? { tenants: tenant.tenants.map((t) => ({ tenantId: t.tenantId, consented: t.apps.every((app) => app.consented !== false), incidents: t.incidents.size })) }
          : {}),
      };
    },
  };
}

/** A stable client id for the certificate app of a seed. */
export function certificateClientId(seed: number): string {
  const hex = (seed >>> 0).toString(16).padStart(12, '0').slice(-12);
  return `c3e7f1a0-0000-4000-8000-${hex}`;
}
