import { describe } from '../clouds.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Checks a call's options object: known keys only (a typo is an error, not ignored) and a real
 * `AbortSignal` for `signal`.
 */
export function checkCallOptions(options: unknown, known: readonly string[], call: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError('options', `${call} options must be an object; got ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(key, `${call} has no option "${key}"; its options are ${known.join(', ')}.`);
    }
  }
  const { signal } = options as { signal?: unknown };
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError('signal', `signal must be an AbortSignal; got ${describe(signal)}.`);
  }
}
