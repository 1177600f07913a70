/**
 * The state a change feed keeps between runs, and its checkpoint string: the watermark (the
 * latest position delivered), the floor (the feed's `start`), the settled time (versions older
 * than it were delivered by a complete poll) and the boundary set (a short hash of every (id,
 * version) delivered within the overlap window, with its position; for an alert read through its
 * incident, also its version, kept until settled). Nothing else: the checkpoint stays small
 * however long the feed runs.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { CheckpointError } from '../errors.js';
import type { WireApiName } from '../types.js';

/** What a feed reads: its kind and API are written into its checkpoint and checked on resume. */
export interface FeedIdentity {
  /** `incidents` or `alerts`. */
  feed: 'incidents' | 'alerts';
  /** The wire API the client uses. */
  api: WireApiName;
}

/** The feed's place. Positions are milliseconds since the epoch. */
export interface SyncState {
  /** The latest position of a committed item; reading resumes `overlapMs` before it. */
  watermark: number;
  /** The feed's `start`: nothing older is delivered. */
  floor: number;
  /**
   * Where the last complete poll began: a version older than this was delivered (or replaced).
   * It rises only when a poll completes, so that a crash mid-poll never makes an undelivered
   * alert (read through an incident that changed again) look old.
   */
  settled: number;
  /**
   * Hash of (id, version) → where it was read, for every committed item positioned at or after
   * `watermark - overlapMs`, and every alert read through its incident whose version is not settled.
   */
  seen: Map<string, SeenVersion>;
}

/** Where a committed version was read; for an item that can be read again at a later position (an alert through its incident), its version too. */
export interface SeenVersion {
  position: number;
  version?: number;
}

const FORMAT = 'm365d.sync';
const FORMAT_VERSION = 1;

/** The boundary-set key of one version of one item: 72 bits of SHA-256 of the id and version. */
export function versionKey(id: string, version: number): string {
  return createHash('sha256').update(`${id}\u0000${version}`).digest('base64url').slice(0, 12);
}

/** Writes the state as the checkpoint string. */
export function encodeCheckpoint(state: SyncState, identity: FeedIdentity): string {
  const seen: Record<string, string[]> = {};
  for (const [key, { position, version }] of state.seen) (seen[position] ??= []).push(version === undefined ? key : `${key}~${version}`);
  return JSON.stringify({ format: FORMAT, v: FORMAT_VERSION, feed: identity.feed, api: identity.api, w: state.watermark, floor: state.floor, s: state.settled, seen });
}

/** Reads a checkpoint string this SDK wrote for the same feed and API; anything else is a CheckpointError. */
export function decodeCheckpoint(value: string, identity: FeedIdentity, key: string): SyncState {
  const refuse = (problem: string) =>
    new CheckpointError(`Checkpoint "${key}" ${problem}. Use another key for this feed, or remove the checkpoint to start again from start.`, { key });
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw refuse('is not a change-feed checkpoint of this SDK (not JSON)');
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.format !== FORMAT) throw refuse('is not a change-feed checkpoint of this SDK');
  if (parsed.v !== FORMAT_VERSION) throw refuse(`has format version ${String(parsed.v)}; this release reads version ${FORMAT_VERSION}`);
  if (parsed.feed !== identity.feed || parsed.api !== identity.api) {
    throw refuse(`belongs to the ${String(parsed.feed)} feed on api '${String(parsed.api)}', not the ${identity.feed} feed on api '${identity.api}'`);
  }
  const { w, floor, s, seen } = parsed;
  if (!Number.isSafeInteger(w) || !Number.isSafeInteger(floor) || (s !== undefined && !Number.isSafeInteger(s)) || typeof seen !== 'object' || seen === null || Array.isArray(seen)) {
    throw refuse('is corrupt (watermark, floor or boundary set missing)');
  }
  const state: SyncState = { watermark: w as number, floor: floor as number, settled: (s as number | undefined) ?? (floor as number), seen: new Map() };
  for (const [position, keys] of Object.entries(seen)) {
    if (!/^-?\d+$/.test(position) || !Array.isArray(keys) || !keys.every((k) => typeof k === 'string' && /^[\w-]+(~-?\d+)?$/.test(k))) throw refuse('is corrupt (boundary set)');
    for (const entry of keys as string[]) {
      const [key, version] = entry.split('~') as [string, string | undefined];
      state.seen.set(key, version === undefined ? { position: Number(position) } : { position: Number(position), version: Number(version) });
    }
  }
  return state;
}
