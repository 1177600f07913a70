/**
 * `m365-defender/testing`: a fake Microsoft 365 Defender tenant for your tests — Entra ID, the
 * Defender API, Graph security and Key Vault, in memory, deterministic from a seed — and the
 * HTTPS simulator that serves it. It does not need msw; the msw handlers that serve the tenant in
 * your test process are in `m365-defender/testing/msw`.
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { DefenderClient } from 'm365-defender';
 * import { createFakeTenant } from 'm365-defender/testing';
 * import { handlers } from 'm365-defender/testing/msw';
 *
 * const tenant = createFakeTenant({ seed: 7 });
 * const server = setupServer(...handlers(tenant));
 * server.listen();
 * const client = new DefenderClient({ credential: tenant.credential() });
 * tenant.faults.add('defender.listIncidents', { status: 503 });   // the client retries, then succeeds
 * ```
 *
 * @packageDocumentation
 * @module m365-defender/testing
 */
export { createFakeTenant } from './tenant/tenant.js';
export type {
  DefenderRole,
  MdeRole,
  FakeApp,
  FakeAppOptions,
  FakeTenant,
  FakeTenantClock,
  FakeTenantCredential,
  FakeTenantHosts,
  FakeTenantOptions,
  GraphRole,
  TenantRequest,
} from './tenant/tenant.js';
export type { ChurnVersion, FakeTenantChurn, FakeTenantChurnOptions, FakeTenantChurnStats } from './tenant/churn.js';
export { FaultBook } from './tenant/faults.js';
export type { FaultRoute, FaultStep, MdeRouteName, TenantRoute, TenantService } from './tenant/faults.js';
export type { DirectoryDevice } from './data/directory.js';
export type { NetworkFault, RequestHandlerLike } from './network-fault.js';
export type { VaultSecret } from './tenant/key-vault.js';
export type { PemKeyPair } from './certs.js';
export type { TenantQuotaFamily, TenantQuotaLimit } from './tenant/quotas.js';
export type { MdeApi, MdeActionOutcome } from './tenant/mde-api.js';
export type {
  LegacyAlertWire,
  LegacyCommentWire,
  LegacyDeviceWire,
  LegacyEntityWire,
  LegacyIncidentWire,
} from './tenant/legacy-wire.js';
export {
  startSimulator,
  isLoopbackAddress,
  type Simulator,
  type SimulatorApp,
  type SimulatorFaultStep,
  type SimulatorHosts,
  type SimulatorOptions,
  type SimulatorRequestLog,
  type SimulatorStats,
  type SimulatorTenant,
} from './server.js';
