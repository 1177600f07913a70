import type { ListCursor } from '../apis/adapter.js';
import { RunningActionRefusal, type ActionRequest, type ResponseActionsAdapter } from '../apis/response-adapter.js';
import { checkCallOptions, checkId, checkOptionsObject, describe, isPlainObject } from '../checks.js';
import { DeviceNotFoundError, InvalidArgumentError, PermissionError } from '../errors.js';
import type { Device, DeviceActionFields } from '../models/device.js';
import { DEVICE_TEXT_LIMITS, checkText, validateDeviceListOptions, type DeviceListOptions, type DeviceQuery } from '../models/device-options.js';
import { listingKey, pagedList, type PagedList } from '../pagination.js';
import { ActionInProgressError, DeviceAction } from './device-actions.js';
import { SharedRequest } from './shared-request.js';

/** Options of a single device call. */
export interface DeviceCallOptions {
  /** Aborts the call. */
  signal?: AbortSignal;
}

/** Options of an action on a device: why (required by the service, shown in the portal's action center). */
export interface DeviceActionOptions extends DeviceCallOptions {
  /** Why the action is taken, e.g. `INC-1234: beaconing`. */
  comment: string;
}

/** Options of `devices.isolate`. */
export interface IsolateOptions extends DeviceActionOptions {
  /**
   * `full` (default): the device talks only to Defender. `selective`: Outlook, Teams and Skype
   * keep working; Windows 10 1709+ and macOS only (else `UnsupportedDeviceError`).
   */
  type?: 'full' | 'selective';
}

/** Options of `devices.runAntivirusScan`. */
export interface AntivirusScanOptions extends DeviceActionOptions {
  /** `quick` (default) or `full`. */
  type?: 'quick' | 'full';
}

/** Options of `devices.stopAndQuarantineFile`. */
export interface StopAndQuarantineOptions extends DeviceActionOptions {
  /** The file's SHA-1 (40 hex digits): the service takes no other hash. */
  sha1: string;
}

const IP = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$|^[0-9a-f:]+$/i;

/**
 * Devices onboarded to Defender for Endpoint, and the response actions on them. Reached as
 * `client.devices`, on the Defender for Endpoint API whatever `api` the client uses for incidents
 * (its own permissions, `WindowsDefenderATP`, and token audience).
 *
 * Actions are idempotent on purpose: asking for an action while one of the same type is pending
 * on the device returns the pending one with `reused: true`, instead of a second one or the
 * service's 400. A pending one that does something else (another file, another isolation or scan
 * scope) is never returned as the one asked for: that is an `ActionInProgressError` carrying it.
 */
export class Devices {
  readonly #api: ResponseActionsAdapter;
  /** Action requests in flight in this client, by device and type: concurrent asks share one. */
  readonly #inFlight = new Map<string, SharedRequest<DeviceActionFields>>();

  /** @internal */
  constructor(api: ResponseActionsAdapter) {
    this.#api = api;
  }

  /**
   * Lists devices, filtered by exact DNS name, health, OS platform or risk score.
   * @throws InvalidArgumentError (synchronously) for a bad option.
   */
  list(options: DeviceListOptions = {}): PagedList<Device> {
    const valid = validateDeviceListOptions(options);
    const filter = { ...valid, skipInvalid: valid.onInvalidItem !== undefined };
    return pagedList<Device, ListCursor>({
      fetchPage: async (cursor) => {
        const page = await this.#api.listDevicesPage(filter, cursor);
        for (const problem of page.invalid) await valid.onInvalidItem?.(problem);
        return { items: page.items, next: page.next };
      },
      isCursor: (value): value is ListCursor => typeof value === 'object' && value !== null && typeof (value as ListCursor).skip === 'number',
      idOf: (device) => device.id,
      operation: 'devices.list',
      listing: listingKey('devices.list', 'mde', { ...valid, onInvalidItem: undefined }),
    });
  }

  /**
   * Gets one device by id.
   * @throws DeviceNotFoundError when there is none.
   */
  async get(id: string, options?: DeviceCallOptions): Promise<Device> {
    const checked = checkId(id, 'device');
    checkCallOptions(options, ['signal'], 'devices.get');
    return this.#api.getDevice(checked, { signal: options?.signal });
  }

  /**
   * Finds one device by exact DNS name, by internal IP address at a time (`at`, default now,
   * within the last 30 days; the service matches 15 minutes either side), or by tag. When several
   * match (a re-onboarded device keeps its old record), the one seen last.
   *
   * @example
   * ```ts
   * const device = await client.devices.find({ name: 'ws-0042.contoso.com' });
   * ```
   * @throws DeviceNotFoundError when none matches.
   */
  async find(query: DeviceQuery, options?: DeviceCallOptions): Promise<Device> {
    if (!isPlainObject(query)) throw new InvalidArgumentError('query', `devices.find needs { name }, { ip, at? } or { tag }; got ${describe(query)}.`);
    checkOptionsObject(query, ['name', 'ip', 'at', 'tag'], 'devices.find', 'query');
    checkCallOptions(options, ['signal'], 'devices.find');
    const q = query as Record<string, unknown>;
    const given = ['name', 'ip', 'tag'].filter((key) => q[key] !== undefined);
    if (given.length !== 1) {
      throw new InvalidArgumentError('query', `devices.find needs exactly one of name, ip or tag; got ${given.length === 0 ? 'none' : given.join(' and ')}.`);
    }
    const signal = options?.signal;
    let devices: Device[];
    let what: string;
    if (q.name !== undefined) {
      const name = checkText(q.name, 'name', { max: DEVICE_TEXT_LIMITS.name }) as string;
      what = `named ${JSON.stringify(name)}`;
      devices = await this.list({ name, pageSize: 100, ...(signal ? { signal } : {}) }).toArray({ limit: 100 });
    } else if (q.ip !== undefined) {
      if (typeof q.ip !== 'string' || !IP.test(q.ip)) throw new InvalidArgumentError('ip', `ip must be an IPv4 or IPv6 address; got ${describe(q.ip)}.`);
      const at = q.at ?? new Date();
      if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new InvalidArgumentError('at', `at must be a valid Date; got ${describe(q.at)}.`);
      what = `with IP ${q.ip} at ${at.toISOString()}`;
      devices = await this.#api.findDevicesByIp(q.ip, at, { signal });
    } else {
      const tag = checkText(q.tag, 'tag', { max: DEVICE_TEXT_LIMITS.tag }) as string;
      what = `tagged ${JSON.stringify(tag)}`;
      devices = await this.#api.findDevicesByTag(tag, { signal });
    }
    const latest = devices.reduce<Device | undefined>((best, d) => (!best || (d.lastSeen?.getTime() ?? 0) > (best.lastSeen?.getTime() ?? 0) ? d : best), undefined);
    if (!latest) {
      throw new DeviceNotFoundError(`devices.find: no device ${what}.`, { status: 404, operation: 'devices.find', deviceId: String(q.name ?? q.ip ?? q.tag) });
    }
    return latest;
  }

  /**
   * Isolates a device from the network (`full`, the default, or `selective`). Release it with
   * {@link Devices.release}.
   *
   * @example
   * ```ts
   * const action = await client.devices.isolate(device.id, { comment: 'INC-1234: beaconing', type: 'full' });
   * await action.wait({ timeoutMs: 10 * 60_000 });
   * ```
   * @throws DeviceNotFoundError, UnsupportedDeviceError (selective on an OS without it),
   *   PermissionError naming `Machine.Isolate`.
   */
  async isolate(deviceId: string, options: IsolateOptions): Promise<DeviceAction> {
    const type = options?.type ?? 'full';
    if (type !== 'full' && type !== 'selective') throw new InvalidArgumentError('type', `type must be 'full' or 'selective'; got ${describe(type)}.`);
    return this.#act('devices.isolate', deviceId, options, ['type'], (comment) => ({ type: 'isolate', comment, isolation: type }));
  }

  /** Releases a device from isolation. Needs `Machine.Isolate`. */
  release(deviceId: string, options: DeviceActionOptions): Promise<DeviceAction> {
    return this.#act('devices.release', deviceId, options, [], (comment) => ({ type: 'release', comment }));
  }

  /** Runs a Microsoft Defender Antivirus scan (`quick` by default, or `full`). Needs `Machine.Scan`. */
  async runAntivirusScan(deviceId: string, options: AntivirusScanOptions): Promise<DeviceAction> {
    const type = options?.type ?? 'quick';
    if (type !== 'quick' && type !== 'full') throw new InvalidArgumentError('type', `type must be 'quick' or 'full'; got ${describe(type)}.`);
    return this.#act('devices.runAntivirusScan', deviceId, options, ['type'], (comment) => ({ type: 'runAntivirusScan', comment, scan: type }));
  }

  /**
   * Collects an investigation package; once the action has succeeded, `packageUri()` gives its
   * download link. Needs `Machine.CollectForensics` (and `Machine.Read.All` for the link).
   */
  collectInvestigationPackage(deviceId: string, options: DeviceActionOptions): Promise<DeviceAction> {
    return this.#act('devices.collectInvestigationPackage', deviceId, options, [], (comment) => ({ type: 'collectInvestigationPackage', comment }));
  }

  /** Lets only Microsoft-signed programs run on the device. Needs `Machine.RestrictExecution`. */
  restrictAppExecution(deviceId: string, options: DeviceActionOptions): Promise<DeviceAction> {
    return this.#act('devices.restrictAppExecution', deviceId, options, [], (comment) => ({ type: 'restrictAppExecution', comment }));
  }

  /** Lifts the restriction of {@link Devices.restrictAppExecution}. Needs `Machine.RestrictExecution`. */
  removeAppRestriction(deviceId: string, options: DeviceActionOptions): Promise<DeviceAction> {
    return this.#act('devices.removeAppRestriction', deviceId, options, [], (comment) => ({ type: 'removeAppRestriction', comment }));
  }

  /** Stops a file's processes on the device and quarantines it, by SHA-1. Needs `Machine.StopAndQuarantine`. */
  async stopAndQuarantineFile(deviceId: string, options: StopAndQuarantineOptions): Promise<DeviceAction> {
    const sha1 = options?.sha1;
    if (typeof sha1 !== 'string' || !/^[0-9a-f]{40}$/i.test(sha1)) {
      throw new InvalidArgumentError('sha1', `sha1 must be a SHA-1 hash (40 hex digits); got ${describe(sha1)}.`);
    }
    return this.#act('devices.stopAndQuarantineFile', deviceId, options, ['sha1'], (comment) => ({ type: 'stopAndQuarantineFile', comment, sha1 }));
  }

  /** Checks the call, then asks for the action unless one of its type is pending on the device. */
  async #act(call: string, deviceId: string, options: DeviceActionOptions, extra: readonly string[], request: (comment: string) => ActionRequest): Promise<DeviceAction> {
    const id = checkId(deviceId, 'device');
    checkCallOptions(options, ['signal', 'comment', ...extra], call);
    const comment = checkText(options?.comment, 'comment', { required: true, max: DEVICE_TEXT_LIMITS.comment }) as string;
    const action = request(comment);
    const key = `${id.toLowerCase()}\u0000${action.type}\u0000${variantOf(action)}`;
    options.signal?.throwIfAborted();
    const joined = this.#inFlight.get(key);
    // A request every earlier caller abandoned is not joined: this call asks afresh.
    if (joined && !joined.signal.aborted) return new DeviceAction(await joined.join(options.signal), this.#api, true);
    // The request is shared by every concurrent caller asking the same of the same device: it runs
    // on a signal of its own, abandoned only once every caller waiting for it has aborted.
    const shared = new SharedRequest<DeviceActionFields>();
    let reused = false;
    const signal = shared.signal;
    shared.start(async () => {
      const pending = await this.#pending(id, action, signal);
      const same = pending.find((p) => doesWhatIsAsked(p, action));
      if (same) {
        reused = true;
        return same;
      }
      let answer: DeviceActionFields;
      try {
        answer = await this.#api.requestAction(id, action, { signal });
      } catch (error) {
        // The service refused a repeat (400): return the action it is already running (reference §3.4).
        if (!(error instanceof RunningActionRefusal)) throw error;
        const running = await this.#pending(id, action, signal);
        const found = running.find((p) => doesWhatIsAsked(p, action));
        if (found) {
          reused = true;
          return found;
        }
        throw new ActionInProgressError(error.message, { ...error.details, pendingAction: running[0] && new DeviceAction(running[0], this.#api) });
      }
      // Within a minute of the first, the service answers a repeat with the pending action (201), whatever file or scope was asked.
      if (contradicts(answer, action)) {
        throw new ActionInProgressError(
          `${call}: the service answered with action ${answer.id} (${answer.type}, ${variantWords(answer)}), already pending on the device, ` +
            `instead of starting one for ${requestWords(action)}; nothing new was started. Wait for error.pendingAction to end, then ask again.`,
          { status: 201, operation: call, pendingAction: new DeviceAction(answer, this.#api) },
        );
      }
      return answer;
    });
    this.#inFlight.set(key, shared);
    shared.settled.then(() => {
      if (this.#inFlight.get(key) === shared) this.#inFlight.delete(key);
    });
    const fields = await shared.join(options.signal);
    return new DeviceAction(fields, this.#api, reused);
  }

  /** The actions of `action`'s type pending on the device; none when the app may not read actions. */
  async #pending(deviceId: string, action: ActionRequest, signal: AbortSignal | undefined): Promise<DeviceActionFields[]> {
    try {
      const page = await this.#api.listActionsPage(
        { deviceId, type: [action.type], status: ['pending', 'inProgress'], pageSize: 10, signal, skipInvalid: true },
        undefined,
      );
      return page.items;
    } catch (error) {
      // An app with only the action's permission cannot read actions (Machine.Read.All): just ask.
      if (error instanceof PermissionError) return [];
      throw error;
    }
  }
}

/** Whether `reported` does what `action` asks: a quarantine of another file, or a quick scan for a full one, does not. */
function doesWhatIsAsked(reported: DeviceActionFields, action: ActionRequest): boolean {
  return reported.type === action.type && pendingVariantOf(reported) === variantOf(action);
}

/**
 * Whether the service's answer to a request is another action: another type, or a scope or file it
 * reports that differs from the one asked. An answer that leaves them out (`null`) is not held
 * against the request: the service may omit them from a new action it started.
 */
function contradicts(answer: DeviceActionFields, action: ActionRequest): boolean {
  if (answer.type !== action.type) return true;
  const reported = pendingVariantOf(answer);
  return reported !== '' && reported !== variantOf(action);
}

/** The scope or file of a reported action, for messages. */
function variantWords(reported: DeviceActionFields): string {
  if (reported.type === 'stopAndQuarantineFile') return `file ${reported.fileSha1 ?? '(none given)'}`;
  return reported.scope === null ? 'no scope' : `scope ${reported.scope}`;
}

/** The scope or file asked for, for messages. */
function requestWords(action: ActionRequest): string {
  if (action.type === 'stopAndQuarantineFile') return `file ${action.sha1}`;
  const variant = variantOf(action);
  return variant === '' ? action.type : `scope ${variant}`;
}

/** What distinguishes two actions of one type: the isolation or scan scope, or the file; '' for the others. */
function variantOf(action: ActionRequest): string {
  if (action.type === 'isolate') return action.isolation;
  if (action.type === 'runAntivirusScan') return action.scan;
  if (action.type === 'stopAndQuarantineFile') return action.sha1.toLowerCase();
  return '';
}

/** {@link variantOf} of an action the service reports (`scope` `Full`/`Selective`/`Quick`, `fileSha1`). */
function pendingVariantOf(pending: DeviceActionFields): string {
  if (pending.type === 'isolate' || pending.type === 'runAntivirusScan') return (pending.scope ?? '').toLowerCase();
  if (pending.type === 'stopAndQuarantineFile') return (pending.fileSha1 ?? '').toLowerCase();
  return '';
}
