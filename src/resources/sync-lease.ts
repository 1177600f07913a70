/**
 * A change feed's hold on its {@link Lease}: taken before the feed reads, renewed in the background
 * every third of its time to live, confirmed before each commit, and released when the feed ends.
 * Losing it aborts the feed's reads and makes every later step throw {@link LeaseLostError}.
 *
 * @packageDocumentation
 */
import { InvalidArgumentError, LeaseLostError } from '../errors.js';
import type { Lease, LeaseGrant } from '../stores/lease.js';
import type { Logger } from '../types.js';

/** The lease a feed takes for the checkpoint `key`: its name is `<key>:lease`. */
export function leaseKeyOf(checkpointKey: string): string {
  return `${checkpointKey}:lease`;
}

/** A lease the feed holds, until it ends or loses it. @internal */
export class HeldLease {
  /** Aborted with the {@link LeaseLostError} when the lease is lost. */
  readonly signal: AbortSignal;
  readonly #lease: Lease;
  readonly #key: string;
  readonly #ttlMs: number;
  readonly #grant: LeaseGrant;
  readonly #operation: string;
  readonly #logger: Logger | undefined;
  readonly #lost = new AbortController();
  /** Until when this holder is sure it holds the lease: the start of its last successful renewal plus the ttl. */
  #heldUntil: number;
  #timer: NodeJS.Timeout | undefined;
  #released = false;

  private constructor(lease: Lease, key: string, ttlMs: number, grant: LeaseGrant, startedAt: number, operation: string, logger: Logger | undefined) {
    this.#lease = lease;
    this.#key = key;
    this.#ttlMs = ttlMs;
    this.#grant = grant;
    this.#operation = operation;
    this.#logger = logger;
    this.#heldUntil = startedAt + ttlMs;
    this.signal = this.#lost.signal;
    this.#schedule();
  }

  /** Takes the lease, or resolves `undefined` when another holder has it. */
  static async take(lease: Lease, key: string, ttlMs: number, operation: string, logger: Logger | undefined): Promise<HeldLease | undefined> {
    const startedAt = Date.now();
    const grant = await lease.acquire(key, ttlMs);
    if (grant === undefined) return undefined;
    if (typeof grant !== 'object' || grant === null || typeof grant.token !== 'string' || grant.token === '' || !Number.isSafeInteger(grant.fence) || grant.fence < 1) {
      throw new InvalidArgumentError('lease', `${operation}: lease.acquire() resolved something other than { token, fence } (a non-empty string and a positive integer) or undefined.`);
    }
    return new HeldLease(lease, key, ttlMs, grant, startedAt, operation, logger);
  }

  /** The fence of this acquisition: every checkpoint write carries it. */
  get fence(): number {
    return this.#grant.fence;
  }

  /** The lease's name. */
  get key(): string {
    return this.#key;
  }

  /** Throws the {@link LeaseLostError} if the lease was lost. */
  check(): void {
    if (this.#lost.signal.aborted) throw this.#lost.signal.reason;
  }

  /**
   * Renews the lease now, before a commit: throws {@link LeaseLostError} when it is no longer
   * held, or the lease store's own error when it cannot be asked (nothing is committed either way).
   */
  async confirm(): Promise<void> {
    this.check();
    const startedAt = Date.now();
    if (!(await this.#lease.renew(this.#key, this.#grant.token, this.#ttlMs))) this.#lose('another worker holds it now, or it expired');
    this.check();
    this.#heldUntil = Math.max(this.#heldUntil, startedAt + this.#ttlMs);
  }

  /** Marks the lease lost because the checkpoint store holds a newer fence, and throws. */
  lostToFence(storeFence: number): never {
    this.#lose(`the checkpoint was claimed with a newer lease (fence ${storeFence} > ${this.#grant.fence})`);
    throw this.#lost.signal.reason as LeaseLostError;
  }

  /** Stops renewing and gives the lease up (a failure to give it up is logged: it expires by itself). */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearTimeout(this.#timer);
    if (this.#lost.signal.aborted) return;
    try {
      await this.#lease.release(this.#key, this.#grant.token);
    } catch (error) {
      this.#logger?.warn?.(`${this.#operation}: could not release the lease "${this.#key}" (${error instanceof Error ? error.name : 'error'}); it expires after leaseTtlMs.`);
    }
  }

  #lose(why: string, cause?: unknown): void {
    if (this.#lost.signal.aborted) return;
    clearTimeout(this.#timer);
    const error = new LeaseLostError(
      `${this.#operation}: lost the lease "${this.#key}" (fence ${this.#grant.fence}): ${why}. This run stops without committing anything more; the worker holding it now goes on from the checkpoint.`,
      { key: this.#key, fence: this.#grant.fence, cause },
    );
    this.#lost.abort(error);
  }

  /** The next background renewal, a third of the ttl from now. */
  #schedule(): void {
    if (this.#released || this.#lost.signal.aborted) return;
    this.#timer = setTimeout(() => void this.#renew(), Math.max(1, Math.floor(this.#ttlMs / 3)));
    // A feed its consumer abandoned must not keep the process alive: the lease then just expires.
    this.#timer.unref?.();
  }

  async #renew(): Promise<void> {
    const startedAt = Date.now();
    try {
      if (await this.#lease.renew(this.#key, this.#grant.token, this.#ttlMs)) {
        this.#heldUntil = Math.max(this.#heldUntil, startedAt + this.#ttlMs);
      } else {
        this.#lose('another worker holds it now, or it expired before it could be renewed');
      }
    } catch (error) {
      // A store that cannot be reached may recover within the ttl; past it, the lease may be someone else's.
      if (Date.now() >= this.#heldUntil) this.#lose('it could not be renewed within leaseTtlMs', error);
    }
    if (!this.#released) this.#schedule();
  }
}
