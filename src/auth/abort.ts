/**
 * Abort helpers.
 * @internal
 * @packageDocumentation
 */

/**
 * Settles with `promise`, or rejects with `signal.reason` as soon as `signal` aborts (the
 * promise's own outcome is then ignored). @azure/identity's client-credential flows do not stop on
 * their `abortSignal` (MSAL's network client does not take it), so callers must not wait for them.
 * @internal
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
