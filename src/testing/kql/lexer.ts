/**
 * Tokenizer for the KQL subset (reference §4.1): comments, names, strings (escaped, verbatim,
 * obfuscated), numbers, timespan literals and `datetime(…)` literals.
 */

import { KqlSyntaxError } from './errors.js';

/** The kinds of KQL token. */
export type TokenKind = 'ident' | 'string' | 'long' | 'real' | 'timespan' | 'datetime' | 'op' | 'eof';

/** A token of a query, with its position. */
export interface Token {
  /** What kind of token it is. */
  kind: TokenKind;
  /** Source text of the token (for `op`: the operator; for `ident`: the name). */
  text: string;
  /** Literal value: string, number (timespan in ms, datetime in epoch ms) or null. */
  value: string | number | null;
  /** Line, from 1. */
  line: number;
  /** Column, from 1. */
  column: number;
}

const MS_PER_UNIT: Record<string, number> = {};
function units(ms: number, ...names: string[]): void {
  for (const n of names) MS_PER_UNIT[n] = ms;
}
units(86_400_000, 'd', 'day', 'days');
units(3_600_000, 'h', 'hr', 'hrs', 'hour', 'hours');
units(60_000, 'm', 'min', 'minute', 'minutes');
units(1_000, 's', 'sec', 'second', 'seconds');
units(1, 'ms', 'milli', 'millis', 'millisec', 'millisecond', 'milliseconds');
units(0.001, 'micro', 'micros', 'microsec', 'microsecond', 'microseconds');
units(0.000001, 'nano', 'nanos', 'nanosec', 'nanosecond', 'nanoseconds');
units(0.0001, 'tick', 'ticks');

/** `!`-prefixed word operators. */
const NEGATED_WORDS = new Set([
  'has', 'has_cs', 'contains', 'contains_cs', 'startswith', 'startswith_cs', 'endswith', 'endswith_cs', 'in',
]);

const isIdentStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isIdentPart = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** Parses the text inside `datetime(…)` (ISO 8601 forms of §4.1, always UTC) to epoch ms; NaN if invalid. */
export function parseDatetimeText(text: string): number | null {
  const t = text.trim();
  if (t === 'null') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?Z?$/.exec(t);
  if (!m) return Number.NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = ''] = m;
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0–99 as 1900–1999.
  const check = new Date(0);
  check.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  const ms = check.getTime() + ((Number(h) * 60 + Number(mi)) * 60 + Number(s)) * 1000 + (frac ? Number(`0.${frac}`) * 1000 : 0);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return Number.NaN;
  return ms;
}

/**
 * Splits a query into tokens, ending with an `eof` token.
 * @throws KqlSyntaxError at a token that cannot be read (an unterminated string, an unknown character).
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = source.length;

  const fail = (at: number, text: string, expected?: string): never => {
    // Positions are computed from `at`, which is always on the current line.
    throw new KqlSyntaxError(text, line, at - lineStart + 1, expected);
  };
  const push = (kind: TokenKind, text: string, value: Token['value'], start: number): void => {
    tokens.push({ kind, text, value, line, column: start - lineStart + 1 });
  };

  /** Reads a quoted string starting at `start` (the quote, or the `@` of a verbatim one); returns [value, end]. */
  const readString = (start: number): [string, number] => {
    let j = start;
    const verbatim = source[j] === '@';
    if (verbatim) j++;
    const quote = source[j]!;
    j++;
    let out = '';
    for (;;) {
      if (j >= n || source[j] === '\n') fail(start, source.slice(start, j), `closing ${quote}`);
      const c = source[j]!;
      if (c === quote) {
        if (verbatim && source[j + 1] === quote) {
          out += quote;
          j += 2;
          continue;
        }
        return [out, j + 1];
      }
      if (c === '\\' && !verbatim) {
        const e = source[j + 1];
        const map: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', r: '\r', t: '\t' };
        if (e === undefined || map[e] === undefined) {
          fail(j, source.slice(j, j + 2), 'an escape sequence (\\\\, \\", \\\', \\n, \\r, \\t)');
        }
        out += map[e!];
        j += 2;
        continue;
      }
      out += c;
      j++;
    }
  };

  while (i < n) {
    const c = source[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    const start = i;
    // Strings: "…", '…', @"…", h"…", h@'…'.
    let strStart = -1;
    if (c === '"' || c === "'") strStart = i;
    else if (c === '@' && (source[i + 1] === '"' || source[i + 1] === "'")) strStart = i;
    else if ((c === 'h' || c === 'H') && (source[i + 1] === '"' || source[i + 1] === "'")) strStart = i + 1;
    else if ((c === 'h' || c === 'H') && source[i + 1] === '@' && (source[i + 2] === '"' || source[i + 2] === "'")) {
      strStart = i + 1;
    }
    if (strStart >= 0) {
      const [value, end] = readString(strStart);
      const prev = tokens[tokens.length - 1];
      // Adjacent string literals concatenate.
      if (prev && prev.kind === 'string') {
        prev.value = (prev.value as string) + value;
        prev.text += ' ' + source.slice(start, end);
      } else {
        push('string', source.slice(start, end), value, start);
      }
      i = end;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(source[i + 1] ?? ''))) {
      let j = i;
      while (j < n && isDigit(source[j]!)) j++;
      let real = false;
      if (source[j] === '.' && isDigit(source[j + 1] ?? '')) {
        real = true;
        j++;
        while (j < n && isDigit(source[j]!)) j++;
      }
      if ((source[j] === 'e' || source[j] === 'E') && /^[eE][+-]?\d/.test(source.slice(j, j + 3))) {
        real = true;
        j++;
        if (source[j] === '+' || source[j] === '-') j++;
        while (j < n && isDigit(source[j]!)) j++;
      }
      const num = Number(source.slice(i, j));
      if (j < n && isIdentStart(source[j]!)) {
        let k = j;
        while (k < n && isIdentPart(source[k]!)) k++;
        const unit = source.slice(j, k);
        const per = MS_PER_UNIT[unit];
        if (per === undefined) fail(start, source.slice(start, k), 'a timespan unit (d, h, m, s, ms, …)');
        push('timespan', source.slice(start, k), num * per!, start);
        i = k;
        continue;
      }
      push(real ? 'real' : 'long', source.slice(i, j), num, start);
      i = j;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i;
      while (j < n && isIdentPart(source[j]!)) j++;
      const word = source.slice(i, j);
      if (word === 'in' && source[j] === '~') {
        push('op', 'in~', null, start);
        i = j + 1;
        continue;
      }
      if (word === 'datetime' || word === 'date') {
        let k = j;
        while (k < n && (source[k] === ' ' || source[k] === '\t')) k++;
        if (source[k] === '(') {
          const close = source.indexOf(')', k);
          if (close < 0) fail(start, source.slice(start, k + 1), "')'");
          const inner = source.slice(k + 1, close);
          const value = parseDatetimeText(inner);
          if (value !== null && Number.isNaN(value)) {
            fail(k + 1, inner.trim() || ')', 'a datetime such as 2024-01-01T00:00:00Z');
          }
          push('datetime', source.slice(start, close + 1), value, start);
          i = close + 1;
          continue;
        }
      }
      push('ident', word, null, start);
      i = j;
      continue;
    }
    if (c === '!') {
      if (source[i + 1] === '=' || source[i + 1] === '~') {
        push('op', source.slice(i, i + 2), null, start);
        i += 2;
        continue;
      }
      let j = i + 1;
      while (j < n && isIdentPart(source[j]!)) j++;
      let word = source.slice(i + 1, j);
      if (word === 'in' && source[j] === '~') {
        word = 'in~';
        j++;
      }
      if (NEGATED_WORDS.has(word) || word === 'in~') {
        push('op', `!${word}`, null, start);
        i = j;
        continue;
      }
      fail(start, source.slice(start, Math.max(j, i + 1)), '!=, !~, !has, !contains, !startswith, !endswith or !in');
    }
    const two = source.slice(i, i + 2);
    if (two === '==' || two === '=~' || two === '<=' || two === '>=') {
      push('op', two, null, start);
      i += 2;
      continue;
    }
    if ('|,()=<>+-*/%'.includes(c)) {
      push('op', c, null, start);
      i++;
      continue;
    }
    fail(start, c);
  }
  tokens.push({ kind: 'eof', text: '<EOF>', value: null, line, column: n - lineStart + 1 });
  return tokens;
}
