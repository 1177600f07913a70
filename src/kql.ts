/**
 * The `kql` tagged template: builds advanced-hunting queries whose interpolated values are
 * rendered as KQL literals, so a value can never change the shape of the query.
 *
 * Lexical rules followed here: `../shared/reference/entra-keyvault-kql.md` §4.1 (KQL
 * `scalar-data-types/string.md`, `datetime.md`; Kusto.Language `TokenParser.cs`).
 *
 * @packageDocumentation
 */

import { describe } from './checks.js';
import { InvalidArgumentError } from './errors.js';

// A registered symbol, so a KqlQuery made by the ESM build is still recognised by the CJS build.
const KQL_QUERY_BRAND = Symbol.for('m365-defender.KqlQuery');

let createKqlQuery: (text: string) => KqlQuery;
// True only while createKqlQuery runs: `new KqlQuery()` from plain JavaScript is refused too.
let constructing = false;

/**
 * A KQL query (or a fragment of one) built by {@link kql}, {@link kql.raw} or
 * {@link kql.identifier}. Its `text` is what is sent to the service. Interpolating a `KqlQuery`
 * into another `kql` template inserts its text verbatim, which is how queries are composed.
 *
 * You cannot construct one with `new`: every `KqlQuery` comes from `kql`, so code that accepts a
 * `KqlQuery` knows its values were rendered as literals (or explicitly trusted with `kql.raw`).
 *
 * @example
 * ```ts
 * const query: KqlQuery = kql`DeviceInfo | where DeviceName == ${host} | take 1`;
 * query.text;        // 'DeviceInfo | where DeviceName == "web-01" | take 1'
 * String(query);     // the same text
 * await client.advancedHunting.run(query);
 * ```
 */
export class KqlQuery {
  /** The query text, exactly as it will be sent. */
  readonly text: string;
  // Makes the type nominal: a plain `{ text }` object is not a KqlQuery to the compiler.
  readonly #brand = true;

  private constructor(text: string) {
    if (!constructing) {
      throw new InvalidArgumentError('KqlQuery', 'KqlQuery cannot be constructed with new: use kql`…` or kql.raw().');
    }
    this.text = text;
    // Recognised across module copies (ESM and CJS builds), where `instanceof` fails.
    Object.defineProperty(this, KQL_QUERY_BRAND, { value: this.#brand });
    Object.freeze(this);
  }

  static {
    createKqlQuery = (text) => {
      constructing = true;
      try {
        return new KqlQuery(text);
      } finally {
        constructing = false;
      }
    };
  }

  /**
   * Returns {@link KqlQuery.text}, so a `KqlQuery` can be used wherever a string is expected.
   *
   * @example
   * ```ts
   * console.log(`running: ${kql`AlertInfo | take ${10}`}`);   // running: AlertInfo | take 10
   * ```
   */
  toString(): string {
    return this.text;
  }

  /**
   * Returns {@link KqlQuery.text}, so `JSON.stringify({ Query: query })` sends the text.
   *
   * @example
   * ```ts
   * JSON.stringify({ Query: kql`AlertInfo | take ${1}` });   // '{"Query":"AlertInfo | take 1"}'
   * ```
   */
  toJSON(): string {
    return this.text;
  }
}

/** A single value `kql` can render as a KQL literal (or insert verbatim, for a {@link KqlQuery}). */
export type KqlScalar = string | number | bigint | boolean | Date | KqlQuery;

/**
 * Anything that may be interpolated into a {@link kql} template: a {@link KqlScalar}, or a
 * non-empty array of them, rendered as a comma-separated list for `in (...)`.
 */
export type KqlValue = KqlScalar | readonly KqlScalar[];

/** The `kql` function and its helpers. */
export interface KqlTag {
  /**
   * Builds a {@link KqlQuery}. The template's own text is used as written (like `String.raw`:
   * `"C:\\Windows"` in the template reaches KQL as `"C:\\Windows"`); every `${value}` is rendered
   * as a KQL literal:
   *
   * | value | KQL |
   * |---|---|
   * | string | `"…"` with `\\`, `\"`, `\n`, `\r`, `\t` escaped |
   * | safe integer `number`, `bigint` | `42`, negatives in parentheses: `(-42)` |
   * | other finite `number` | `1.5`, `1e-7`, `(-0.25)` (a `real`) |
   * | boolean | `true` / `false` |
   * | `Date` | `datetime(2024-01-02T03:04:05.678Z)` |
   * | non-empty array | `"a", "b", -1` (for `in (...)`) |
   * | `KqlQuery` (`kql`…, `kql.raw`, `kql.identifier`) | its text, verbatim |
   *
   * Anything else (`null`, `undefined`, `NaN`, an invalid `Date`, an empty or nested array, an
   * object, a function, a symbol) throws {@link InvalidArgumentError} naming the interpolation.
   *
   * @example
   * ```ts
   * const query = kql`DeviceProcessEvents
   *   | where DeviceName == ${host} and Timestamp > ${since}
   *   | where FileName in (${['powershell.exe', 'cmd.exe']})
   *   | take ${100}`;
   * // DeviceProcessEvents
   * //   | where DeviceName == "web-01" and Timestamp > datetime(2024-05-01T00:00:00.000Z)
   * //   | where FileName in ("powershell.exe", "cmd.exe")
   * //   | take 100
   * ```
   */
  (template: TemplateStringsArray, ...values: readonly KqlValue[]): KqlQuery;

  /**
   * Wraps trusted text so `kql` inserts it verbatim: table and column names, operators or whole
   * clauses chosen by your program. **Never pass user input**: `kql.raw` does no escaping, so
   * text given to it can rewrite the query. For an untrusted column name use
   * {@link KqlTag.identifier}; for an untrusted value, interpolate it directly.
   *
   * @example
   * ```ts
   * const table = kql.raw(useEmail ? 'EmailEvents' : 'DeviceEvents');
   * kql`${table} | where Timestamp > ago(1d) | take ${10}`;
   * // EmailEvents | where Timestamp > ago(1d) | take 10
   * ```
   */
  raw(text: string): KqlQuery;

  /**
   * Renders a name as a bracket-quoted KQL identifier, `['name']`, escaped like a string literal,
   * so an untrusted column name can only ever name a column.
   *
   * @example
   * ```ts
   * kql`DeviceInfo | project ${kql.identifier('Device Name')}, ${kql.identifier("it's")}`;
   * // DeviceInfo | project ['Device Name'], ['it\'s']
   * ```
   */
  identifier(name: string): KqlQuery;
}

const EXPECTED =
  'a string, number, bigint, boolean, Date, a non-empty array of those, or a KqlQuery ' +
  '(kql`…`, kql.raw(), kql.identifier())';

// long is a signed 64-bit integer (KQL scalar-data-types/index.md).
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

// A lone surrogate cannot be sent as UTF-8: it would silently become U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Where a value came from: the error's `option`, and how the message names it. */
interface Origin {
  option: string;
  label: string;
}

function fail(origin: Origin, problem: string): never {
  throw new InvalidArgumentError(origin.option, `${origin.label} ${problem}`);
}

/** @internal Whether a value is a KqlQuery, from this or the other (ESM/CJS) build. */
export function isKqlQuery(value: unknown): value is KqlQuery {
  return (
    value instanceof KqlQuery ||
    (typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[KQL_QUERY_BRAND] === true &&
      typeof (value as { text?: unknown }).text === 'string')
  );
}

/**
 * Escapes `value` for the inside of a `quote`-delimited KQL string literal. Only the escapes the
 * KQL docs list (`\\`, `\"`, `\'`, `\t`, `\n`) plus `\r` (Kusto.Language `ScanStringEscape`) are
 * used; a character that would need any other escape is refused rather than guessed.
 */
function escapeStringContent(value: string, quote: '"' | "'", origin: Origin): string {
  if (LONE_SURROGATE.test(value)) {
    fail(origin, 'contains a lone UTF-16 surrogate, which cannot be sent as UTF-8 without changing the value.');
  }
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    const code = ch.charCodeAt(0);
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case quote:
        out += `\\${quote}`;
        continue;
    }
    // C0 and C1 controls, DEL, and U+2028/U+2029 (line breaks to the KQL tokenizer, so they would
    // end the literal): KQL documents no escape for them.
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) {
      const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
      fail(
        origin,
        `contains the control character ${hex} at index ${i}, which a KQL string literal has no ` +
          'documented escape for. Remove it before building the query.',
      );
    }
    out += ch;
  }
  return out;
}

function renderNumber(value: number, origin: Origin, inList: boolean): string {
  if (!Number.isFinite(value)) fail(origin, `is ${value}; expected a finite number.`);
  const magnitude = Math.abs(value);
  let text = String(magnitude);
  // Integers beyond 2^53 have already lost precision: send them as a real, not as a wrong long.
  if (!Number.isSafeInteger(magnitude) && !/[.e]/.test(text)) text += '.0';
  return signed(value < 0, text, inList);
}

function renderBigInt(value: bigint, origin: Origin, inList: boolean): string {
  if (value < LONG_MIN || value > LONG_MAX) {
    fail(origin, 'is outside the range of a KQL long (-2^63 to 2^63-1).');
  }
  return signed(value < 0n, (value < 0n ? -value : value).toString(), inList);
}

// A bare `-5` after a template's `-` would read as `--5`; parentheses keep it one operand. In a
// list the previous token is `(` or `,`, so the bare form is unambiguous there.
function signed(negative: boolean, magnitude: string, inList: boolean): string {
  if (!negative) return magnitude;
  return inList ? `-${magnitude}` : `(-${magnitude})`;
}

function renderDate(value: Date, origin: Origin): string {
  if (Number.isNaN(value.getTime())) fail(origin, 'is an invalid Date.');
  const year = value.getUTCFullYear();
  if (year < 1 || year > 9999) {
    fail(origin, `is in the year ${year}; a KQL datetime lies between 0001-01-01 and 9999-12-31.`);
  }
  return `datetime(${value.toISOString()})`;
}

function renderScalar(value: unknown, origin: Origin, inList: boolean): string {
  switch (typeof value) {
    case 'string':
      return `"${escapeStringContent(value, '"', origin)}"`;
    case 'number':
      return renderNumber(value, origin, inList);
    case 'bigint':
      return renderBigInt(value, origin, inList);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (value instanceof Date) return renderDate(value, origin);
  if (isKqlQuery(value)) return value.text;
  return fail(origin, `is ${describe(value)}; expected ${EXPECTED}.`);
}

function renderValue(value: unknown, origin: Origin): string {
  if (!Array.isArray(value)) return renderScalar(value, origin, false);
  if (value.length === 0) {
    fail(
      origin,
      'is an empty array; KQL has no empty list (`in ()` does not parse). Leave the condition ' +
        'out when the list is empty.',
    );
  }
  return value
    .map((item: unknown, index) => {
      const itemOrigin = { option: `${origin.option}[${index}]`, label: `${origin.label}, item ${index},` };
      if (Array.isArray(item)) fail(itemOrigin, 'is a nested array; an interpolated array must hold only scalars.');
      return renderScalar(item, itemOrigin, true);
    })
    .join(', ');
}

/** Names interpolation `index` by the template text before it, e.g. `after "…DeviceName == "`. */
function interpolationOrigin(parts: readonly string[], index: number): Origin {
  const before = parts[index]!.replace(/\s+/g, ' ');
  const tail = before.length > 40 ? `…${before.slice(-40)}` : before;
  return { option: `values[${index}]`, label: `kql: interpolation ${index} (after "${tail}")` };
}

function isTemplateStringsArray(value: unknown): value is TemplateStringsArray {
  return (
    Array.isArray(value) &&
    Array.isArray((value as { raw?: unknown }).raw) &&
    (value as unknown as TemplateStringsArray).raw.length === value.length &&
    Object.isFrozen(value)
  );
}

/** Where the KQL lexer stands at the end of a piece of template text. */
type LexState =
  | { in: 'code' }
  | { in: 'string'; quote: '"' | "'"; verbatim: boolean }
  | { in: 'multiline' }
  | { in: 'comment' };

/**
 * Advances the KQL lexer over static template text. Interpolated values are complete literals,
 * so only the template's own text can leave a string or comment open before a placeholder.
 */
function lex(text: string, start: LexState): LexState {
  let state = start;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    switch (state.in) {
      case 'code':
        if (c === '/' && text[i + 1] === '/') {
          state = { in: 'comment' };
          i++;
        } else if (c === '`' && text.startsWith('```', i)) {
          state = { in: 'multiline' };
          i += 2;
        } else if (c === '"' || c === "'") {
          state = { in: 'string', quote: c, verbatim: text[i - 1] === '@' };
        }
        break;
      case 'string':
        if (c === '\n' || c === '\r') state = { in: 'code' };
        else if (!state.verbatim && c === '\\') i++;
        else if (c === state.quote) {
          if (state.verbatim && text[i + 1] === state.quote) i++;
          else state = { in: 'code' };
        }
        break;
      case 'multiline':
        if (c === '`' && text.startsWith('```', i)) {
          state = { in: 'code' };
          i += 2;
        }
        break;
      case 'comment':
        if (c === '\n') state = { in: 'code' };
        break;
    }
  }
  return state;
}

function kqlTemplate(template: TemplateStringsArray, ...values: readonly KqlValue[]): KqlQuery {
  // kql(someString) would splice the string in unescaped: only a real template is accepted.
  if (!isTemplateStringsArray(template)) {
    throw new InvalidArgumentError(
      'template',
      'kql must be used as a tagged template (kql`…`), not called with a string; use kql.raw() ' +
        'for trusted text.',
    );
  }
  // The template's text is taken as written (raw), so KQL escapes in it reach KQL unchanged.
  const parts = template.raw;
  let text = parts[0]!;
  let state = lex(parts[0]!, { in: 'code' });
  for (let i = 0; i < values.length; i++) {
    const origin = interpolationOrigin(parts, i);
    if (state.in !== 'code') {
      // kql`… == '${v}'` would put the rendered literal inside the template's own string: a
      // value with a quote could then close it and inject query text.
      fail(
        origin,
        state.in === 'comment'
          ? 'stands inside a // comment, where it would be ignored: move it out of the comment.'
          : 'stands inside a string literal the template opened: remove the quotes around the placeholder (kql renders the value as a complete, quoted literal).',
      );
    }
    text += renderValue(values[i], origin) + parts[i + 1]!;
    state = lex(parts[i + 1]!, state);
  }
  return createKqlQuery(text);
}

function raw(text: string): KqlQuery {
  if (typeof text !== 'string') {
    throw new InvalidArgumentError('text', `kql.raw: expected a string, got ${describe(text)}.`);
  }
  return createKqlQuery(text);
}

function identifier(name: string): KqlQuery {
  if (typeof name !== 'string' || name.length === 0) {
    const got = typeof name === 'string' ? 'an empty string' : describe(name);
    throw new InvalidArgumentError('name', `kql.identifier: expected a non-empty string, got ${got}.`);
  }
  return createKqlQuery(`['${escapeStringContent(name, "'", { option: 'name', label: 'kql.identifier: the name' })}']`);
}

/**
 * Tagged template for KQL: interpolated values become KQL literals (strings escaped, numbers,
 * booleans, `Date` as `datetime(…)`, arrays as lists for `in (...)`), and `KqlQuery` values
 * (from `kql`, {@link KqlTag.raw} or {@link KqlTag.identifier}) are inserted verbatim.
 *
 * @example
 * ```ts
 * import { kql } from 'm365-defender';
 *
 * const host = 'web-01" | project secret //';   // hostile input stays one string literal
 * const query = kql`DeviceProcessEvents | where DeviceName == ${host} | take ${10}`;
 * query.text;
 * // DeviceProcessEvents | where DeviceName == "web-01\" | project secret //" | take 10
 * await client.advancedHunting.run(query);
 * ```
 */
export const kql: KqlTag = Object.assign(kqlTemplate, { raw, identifier });
