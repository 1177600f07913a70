/**
 * The Defender for Endpoint operations as the transport sees them: public name, quota family,
 * the WindowsDefenderATP permissions each needs (reference mde-actions.md §1.3), whether a resend
 * is safe.
 *
 * @packageDocumentation
 */
import type { OperationSpec } from '../../transport/operation.js';
import { MDE_PERMISSION_API } from './permission-api.js';

export { MDE_PERMISSION_API };

const READ_MACHINES = ['Machine.Read.All', 'Machine.ReadWrite.All'];
const TI = ['Ti.ReadWrite', 'Ti.ReadWrite.All'];

const op = (name: string, family: OperationSpec['family'], requiredRoles: readonly string[], idempotent: boolean): OperationSpec => ({
  name,
  family,
  requiredRoles,
  permissionApi: MDE_PERMISSION_API,
  idempotent,
});

/** Every Defender for Endpoint operation of the SDK. */
export const MDE_OPERATIONS = {
  listDevices: op('devices.list', 'machines', READ_MACHINES, true),
  getDevice: op('devices.get', 'machines', READ_MACHINES, true),
  findDevices: op('devices.find', 'machines', READ_MACHINES, true),
  isolate: op('devices.isolate', 'machineActions', ['Machine.Isolate'], false),
  release: op('devices.release', 'machineActions', ['Machine.Isolate'], false),
  runAntivirusScan: op('devices.runAntivirusScan', 'machineActions', ['Machine.Scan'], false),
  collectInvestigationPackage: op('devices.collectInvestigationPackage', 'machineActions', ['Machine.CollectForensics'], false),
  restrictAppExecution: op('devices.restrictAppExecution', 'machineActions', ['Machine.RestrictExecution'], false),
  removeAppRestriction: op('devices.removeAppRestriction', 'machineActions', ['Machine.RestrictExecution'], false),
  stopAndQuarantineFile: op('devices.stopAndQuarantineFile', 'machineActions', ['Machine.StopAndQuarantine'], false),
  listActions: op('deviceActions.list', 'machineActions', READ_MACHINES, true),
  getAction: op('deviceActions.get', 'machineActions', READ_MACHINES, true),
  cancelAction: op('deviceActions.cancel', 'machineActions', ['Machine.Isolate', 'Machine.Scan', 'Machine.CollectForensics', 'Machine.RestrictExecution', 'Machine.StopAndQuarantine'], false),
  packageUri: op('deviceActions.packageUri', 'packageUri', READ_MACHINES, true),
  listIndicators: op('indicators.list', 'indicators', [...TI, 'Ti.Read.All'], true),
  // A resubmitted indicator updates the same one (value, type and action): safe to resend.
  submitIndicator: op('indicators.submit', 'indicators', TI, true),
  importIndicators: op('indicators.submitMany', 'indicators.import', TI, true),
  deleteIndicator: op('indicators.delete', 'indicators', TI, true),
} as const satisfies Record<string, OperationSpec>;
