/**
 * The Defender for Endpoint adapter as the client holds it: a stand-in that loads the real
 * {@link MdeAdapter} (and with it the MDE wire schemas, mappers, paths and operation table) with
 * `import()` on the first device, device-action or indicator call. A program that never calls
 * them never loads that code, and `import('m365-defender')` does not carry it.
 *
 * @packageDocumentation
 */
import type { Transport } from '../../transport/transport.js';
import type { ResponseActionsAdapter } from '../response-adapter.js';
import type { MdeAdapter } from './adapter.js';
import { MDE_PERMISSION_API } from './permission-api.js';

// Each method takes and gives what the interface says: its types are named once, there.
type Api = ResponseActionsAdapter;

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

  /** Runs `call` on the real adapter once it is loaded. */
  async #with<T>(call: (adapter: MdeAdapter) => Promise<T>): Promise<T> {
    return call(await this.#load());
  }

  listDevicesPage(...args: Parameters<Api['listDevicesPage']>): ReturnType<Api['listDevicesPage']> {
    return this.#with((mde) => mde.listDevicesPage(...args));
  }

  getDevice(...args: Parameters<Api['getDevice']>): ReturnType<Api['getDevice']> {
    return this.#with((mde) => mde.getDevice(...args));
  }

  findDevicesByIp(...args: Parameters<Api['findDevicesByIp']>): ReturnType<Api['findDevicesByIp']> {
    return this.#with((mde) => mde.findDevicesByIp(...args));
  }

  findDevicesByTag(...args: Parameters<Api['findDevicesByTag']>): ReturnType<Api['findDevicesByTag']> {
    return this.#with((mde) => mde.findDevicesByTag(...args));
  }

  requestAction(...args: Parameters<Api['requestAction']>): ReturnType<Api['requestAction']> {
    return this.#with((mde) => mde.requestAction(...args));
  }

  listActionsPage(...args: Parameters<Api['listActionsPage']>): ReturnType<Api['listActionsPage']> {
    return this.#with((mde) => mde.listActionsPage(...args));
  }

  getAction(...args: Parameters<Api['getAction']>): ReturnType<Api['getAction']> {
    return this.#with((mde) => mde.getAction(...args));
  }

  cancelAction(...args: Parameters<Api['cancelAction']>): ReturnType<Api['cancelAction']> {
    return this.#with((mde) => mde.cancelAction(...args));
  }

  packageUri(...args: Parameters<Api['packageUri']>): ReturnType<Api['packageUri']> {
    return this.#with((mde) => mde.packageUri(...args));
  }

  listIndicatorsPage(...args: Parameters<Api['listIndicatorsPage']>): ReturnType<Api['listIndicatorsPage']> {
    return this.#with((mde) => mde.listIndicatorsPage(...args));
  }

  submitIndicator(...args: Parameters<Api['submitIndicator']>): ReturnType<Api['submitIndicator']> {
    return this.#with((mde) => mde.submitIndicator(...args));
  }

  importIndicators(...args: Parameters<Api['importIndicators']>): ReturnType<Api['importIndicators']> {
    return this.#with((mde) => mde.importIndicators(...args));
  }

  deleteIndicator(...args: Parameters<Api['deleteIndicator']>): ReturnType<Api['deleteIndicator']> {
    return this.#with((mde) => mde.deleteIndicator(...args));
  }
}
