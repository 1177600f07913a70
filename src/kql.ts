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
// Where a KqlQuery's rendered literals lie in its text, so a query it is composed into lexes them again.
const KQL_LITERALS = Symbol.for('m365-defender.KqlQuery.literals');

/** Where an interpolated value was rendered in a query's text. */
interface LiteralSpan {
  readonly start: number;
  readonly end: number;
  /** A number or boolean rendered inside a parenthesised literal such as `int(…)`. */
  readonly inLiteral: boolean;
}

let createKqlQuery: (text: string, literals?: readonly LiteralSpan[]) => KqlQuery;
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

  private constructor(text: string, literals: readonly LiteralSpan[] = []) {
    if (!constructing) {
      throw new InvalidArgumentError('KqlQuery', 'KqlQuery cannot be constructed with new: use kql`…` or kql.raw().');
    }
    this.text = text;
    // Recognised across module copies (ESM and CJS builds), where `instanceof` fails.
    Object.defineProperty(this, KQL_QUERY_BRAND, { value: this.#brand });
    Object.defineProperty(this, KQL_LITERALS, { value: Object.freeze(literals) });
    Object.freeze(this);
  }

  static {
    createKqlQuery = (text, literals) => {
      constructing = true;
      try {
        return new KqlQuery(text, literals);
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
   * The finished query is lexed as KQL does, and it also throws where the text around a
   * placeholder would change how its literal is read: inside the template's own string literal or
   * `//` comment; after `@` (`@${v}`, `h@${v}`, even with a space: a verbatim string, where a
   * backslash escapes nothing); right after a verbatim string (`@"a"${v}`); a string, `Date` or
   * list inside `datetime(…)`, `guid(…)`, `int(…)` and the like (raw text up to the first `)`); and
   * a `KqlQuery` that, where it stands, leaves a string, comment or literal open or would have one
   * of its own values read differently. `h${v}` (an obfuscated literal) is fine.
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
  /** The element of an interpolated array (named only when a message needs it). */
  item?: number;
}

function fail(origin: Origin, problem: string): never {
  if (origin.item === undefined) throw new InvalidArgumentError(origin.option, `${origin.label} ${problem}`);
  throw new InvalidArgumentError(`${origin.option}[${origin.item}]`, `${origin.label}, item ${origin.item}, ${problem}`);
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

function renderNumber(value: number, origin: Origin, bare: boolean): string {
  if (!Number.isFinite(value)) fail(origin, `is ${value}; expected a finite number.`);
  const magnitude = Math.abs(value);
  let text = String(magnitude);
  // Integers beyond 2^53 have already lost precision: send them as a real, not as a wrong long.
  if (!Number.isSafeInteger(magnitude) && !/[.e]/.test(text)) text += '.0';
  return signed(value < 0, text, bare);
}

function renderBigInt(value: bigint, origin: Origin, bare: boolean): string {
  if (value < LONG_MIN || value > LONG_MAX) {
    fail(origin, 'is outside the range of a KQL long (-2^63 to 2^63-1).');
  }
  return signed(value < 0n, (value < 0n ? -value : value).toString(), bare);
}

// A bare `-5` after a template's `-` would read as `--5`; parentheses keep it one operand. In a
// list the previous token is `(` or `,`, and inside `int(…)` a `)` would end the literal, so the
// bare form is used there.
function signed(negative: boolean, magnitude: string, bare: boolean): string {
  if (!negative) return magnitude;
  return bare ? `-${magnitude}` : `(-${magnitude})`;
}

function renderDate(value: Date, origin: Origin): string {
  if (Number.isNaN(value.getTime())) fail(origin, 'is an invalid Date.');
  const year = value.getUTCFullYear();
  if (year < 1 || year > 9999) {
    fail(origin, `is in the year ${year}; a KQL datetime lies between 0001-01-01 and 9999-12-31.`);
  }
  return `datetime(${value.toISOString()})`;
}

/** Renders a value other than a KqlQuery; `bare` inside a list or a literal such as `int(…)`. */
function renderScalar(value: unknown, origin: Origin, bare: boolean): string {
  switch (typeof value) {
    case 'string':
      return `"${escapeStringContent(value, '"', origin)}"`;
    case 'number':
      return renderNumber(value, origin, bare);
    case 'bigint':
      return renderBigInt(value, origin, bare);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (value instanceof Date) return renderDate(value, origin);
  return fail(origin, `is ${describe(value)}; expected ${EXPECTED}.`);
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

// ---------------------------------------------------------------------------------------------
// Lexing (Kusto.Language TokenParser): where KQL reads text as data. Every rendered literal, own or
// inside a composed fragment, must lie outside all of these in the finished query, and must not
// follow an `@`, so that KQL lexes it as the one literal it was rendered as.

/** The kinds of text KQL reads as data rather than as query syntax. */
type RegionKind = 'string' | 'multiline' | 'comment' | 'directive' | 'literal';

/** A stretch of query text KQL reads as data: a string literal, a comment, `datetime(…)`… */
interface Region {
  kind: RegionKind;
  /** Its first character: the quote, the `@` of `@"…"`, `//`, `#`, or the `d` of `datetime(`. */
  start: number;
  /** After its last character; while `open`, how far it has been read. */
  end: number;
  /** The text ends inside it. */
  open: boolean;
  /** What closes it: a string's quote (`"` or `'`), a multi-line string's ``` or ~~~. */
  quote: string;
  /** A verbatim string (`@"…"`), where a backslash escapes nothing and a doubled quote is a quote. */
  verbatim: boolean;
}

// Where Kusto.Language versions differ, the one that reads a literal further is followed: the
// other then reports the literal unterminated, a syntax error, and nothing runs.
// A comment ends at a line break (TextFacts.IsLineBreakStart); a string only at \r or \n (newer
// ScanStringLiteralContent; older ones also at U+2028/U+2029).
const isLineBreak = (c: string | undefined): boolean => c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';
// Literals Kusto reads as raw text up to the first ')', across line breaks where the parser allows
// it (TokenParser.GetGooLiteralTokenKind, ScanGoo); matched case-insensitively, to refuse more.
const PARENTHESISED_LITERAL = /(?:datetime|date|timespan|time|int64|int32|long|int|real|double|decimal|bool|guid)\(/iy;
// The escapes Kusto.Language ScanStringEscape accepts; at any other backslash the literal ends.
const STRING_ESCAPE = /\\(?:[\\'"abfnrtv]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|[0-7])/y;
const LITERAL_INITIALS = 'bdgilrtBDGILRT';
const MAY_OPEN = /[/#"'@`~<>=!]|(?<![A-Za-z0-9_])[bdgilrt]/gi;
const IDENTIFIER_CHAR = /[A-Za-z0-9_]/;
const WHITESPACE = /\s/;

/** Whether a two-character operator starts at `i`: one token, so the `~` of `=~` begins no ~~~ string. */
function operatorPairAt(text: string, i: number): boolean {
  const next = text[i + 1];
  switch (text[i]) {
    case '<':
      return next === '=' || next === '|' || next === '>';
    case '>':
      return next === '=';
    case '=':
      return next === '=' || next === '>' || next === '~';
    case '!':
      return next === '=' || next === '~';
    default:
      return false;
  }
}

/** The region KQL would open at `i`, as [kind, verbatim, index of its body], if any. */
function regionOpening(text: string, i: number): [RegionKind, boolean, number] | undefined {
  const c = text[i];
  const next = text[i + 1];
  if (c === '/' && next === '/') return ['comment', false, i + 2];
  if (c === '#') return ['directive', false, i + 1];
  if (c === '"' || c === "'") return ['string', false, i + 1];
  if (c === '@' && (next === '"' || next === "'")) return ['string', true, i + 2];
  // Multi-line strings: ```…``` and the older ~~~…~~~ (KustoFacts.AlternateMultiLineStringQuote).
  if (c === '@' && (text.startsWith('```', i + 1) || text.startsWith('~~~', i + 1))) return ['multiline', true, i + 4];
  if ((c === '`' && text.startsWith('```', i)) || (c === '~' && text.startsWith('~~~', i))) return ['multiline', false, i + 3];
  // `datetime(` is a literal only where a token starts, not inside `xdatetime(`.
  if (LITERAL_INITIALS.includes(c!) && (i === 0 || !IDENTIFIER_CHAR.test(text[i - 1]!))) {
    PARENTHESISED_LITERAL.lastIndex = i;
    if (PARENTHESISED_LITERAL.test(text)) return ['literal', false, PARENTHESISED_LITERAL.lastIndex];
  }
  return undefined;
}

/**
 * Reads `region` on from `i` in `text`, a piece of the query that starts at index `offset`; sets
 * where the region ends and whether it is still open, and returns where reading goes on in `text`.
 */
function readRegion(text: string, region: Region, i: number, offset: number): number {
  const end = regionEnd(text, region, i);
  region.open = end < 0;
  // An open region is read up to the end of the text, but for what more text may complete: a
  // backslash escape or a closing ```.
  region.end = offset + (end >= 0 ? end : end === -1 ? text.length : -end - 2);
  return end >= 0 ? end : text.length;
}

/**
 * Where `region` ends in `text`, reading from `i`: the index after it; or, when the text ends
 * inside it, -1, or -(index + 2) of the character to read again with more text.
 */
function regionEnd(text: string, region: Region, i: number): number {
  const n = text.length;
  switch (region.kind) {
    case 'string':
      for (let j = i; j < n; ) {
        const c = text[j]!;
        if (c === region.quote) {
          if (!region.verbatim || text[j + 1] !== region.quote) return j + 1;
          j += 2;
        } else if (c === '\\' && !region.verbatim) {
          if (j + 1 === n) return -(j + 2);
          STRING_ESCAPE.lastIndex = j;
          // Not an escape: Kusto ends the literal (unterminated) before the backslash.
          if (!STRING_ESCAPE.test(text)) return j;
          j = STRING_ESCAPE.lastIndex;
        } else if (c === '\n' || c === '\r') {
          return j;
        } else {
          j++;
        }
      }
      return -1;
    case 'multiline': {
      const at = text.indexOf(region.quote, i);
      return at >= 0 ? at + 3 : -(Math.max(i, n - 2) + 2);
    }
    case 'literal': {
      const at = text.indexOf(')', i);
      return at >= 0 ? at + 1 : -1;
    }
    case 'comment':
    case 'directive':
      for (let j = i; j < n; j++) if (isLineBreak(text[j])) return j;
      return -1;
  }
}

/**
 * Adds to `regions` the regions from index `from` of `text`, a piece of the query that starts at
 * index `offset` (the characters before `from` are there to look back at). A region left open
 * before `from` is read on first.
 */
function scanRegions(regions: Region[], text: string, from: number, offset = 0): void {
  let i = from - offset;
  const last = regions[regions.length - 1];
  if (last?.open) i = Math.max(readRegion(text, last, last.end - offset, offset), i);
  while (i < text.length) {
    // Skip to the next character that can begin an operator or a region.
    MAY_OPEN.lastIndex = i;
    if (!MAY_OPEN.test(text)) break;
    i = MAY_OPEN.lastIndex - 1;
    if (operatorPairAt(text, i)) {
      i += 2;
      continue;
    }
    const opening = regionOpening(text, i);
    if (opening === undefined) {
      i++;
      continue;
    }
    const [kind, verbatim, body] = opening;
    const quote = kind === 'string' ? text[body - 1]! : kind === 'multiline' ? text.slice(body - 3, body) : '';
    const region: Region = { kind, start: offset + i, end: offset + i, open: false, quote, verbatim };
    regions.push(region);
    i = readRegion(text, region, body, offset);
  }
}

/** The last region starting at or before index `i`. */
function lastRegionFrom(regions: readonly Region[], i: number): Region | undefined {
  let low = 0;
  let high = regions.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (regions[middle]!.start <= i) low = middle + 1;
    else high = middle;
  }
  return regions[low - 1];
}

/** The region the boundary before character `p` lies inside, if any. */
function regionAround(regions: readonly Region[], p: number): Region | undefined {
  const region = lastRegionFrom(regions, p - 1);
  return region !== undefined && (region.open || p < region.end) ? region : undefined;
}

/** Whether KQL reads the character at index `j` as query syntax (it is in no region). */
function isSyntax(regions: readonly Region[], j: number): boolean {
  const region = lastRegionFrom(regions, j);
  return region === undefined || (!region.open && region.end <= j);
}

/** Whether the last character before `p` that is not whitespace is an `@` KQL reads as syntax. */
function followsAt(text: string, p: number, regions: readonly Region[]): boolean {
  let j = p - 1;
  while (j >= 0 && WHITESPACE.test(text[j]!)) j--;
  return text[j] === '@' && isSyntax(regions, j);
}

function regionName(region: Region, text: string): string {
  switch (region.kind) {
    case 'string':
      return region.verbatim ? 'a verbatim string literal (@"…")' : 'a string literal';
    case 'multiline':
      return `a multi-line string literal (${region.quote}…${region.quote})`;
    case 'comment':
      return 'a // comment';
    case 'directive':
      return 'a line after "#", which Kusto reads as a directive up to the end of the line';
    case 'literal':
      return `the literal ${text.slice(region.start, text.indexOf('(', region.start))}(…)`;
  }
}

const AFTER_AT =
  'follows "@", which would make the literal after it a verbatim string (@"…"), where a backslash ' +
  'escapes nothing, so the value could close the string and write query text: remove the "@" (kql ' +
  'renders the value as a complete, escaped literal; write h${…} for an obfuscated one).';

/** Why a value may not stand inside `region`, which the text before it left open. */
function insideMessage(region: Region, text: string): string {
  const name = regionName(region, text);
  switch (region.kind) {
    case 'comment':
      return `stands inside ${name}, where it would be ignored: move it out of the comment.`;
    case 'directive':
      return `stands inside ${name}, where it would be ignored: remove the "#" or move the placeholder to the next line.`;
    case 'literal':
      return (
        `stands inside ${name}, which KQL reads as raw text up to the first ")", so a string could end ` +
        'it early: only a number or a boolean may stand there. Interpolate a Date on its own (kql ' +
        'renders datetime(…)), or convert a string with a function such as todatetime(${…}) or toguid(${…}).'
      );
    default:
      return (
        `stands inside ${name} opened before it: remove the quotes around the placeholder (kql ` +
        'renders the value as a complete, quoted literal).'
      );
  }
}

/** A rendered literal or composed fragment, checked again once the whole query is lexed. */
interface Placement {
  start: number;
  end: number;
  inLiteral: boolean;
  origin: Origin;
  /** 'value': an interpolated value; 'fragment': a KqlQuery; 'inner': a value inside one. */
  what: 'value' | 'fragment' | 'inner';
}

/** Why `placement` is refused, given the region its start (or end) falls inside. */
function misplacedMessage(placement: Placement, region: Region, text: string, atEnd: boolean): string {
  const name = regionName(region, text);
  if (placement.what === 'inner') {
    return (
      `is a KqlQuery with an interpolated value that, where the fragment stands, KQL would read as ` +
      `part of ${name}: separate the fragment from the text around it.`
    );
  }
  if (placement.what === 'fragment') {
    return atEnd
      ? `is a KqlQuery whose text ends inside ${name} that would take in the query text after it: close it inside the fragment${region.kind === 'comment' ? ' (end the fragment with a line break)' : ''}.`
      : `is a KqlQuery whose text would continue ${name} that the text before it began: separate the fragment from it.`;
  }
  const verbatim = region.verbatim && !atEnd ? ' (a quote right after a verbatim string\'s closing quote is read as an escaped quote)' : '';
  return `would be read as part of ${name} that ${atEnd ? 'the text after it begins' : 'begins before it'}${verbatim}: put a space between them.`;
}

/** Checks every placement against the lexed final text. */
function verifyPlacements(text: string, placements: readonly Placement[]): void {
  const regions: Region[] = [];
  scanRegions(regions, text, 0);
  for (const placement of placements) {
    const allowed = (region: Region | undefined) => region === undefined || (placement.inLiteral && region.kind === 'literal');
    const before = regionAround(regions, placement.start);
    const after = regionAround(regions, placement.end);
    if (!allowed(before)) fail(placement.origin, misplacedMessage(placement, before!, text, false));
    if (!allowed(after)) fail(placement.origin, misplacedMessage(placement, after!, text, true));
    if (followsAt(text, placement.start, regions)) {
      fail(placement.origin, placement.what === 'inner' ? `is a KqlQuery with an interpolated value that ${AFTER_AT}` : AFTER_AT);
    }
  }
}

/** The literal spans a KqlQuery (of this or the other build) carries. */
function literalsOf(query: KqlQuery): readonly LiteralSpan[] {
  const spans = (query as unknown as Record<symbol, unknown>)[KQL_LITERALS];
  if (!Array.isArray(spans)) return [];
  return spans
    .filter(
      (span: LiteralSpan) =>
        Number.isInteger(span?.start) && Number.isInteger(span?.end) && span.start >= 0 && span.start <= span.end && span.end <= query.text.length,
    )
    .map((span: LiteralSpan) => ({ start: span.start, end: span.end, inLiteral: span.inLiteral === true }));
}

// What may stand inside a literal such as `int(…)`: nothing of it can be a `)`.
const LITERAL_SAFE = new Set(['number', 'bigint', 'boolean']);
// How many of the last characters the lexer may look back at when the query grows.
const LOOK_BACK = 8;

/** A query being built: its text, the regions lexed so far, and where its values went. */
class QueryBuilder {
  readonly regions: Region[] = [];
  readonly literals: LiteralSpan[] = [];
  readonly placements: Placement[] = [];
  // Pieces, joined once: indexing a string grown by += would copy it whole on every append.
  readonly #pieces: string[] = [];
  #length = 0;
  #tail = '';
  // The last character that is not whitespace, and its index: an `@` there makes a verbatim string.
  #lastSignificant = '';
  #lastSignificantIndex = -1;

  get length(): number {
    return this.#length;
  }

  get text(): string {
    const text = this.#pieces.join('');
    this.#pieces.splice(0, this.#pieces.length, text);
    return text;
  }

  append(piece: string): void {
    if (piece === '') return;
    const from = this.#length;
    const view = this.#tail + piece;
    scanRegions(this.regions, view, from, from - this.#tail.length);
    this.#pieces.push(piece);
    this.#length += piece.length;
    this.#tail = view.slice(-LOOK_BACK);
    for (let j = piece.length - 1; j >= 0; j--) {
      if (!WHITESPACE.test(piece[j]!)) {
        this.#lastSignificant = piece[j]!;
        this.#lastSignificantIndex = from + j;
        break;
      }
    }
  }

  /**
   * Checks, by the text so far, that a value may stand at the end of it; returns whether it is
   * inside a literal such as `int(…)`. kql`… == '${v}'` would put the value inside the template's
   * own string, where a quote in it could close the string and inject query text.
   */
  position(value: unknown, origin: Origin): boolean {
    const around = regionAround(this.regions, this.#length);
    const inLiteral = around?.kind === 'literal';
    if (around !== undefined && !(inLiteral && LITERAL_SAFE.has(typeof value))) {
      fail(origin, insideMessage(around, this.text));
    }
    if (this.#lastSignificant === '@' && isSyntax(this.regions, this.#lastSignificantIndex)) fail(origin, AFTER_AT);
    return inLiteral;
  }

  /** Adds an interpolated value: a scalar, a KqlQuery, or a list of them. */
  value(value: unknown, origin: Origin): void {
    const inLiteral = this.position(value, origin);
    if (!Array.isArray(value)) return this.scalar(value, origin, inLiteral, inLiteral);
    if (value.length === 0) {
      fail(
        origin,
        'is an empty array; KQL has no empty list (`in ()` does not parse). Leave the condition ' +
          'out when the list is empty.',
      );
    }
    const items: readonly unknown[] = value;
    const element = (item: unknown, index: number): Origin => {
      const itemOrigin = { ...origin, item: index };
      if (Array.isArray(item)) fail(itemOrigin, 'is a nested array; an interpolated array must hold only scalars.');
      return itemOrigin;
    };
    // After `(` or `,`, a negative number needs no parentheses.
    if (!items.some(isKqlQuery)) {
      // One literal list: its elements are whole literals, so it lexes as they do.
      const start = this.length;
      this.append(items.map((item, index) => renderScalar(item, element(item, index), true)).join(', '));
      this.#literal(start, false, origin);
      return;
    }
    items.forEach((item, index) => {
      const itemOrigin = element(item, index);
      if (index > 0) {
        this.append(', ');
        this.position(item, itemOrigin);
      }
      this.scalar(item, itemOrigin, true, false);
    });
  }

  #literal(start: number, inLiteral: boolean, origin: Origin): void {
    const span = { start, end: this.length, inLiteral };
    this.literals.push(span);
    this.placements.push({ start, end: span.end, inLiteral, origin, what: 'value' });
  }

  private scalar(value: unknown, origin: Origin, bare: boolean, inLiteral: boolean): void {
    const start = this.length;
    if (!isKqlQuery(value)) {
      this.append(renderScalar(value, origin, bare));
      this.#literal(start, inLiteral, origin);
      return;
    }
    this.append(value.text);
    const fragment: Placement = { start, end: this.length, inLiteral: false, origin, what: 'fragment' };
    // A fragment leaving a string or literal open would swallow what follows; a comment is checked
    // once the text after it is known (a line break may end it).
    const last = this.regions[this.regions.length - 1];
    if (last?.open && last.start >= start && last.kind !== 'comment' && last.kind !== 'directive') {
      fail(origin, misplacedMessage(fragment, last, this.text, true));
    }
    this.placements.push(fragment);
    for (const span of literalsOf(value)) {
      const moved = { start: start + span.start, end: start + span.end, inLiteral: span.inLiteral };
      this.literals.push(moved);
      this.placements.push({ ...moved, origin, what: 'inner' });
    }
  }
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
  const query = new QueryBuilder();
  query.append(parts[0]!);
  for (let i = 0; i < values.length; i++) {
    query.value(values[i], interpolationOrigin(parts, i));
    query.append(parts[i + 1]!);
  }
  // Then by the whole query, where what follows a value can change how it is lexed: a quote right
  // after @"…" continues that string; a fragment's text can join its neighbours'.
  const text = query.text;
  verifyPlacements(text, query.placements);
  return createKqlQuery(text, query.literals);
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
  const text = `['${escapeStringContent(name, "'", { option: 'name', label: 'kql.identifier: the name' })}']`;
  // The quoted name is a literal, lexed again wherever the identifier is composed.
  return createKqlQuery(text, [{ start: 1, end: text.length - 1, inLiteral: false }]);
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
