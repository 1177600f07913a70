/*
 * The OData `$filter` subset the Graph security API accepts on incidents and alerts_v2 (reference
 * §5.2): `<property> <op> <literal>` with `eq`, `ne`, `gt`, `ge`, `lt`, `le`, joined by `and` / `or`,
 * with parentheses. Dates are unquoted ISO-8601, enums and strings quoted. Predicates run on the
 * rendered Graph object, so they see exactly what the caller sees.
 */

/** A `$filter` (or other query option) the service refuses; the message is the OData validator's. */
export class ODataQueryError extends Error {
  constructor(detail: string) {
    super(`The query specified in the URI is not valid. ${detail}`);
    this.name = 'ODataQueryError';
  }
}

/** How a property may be filtered. */
export type FilterKind = 'datetime' | 'string' | 'enum';

/** A compiled `$filter`: true for the objects it keeps. */
export type GraphPredicate = (item: Record<string, unknown>) => boolean;

type Token = { text: string; at: number };
type Literal = { kind: 'datetime'; ticks: bigint } | { kind: 'string'; value: string } | { kind: 'null' };

const OPERATORS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
/** OData comparison operators and the kind names the service's messages use for them. */
export const OPERATOR_KINDS: Readonly<Record<string, string>> = {
  eq: 'Equal', ne: 'NotEqual', gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual',
};
const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})$/i;

/** A DateTimeOffset string as 100-ns ticks since the epoch (all 7 fraction digits kept), or `undefined`. */
export function ticksOf(iso: string): bigint | undefined {
  const match = ISO.exec(iso);
  const ms = match ? Date.parse(`${match[1]}${match[3]}`) : Number.NaN;
  if (!match || Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 10_000n + BigInt((match[2] ?? '').padEnd(7, '0'));
}

/**
 * Compiles `filter` for an entity type.
 *
 * @param filterable the properties the service lets callers filter on, with their kind
 * @param properties every property of the type (others are "not found", these "cannot be used")
 * @param typeName the OData type name used in messages, e.g. `microsoft.graph.security.incident`
 * @throws ODataQueryError with the service's message
 */
export function compileFilter(
  filter: string,
  filterable: Record<string, FilterKind>,
  properties: readonly string[],
  typeName: string,
): GraphPredicate {
  const tokens: Token[] = [];
  const lexer = /\s*('(?:[^']|'')*'?|[()]|[^\s()']+)/gy;
  for (let m = lexer.exec(filter); m && m[1] !== undefined; m = lexer.exec(filter)) {
    tokens.push({ text: m[1], at: m.index + m[0].length - m[1].length });
  }
  let i = 0;
  const syntax = (at: number) => new ODataQueryError(`Syntax error at position ${at} in '${filter}'.`);
  const peek = () => tokens[i];

  const comparison = (): GraphPredicate => {
    const field = tokens[i++];
    if (!field) throw syntax(filter.length);
    if (!/^[A-Za-z_]\w*$/.test(field.text)) throw syntax(field.at);
    const kind = filterable[field.text];
    if (!kind) {
      throw new ODataQueryError(
        properties.includes(field.text)
          ? `The property '${field.text}' cannot be used in the $filter query option.`
          : `Could not find a property named '${field.text}' on type '${typeName}'.`,
      );
    }
    const op = tokens[i++];
    if (!op || !OPERATORS.has(op.text)) throw syntax(op?.at ?? filter.length);
    const value = tokens[i++];
    if (!value) throw syntax(filter.length);
    return predicate(field.text, kind, op.text, literal(value, filter, typeName));
  };
  const primary = (): GraphPredicate => {
    if (peek()?.text === '(') {
      i++;
      const inner = or();
      if (peek()?.text !== ')') throw syntax(peek()?.at ?? filter.length);
      i++;
      return inner;
    }
    return comparison();
  };
  const and = (): GraphPredicate => {
    const parts = [primary()];
    while (peek()?.text === 'and') {
      i++;
      parts.push(primary());
    }
    return parts.length === 1 ? parts[0]! : (item) => parts.every((part) => part(item));
  };
  const or = (): GraphPredicate => {
    const parts = [and()];
    while (peek()?.text === 'or') {
      i++;
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : (item) => parts.some((part) => part(item));
  };

  const compiled = or();
  const rest = peek();
  if (rest) throw syntax(rest.at);
  return compiled;
}

function literal(token: Token, filter: string, typeName: string): Literal {
  const text = token.text;
  if (text === 'null') return { kind: 'null' };
  if (text.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(text)) {
      throw new ODataQueryError(`There is an unterminated string literal at position ${token.at} in '${filter}'.`);
    }
    return { kind: 'string', value: text.slice(1, -1).replaceAll("''", "'") };
  }
  if (/^\d{4}-/.test(text)) {
    const ticks = ticksOf(text);
    if (ticks === undefined) {
      throw new ODataQueryError(`The DateTimeOffset text '${text}' should be in format 'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within valid range.`);
    }
    return { kind: 'datetime', ticks };
  }
  // A bare word is an OData property path.
  throw new ODataQueryError(`Could not find a property named '${text}' on type '${typeName}'.`);
}

function predicate(field: string, kind: FilterKind, op: string, value: Literal): GraphPredicate {
  const wanted = kind === 'datetime' ? 'datetime' : 'string';
  if (value.kind !== 'null' && value.kind !== wanted) {
    const edm = (k: string) => (k === 'datetime' ? 'Edm.DateTimeOffset' : 'Edm.String');
    throw new ODataQueryError(`A binary operator with incompatible types was detected. Found operand types '${edm(wanted)}' and '${edm(value.kind)}' for operator kind '${OPERATOR_KINDS[op]}'.`);
  }
  if (kind === 'enum' && op !== 'eq' && op !== 'ne') {
    throw new ODataQueryError(`The operator '${op}' is not supported on the enum property '${field}'.`);
  }
  return (item) => {
    const actual = item[field];
    if (value.kind === 'null' || actual === null || actual === undefined) {
      const bothNull = value.kind === 'null' && (actual === null || actual === undefined);
      return op === 'eq' ? bothNull : op === 'ne' ? !bothNull : false;
    }
    let order: number;
    if (value.kind === 'datetime') {
      const ticks = ticksOf(String(actual));
      if (ticks === undefined) return false;
      order = ticks === value.ticks ? 0 : ticks < value.ticks ? -1 : 1;
    } else {
      const text = String(actual);
      order = text === value.value ? 0 : text < value.value ? -1 : 1;
    }
    return satisfies(op, order);
  };
}

/** Whether `order` (the sign of `actual` compared with the literal) satisfies the OData operator `op`. */
export function satisfies(op: string, order: number): boolean {
  switch (op) {
    case 'eq': return order === 0;
    case 'ne': return order !== 0;
    case 'gt': return order > 0;
    case 'ge': return order >= 0;
    case 'lt': return order < 0;
    default: return order <= 0;
  }
}
