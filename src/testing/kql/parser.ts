/** Recursive-descent parser for the KQL subset: a table name followed by `| operator` stages. */

import { KqlSyntaxError, KqlTooComplexError } from './errors.js';
import { tokenize, type Token } from './lexer.js';

/** A parsed scalar expression: literal, column, function call, binary operator, negation, or `in` list. */
export type Expr =
  | { k: 'lit'; type: 'string' | 'long' | 'real' | 'bool' | 'timespan' | 'datetime'; value: unknown; tok: Token }
  | { k: 'col'; name: string; tok: Token }
  | { k: 'call'; name: string; args: Expr[]; tok: Token }
  | { k: 'bin'; op: string; left: Expr; right: Expr; tok: Token }
  | { k: 'neg'; operand: Expr; tok: Token }
  | { k: 'in'; op: 'in' | '!in' | 'in~' | '!in~'; left: Expr; list: Expr[]; tok: Token };

/** An expression with an optional output name (`name = expr`). */
export interface NamedExpr {
  /** The output column name, when given. */
  name?: string;
  /** The expression. */
  expr: Expr;
}
/** A sort key of `order by`/`sort by`/`top`. */
export interface SortKey {
  /** What to sort on. */
  expr: Expr;
  /** Descending (the KQL default). */
  desc: boolean;
  /** Whether nulls sort first. */
  nullsFirst: boolean;
}
/** An aggregation of `summarize`, e.g. `n = dcount(DeviceId)`. */
export interface Aggregate {
  /** The output column name, when given. */
  name?: string;
  /** The aggregation function, e.g. `dcount`. */
  fn: string;
  /** Its arguments. */
  args: Expr[];
  /** The function name token, for error positions. */
  tok: Token;
}

/** One `| operator` stage of a query. */
export type Stage =
  | { op: 'where'; pred: Expr }
  | { op: 'project'; items: NamedExpr[] }
  | { op: 'extend'; items: NamedExpr[] }
  | { op: 'take'; n: number }
  | { op: 'top'; n: number; key: SortKey }
  | { op: 'sort'; keys: SortKey[] }
  | { op: 'summarize'; aggs: Aggregate[]; by: NamedExpr[] }
  | { op: 'distinct'; cols: Token[] | '*' }
  | { op: 'count' };

/** A parsed query: a table and its stages. */
export interface Query {
  /** The table name token. */
  table: Token;
  /** The piped stages, in order. */
  stages: Stage[];
}

/** The scalar functions of the subset, with their minimum and maximum argument counts. */
export const SCALAR_FUNCTIONS: Record<string, [min: number, max: number]> = {
  ago: [1, 1],
  now: [0, 1],
  isempty: [1, 1],
  isnotempty: [1, 1],
  notempty: [1, 1],
  tolower: [1, 1],
  toupper: [1, 1],
  not: [1, 1],
};
/** The aggregation functions of the subset, with their minimum and maximum argument counts. */
export const AGGREGATES: Record<string, [min: number, max: number]> = {
  count: [0, 0],
  countif: [1, 1],
  dcount: [1, 2],
  min: [1, 1],
  max: [1, 1],
  sum: [1, 1],
  avg: [1, 1],
};

/**
 * How deep expressions may nest (parentheses, function calls, signs): the parser recurses on
 * each, some ten frames a level, so this keeps it far from the stack's end.
 */
export const MAX_NESTING = 500;
/**
 * How deep an expression's tree of operators may be: binding and evaluation recurse on it. The
 * service allows "several thousand levels"; a chain of 2,000 `or`s is within this.
 */
export const MAX_EXPRESSION_DEPTH = 2_000;

const TABULAR_OPERATORS = 'a tabular operator (where, project, extend, take, limit, top, order by, sort by, summarize, distinct, count)';
const STRING_OPERATORS = new Set([
  'has', 'has_cs', 'contains', 'contains_cs', 'startswith', 'startswith_cs', 'endswith', 'endswith_cs',
]);
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=', '=~', '!~']);

function tooComplex(tok: Token, problem: string): never {
  const text = tok.text.length > 40 ? `${tok.text.slice(0, 40)}…` : tok.text;
  throw new KqlTooComplexError(text, tok.line, tok.column, problem);
}

/** The operands of an expression node. */
function operands(e: Expr): readonly Expr[] {
  switch (e.k) {
    case 'neg':
      return [e.operand];
    case 'call':
      return e.args;
    case 'bin':
      return [e.left, e.right];
    case 'in':
      return [e.left, ...e.list];
    default:
      return [];
  }
}

/** Refuses an expression whose tree is deeper than MAX_EXPRESSION_DEPTH, walking it without recursion. */
function checkDepth(root: Expr): void {
  const stack: [Expr, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [e, depth] = stack.pop()!;
    if (depth > MAX_EXPRESSION_DEPTH) {
      tooComplex(e.tok, `its tree of operators is more than ${MAX_EXPRESSION_DEPTH.toLocaleString('en-US')} levels deep; write a long chain of or-ed comparisons as in (…)`);
    }
    for (const operand of operands(e)) stack.push([operand, depth + 1]);
  }
}

/** Every expression of a stage. */
function stageExprs(stage: Stage): Expr[] {
  switch (stage.op) {
    case 'where':
      return [stage.pred];
    case 'project':
    case 'extend':
      return stage.items.map((item) => item.expr);
    case 'top':
      return [stage.key.expr];
    case 'sort':
      return stage.keys.map((key) => key.expr);
    case 'summarize':
      return [...stage.aggs.flatMap((agg) => agg.args), ...stage.by.map((item) => item.expr)];
    default:
      return [];
  }
}

class Parser {
  private pos = 0;
  // How deep the expression being parsed nests (the parser's own recursion).
  private nesting = 0;
  constructor(private readonly tokens: Token[]) {}

  /** Enters one more level of nesting at `tok`. */
  private nest(tok: Token): void {
    if (++this.nesting > MAX_NESTING) {
      tooComplex(tok, `it nests expressions (parentheses, function calls, signs) more than ${MAX_NESTING} levels deep`);
    }
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private fail(expected: string, tok: Token = this.peek()): never {
    throw new KqlSyntaxError(tok.text, tok.line, tok.column, expected);
  }
  private isOp(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'op' && t.text === text;
  }
  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.text === word;
  }
  private expectOp(text: string): Token {
    if (!this.isOp(text)) this.fail(`'${text}'`);
    return this.next();
  }
  private expectWord(word: string): Token {
    if (!this.isWord(word)) this.fail(`'${word}'`);
    return this.next();
  }
  private ident(expected: string): Token {
    if (this.peek().kind !== 'ident') this.fail(expected);
    return this.next();
  }

  query(): Query {
    const table = this.ident('a table name');
    const stages: Stage[] = [];
    while (this.isOp('|')) {
      this.next();
      const stage = this.stage();
      stageExprs(stage).forEach(checkDepth);
      stages.push(stage);
    }
    if (this.peek().kind !== 'eof') this.fail("'|' or the end of the query");
    return { table, stages };
  }

  private stage(): Stage {
    const t = this.peek();
    if (t.kind !== 'ident') this.fail(TABULAR_OPERATORS);
    switch (t.text) {
      case 'where':
        this.next();
        return { op: 'where', pred: this.expr() };
      case 'project':
      case 'extend':
        this.next();
        return { op: t.text, items: this.list(() => this.namedExpr()) };
      case 'take':
      case 'limit':
        this.next();
        return { op: 'take', n: this.count() };
      case 'top': {
        this.next();
        const n = this.count();
        this.expectWord('by');
        return { op: 'top', n, key: this.sortKey() };
      }
      case 'order':
      case 'sort':
        this.next();
        this.expectWord('by');
        return { op: 'sort', keys: this.list(() => this.sortKey()) };
      case 'summarize':
        return this.summarize();
      case 'distinct':
        this.next();
        if (this.isOp('*')) {
          this.next();
          return { op: 'distinct', cols: '*' };
        }
        return { op: 'distinct', cols: this.list(() => this.ident('a column name')) };
      case 'count':
        this.next();
        return { op: 'count' };
      default:
        return this.fail(TABULAR_OPERATORS);
    }
  }

  private list<T>(item: () => T): T[] {
    const out = [item()];
    while (this.isOp(',')) {
      this.next();
      out.push(item());
    }
    return out;
  }

  private count(): number {
    const t = this.peek();
    if (t.kind !== 'long') this.fail('a non-negative integer literal');
    this.next();
    return t.value as number;
  }

  private namedExpr(): NamedExpr {
    if (this.peek().kind === 'ident' && this.isOp('=', 1)) {
      const name = this.next().text;
      this.next();
      return { name, expr: this.expr() };
    }
    return { expr: this.expr() };
  }

  private sortKey(): SortKey {
    const expr = this.expr();
    let desc = true;
    if (this.isWord('asc') || this.isWord('desc')) desc = this.next().text === 'desc';
    let nullsFirst = !desc;
    if (this.isWord('nulls')) {
      this.next();
      if (this.isWord('first') || this.isWord('last')) nullsFirst = this.next().text === 'first';
      else this.fail("'first' or 'last'");
    }
    return { expr, desc, nullsFirst };
  }

  private summarize(): Stage {
    this.next();
    const aggs: Aggregate[] = [];
    if (!this.isWord('by')) aggs.push(...this.list(() => this.aggregate()));
    let by: NamedExpr[] = [];
    if (this.isWord('by')) {
      this.next();
      by = this.list(() => this.namedExpr());
    }
    return { op: 'summarize', aggs, by };
  }

  private aggregate(): Aggregate {
    let name: string | undefined;
    if (this.peek().kind === 'ident' && this.isOp('=', 1)) {
      name = this.next().text;
      this.next();
    }
    const tok = this.peek();
    const arity = tok.kind === 'ident' ? AGGREGATES[tok.text] : undefined;
    if (!arity || !this.isOp('(', 1)) {
      this.fail('an aggregation function (count, countif, dcount, min, max, sum, avg)');
    }
    this.next();
    const args = this.args(tok, arity);
    return name === undefined ? { fn: tok.text, args, tok } : { name, fn: tok.text, args, tok };
  }

  private args(fn: Token, [min, max]: [number, number]): Expr[] {
    this.expectOp('(');
    const args: Expr[] = [];
    if (!this.isOp(')')) args.push(...this.list(() => this.expr()));
    if (args.length < min || args.length > max) {
      const want = min === max ? `${min}` : `${min} to ${max}`;
      this.fail(`${want} argument${max === 1 ? '' : 's'} for ${fn.text}()`, this.peek());
    }
    this.expectOp(')');
    return args;
  }

  expr(): Expr {
    this.nest(this.peek());
    let left = this.and();
    while (this.isWord('or')) {
      const tok = this.next();
      left = { k: 'bin', op: 'or', left, right: this.and(), tok };
    }
    this.nesting--;
    return left;
  }

  private and(): Expr {
    let left = this.comparison();
    while (this.isWord('and')) {
      const tok = this.next();
      left = { k: 'bin', op: 'and', left, right: this.comparison(), tok };
    }
    return left;
  }

  private comparison(): Expr {
    const left = this.additive();
    const t = this.peek();
    if (t.kind === 'op' && COMPARISONS.has(t.text)) {
      this.next();
      return { k: 'bin', op: t.text, left, right: this.additive(), tok: t };
    }
    if ((t.kind === 'ident' && STRING_OPERATORS.has(t.text)) || (t.kind === 'op' && STRING_OPERATORS.has(t.text.slice(1)))) {
      this.next();
      return { k: 'bin', op: t.text, left, right: this.additive(), tok: t };
    }
    if ((t.kind === 'ident' && t.text === 'in') || (t.kind === 'op' && ['in~', '!in', '!in~'].includes(t.text))) {
      this.next();
      this.expectOp('(');
      const list = this.list(() => this.expr());
      this.expectOp(')');
      return { k: 'in', op: t.text as 'in', left, list, tok: t };
    }
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const tok = this.next();
      left = { k: 'bin', op: tok.text, left, right: this.multiplicative(), tok };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const tok = this.next();
      left = { k: 'bin', op: tok.text, left, right: this.unary(), tok };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isOp('-')) {
      const tok = this.next();
      this.nest(tok);
      const operand = this.unary();
      this.nesting--;
      return { k: 'neg', operand, tok };
    }
    if (this.isOp('+')) this.next();
    return this.primary();
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
      case 'long':
      case 'real':
      case 'timespan':
      case 'datetime':
        this.next();
        return { k: 'lit', type: t.kind, value: t.value, tok: t };
      case 'ident': {
        if (t.text === 'true' || t.text === 'false') {
          this.next();
          return { k: 'lit', type: 'bool', value: t.text === 'true', tok: t };
        }
        if (this.isOp('(', 1)) {
          const arity = SCALAR_FUNCTIONS[t.text];
          if (!arity) this.fail('a supported function (ago, now, datetime, isempty, isnotempty, tolower, toupper, not)');
          this.next();
          return { k: 'call', name: t.text, args: this.args(t, arity), tok: t };
        }
        this.next();
        return { k: 'col', name: t.text, tok: t };
      }
      case 'op':
        if (t.text === '(') {
          this.next();
          const inner = this.expr();
          this.expectOp(')');
          return inner;
        }
        break;
      default:
        break;
    }
    return this.fail('an expression');
  }
}

/**
 * Parses a query of the subset.
 * @throws KqlSyntaxError at the first token that does not fit.
 */
export function parseKql(source: string): Query {
  return new Parser(tokenize(source)).query();
}
