/**
 * Mutations of real JSON payloads for property-based tests: a list of {@link Mutation}s drawn by
 * fast-check, applied to a deep copy of a realistic payload. Each mutation picks a node of the
 * (already mutated) tree by a fraction, so shrinking keeps pointing at a node that exists.
 */
import fc from 'fast-check';

/** A path into a JSON tree: object keys and array indexes. */
export type JsonPath = (string | number)[];

/** One change to a JSON tree. */
export type Mutation =
  | { kind: 'remove'; at: number }
  | { kind: 'null'; at: number }
  | { kind: 'retype'; at: number; value: unknown }
  | { kind: 'enum'; at: number; value: string }
  | { kind: 'extra'; at: number; key: string; value: unknown }
  | { kind: 'nest'; at: number; depth: number; array: boolean }
  | { kind: 'huge'; at: number; length: number; unit: string };

/** Every path of `value`'s nodes (root first), depth-first. */
export function pathsOf(value: unknown, prefix: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, index) => pathsOf(item, [...prefix, index], out));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...prefix, key], out);
  }
  return out;
}

function parentOf(root: unknown, path: JsonPath): unknown {
  let node = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  return node;
}

function setAt(root: { value: unknown }, path: JsonPath, value: unknown): void {
  if (path.length === 0) {
    root.value = value;
    return;
  }
  const parent = parentOf(root.value, path) as Record<string | number, unknown>;
  // defineProperty: a key such as "__proto__" becomes an own property, as JSON.parse makes it.
  Object.defineProperty(parent, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
}

function getAt(root: unknown, path: JsonPath): unknown {
  let node = root;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  return node;
}

function nested(depth: number, array: boolean): unknown {
  let value: unknown = array ? [] : {};
  for (let i = 0; i < depth; i++) value = array ? [value] : { a: value };
  return value;
}

/** Applies `mutations` in order to a deep copy of `payload`. */
export function applyMutations(payload: unknown, mutations: readonly Mutation[]): unknown {
  const root = { value: structuredClone(payload) };
  for (const mutation of mutations) {
    const paths = pathsOf(root.value);
    const path = paths[Math.floor(mutation.at * paths.length) % paths.length]!;
    const node = getAt(root.value, path);
    switch (mutation.kind) {
      case 'remove': {
        if (path.length === 0) break;
        const parent = parentOf(root.value, path);
        const key = path[path.length - 1]!;
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete (parent as Record<string, unknown>)[key as string];
        break;
      }
      case 'null':
        setAt(root, path, null);
        break;
      case 'retype':
        setAt(root, path, mutation.value);
        break;
      case 'enum':
        // Enums, dates and names are strings on the wire: replace a string by another one.
        setAt(root, path, typeof node === 'string' || node === null ? mutation.value : node);
        break;
      case 'extra':
        if (Array.isArray(node)) node.push(mutation.value);
        else if (typeof node === 'object' && node !== null) {
          Object.defineProperty(node, mutation.key, { value: mutation.value, enumerable: true, writable: true, configurable: true });
        } else setAt(root, path, { [mutation.key]: mutation.value });
        break;
      case 'nest':
        setAt(root, path, nested(mutation.depth, mutation.array));
        break;
      case 'huge':
        setAt(root, path, mutation.unit.repeat(Math.ceil(mutation.length / Math.max(1, mutation.unit.length))));
        break;
    }
  }
  return root.value;
}

/** Strings that break naive parsers: empty, blank, numeric-looking, out-of-range or malformed dates. */
export const nastyString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'null',
    'NaN',
    'Infinity',
    '-1',
    '1e309',
    'true',
    '__proto__',
    'constructor',
    'toString',
    '2020-13-45T99:99:99Z',
    '2021-02-29T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '0099-12-31T23:59:59Z',
    '9999-12-31T23:59:59.9999999Z',
    '9999-12-31T23:59:59-23:59',
    '0100-01-01T00:00:00+23:59',
    '+275760-09-13T00:00:00.000Z',
    '2020-09-06T12:18:03.62666671234567890123Z',
    '2020-09-06 12:18:03',
    'September 6, 2020',
    '\u0000',
    '\ud800',
    '<script>alert(1)</script>',
    'Active',
    'unknownFutureValue',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

/** Any JSON value, small, including the nasty strings. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 1.5, 2 ** 53 + 2, 1e21, 1e308, -1e308, Number.MAX_SAFE_INTEGER),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
);

const at = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** One mutation; deep nesting and huge strings are rarer (they cost time). */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('remove' as const), at }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('null' as const), at }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('retype' as const), at, value: anyJson }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('enum' as const), at, value: nastyString }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      at,
      key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', '@odata.type', 'raw'), fc.string({ maxLength: 12 })),
      value: anyJson,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nest' as const), at, depth: fc.integer({ min: 50, max: 3000 }), array: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('huge' as const),
      at,
      length: fc.integer({ min: 10_000, max: 300_000 }),
      unit: fc.constantFrom('x', '9', '\u00e9', '\ud83d\ude00', '2020-09-06T12:18:03Z'),
    }),
  },
);

/** One to six mutations. */
export const mutations = fc.array(mutation, { minLength: 1, maxLength: 6 });

/** Bodies that are not JSON at all: truncated JSON, HTML, random text, empty. */
export function brokenBody(json: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer({ min: 0, max: Math.max(0, json.length - 1) }).map((cut) => json.slice(0, cut)),
    fc.constant('<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>'),
    fc.constantFrom('', ' ', 'undefined', 'NaN', '{', '[', '{"value":', 'null\u0000', '\ufeff{}', "{'a':1}"),
    fc.string({ maxLength: 200 }),
  );
}
