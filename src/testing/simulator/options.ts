/**
 * The checks of `startSimulator`'s options, run before anything starts.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../../errors.js';
import { arrayOf, boolean, checkOptions, func, integer, nonEmptyString, object, oneOf, plainObject, type Check } from '../options.js';
import { faultRoute, faultStep } from '../tenant/faults.js';
import { FAKE_TENANT_OPTIONS } from '../tenant/tenant.js';
import type { SimulatorFaultStep, SimulatorOptions, SimulatorTenant } from './types.js';

/** The options of the built-in tenant (every {@link FakeTenantOptions} key but the hosts, which are the simulator's origin). */
const { authorityHost: _a, defenderBaseUrl: _d, graphBaseUrl: _g, keyVaultUrl: _k, ...TENANT_SHAPE } = FAKE_TENANT_OPTIONS;
const TENANT_OPTION_KEYS = Object.keys(TENANT_SHAPE) as Array<keyof typeof TENANT_SHAPE>;

/** The checks of every {@link SimulatorOptions} key. */
const SIMULATOR_OPTIONS: Readonly<Record<keyof SimulatorOptions, Check>> = Object.freeze({
  ...TENANT_SHAPE,
  port: integer(0, 65535),
  host: nonEmptyString,
  ca: object({ certPem: nonEmptyString, keyPem: nonEmptyString }, ['certPem', 'keyPem']),
  caDir: nonEmptyString,
  faults: arrayOf(
    object({ route: nonEmptyString, steps: arrayOf(oneOf('an HTTP status (100–599) or a fault step object', integer(100, 599), plainObject), 1) }, ['route', 'steps']),
  ),
  certificateApp: boolean,
  onRequest: func,
  createTenant: func,
  app: func,
  tenantState: func,
});

/** Refuses unknown keys, wrong types, and options that would be ignored in combination. */
export function checkSimulatorOptions<T extends SimulatorTenant>(options: SimulatorOptions<T>): void {
  checkOptions('startSimulator', options, SIMULATOR_OPTIONS);
  if (options.ca !== undefined && options.caDir !== undefined) {
    throw new InvalidArgumentError('caDir', 'startSimulator: give ca or caDir, not both (caDir would be ignored).');
  }
  if (options.createTenant) {
    if (!options.app) {
      throw new InvalidArgumentError('app', 'startSimulator: app is required with createTenant (it names the app whose credentials go into env).');
    }
    if (options.certificateApp) throw new InvalidArgumentError('certificateApp', 'startSimulator: certificateApp works with the built-in tenant only, not with createTenant.');
    const ignored = TENANT_OPTION_KEYS.find((key) => options[key] !== undefined);
    if (ignored) {
      throw new InvalidArgumentError(ignored, `startSimulator: ${ignored} configures the built-in tenant; with createTenant, give it to the tenant you create.`);
    }
    return;
  }
  for (const key of ['app', 'tenantState'] as const) {
    if (options[key] !== undefined) throw new InvalidArgumentError(key, `startSimulator: ${key} goes with createTenant; the built-in tenant does not use it.`);
  }
  // The built-in tenant's routes and steps are known: a bad one fails here, before anything starts.
  options.faults?.forEach((fault, i) => {
    faultRoute(fault.route, `faults[${i}].route`);
    normalizeSteps(fault.steps).forEach((step, j) => faultStep(step, `faults[${i}].steps[${j}]`));
  });
}

/** A bare status is shorthand for `{status}`. */
export function normalizeSteps(steps: readonly SimulatorFaultStep[]): Record<string, unknown>[] {
  return steps.map((step) => (typeof step === 'number' ? { status: step } : step));
}
