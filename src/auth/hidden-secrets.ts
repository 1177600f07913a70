/**
 * Plain option objects that hold a secret yet never print it.
 * @internal
 * @packageDocumentation
 */
import { inspectSymbol } from './redact.js';

const REDACTED = '[redacted]';

type Inspect = (value: unknown, options: Record<string, unknown>) => string;

/**
 * Makes `util.inspect`, `console.log`, `JSON.stringify` and `String()` of `target` show
 * `[redacted]` for the `secretKeys` it holds, and returns `target`. The fields themselves stay
 * ordinary enumerable properties, so the object still works as an option and survives being
 * passed along or nested in a spread (`{ ...options, api: 'graph' }` keeps this very object as its
 * `credential`). The printers are non-enumerable: a spread of `target` itself copies the fields
 * but not them.
 * @internal
 */
export function hideSecrets<T extends object>(target: T, secretKeys: readonly string[]): T {
  const shown = (): Record<string, unknown> =>
    Object.fromEntries(Object.entries(target).map(([key, value]) => [key, secretKeys.includes(key) && value !== undefined ? REDACTED : value]));
  Object.defineProperties(target, {
    toJSON: { value: shown, configurable: true, writable: true },
    toString: { value: () => JSON.stringify(shown()), configurable: true, writable: true },
    [inspectSymbol]: {
      value: (depth: number, options: Record<string, unknown>, inspect?: Inspect) => {
        if (!inspect) return JSON.stringify(shown());
        return inspect(shown(), { ...options, depth: options.depth === null ? null : depth });
      },
      configurable: true,
      writable: true,
    },
  });
  return target;
}
