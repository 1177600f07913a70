/**
 * Public zod schemas built on first use. Building a zod schema runs at import when written as a
 * module-level `z.object(...)`: for the public model's schemas, more than the rest of the SDK's
 * import put together (bench figure 4), though most programs never touch them. {@link lazySchema}
 * keeps the exported name and type and builds the schema the first time anything reads it.
 *
 * The pattern for a public model file: `export const thingSchema = lazySchema(() => z.object({ ... }))`,
 * with the pieces several schemas share (`str`, a base shape) built inside a {@link once} rather
 * than at module level.
 *
 * @packageDocumentation
 */

/** `build`, run on the first call only; later calls return its first result. */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

/** Node's `util.inspect.custom` (by its registered name: this module loads no Node built-in). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A stand-in for the schema `build` returns, built on first use: every read, write, `in`,
 * `instanceof`, key listing or prototype lookup goes to the real schema (zod's own methods then
 * run with the stand-in as `this`, and reach the real schema's internals through it), so callers
 * cannot tell the two apart, including zod itself when the schema is nested in another, and
 * `util.inspect`/`console.log`, which show the real schema.
 */
export function lazySchema<T extends object>(build: () => T): T {
  const real = once(build);
  // The target only ever holds the non-configurable properties reported from the real schema
  // (the proxy invariants require them to exist on the target).
  const target = Object.create(null) as T;
  // Node's inspect (console.log) reads the target, not the traps: show the real schema there too.
  Object.defineProperty(target, INSPECT, {
    value: (depth: number, options: object, inspect: (value: unknown, options: object) => string) => inspect(real(), { ...options, depth }),
    configurable: true,
  });
  return new Proxy(target, {
    get: (_target, key) => Reflect.get(real(), key),
    set: (_target, key, value) => Reflect.set(real(), key, value),
    has: (_target, key) => Reflect.has(real(), key),
    deleteProperty: (_target, key) => Reflect.deleteProperty(real(), key),
    defineProperty: (_target, key, descriptor) => Reflect.defineProperty(real(), key, descriptor),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (shadow, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      if (descriptor !== undefined && !descriptor.configurable) Reflect.defineProperty(shadow, key, descriptor);
      return descriptor;
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
    setPrototypeOf: (_target, prototype) => Reflect.setPrototypeOf(real(), prototype),
  });
}
