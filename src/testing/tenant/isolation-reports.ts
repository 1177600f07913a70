/*
 * Isolation in advanced hunting: a device reports at once when its state changes (Learn's DeviceInfo
 * page: "every time a change happens"), so each isolate or release that succeeded adds a DeviceInfo
 * row at the action's completion time, before the next hunting query runs.
 */
import { deviceInfoRow } from '../data/device-info.js';
import type { Directory } from '../data/directory.js';

/** Adds the DeviceInfo rows of finished isolations to the tenant's tables, once per action. */
export class IsolationReports {
  readonly #directory: Directory;
  readonly #reported = new Set<string>();

  constructor(directory: Directory) {
    this.#directory = directory;
  }

  /** Appends a row for every `Isolate`/`Unisolate` of `actions` (wire views) that succeeded and has none yet. */
  sync(tables: Record<string, Record<string, unknown>[]>, actions: readonly Record<string, unknown>[]): void {
    // Tables the caller supplied without DeviceInfo stay as given.
    const rows = tables['DeviceInfo'];
    if (!rows) return;
    for (const action of actions) {
      const id = String(action['id']);
      if (action['status'] !== 'Succeeded' || (action['type'] !== 'Isolate' && action['type'] !== 'Unisolate') || this.#reported.has(id)) continue;
      const device = this.#directory.devices.find((d) => d.deviceId === action['machineId']);
      if (!device) continue;
      this.#reported.add(id);
      rows.push(deviceInfoRow(this.#directory, device, Date.parse(String(action['lastUpdateDateTimeUtc'])), rows.length + 1, action['type'] === 'Isolate'));
    }
  }

  /** Forgets what was reported (the tables were regenerated). */
  clear(): void {
    this.#reported.clear();
  }
}
