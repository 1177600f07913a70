/**
 * One request that several concurrent callers wait for (the same device action asked twice at
 * once), each with a signal of its own. A caller's abort ends that caller's wait only; the request
 * runs on a signal of its own, aborted once every caller still waiting has aborted (nobody is left
 * to take its answer).
 * @packageDocumentation
 */
import { raceAbort } from '../auth/abort.js';

/** A request shared by concurrent callers; see the file comment. @internal */
export class SharedRequest<T> {
  readonly #controller = new AbortController();
  #waiting = 0;
  #result: Promise<T> | undefined;
  /** Settles (never rejects) once the request has. */
  settled: Promise<void> = Promise.resolve();

  /** The signal the request runs on. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Starts the request; call once, before {@link SharedRequest.join}. */
  start(run: () => Promise<T>): void {
    const result = run();
    this.#result = result;
    this.settled = result.then(
      () => undefined,
      () => undefined,
    );
  }

  /**
   * Waits for the request's answer, or rejects with `signal`'s reason when it aborts first (then,
   * if nobody else is waiting, the request is abandoned).
   */
  join(signal: AbortSignal | undefined): Promise<T> {
    const result = this.#result;
    if (result === undefined) throw new Error('SharedRequest.join before start');
    signal?.throwIfAborted();
    this.#waiting++;
    if (signal === undefined) return result;
    const aborted = () => {
      this.#waiting--;
      if (this.#waiting === 0) this.#controller.abort(signal.reason);
    };
    signal.addEventListener('abort', aborted, { once: true });
    const done = () => signal.removeEventListener('abort', aborted);
    result.then(done, done);
    return raceAbort(result, signal);
  }
}
