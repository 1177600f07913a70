/**
 * The Defender for Endpoint API behind {@link ResponseActionsAdapter}: paths, wire checks,
 * mapping, and the service's documented refusals as typed errors (reference mde-actions.md §3.7).
 *
 * @packageDocumentation
 */
import {
  ApiError,
  DeviceNotFoundError,
  IndicatorLimitError,
  NotFoundError,
  UnsupportedDeviceError,
  type ApiErrorDetails,
} from '../../errors.js';
import type { Device, DeviceActionFields, Indicator, IndicatorInput } from '../../models/device.js';
import type { OperationSpec } from '../../transport/operation.js';
import type { Transport } from '../../transport/transport.js';
import type { AdapterCallOptions, AdapterPage, ListCursor } from '../adapter.js';
import type {
  ActionRequest,
  DeviceActionFilter,
  DeviceFilter,
  IndicatorFilter,
  IndicatorImportResult,
  ResponseActionsAdapter,
} from '../response-adapter.js';
import { RunningActionRefusal } from '../response-adapter.js';
import { checkItems } from '../shared/items.js';
import { listPageSchema, odataString, validateOrThrow } from '../shared/wire.js';
import { ACTION_STATUSES, ACTION_TYPES, indicatorBody, indicatorWord, toDevice, toDeviceActionFields, toIndicator } from './mappers.js';
import { MDE_OPERATIONS } from './operations.js';
import { MDE_PERMISSION_API } from './permission-api.js';
import { MDE_PATHS } from './paths.js';
import { importResultListSchema, indicatorSchema, machineActionSchema, machineSchema, packageUriSchema, type IndicatorWire, type MachineActionWire, type MachineWire } from './wire.js';
import type * as z from 'zod';

/** Each action's route segment, operation and body. */
function actionCall(action: ActionRequest): { segment: string; operation: OperationSpec; body: Record<string, unknown> } {
  const Comment = action.comment;
  switch (action.type) {
    case 'isolate':
      return { segment: 'isolate', operation: MDE_OPERATIONS.isolate, body: { Comment, IsolationType: action.isolation === 'selective' ? 'Selective' : 'Full' } };
    case 'release':
      return { segment: 'unisolate', operation: MDE_OPERATIONS.release, body: { Comment } };
    case 'runAntivirusScan':
      return { segment: 'runAntiVirusScan', operation: MDE_OPERATIONS.runAntivirusScan, body: { Comment, ScanType: action.scan === 'full' ? 'Full' : 'Quick' } };
    case 'collectInvestigationPackage':
      return { segment: 'collectInvestigationPackage', operation: MDE_OPERATIONS.collectInvestigationPackage, body: { Comment } };
    case 'restrictAppExecution':
      return { segment: 'restrictCodeExecution', operation: MDE_OPERATIONS.restrictAppExecution, body: { Comment } };
    case 'removeAppRestriction':
      return { segment: 'unrestrictCodeExecution', operation: MDE_OPERATIONS.removeAppRestriction, body: { Comment } };
    case 'stopAndQuarantineFile':
      return { segment: 'StopAndQuarantineFile', operation: MDE_OPERATIONS.stopAndQuarantineFile, body: { Comment, Sha1: action.sha1 } };
  }
}

/** The details of a transport error, to rethrow it as a more precise one. */
function detailsOf(error: ApiError): ApiErrorDetails {
  return {
    status: error.status,
    code: error.code,
    requestId: error.requestId,
    clientRequestId: error.clientRequestId,
    retryAfterMs: error.retryAfterMs,
    body: error.body,
    operation: error.operation,
    cause: error,
  };
}

/** The `Limit: n` of the service's capacity message, else the documented 15,000. */
function capOf(message: string): number {
  const match = /Limit:\s*(\d+)/i.exec(message);
  return match ? Number(match[1]) : 15_000;
}

const CAPACITY = /max(imum)? capacity exceeded/i;

/** Rethrows the documented refusals of a device call as typed errors; others as they are. */
function refusal(error: unknown, deviceId: string | undefined): never {
  if (error instanceof NotFoundError && deviceId !== undefined && !(error instanceof DeviceNotFoundError)) {
    throw new DeviceNotFoundError(`${error.operation}: device ${JSON.stringify(deviceId)} was not found (404).`, { ...detailsOf(error), deviceId });
  }
  if (error instanceof ApiError && error.status === 400) {
    const message = error.message;
    if (error.code === 'OsPlatformNotSupported' || error.code === 'ClientVersionNotSupported') {
      throw new UnsupportedDeviceError(`${error.operation}: the device does not support this action (${error.code}). ${message}`, detailsOf(error));
    }
    if (error.code === 'ActiveRequestAlreadyExists' || /already (in progress|running)/i.test(message)) {
      throw new RunningActionRefusal(`${error.operation}: an action of this type is already running on the device. ${message}`, detailsOf(error));
    }
    if (CAPACITY.test(message)) {
      const cap = capOf(message);
      throw new IndicatorLimitError(`${error.operation}: the tenant holds the most active indicators it may (${cap}); delete or let some expire first. ${message}`, { ...detailsOf(error), cap });
    }
  }
  throw error;
}

/** The Defender for Endpoint API (`/api/machines`, `/api/machineactions`, `/api/indicators`). */
export class MdeAdapter implements ResponseActionsAdapter {
  readonly permissionApi = MDE_PERMISSION_API;
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  async #page<S extends z.ZodType, T>(
    path: string,
    filter: readonly string[],
    options: { pageSize: number; signal?: AbortSignal | undefined; skipInvalid: boolean },
    cursor: ListCursor | undefined,
    operation: OperationSpec,
    schema: S,
    map: (wire: z.output<S> & Record<string, unknown>) => T,
    emptyOn404 = false,
  ): Promise<AdapterPage<T>> {
    const skip = cursor?.skip ?? 0;
    const query = new URLSearchParams();
    if (filter.length > 0) query.set('$filter', filter.join(' and '));
    query.set('$top', String(options.pageSize));
    if (skip > 0) query.set('$skip', String(skip));
    let body: unknown;
    try {
      ({ body } = await this.#transport.request({ method: 'GET', path, query, operation, signal: options.signal }));
    } catch (error) {
      // The machine list answers 404 when the tenant has no recent machines (reference §2.1).
      if (emptyOn404 && error instanceof NotFoundError) return { items: [], invalid: [], next: undefined };
      throw error;
    }
    const page = validateOrThrow(listPageSchema, body, operation.name);
    const checked = checkItems(schema, page.value, ['value'], 'id', { operation: operation.name, skipInvalid: options.skipInvalid });
    // Pages carry `$top` items until the last: the service gives no next link with `$top` (reference §2.2).
    const next = page.value.length >= options.pageSize ? { skip: skip + page.value.length } : undefined;
    return { items: checked.valid.map(map), invalid: checked.invalid, next };
  }

  listDevicesPage(filter: DeviceFilter, cursor: ListCursor | undefined): Promise<AdapterPage<Device>> {
    const clauses: string[] = [];
    if (filter.name !== undefined) clauses.push(`computerDnsName eq ${odataString(filter.name)}`);
    if (filter.healthStatus !== undefined) clauses.push(`healthStatus eq ${odataString(filter.healthStatus)}`);
    if (filter.osPlatform !== undefined) clauses.push(`osPlatform eq ${odataString(filter.osPlatform)}`);
    if (filter.riskScore !== undefined) clauses.push(`riskScore eq ${odataString(filter.riskScore)}`);
    return this.#page(MDE_PATHS.machines, clauses, filter, cursor, MDE_OPERATIONS.listDevices, machineSchema, (w) => toDevice(w as MachineWire), true);
  }

  async getDevice(id: string, options: AdapterCallOptions): Promise<Device> {
    try {
      const { body } = await this.#transport.request({ method: 'GET', path: MDE_PATHS.machine(id), operation: MDE_OPERATIONS.getDevice, signal: options.signal });
      return toDevice(validateOrThrow(machineSchema, body, MDE_OPERATIONS.getDevice.name) as MachineWire);
    } catch (error) {
      return refusal(error, id);
    }
  }

  async #devices(path: string, query: URLSearchParams | undefined, options: AdapterCallOptions): Promise<Device[]> {
    const operation = MDE_OPERATIONS.findDevices;
    let body: unknown;
    try {
      ({ body } = await this.#transport.request({ method: 'GET', path, ...(query ? { query } : {}), operation, signal: options.signal }));
    } catch (error) {
      if (error instanceof NotFoundError) return [];
      throw error;
    }
    const page = validateOrThrow(listPageSchema, body, operation.name);
    return checkItems(machineSchema, page.value, ['value'], 'id', { operation: operation.name, skipInvalid: false }).valid.map((w) => toDevice(w as MachineWire));
  }

  findDevicesByIp(ip: string, at: Date, options: AdapterCallOptions): Promise<Device[]> {
    return this.#devices(MDE_PATHS.findByIp(ip, at.toISOString()), undefined, options);
  }

  findDevicesByTag(tag: string, options: AdapterCallOptions): Promise<Device[]> {
    return this.#devices(MDE_PATHS.findByTag, new URLSearchParams({ tag, useStartsWithFilter: 'false' }), options);
  }

  async requestAction(deviceId: string, action: ActionRequest, options: AdapterCallOptions): Promise<DeviceActionFields> {
    const { segment, operation, body } = actionCall(action);
    try {
      const response = await this.#transport.request({ method: 'POST', path: MDE_PATHS.machineAction(deviceId, segment), body, operation, signal: options.signal });
      return toDeviceActionFields(validateOrThrow(machineActionSchema, response.body, operation.name) as MachineActionWire);
    } catch (error) {
      return refusal(error, deviceId);
    }
  }

  listActionsPage(filter: DeviceActionFilter, cursor: ListCursor | undefined): Promise<AdapterPage<DeviceActionFields>> {
    const clauses: string[] = [];
    if (filter.deviceId !== undefined) clauses.push(`machineId eq ${odataString(filter.deviceId)}`);
    const anyOf = (field: string, words: readonly string[]) =>
      words.length === 1 ? `${field} eq ${odataString(words[0] as string)}` : `(${words.map((w) => `${field} eq ${odataString(w)}`).join(' or ')})`;
    if (filter.type?.length) clauses.push(anyOf('type', filter.type.map((t) => ACTION_TYPES[t])));
    if (filter.status?.length) clauses.push(anyOf('status', filter.status.map((s) => ACTION_STATUSES[s])));
    return this.#page(MDE_PATHS.actions, clauses, filter, cursor, MDE_OPERATIONS.listActions, machineActionSchema, (w) => toDeviceActionFields(w as MachineActionWire));
  }

  async getAction(id: string, options: AdapterCallOptions): Promise<DeviceActionFields> {
    const operation = MDE_OPERATIONS.getAction;
    const { body } = await this.#transport.request({ method: 'GET', path: MDE_PATHS.action(id), operation, signal: options.signal });
    return toDeviceActionFields(validateOrThrow(machineActionSchema, body, operation.name) as MachineActionWire);
  }

  async cancelAction(id: string, comment: string, options: AdapterCallOptions): Promise<DeviceActionFields> {
    const operation = MDE_OPERATIONS.cancelAction;
    const { body } = await this.#transport.request({ method: 'POST', path: MDE_PATHS.cancel(id), body: { Comment: comment }, operation, signal: options.signal });
    return toDeviceActionFields(validateOrThrow(machineActionSchema, body, operation.name) as MachineActionWire);
  }

  async packageUri(actionId: string, options: AdapterCallOptions): Promise<string | undefined> {
    const operation = MDE_OPERATIONS.packageUri;
    try {
      const { body } = await this.#transport.request({ method: 'GET', path: MDE_PATHS.packageUri(actionId), operation, signal: options.signal });
      // The doc sample wraps the link in quotes inside the string (reference §3.6).
      return validateOrThrow(packageUriSchema, body, operation.name).value.replace(/^"(.*)"$/s, '$1');
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  listIndicatorsPage(filter: IndicatorFilter, cursor: ListCursor | undefined): Promise<AdapterPage<Indicator>> {
    const clauses: string[] = [];
    if (filter.value !== undefined) clauses.push(`indicatorValue eq ${odataString(filter.value)}`);
    if (filter.type !== undefined) clauses.push(`indicatorType eq ${odataString(indicatorWord(filter.type))}`);
    if (filter.action !== undefined) clauses.push(`action eq ${odataString(indicatorWord(filter.action))}`);
    if (filter.severity !== undefined) clauses.push(`severity eq ${odataString(indicatorWord(filter.severity))}`);
    return this.#page(MDE_PATHS.indicators, clauses, filter, cursor, MDE_OPERATIONS.listIndicators, indicatorSchema, (w) => toIndicator(w as IndicatorWire));
  }

  async submitIndicator(input: IndicatorInput, options: AdapterCallOptions): Promise<Indicator> {
    const operation = MDE_OPERATIONS.submitIndicator;
    try {
      const { body } = await this.#transport.request({ method: 'POST', path: MDE_PATHS.indicators, body: indicatorBody(input), operation, signal: options.signal });
      return toIndicator(validateOrThrow(indicatorSchema, body, operation.name) as IndicatorWire);
    } catch (error) {
      return refusal(error, undefined);
    }
  }

  async importIndicators(inputs: readonly IndicatorInput[], options: AdapterCallOptions): Promise<IndicatorImportResult[]> {
    const operation = MDE_OPERATIONS.importIndicators;
    const { body } = await this.#transport.request({
      method: 'POST',
      path: MDE_PATHS.importIndicators,
      body: { Indicators: inputs.map(indicatorBody) },
      operation,
      signal: options.signal,
    });
    const results = validateOrThrow(importResultListSchema, body, operation.name).value;
    return inputs.map((input, index): IndicatorImportResult => {
      const result = results[index];
      if (!result) return { ok: false, value: input.value, reason: 'The service returned no result for this indicator.' };
      if (result.isFailed || result.id === null || result.id === undefined) return { ok: false, value: input.value, reason: result.failureReason ?? 'failed' };
      return { ok: true, id: String(result.id), value: input.value };
    });
  }

  async deleteIndicator(id: string, options: AdapterCallOptions): Promise<void> {
    await this.#transport.request({ method: 'DELETE', path: MDE_PATHS.indicator(id), operation: MDE_OPERATIONS.deleteIndicator, signal: options.signal });
  }
}
