/**
 * Who may advance a shared checkpoint: a {@link Lease} held by one worker at a time, for a time,
 * with a fencing number that grows on every acquisition so that a store can refuse the writes of
 * a worker that lost it. And the lease that lives in memory.
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import { checkStoreKey, describe } from '../checks.js';
import { InvalidArgumentError } from '../errors.js';

/** A lease as its holder has it. */
export interface LeaseGrant {
  /** Proof of holding: renew and release need it. Opaque; keep it out of logs. */
  token: string;
  /** Greater than the fence of every earlier acquisition of the same key. */
  fence: number;
}

/**
 * A named lease, held by at most one holder at a time until its time runs out. Implement it over
 * your own store; the SDK ships {@link MemoryLease} (and Redis in `m365-defender/redis`).
 */
export interface Lease {
  /**
   * Takes the lease named `key` for `ttlMs` milliseconds if nobody holds it. Resolves the grant,
   * its fence greater than any before, or `undefined` when another holder has it.
   */
  acquire(key: string, ttlMs: number): Promise<LeaseGrant | undefined>;
  /**
   * Extends the lease to `ttlMs` from now if `token` still holds it. Resolves `false` when it does
   * not (it expired, or another holder took it): the holder must stop.
   */
  renew(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `token` holds it; otherwise does nothing. */
  release(key: string, token: string): Promise<void>;
}

/** The longest a lease may be taken for at once: one day. */
export const MAX_LEASE_TTL_MS = 86_400_000;

/** Checks a lease name: a non-empty string of at most 256 characters with no control character. */
export function checkLeaseKey(key: unknown): string {
  return checkStoreKey(key, 'lease');
}

/** Checks a lease's time to live: an integer number of milliseconds from 1 to one day. */
export function checkLeaseTtl(ttlMs: unknown): number {
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_LEASE_TTL_MS) {
    throw new InvalidArgumentError('ttlMs', `ttlMs must be an integer from 1 to ${MAX_LEASE_TTL_MS} (one day), in milliseconds; got ${describe(ttlMs)}.`);
  }
  return ttlMs;
}

/** Checks a lease token: the non-empty string an acquisition returned. */
export function checkLeaseToken(token: unknown): string {
  // the token itself is never echoed: it is what proves holding
  if (typeof token !== 'string' || token === '') {
    throw new InvalidArgumentError('token', `token must be the token acquire() returned (a non-empty string); got ${typeof token === 'string' ? 'an empty string' : describe(token)}.`);
  }
  return token;
}

/** One key's holder, if any, and the last fence handed out (kept after release and expiry). */
interface Entry {
  fence: number;
  holder: { token: string; expiresAt: number } | undefined;
}

/**
 * A lease in this process's memory: it keeps workers of one process apart (two overlapping timer
 * runs in one function host), and tests. Workers in other processes need a shared lease (Redis).
 */
export class MemoryLease implements Lease {
  readonly #entries = new Map<string, Entry>();

  /** The entry of `key`, its holder dropped once expired. */
  #entry(key: string): Entry {
    let entry = this.#entries.get(key);
    if (!entry) this.#entries.set(key, (entry = { fence: 0, holder: undefined }));
    if (entry.holder && entry.holder.expiresAt <= Date.now()) entry.holder = undefined;
    return entry;
  }

  /** {@inheritDoc Lease.acquire} */
  async acquire(key: string, ttlMs: number): Promise<LeaseGrant | undefined> {
    checkLeaseKey(key);
    checkLeaseTtl(ttlMs);
    const entry = this.#entry(key);
    if (entry.holder) return undefined;
    const token = randomUUID();
    entry.fence += 1;
    entry.holder = { token, expiresAt: Date.now() + ttlMs };
    return { token, fence: entry.fence };
  }

  /** {@inheritDoc Lease.renew} */
  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    checkLeaseKey(key);
    checkLeaseToken(token);
    checkLeaseTtl(ttlMs);
    const entry = this.#entry(key);
    if (entry.holder?.token !== token) return false;
    entry.holder.expiresAt = Date.now() + ttlMs;
    return true;
  }

  /** {@inheritDoc Lease.release} */
  async release(key: string, token: string): Promise<void> {
    checkLeaseKey(key);
    checkLeaseToken(token);
    const entry = this.#entry(key);
    if (entry.holder?.token === token) entry.holder = undefined;
  }
}
