import type { ListCursor } from '../apis/adapter.js';
import type { ResponseActionsAdapter } from '../apis/response-adapter.js';
import { checkCallOptions, checkId, checkOptionsObject, checkSignal, describe } from '../checks.js';
import { ApiError, DefenderError, InvalidArgumentError, TimeoutError, UnsupportedOperationError, type ApiErrorDetails } from '../errors.js';
import {
  FINAL_DEVICE_ACTION_STATUSES,
  type DeviceActionFields,
  type DeviceActionStatus,
  type DeviceActionType,
} from '../models/device.js';
import { DEVICE_TEXT_LIMITS, checkText, validateDeviceActionListOptions, type DeviceActionListOptions } from '../models/device-options.js';
import { listingKey, pagedList, type PagedList } from '../pagination.js';
import { sleep } from '../sleep.js';

/** Options of {@link DeviceAction.wait}. */
export interface DeviceActionWaitOptions {
  /** Give up after this many milliseconds (default 600,000: ten minutes) with a `TimeoutError`. */
  timeoutMs?: number;
  /** Aborts the wait; it rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * The first wait between polls, in milliseconds (default 5,000); each next one is 1.5 times
   * longer, up to 60,000. Polls also count against the `machineActions` quota (100 a minute).
   */
  intervalMs?: number;
}

/** Options of {@link DeviceAction.packageUri}. */
export interface PackageUriOptions {
  /** Give up after this many milliseconds of 404s (default 300,000) with a `TimeoutError`. */
  timeoutMs?: number;
  /** Aborts the wait. */
  signal?: AbortSignal;
  /** The first wait between tries while the service answers 404, in milliseconds (default 30,000: the link allows 2 calls a minute). */
  intervalMs?: number;
}

/** Options of a single device-action call. */
export interface DeviceActionCallOptions {
  /** Aborts the call. */
  signal?: AbortSignal;
}

/** Options of `deviceActions.cancel`. */
export interface DeviceActionCancelOptions extends DeviceActionCallOptions {
  /** Why it is cancelled (required by the service). */
  comment: string;
}

/**
 * A device action ended `failed`, `timedOut` or `cancelled`: thrown by {@link DeviceAction.wait},
 * carrying the final action.
 */
export class ActionFailedError extends DefenderError {
  override name = 'ActionFailedError';
  /** The action as the service last reported it. */
  readonly action: DeviceAction;
  constructor(action: DeviceAction) {
    const hresult = action.error?.hresult;
    super(`Device action ${action.id} (${action.type} on ${action.deviceName ?? action.deviceId}) ended ${action.status}${hresult ? ` (HRESULT ${hresult})` : ''}.`);
    this.action = action;
  }
}

/** Details of an {@link ActionInProgressError}. */
export interface ActionInProgressErrorDetails extends ApiErrorDetails {
  /** The pending action of the type asked for, when the SDK knows it. */
  pendingAction?: DeviceAction | undefined;
}

/**
 * An action of the type asked for is already pending on the device and does something else (a
 * quarantine of another file, another isolation or scan scope), or the SDK could not read it:
 * the service refused the request (400 `ActiveRequestAlreadyExists`), or answered it with that
 * pending action (`status` 201), which the SDK does not pass off as the one asked for. Wait for
 * `pendingAction` to end, then ask again.
 */
export class ActionInProgressError extends ApiError {
  override name = 'ActionInProgressError';
  /** The pending action of that type, when the SDK knows it (it needs `Machine.Read.All` after a 400). */
  readonly pendingAction: DeviceAction | undefined;
  constructor(message: string, details: ActionInProgressErrorDetails) {
    super(message, details);
    this.pendingAction = details.pendingAction;
  }
}

const MAX_POLL_MS = 60_000;

function checkMs(value: unknown, option: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 86_400_000) {
    throw new InvalidArgumentError(option, `${option} must be an integer number of milliseconds from ${min} to 86,400,000; got ${describe(value)}.`);
  }
  return value;
}

/**
 * A device response action (isolate, release, scan, …), a long-running operation on the device.
 * The fields are the service's report when this object was made; `wait()` polls for the final
 * one. `reused` is `true` when the SDK returned an action of the same type already pending on the
 * device instead of asking for a second one.
 */
export class DeviceAction implements DeviceActionFields {
  /** Action id (a GUID). */
  readonly id: string;
  /** What it does. */
  readonly type: DeviceActionType;
  /** Where it stood when this object was made. */
  readonly status: DeviceActionStatus;
  /** Isolation `Full`/`Selective`, scan `Quick`/`Full`; else `null`. */
  readonly scope: string | null;
  /** The device's id. */
  readonly deviceId: string;
  /** The device's DNS name. */
  readonly deviceName: string | null;
  /** Who asked. */
  readonly requestor: string | null;
  /** The requestor's comment. */
  readonly comment: string | null;
  /** When it was asked for. */
  readonly createdDateTime: Date;
  /** When its status last changed. */
  readonly lastUpdateDateTime: Date | null;
  /** Who cancelled it, why and when; `null` unless cancelled. */
  readonly cancellation: DeviceActionFields['cancellation'];
  /** The HRESULT of a failed or timed-out action; `null` otherwise. */
  readonly error: DeviceActionFields['error'];
  /** The SHA-1 of a stop-and-quarantine action's file. */
  readonly fileSha1: string | null;
  /** The wire object as sent. */
  readonly raw: Record<string, unknown>;
  /** Whether this is an action that was already pending on the device, returned instead of a new one. */
  readonly reused: boolean;
  readonly #api: ResponseActionsAdapter;

  /** @internal */
  constructor(fields: DeviceActionFields, api: ResponseActionsAdapter, reused = false) {
    this.id = fields.id;
    this.type = fields.type;
    this.status = fields.status;
    this.scope = fields.scope;
    this.deviceId = fields.deviceId;
    this.deviceName = fields.deviceName;
    this.requestor = fields.requestor;
    this.comment = fields.comment;
    this.createdDateTime = fields.createdDateTime;
    this.lastUpdateDateTime = fields.lastUpdateDateTime;
    this.cancellation = fields.cancellation;
    this.error = fields.error;
    this.fileSha1 = fields.fileSha1;
    this.raw = fields.raw;
    this.reused = reused;
    this.#api = api;
  }

  /** Whether the action has reached a final status (succeeded, failed, timed out, cancelled). */
  get done(): boolean {
    return FINAL_DEVICE_ACTION_STATUSES.includes(this.status);
  }

  /**
   * Polls the action until it is final, with back-off (from `intervalMs`, 1.5 times longer each
   * poll, at most a minute) inside the `machineActions` quota. Resolves with the succeeded action.
   *
   * @example
   * ```ts
   * const done = await action.wait({ timeoutMs: 10 * 60_000, signal });
   * ```
   * @throws ActionFailedError carrying the action when it ends failed, timed out or cancelled.
   * @throws TimeoutError when it is not final after `timeoutMs` (the action goes on on the device).
   * @throws InvalidArgumentError (synchronously checked, rejected) for a bad option.
   */
  async wait(options?: DeviceActionWaitOptions): Promise<DeviceAction> {
    const o = checkOptionsObject(options, ['timeoutMs', 'signal', 'intervalMs'], 'wait');
    const timeoutMs = checkMs(o.timeoutMs, 'timeoutMs', 600_000, 1);
    const signal = checkSignal(o.signal);
    let interval = checkMs(o.intervalMs, 'intervalMs', 5_000, 1);
    const deadline = Date.now() + timeoutMs;
    let current: DeviceAction = this;
    for (;;) {
      if (current.done) {
        if (current.status === 'succeeded') return current;
        throw new ActionFailedError(current);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new TimeoutError(`deviceActions.wait: action ${this.id} (${this.type}) is still ${current.status} after ${timeoutMs} ms; it goes on on the device.`, {
          timeoutMs,
          operation: 'deviceActions.wait',
        });
      }
      await sleep(Math.min(interval, left), signal);
      interval = Math.min(Math.ceil(interval * 1.5), MAX_POLL_MS);
      current = new DeviceAction(await this.#api.getAction(this.id, { signal }), this.#api, this.reused);
    }
  }

  /**
   * The short-lived download link of an investigation package (a `collectInvestigationPackage`
   * action): use it at once. The service answers 404 until the collection has finished; the SDK
   * tries again (within the link's 2 calls a minute) until `timeoutMs`.
   *
   * @throws UnsupportedOperationError for an action of another type.
   * @throws TimeoutError when the link is still not there after `timeoutMs`.
   */
  async packageUri(options?: PackageUriOptions): Promise<string> {
    const o = checkOptionsObject(options, ['timeoutMs', 'signal', 'intervalMs'], 'packageUri');
    const timeoutMs = checkMs(o.timeoutMs, 'timeoutMs', 300_000, 1);
    const signal = checkSignal(o.signal);
    let interval = checkMs(o.intervalMs, 'intervalMs', 30_000, 1);
    if (this.type !== 'collectInvestigationPackage') {
      throw new UnsupportedOperationError(`deviceActions.packageUri: action ${this.id} is a ${this.type} action; only a collectInvestigationPackage action has a package.`, {
        operation: 'deviceActions.packageUri',
        api: this.#api.permissionApi,
      });
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const uri = await this.#api.packageUri(this.id, { signal });
      if (uri !== undefined) return uri;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new TimeoutError(`deviceActions.packageUri: the package of action ${this.id} is still not available after ${timeoutMs} ms.`, {
          timeoutMs,
          operation: 'deviceActions.packageUri',
        });
      }
      await sleep(Math.min(interval, left), signal);
      interval = Math.min(Math.ceil(interval * 1.5), MAX_POLL_MS);
    }
  }
}

/** Device actions already asked for: list, get, cancel. Reached as `client.deviceActions`. */
export class DeviceActions {
  readonly #api: ResponseActionsAdapter;

  /** @internal */
  constructor(api: ResponseActionsAdapter) {
    this.#api = api;
  }

  /**
   * Lists device actions, filtered by device, status and type.
   *
   * @example
   * ```ts
   * for await (const action of client.deviceActions.list({ deviceId, status: ['pending', 'inProgress'] })) {
   *   console.log(action.id, action.type, action.status);
   * }
   * ```
   * @throws InvalidArgumentError (synchronously) for a bad option.
   */
  list(options: DeviceActionListOptions = {}): PagedList<DeviceAction> {
    const valid = validateDeviceActionListOptions(options);
    const filter = { ...valid, skipInvalid: valid.onInvalidItem !== undefined };
    return pagedList<DeviceAction, ListCursor>({
      fetchPage: async (cursor) => {
        const page = await this.#api.listActionsPage(filter, cursor);
        for (const problem of page.invalid) await valid.onInvalidItem?.(problem);
        return { items: page.items.map((fields) => new DeviceAction(fields, this.#api)), next: page.next };
      },
      isCursor: (value): value is ListCursor => typeof value === 'object' && value !== null && typeof (value as ListCursor).skip === 'number',
      idOf: (action) => action.id,
      operation: 'deviceActions.list',
      listing: listingKey('deviceActions.list', 'mde', { ...valid, onInvalidItem: undefined }),
    });
  }

  /**
   * Gets one action as it stands now.
   * @throws NotFoundError when there is no such action.
   */
  async get(id: string, options?: DeviceActionCallOptions): Promise<DeviceAction> {
    const checked = checkId(id, 'device action');
    checkCallOptions(options, ['signal'], 'deviceActions.get');
    return new DeviceAction(await this.#api.getAction(checked, { signal: options?.signal }), this.#api);
  }

  /**
   * Cancels an action that is not final yet, and returns it.
   * @throws ApiError (400) when it is already final; NotFoundError when there is no such action.
   */
  async cancel(id: string, options: DeviceActionCancelOptions): Promise<DeviceAction> {
    const checked = checkId(id, 'device action');
    checkCallOptions(options, ['signal', 'comment'], 'deviceActions.cancel');
    const comment = checkText(options?.comment, 'comment', { required: true, max: DEVICE_TEXT_LIMITS.comment }) as string;
    return new DeviceAction(await this.#api.cancelAction(checked, comment, { signal: options.signal }), this.#api);
  }
}
