/**
 * The Defender for Endpoint adapter as the client holds it: a stand-in that loads the real
 * {@link MdeAdapter} (and with it the MDE wire schemas, mappers, paths and operation table) with
 * `import()` on the first device, device-action or indicator call. A program that never calls
 * them never loads that code, and `import('m365-defender')` does not carry it.
 *
 * @packageDocumentation
 */
import type { Device, DeviceActionFields, Indicator, IndicatorInput } from '../../models/device.js';
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
import type { MdeAdapter } from './adapter.js';
import { MDE_PERMISSION_API } from './permission-api.js';

/**
 * The Defender for Endpoint API's {@link ResponseActionsAdapter}, loaded on first use.
 * `permissionApi`, read while a call builds its messages, answers without loading anything;
 * each call loads the {@link MdeAdapter} once (shared by concurrent first calls) and delegates.
 */
export class LazyMdeAdapter implements ResponseActionsAdapter {
  readonly permissionApi = MDE_PERMISSION_API;
  readonly #transport: Transport | (() => Error);
  #adapter: Promise<MdeAdapter> | undefined;

  /**
   * @param transport - the API's transport; or, when the client may not call the API, the error
   *   each call rejects with (nothing is loaded or sent).
   */
  constructor(transport: Transport | (() => Error)) {
    this.#transport = transport;
  }

  /** The real adapter, loaded once; a failed load is tried again on the next call. */
  #load(): Promise<MdeAdapter> {
    const transport = this.#transport;
    if (typeof transport === 'function') return Promise.reject(transport());
    this.#adapter ??= import('./adapter.js').then(
      ({ MdeAdapter }) => new MdeAdapter(transport),
      (error: unknown) => {
        this.#adapter = undefined;
        throw error;
      },
    );
    return this.#adapter;
  }

  async listDevicesPage(filter: DeviceFilter, cursor: ListCursor | undefined): Promise<AdapterPage<Device>> {
    return (await this.#load()).listDevicesPage(filter, cursor);
  }

  async getDevice(id: string, options: AdapterCallOptions): Promise<Device> {
    return (await this.#load()).getDevice(id, options);
  }

  async findDevicesByIp(ip: string, at: Date, options: AdapterCallOptions): Promise<Device[]> {
    return (await this.#load()).findDevicesByIp(ip, at, options);
  }

  async findDevicesByTag(tag: string, options: AdapterCallOptions): Promise<Device[]> {
    return (await this.#load()).findDevicesByTag(tag, options);
  }

  async requestAction(deviceId: string, action: ActionRequest, options: AdapterCallOptions): Promise<DeviceActionFields> {
    return (await this.#load()).requestAction(deviceId, action, options);
  }

  async listActionsPage(filter: DeviceActionFilter, cursor: ListCursor | undefined): Promise<AdapterPage<DeviceActionFields>> {
    return (await this.#load()).listActionsPage(filter, cursor);
  }

  async getAction(id: string, options: AdapterCallOptions): Promise<DeviceActionFields> {
    return (await this.#load()).getAction(id, options);
  }

  async cancelAction(id: string, comment: string, options: AdapterCallOptions): Promise<DeviceActionFields> {
    return (await this.#load()).cancelAction(id, comment, options);
  }

  async packageUri(actionId: string, options: AdapterCallOptions): Promise<string | undefined> {
    return (await this.#load()).packageUri(actionId, options);
  }

  async listIndicatorsPage(filter: IndicatorFilter, cursor: ListCursor | undefined): Promise<AdapterPage<Indicator>> {
    return (await this.#load()).listIndicatorsPage(filter, cursor);
  }

  async submitIndicator(input: IndicatorInput, options: AdapterCallOptions): Promise<Indicator> {
    return (await this.#load()).submitIndicator(input, options);
  }

  async importIndicators(inputs: readonly IndicatorInput[], options: AdapterCallOptions): Promise<IndicatorImportResult[]> {
    return (await this.#load()).importIndicators(inputs, options);
  }

  async deleteIndicator(id: string, options: AdapterCallOptions): Promise<void> {
    return (await this.#load()).deleteIndicator(id, options);
  }
}
