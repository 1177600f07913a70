/**
 * Hunting response bodies for property tests of the streaming reader: fast-check arbitraries of
 * both APIs' envelopes whose rows hold every JSON shape that can trip a byte scanner (quotes,
 * backslashes and braces inside strings, `\u` escapes, surrogate pairs, nested cells), written
 * with random escaping and whitespace, and the bodies cut into chunks at chosen bytes.
 */
import fc from 'fast-check';

export type HuntingApi = 'defender' | 'graph';

/** Characters a row splitter must not mistake for structure, and multi-byte ones to split. */
const TRICKY = ['"', '\\', '{', '}', '[', ']', ',', ':', '/', '\\"', '\\\\', '\u0000', '\n', '\r', '\t', '\u001f', '\u007f', '\u2028', 'é', '€', '😀', '\ud83d\ude00'];

const text = fc.string({ unit: fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 12 });
const key = text.filter((k) => k !== '__proto__');

/** Any JSON value a cell can hold, nested up to three levels. */
const cell: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 3, noNullPrototype: true }),
  ),
})).value;

const row = fc.dictionary(key, cell, { maxKeys: 5, noNullPrototype: true });

/** A hunting body's members, in wire order, and how to write them. */
export interface HuntingBodySpec {
  api: HuntingApi;
  members: Array<[string, unknown]>;
  /** Seeds the writer's choices of escapes and whitespace. */
  style: number;
}

/** A valid hunting body of `api` (both APIs when omitted): rows, schema, statistics, any member order. */
export function huntingBodySpec(api?: HuntingApi): fc.Arbitrary<HuntingBodySpec> {
  return fc
    .record({
      api: api ? fc.constant(api) : fc.constantFrom<HuntingApi>('defender', 'graph'),
      rows: fc.array(row, { maxLength: 6 }),
      columns: fc.array(fc.record({ name: text, type: fc.constantFrom('String', 'Int64', 'DateTime', 'Dynamic') }), { maxLength: 3 }),
      stats: fc.dictionary(key, cell, { maxKeys: 3, noNullPrototype: true }),
      order: fc.constantFrom('schema-first', 'results-first'),
      style: fc.integer(),
    })
    .map(({ api, rows, columns, stats, order, style }) => {
      const head: Array<[string, unknown]> =
        api === 'defender'
          ? [['Stats', stats]]
          : [['@odata.context', 'https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults']];
      const schema: [string, unknown] =
        api === 'defender' ? ['Schema', columns.map((c) => ({ Name: c.name, Type: c.type }))] : ['schema', columns];
      const results: [string, unknown] = [api === 'defender' ? 'Results' : 'results', rows];
      return { api, style, members: order === 'schema-first' ? [...head, schema, results] : [results, ...head, schema] };
    });
}

/** A small seeded generator (mulberry32): the writer's choices, reproducible from the spec. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const SPACES = [' ', '\n', '\t', '\r\n', '  \n  '];

/** Writes `spec` as JSON text with random (valid) escapes and whitespace between tokens. */
export function writeHuntingBody(spec: HuntingBodySpec): string {
  const next = random(spec.style);
  const space = () => (next() < 0.2 ? SPACES[Math.floor(next() * SPACES.length)]! : '');
  const u = (unit: number) => `\\u${unit.toString(16).padStart(4, '0')[next() < 0.5 ? 'toUpperCase' : 'toLowerCase']()}`;
  const string = (value: string) => {
    let out = '"';
    for (const char of value) {
      const code = char.codePointAt(0)!;
      if (char in SHORT_ESCAPES && next() < 0.7) out += SHORT_ESCAPES[char];
      else if (code < 0x20 || char === '"' || char === '\\' || next() < 0.1) {
        // Astral characters as an escaped surrogate pair.
        for (let i = 0; i < char.length; i++) out += u(char.charCodeAt(i));
      } else if (char === '/' && next() < 0.5) out += '\\/';
      else out += char;
    }
    return `${out}"`;
  };
  const value = (v: unknown): string => {
    if (typeof v === 'string') return string(v);
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${space()}${v.map((item) => value(item)).join(`${space()},${space()}`)}${space()}]`;
    return object(Object.entries(v));
  };
  const object = (entries: Array<[string, unknown]>) =>
    `{${space()}${entries.map(([k, v]) => `${string(k)}${space()}:${space()}${value(v)}`).join(`${space()},${space()}`)}${space()}}`;
  return `${space()}${object(spec.members)}${space()}`;
}

/** A response body handing out `bytes` in the pieces that `cuts` (byte offsets) mark, one per pull and event-loop turn. */
export function cutBody(bytes: Uint8Array, cuts: readonly number[]): ReadableStream<Uint8Array> {
  const bounds = [...new Set([0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length])].sort((a, b) => a - b);
  let piece = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // A turn of the event loop per piece, so that the client reads each one apart (msw reads
        // a mocked body ahead of the client, and pieces that wait in its queue arrive merged).
        await new Promise((resolve) => setImmediate(resolve));
        if (piece + 1 >= bounds.length) return controller.close();
        controller.enqueue(bytes.slice(bounds[piece]!, bounds[piece + 1]!));
        piece++;
      },
    },
    { highWaterMark: 0 },
  );
}

/** Cuts after every byte. */
export function everyByte(bytes: Uint8Array): number[] {
  return Array.from({ length: bytes.length }, (_, i) => i + 1);
}

/** One way to break a valid body (see {@link breakage}). */
export type Breakage =
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; byte: number }
  | { kind: 'delete'; at: number }
  | { kind: 'replace'; at: number; byte: number };

/** Ways to break a valid body: cut it short, or insert, delete or replace a byte. */
export const breakage: fc.Arbitrary<Breakage> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.constantFrom(...'{}[]",:\\ x0n-'.split('').map((c) => c.charCodeAt(0)), 0x01, 0xff) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), byte: fc.constantFrom(...'{}[]",:\\x'.split('').map((c) => c.charCodeAt(0))) }),
);

/** `bytes` with `change` applied (positions taken modulo the length). */
export function breakBody(bytes: Uint8Array, change: Breakage): Uint8Array {
  const at = bytes.length === 0 ? 0 : change.at % bytes.length;
  switch (change.kind) {
    case 'truncate':
      return bytes.slice(0, at);
    case 'insert':
      return new Uint8Array([...bytes.subarray(0, at), change.byte, ...bytes.subarray(at)]);
    case 'delete':
      return new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + 1)]);
    default: {
      const out = bytes.slice();
      out[at] = change.byte;
      return out;
    }
  }
}
