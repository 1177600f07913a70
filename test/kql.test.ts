import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { KqlQuery, kql, type KqlValue } from '../src/kql.js';
import { prng } from '../src/testing/data/random.js';
import { thrownBy } from './support/throws.js';

// ---------------------------------------------------------------------------------------------
// A minimal KQL tokenizer following the reference's lexical rules (entra-keyvault-kql.md §4.1):
// `//` comments to end of line; "…" and '…' strings with backslash escapes \" \' \\ \t \n (and
// \r, which Kusto.Language's ScanStringEscape also accepts); no raw line break inside a string;
// verbatim @"…" / @'…' with the quote doubled; obfuscated h"…"; identifiers; numbers;
// punctuation. It is deliberately strict: an unknown escape or an unterminated string throws.
// ---------------------------------------------------------------------------------------------

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'ident'; value: string }
  | { kind: 'number'; value: string }
  | { kind: 'punct'; value: string };

const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', t: '\t', n: '\n', r: '\r' };
// Kusto.Language TextFacts.IsLineBreakStart
const LINE_BREAKS = new Set(['\n', '\r', '\u2028', '\u2029']);
const PUNCTUATION = ['==', '!=', '=~', '!~', '<=', '>=', '=>', '..', '|', '(', ')', '[', ']', '{', '}', ',', ';', ':', '=', '<', '>', '+', '-', '*', '/', '%', '.', '!', '~', '?'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const peek = (offset = 0) => text[pos + offset] ?? '';
  while (pos < text.length) {
    const ch = peek();
    if (/\s/.test(ch)) {
      pos++;
    } else if (ch === '/' && peek(1) === '/') {
      while (pos < text.length && !LINE_BREAKS.has(peek())) pos++;
    } else if (ch === '"' || ch === "'") {
      tokens.push({ kind: 'string', value: readString(false) });
    } else if (ch === '@' && (peek(1) === '"' || peek(1) === "'")) {
      pos++;
      tokens.push({ kind: 'string', value: readString(true) });
    } else if ((ch === 'h' || ch === 'H') && (peek(1) === '"' || peek(1) === "'")) {
      pos++;
      tokens.push({ kind: 'string', value: readString(false) });
    } else if (/[A-Za-z_$]/.test(ch)) {
      const match = /^[A-Za-z_$][A-Za-z0-9_]*/.exec(text.slice(pos))!;
      tokens.push({ kind: 'ident', value: match[0] });
      pos += match[0].length;
    } else if (/[0-9]/.test(ch)) {
      const match = /^[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?/.exec(text.slice(pos))!;
      tokens.push({ kind: 'number', value: match[0] });
      pos += match[0].length;
    } else {
      const punct = PUNCTUATION.find((p) => text.startsWith(p, pos));
      if (!punct) throw new Error(`tokenizer: unexpected character ${JSON.stringify(ch)} at ${pos}`);
      tokens.push({ kind: 'punct', value: punct });
      pos += punct.length;
    }
  }
  return tokens;

  function readString(verbatim: boolean): string {
    const quote = peek();
    pos++;
    let value = '';
    for (;;) {
      if (pos >= text.length) throw new Error('tokenizer: unterminated string literal');
      const c = peek();
      if (LINE_BREAKS.has(c)) throw new Error('tokenizer: raw line break inside a string literal');
      if (c === quote) {
        if (verbatim && peek(1) === quote) {
          value += quote;
          pos += 2;
          continue;
        }
        pos++;
        return value;
      }
      if (c === '\\' && !verbatim) {
        const escaped = ESCAPES[peek(1)];
        if (escaped === undefined) throw new Error(`tokenizer: unknown escape \\${peek(1)}`);
        value += escaped;
        pos += 2;
        continue;
      }
      value += c;
      pos++;
    }
  }
}

/** The tokens of `T | where X == <value> | take 1`, with the value as one string token. */
function expectOneStringToken(value: string): void {
  const query = kql`T | where X == ${value} | take 1`;
  expect(tokenize(query.text)).toEqual([
    { kind: 'ident', value: 'T' },
    { kind: 'punct', value: '|' },
    { kind: 'ident', value: 'where' },
    { kind: 'ident', value: 'X' },
    { kind: 'punct', value: '==' },
    { kind: 'string', value },
    { kind: 'punct', value: '|' },
    { kind: 'ident', value: 'take' },
    { kind: 'number', value: '1' },
  ]);
}

function rendered(value: KqlValue): string {
  return kql`${value}`.text;
}

const thrown = (fn: () => unknown) => thrownBy(InvalidArgumentError, fn);

const DANGEROUS_PIECES = [
  '"', "'", '\\', '\\"', "\\'", '\\\\', '\n', '\r', '\r\n', '\t', '|', '//', '/', '*', '@', '@"', 'h"',
  '```', '`', '(', ')', '[', ']', '{', '}', ',', ';', '=', '==', '!', '~', '$', '#', ' ', 'a', 'Z',
  '0', 'é', '名', '😀', '\u00a0', '\ufeff', '\u200b', '| project secret', "' or 1==1", '" or 1==1 //',
  '\\n', '\\t', '\\u0041', '\\x41',
];

function randomDangerousString(random: () => number): string {
  const length = Math.floor(random() * 12);
  let value = '';
  for (let i = 0; i < length; i++) value += DANGEROUS_PIECES[Math.floor(random() * DANGEROUS_PIECES.length)];
  return value;
}

describe('the test tokenizer', () => {
  it('detects a value that breaks out of a naively quoted literal (so the round-trip checks have teeth)', () => {
    const value = 'x" | project secret //';
    const naive = `T | where X == "${value}" | take 1`;
    expect(tokenize(naive).filter((t) => t.kind === 'string')).not.toEqual([{ kind: 'string', value }]);
    expect(() => tokenize('T | where X == "a\nb"')).toThrow(/line break/);
    expect(() => tokenize('"C:\\Windows"')).toThrow(/unknown escape/);
  });

  it('decodes verbatim and obfuscated literals and skips comments', () => {
    expect(tokenize(`@"a""b\\" h'x' // "ignored`)).toEqual([
      { kind: 'string', value: 'a"b\\' },
      { kind: 'string', value: 'x' },
    ]);
  });
});

describe('kql: strings', () => {
  it('renders a string as a double-quoted KQL literal', () => {
    expect(kql`DeviceInfo | where DeviceName == ${'web-01'}`.text).toBe('DeviceInfo | where DeviceName == "web-01"');
  });

  it('renders the empty string as ""', () => {
    expect(rendered('')).toBe('""');
    expectOneStringToken('');
  });

  const injections: Array<[name: string, value: string, literal: string]> = [
    ['a double quote', 'a"b', String.raw`"a\"b"`],
    ['an escaped quote \\"', '\\"', String.raw`"\\\""`],
    ['two backslashes', '\\\\', String.raw`"\\\\"`],
    ['a trailing backslash', 'C:\\Temp\\', String.raw`"C:\\Temp\\"`],
    ['a newline', 'a\nb', String.raw`"a\nb"`],
    ['a carriage return', 'a\rb', String.raw`"a\rb"`],
    ['CR LF and a tab', 'a\r\n\tb', String.raw`"a\r\n\tb"`],
    ['a pipe and a new operator', 'x" | project secret', String.raw`"x\" | project secret"`],
    ['a newline then a pipe', 'x\n| project secret', String.raw`"x\n| project secret"`],
    ['a line comment', 'x // rest of the query is gone', '"x // rest of the query is gone"'],
    ['a quote then a comment', 'x" //', String.raw`"x\" //"`],
    ['a single-quote SQL-style injection', "' or 1==1", `"' or 1==1"`],
    ['a double-quote injection with or', '" or 1==1 //', String.raw`"\" or 1==1 //"`],
    ['a verbatim-string opener', '@"', String.raw`"@\""`],
    ['a triple backtick', '```', '"```"'],
    ['backslash escapes as text', '\\n\\t\\u0041', String.raw`"\\n\\t\\u0041"`],
    ['unicode (accents, CJK, emoji, NBSP, BOM)', 'Ünïcødé 名前 😀\u00a0\ufeff', '"Ünïcødé 名前 😀\u00a0\ufeff"'],
  ];

  it.each(injections)('keeps %s inside one string literal', (_name, value, literal) => {
    expect(rendered(value)).toBe(literal);
    expectOneStringToken(value);
  });

  it.each([
    ['NUL', '\u0000'],
    ['ESC', 'a\u001bb'],
    ['DEL', '\u007f'],
    ['a C1 control (NEL)', '\u0085'],
    ['LINE SEPARATOR, a line break to KQL', 'a\u2028b'],
    ['PARAGRAPH SEPARATOR', '\u2029'],
  ])('refuses %s, which KQL documents no escape for', (_name, value) => {
    const error = thrown(() => kql`T | where X == ${value}`);
    expect(error.option).toBe('values[0]');
    expect(error.message).toMatch(/control character U\+[0-9A-F]{4} at index \d/);
  });

  it('refuses a lone surrogate, which UTF-8 cannot carry unchanged', () => {
    expect(thrown(() => rendered('a\ud800b')).message).toMatch(/lone UTF-16 surrogate/);
    expect(rendered('😀')).toBe('"😀"');
  });

  it(`round-trips 500 generated strings of dangerous characters as one string token`, () => {
    const random = prng(20240501); // seeded: the same cases on every run
    for (let i = 0; i < 500; i++) {
      const value = randomDangerousString(random);
      expectOneStringToken(value);
    }
  });
});

describe('kql: numbers', () => {
  it.each([
    [42, '42'],
    [0, '0'],
    [-0, '0'],
    [1.5, '1.5'],
    [0.1, '0.1'],
    [1e-7, '1e-7'],
    [1e21, '1e+21'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
  ])('renders %s as %s', (value, text) => {
    expect(rendered(value)).toBe(text);
    expect(tokenize(text)).toEqual([{ kind: 'number', value: text }]);
  });

  it('renders an integer beyond 2^53 as a real, since it already lost precision', () => {
    // JavaScript's shortest form of 2^60; KQL parses it back to the same double.
    expect(rendered(2 ** 60)).toBe('1152921504606847000.0');
  });

  it('wraps negative numbers in parentheses so they cannot merge with a preceding operator', () => {
    expect(rendered(-3)).toBe('(-3)');
    expect(rendered(-2.5)).toBe('(-2.5)');
    expect(kql`T | extend Y = X -${-3}`.text).toBe('T | extend Y = X -(-3)');
  });

  it.each([NaN, Infinity, -Infinity])('refuses %s', (value) => {
    const error = thrown(() => kql`T | take ${value}`);
    expect(error.option).toBe('values[0]');
    expect(error.message).toContain('expected a finite number');
  });

  it('renders a bigint as an integer literal, with full precision', () => {
    expect(rendered(9007199254740993n)).toBe('9007199254740993');
    expect(rendered(-5n)).toBe('(-5)');
    expect(rendered(2n ** 63n - 1n)).toBe('9223372036854775807');
    expect(rendered(-(2n ** 63n))).toBe('(-9223372036854775808)');
  });

  it('refuses a bigint outside the range of a long', () => {
    expect(thrown(() => rendered(2n ** 63n)).message).toContain('range of a KQL long');
    expect(thrown(() => rendered(-(2n ** 63n) - 1n)).message).toContain('range of a KQL long');
  });
});

describe('kql: booleans and dates', () => {
  it('renders booleans as true and false', () => {
    expect(kql`T | where A == ${true} and B == ${false}`.text).toBe('T | where A == true and B == false');
  });

  it('renders a Date as a UTC datetime() literal with milliseconds', () => {
    const since = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    expect(kql`T | where Timestamp > ${since}`.text).toBe('T | where Timestamp > datetime(2024-01-02T03:04:05.678Z)');
  });

  it('refuses an invalid Date', () => {
    const error = thrown(() => kql`T | where Timestamp > ${new Date('not a date')}`);
    expect(error.option).toBe('values[0]');
    expect(error.message).toContain('invalid Date');
  });

  it('refuses a Date outside the KQL datetime range (years 1 to 9999)', () => {
    expect(thrown(() => rendered(new Date(Date.UTC(10000, 0, 1)))).message).toContain('0001-01-01 and 9999-12-31');
    expect(thrown(() => rendered(new Date('0000-06-01T00:00:00Z'))).message).toContain('year 0');
  });
});

describe('kql: arrays', () => {
  it('renders an array as a comma-separated list for in (...)', () => {
    expect(kql`T | where X in (${['a', 'b']})`.text).toBe('T | where X in ("a", "b")');
  });

  it('renders each element as its own literal, negatives bare because a list separator precedes them', () => {
    const when = new Date(Date.UTC(2024, 4, 1));
    expect(rendered([1, -2, 3n, true, when])).toBe('1, -2, 3, true, datetime(2024-05-01T00:00:00.000Z)');
  });

  it('keeps every hostile element a separate string token', () => {
    const values = ['a", "b', 'c\n| project secret', "' or 1==1"];
    const tokens = tokenize(kql`T | where X in (${values})`.text);
    expect(tokens.slice(6, -1).filter((t) => t.kind === 'string')).toEqual(values.map((value) => ({ kind: 'string', value })));
    expect(tokens.slice(6, -1).filter((t) => t.kind !== 'string')).toEqual([
      { kind: 'punct', value: ',' },
      { kind: 'punct', value: ',' },
    ]);
  });

  it('refuses an empty array with a message that explains why', () => {
    const error = thrown(() => kql`T | where X in (${[]})`);
    expect(error.option).toBe('values[0]');
    expect(error.message).toContain('empty array');
    expect(error.message).toContain('in ()');
  });

  it('refuses a nested array, naming the element', () => {
    const error = thrown(() => kql`T | where X in (${['a', ['b']] as never})`);
    expect(error.option).toBe('values[0][1]');
    expect(error.message).toContain('nested array');
  });

  it('refuses an invalid element, naming the element', () => {
    const error = thrown(() => kql`T | where X in (${['a', null] as never})`);
    expect(error.option).toBe('values[0][1]');
    expect(error.message).toContain('item 1');
    expect(error.message).toContain('null');
  });
});

describe('kql: values that cannot be rendered', () => {
  const symbol = Symbol('s');
  it.each<[string, unknown, string]>([
    ['null', null, 'is null'],
    ['undefined', undefined, 'is undefined'],
    ['a plain object', { toString: () => 'x' }, 'is an object;'],
    ['a Map', new Map(), 'is an object (Map)'],
    ['a function', () => 'x', 'is a function'],
    ['a symbol', symbol, 'is a symbol'],
    ['a look-alike { text }', { text: 'secret' }, 'is an object;'],
  ])('refuses %s, naming the interpolation and what was expected', (_name, value, described) => {
    const error = thrown(() => kql`T | where A == ${'ok'} and B == ${value as never}`);
    expect(error.option).toBe('values[1]');
    expect(error.message).toContain('interpolation 1');
    expect(error.message).toContain('after " and B == "');
    expect(error.message).toContain(described);
    expect(error.message).toContain('expected a string, number, bigint, boolean, Date');
  });

  it('refuses to be called with a plain string instead of as a tag', () => {
    const untrusted = 'T | where X == "" | project secret';
    expect(thrown(() => (kql as unknown as (s: unknown) => unknown)(untrusted)).option).toBe('template');
    expect(thrown(() => (kql as unknown as (s: unknown) => unknown)([untrusted])).option).toBe('template');
  });
});

describe('kql: raw fragments and composition', () => {
  it('inserts kql.raw() text verbatim', () => {
    const table = kql.raw('DeviceProcessEvents');
    const column = kql.raw('InitiatingProcessFileName');
    expect(kql`${table} | where ${column} =~ ${'cmd.exe'}`.text).toBe(
      'DeviceProcessEvents | where InitiatingProcessFileName =~ "cmd.exe"',
    );
  });

  it('refuses a non-string kql.raw() argument', () => {
    expect(thrown(() => kql.raw(undefined as never)).option).toBe('text');
  });

  it('inserts a kql query verbatim, its values escaped exactly once', () => {
    const filter = kql`where DeviceName == ${'a"b'}`;
    const query = kql`DeviceInfo | ${filter} | take ${5}`;
    expect(query.text).toBe(String.raw`DeviceInfo | where DeviceName == "a\"b" | take 5`);
  });

  it('accepts a fragment from another copy of the module (ESM and CJS builds) by its registered brand', () => {
    const foreign = { text: 'AlertInfo', [Symbol.for('m365-defender.KqlQuery')]: true };
    expect(kql`${foreign as never} | take 1`.text).toBe('AlertInfo | take 1');
  });

  it('takes the template text as written, so KQL escapes in it reach KQL unchanged', () => {
    const query = kql`DeviceFileEvents | where FolderPath startswith "C:\\Windows\\" and FileName == ${'a.exe'}`;
    expect(query.text).toBe(String.raw`DeviceFileEvents | where FolderPath startswith "C:\\Windows\\" and FileName == "a.exe"`);
    expect(tokenize(query.text)[5]).toEqual({ kind: 'string', value: 'C:\\Windows\\' });
  });
});

describe('kql.identifier', () => {
  it.each([
    ['DeviceName', `['DeviceName']`],
    ['Device Name', `['Device Name']`],
    ["it's", String.raw`['it\'s']`],
    ['a\\b', String.raw`['a\\b']`],
    ['x"]; | project secret //', `['x"]; | project secret //']`],
  ])('renders %j as a bracket-quoted identifier', (name, text) => {
    expect(kql.identifier(name).text).toBe(text);
    expect(tokenize(kql`T | project ${kql.identifier(name)}`.text)).toEqual([
      { kind: 'ident', value: 'T' },
      { kind: 'punct', value: '|' },
      { kind: 'ident', value: 'project' },
      { kind: 'punct', value: '[' },
      { kind: 'string', value: name },
      { kind: 'punct', value: ']' },
    ]);
  });

  it('round-trips 200 generated names as one bracket-quoted string', () => {
    const random = prng(7); // seeded: the same cases on every run
    for (let i = 0; i < 200; i++) {
      const name = randomDangerousString(random) + 'n';
      expect(tokenize(kql.identifier(name).text)).toEqual([
        { kind: 'punct', value: '[' },
        { kind: 'string', value: name },
        { kind: 'punct', value: ']' },
      ]);
    }
  });

  it('refuses an empty name and control characters', () => {
    expect(thrown(() => kql.identifier('')).option).toBe('name');
    expect(thrown(() => kql.identifier('a\u0000')).message).toContain('U+0000');
  });
});

describe('KqlQuery', () => {
  const query = kql`AlertInfo | where Severity == ${'High'} | take ${10}`;

  it('exposes the text, and returns it from toString() and toJSON()', () => {
    expect(query).toBeInstanceOf(KqlQuery);
    expect(query.text).toBe('AlertInfo | where Severity == "High" | take 10');
    expect(String(query)).toBe(query.text);
    expect(`${query}`).toBe(query.text);
    expect(JSON.stringify({ Query: query })).toBe(JSON.stringify({ Query: query.text }));
  });

  it('is immutable', () => {
    expect(Object.isFrozen(query)).toBe(true);
    expect(() => {
      (query as { text: string }).text = 'x';
    }).toThrow(TypeError);
  });

  it('cannot be constructed with new, even from JavaScript', () => {
    const Ctor = KqlQuery as unknown as new (text: string) => KqlQuery;
    expect(thrown(() => new Ctor('T | project secret')).option).toBe('KqlQuery');
  });

  it('builds the query from the design example', () => {
    const host = 'web-01';
    const since = new Date(Date.UTC(2024, 4, 1));
    const n = 10;
    expect(kql`DeviceProcessEvents | where DeviceName == ${host} and Timestamp > ${since} | take ${n}`.text).toBe(
      'DeviceProcessEvents | where DeviceName == "web-01" and Timestamp > datetime(2024-05-01T00:00:00.000Z) | take 10',
    );
  });
});

describe('kql: placeholders inside the template\'s own literals', () => {
  const attack = "' or 1==1 //";
  it.each([
    ['single quotes', () => kql`T | where A == '${attack}'`],
    ['double quotes', () => kql`T | where A == "${attack}"`],
    ['a verbatim string', () => kql`T | where A == @"C:\x${attack}"`],
    ['a comment', () => kql`T // note ${attack}`, /out of the comment/],
    ['a string opened before an earlier value', () => kql`T | where B == ${1} and A has 'x${attack}'`],
  ])('refuses a placeholder inside %s', (_where, build, message = /remove the quotes around the placeholder/) => {
    expect(build).toThrow(InvalidArgumentError);
    expect(build).toThrow(message);
  });

  it('accepts placeholders after closed literals, escaped quotes and comments', () => {
    expect(kql`T | where A == "it\"s" and B == 'x' and C == @"a""b" and D == ${'v'}`.text).toBe(
      'T | where A == "it\\"s" and B == \'x\' and C == @"a""b" and D == "v"',
    );
    expect(kql`T // a comment with "quote
| where A == ${'v'}`.text).toBe('T // a comment with "quote\n| where A == "v"');
  });
});

describe('kql: what the text around a placeholder makes of it (issue 11)', () => {
  const attack = '" or true //';
  const refusal = (build: () => unknown) => thrown(build);

  describe('verbatim strings: after "@" a backslash escapes nothing', () => {
    it('the rendering the tag used to send is an injection (so the refusals below have teeth)', () => {
      const sent = String.raw`DeviceProcessEvents | where FileName == @"\" or true //" | count`;
      expect(tokenize(sent).filter((token) => token.kind === 'string')).toEqual([{ kind: 'string', value: '\\' }]);
      expect(tokenize(sent).map((token) => token.value)).toContain('true');
    });

    it.each<[string, () => unknown]>([
      ['@', () => kql`DeviceProcessEvents | where FileName == @${attack} | count`],
      ['h@ (an obfuscated verbatim literal)', () => kql`T | where A == h@${attack}`],
      ['H@', () => kql`T | where A == H@${attack}`],
      ['@ and a space', () => kql`T | where A == @ ${attack}`],
      ['@ and a line break', () => kql`T | where A == @
        ${attack}`],
      ['@ before a list', () => kql`T | where A in (@${[attack]})`],
      ['@ before a number', () => kql`T | take @${1}`],
    ])('refuses a placeholder after %s', (_after, build) => {
      const error = refusal(build);
      expect(error.option).toBe('values[0]');
      expect(error.message).toMatch(/follows "@", which would make the literal after it a verbatim string/);
      expect(error.message).toContain('remove the "@"');
    });

    it('accepts h${value}: an obfuscated literal escapes like a plain one', () => {
      const query = kql`T | where A == h${attack} | take 1`;
      expect(query.text).toBe(String.raw`T | where A == h"\" or true //" | take 1`);
      expect(tokenize(query.text).filter((token) => token.kind === 'string')).toEqual([{ kind: 'string', value: attack }]);
    });

    it('accepts a placeholder after an "@" that stands in a comment or a string', () => {
      expect(kql`T // ask admin@
| where A == ${attack} and B == "x@" and C == ${'y'}`.text).toBe('T // ask admin@\n| where A == "\\" or true //" and B == "x@" and C == "y"');
    });

    it('refuses a value right after a verbatim string, whose doubled quote would continue it', () => {
      const error = refusal(() => kql`T | where A == @"C:\x"${attack}`);
      expect(error.option).toBe('values[0]');
      expect(error.message).toMatch(/part of a verbatim string literal .* begins before it/);
      // Separated, they are two literals (KQL concatenates them), the value still one of them.
      const spaced = kql`T | where A == @"C:\x" ${attack}`;
      expect(tokenize(spaced.text).filter((token) => token.kind === 'string')).toEqual([
        { kind: 'string', value: 'C:\\x' },
        { kind: 'string', value: attack },
      ]);
    });
  });

  describe('literals KQL reads raw up to ")": datetime(…), guid(…), int(…)…', () => {
    it.each<[string, () => unknown]>([
      ['datetime(', () => kql`T | where Timestamp > datetime(${'2024-01-01) or true //'})`],
      ['guid(', () => kql`T | where Id == guid(${'x'})`],
      ['timespan(', () => kql`T | where D > timespan(${'1d'})`],
      ['Date( in any case', () => kql`T | where D > Date(${'x'})`],
      ['datetime( holding a Date', () => kql`T | where D > datetime(${new Date(0)})`],
      ['int( holding a list', () => kql`T | where D == int(${[1]})`],
    ])('refuses a string, Date or list inside %s', (_where, build) => {
      const error = refusal(build);
      expect(error.option).toBe('values[0]');
      expect(error.message).toMatch(/reads as raw text up to the first "\)"/);
    });

    it('renders a number or boolean there, a negative one without the parentheses that would end the literal', () => {
      expect(kql`T | where A == int(${-5}) and B == long(${7n}) and C == bool(${false})`.text).toBe(
        'T | where A == int(-5) and B == long(7) and C == bool(false)',
      );
    });

    it('accepts a string in a function whose name merely ends like one (todatetime, toguid)', () => {
      const query = kql`T | where Timestamp > todatetime(${attack}) and Id == toguid(${'x'})`;
      expect(tokenize(query.text).filter((token) => token.kind === 'string')).toEqual([
        { kind: 'string', value: attack },
        { kind: 'string', value: 'x' },
      ]);
    });
  });

  describe('multi-line strings and line breaks', () => {
    const tildes = '~~~ or true //';
    it.each<[string, () => unknown, RegExp]>([
      ['a ```…``` string', () => kql`T | where A == ${kql.raw('```x')}`, /multi-line string literal \(```…```\)/],
      ['the older ~~~…~~~ form', () => kql`T | where A == ~~~x${tildes}~~~`, /multi-line string literal \(~~~…~~~\)/],
      ['~~~ right after the operator <=', () => kql`T | where A <=~~~x${tildes}~~~`, /multi-line string literal/],
      ['@~~~', () => kql`T | where A == @~~~x${tildes}~~~`, /multi-line string literal/],
    ])('refuses a placeholder inside %s', (_what, build, message) => {
      expect(refusal(build).message).toMatch(message);
    });

    it('accepts a value after =~ and !~, whose ~ opens nothing', () => {
      expect(kql`T | where A =~ ${tildes} and B !~ ${'x'}`.text).toBe('T | where A =~ "~~~ or true //" and B !~ "x"');
    });

    it('reads a string on past U+2028 and a datetime(…) literal past a line break, as the newer Kusto parser does', () => {
      expect(refusal(() => kql`T | where A == ${kql.raw('"x\u2028')}${attack}`).message).toMatch(/ends inside a string literal/);
      expect(refusal(() => kql`T | where A > datetime(
${'2024-01-01) or true //'})`).message).toMatch(/reads as raw text up to the first/);
    });
  });

  it('refuses a placeholder on a line after "#", which Kusto reads as a directive to the end of the line', () => {
    expect(refusal(() => kql`T #${attack}`).message).toMatch(/after "#".*remove the "#"/);
    expect(kql`T #note
| take ${1}`.text).toBe('T #note\n| take 1');
  });

  describe('composed fragments are lexed where they stand', () => {
    it('refuses a fragment that ends inside a string it opened', () => {
      const open = kql`where FileName == "`;
      const error = refusal(() => kql`DeviceProcessEvents | ${open}${attack}" | count`);
      expect(error.option).toBe('values[0]');
      expect(error.message).toMatch(/is a KqlQuery whose text ends inside a string literal/);
      expect(refusal(() => kql`T | ${kql.raw("where A == @'")}${attack}`).message).toMatch(/verbatim string literal/);
      expect(refusal(() => kql`T | where A == ${kql.raw('```')}x`).message).toMatch(/multi-line string literal/);
      expect(refusal(() => kql`T | where A > ${kql.raw('datetime(')}2024-01-01)`).message).toMatch(/the literal datetime/);
    });

    it('refuses a fragment after "@", and an "@" given as a fragment before a value', () => {
      expect(refusal(() => kql`T | where A == @${kql`${attack}`}`).message).toMatch(/follows "@"/);
      expect(refusal(() => kql`T | where A == @${kql.identifier('x')}`).message).toMatch(/follows "@"/);
      const error = refusal(() => kql`T | where A == ${kql.raw('h@')}${attack}`);
      expect(error.option).toBe('values[1]');
      expect(error.message).toMatch(/follows "@"/);
    });

    it('refuses a fragment whose text, where it stands, joins a literal or comment of its neighbours', () => {
      // `x` + `datetime(") …` is no literal: there the fragment's `"` opens a string its value closes.
      const inner = kql`datetime(") ${' or true //'}`;
      const error = refusal(() => kql`T | where A == x${inner}
| take 1`);
      expect(error.option).toBe('values[0]');
      expect(error.message).toMatch(/KqlQuery with an interpolated value that, where the fragment stands, KQL would read as part of a string literal/);
      expect(refusal(() => kql`T | where A > date${kql.raw('time(')}2024-01-01)`).message).toMatch(/would continue the literal datetime/);
      expect(refusal(() => kql`T | where A == 1 ${kql.raw('/')}/ note
| where B == ${attack}`).message).toMatch(/ends inside a \/\/ comment/);
    });

    it('checks the values of fragments nested two deep again in the outer query', () => {
      const inner = kql`datetime(") ${' or true //'}`;
      const middle = kql`${inner}`;
      expect(middle.text).toBe('datetime(") " or true //"');
      expect(refusal(() => kql`T | where A == x${middle}
| take 1`).message).toMatch(/where the fragment stands/);
    });

    it('refuses a fragment ending in a // comment unless a line break follows it', () => {
      const commented = kql`where A == 1 // only A`;
      expect(refusal(() => kql`T | ${commented} | where B == ${attack}`).message).toMatch(/\/\/ comment/);
      const query = kql`T | ${commented}
| where B == ${attack}`;
      expect(query.text).toBe('T | where A == 1 // only A\n| where B == "\\" or true //"');
      expect(tokenize(query.text).filter((token) => token.kind === 'string')).toEqual([{ kind: 'string', value: attack }]);
    });

    it('lexes fragments inside a list too', () => {
      const error = refusal(() => kql`T | where A in (${[kql.raw('@"'), ' or true or ']})`);
      expect(error.option).toBe('values[0][0]');
      expect(error.message).toMatch(/verbatim string literal/);
    });
  });
});
