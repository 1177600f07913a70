/**
 * Binds a parsed query to table schemas and compiles every expression to a closure once, so
 * per-row evaluation allocates nothing beyond the values themselves.
 */

import { KqlSemanticError } from './errors.js';
import type { Aggregate, Expr, NamedExpr, Query, SortKey, Stage } from './parser.js';
import type { KqlColumn, KqlResult, KqlTable, KqlType } from './types.js';
import { compareValues, formatDatetime, formatTimespan, hasTerm, toMs, toSpan } from './values.js';

type Row = Record<string, unknown>;
type Fn = (row: Row) => unknown;
interface Compiled {
  type: KqlType;
  fn: Fn;
  constant: boolean;
}
interface Scope {
  /** The operator being bound, for messages (`'where' operator: …`). */
  op: string;
  columns: Map<string, KqlType>;
  now: number;
}

const NUMERIC = new Set<KqlType>(['int', 'long', 'real']);
const isNum = (t: KqlType): boolean => NUMERIC.has(t);

function semantic(scope: Scope, message: string): never {
  throw new KqlSemanticError(`'${scope.op}' operator: ${message}`);
}

function fold(type: KqlType, fn: Fn, children: Compiled[]): Compiled {
  if (children.every((c) => c.constant)) {
    const value = fn({});
    return { type, fn: () => value, constant: true };
  }
  return { type, fn, constant: false };
}

function asString(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : String(v);
}

/** Reads a cell, normalising datetimes and timespans to milliseconds. */
function columnGetter(name: string, type: KqlType): Fn {
  if (type === 'datetime') return (row) => toMs(row[name]);
  if (type === 'timespan') return (row) => toSpan(row[name]);
  return (row) => row[name] ?? null;
}

function compileExpr(e: Expr, scope: Scope): Compiled {
  switch (e.k) {
    case 'lit': {
      const value = e.value;
      return { type: e.type, fn: () => value, constant: true };
    }
    case 'col': {
      const type = scope.columns.get(e.name);
      if (type === undefined) semantic(scope, `Failed to resolve scalar expression named '${e.name}'`);
      return { type: type!, fn: columnGetter(e.name, type!), constant: false };
    }
    case 'neg': {
      const o = compileExpr(e.operand, scope);
      if (!isNum(o.type) && o.type !== 'timespan') semantic(scope, `Cannot negate a value of type ${o.type}`);
      const f = o.fn;
      return fold(o.type, (row) => {
        const v = f(row) as number | null;
        return v === null ? null : -v;
      }, [o]);
    }
    case 'call':
      return compileCall(e, scope);
    case 'in':
      return compileIn(e, scope);
    case 'bin':
      return compileBinary(e, scope);
  }
}

function compileCall(e: Extract<Expr, { k: 'call' }>, scope: Scope): Compiled {
  const args = e.args.map((a) => compileExpr(a, scope));
  const a0 = args[0];
  const f0 = a0?.fn ?? (() => null);
  const now = scope.now;
  switch (e.name) {
    case 'now': {
      if (a0 && a0.type !== 'timespan') semantic(scope, `now(): expected a timespan argument, got ${a0.type}`);
      return fold('datetime', (row) => {
        const off = a0 ? (f0(row) as number | null) : 0;
        return off === null ? null : now + off;
      }, args);
    }
    case 'ago': {
      if (a0!.type !== 'timespan') semantic(scope, `ago(): expected a timespan argument, got ${a0!.type}`);
      return fold('datetime', (row) => {
        const span = f0(row) as number | null;
        return span === null ? null : now - span;
      }, args);
    }
    case 'isempty':
      return fold('bool', (row) => {
        const v = f0(row);
        return v === null || v === undefined || v === '';
      }, args);
    case 'isnotempty':
    case 'notempty':
      return fold('bool', (row) => {
        const v = f0(row);
        return !(v === null || v === undefined || v === '');
      }, args);
    case 'tolower':
      return fold('string', (row) => asString(f0(row)).toLowerCase(), args);
    case 'toupper':
      return fold('string', (row) => asString(f0(row)).toUpperCase(), args);
    case 'not':
      if (a0!.type !== 'bool' && a0!.type !== 'dynamic') semantic(scope, `not(): expected a bool argument, got ${a0!.type}`);
      return fold('bool', (row) => {
        const v = f0(row);
        return v === null || v === undefined ? null : !v;
      }, args);
    default:
      // The parser only lets supported functions through.
      return semantic(scope, `Unknown function '${e.name}'`);
  }
}

function compileIn(e: Extract<Expr, { k: 'in' }>, scope: Scope): Compiled {
  const left = compileExpr(e.left, scope);
  const list = e.list.map((x) => compileExpr(x, scope));
  const negate = e.op.startsWith('!');
  const ci = e.op.endsWith('~');
  const norm = (v: unknown): unknown => (ci && typeof v === 'string' ? v.toLowerCase() : v);
  const lf = left.fn;
  let fn: Fn;
  if (list.every((x) => x.constant)) {
    const set = new Set(list.map((x) => norm(x.fn({}))));
    fn = (row) => {
      const v = lf(row);
      if (v === null || v === undefined) return negate;
      return set.has(norm(v)) !== negate;
    };
  } else {
    const fns = list.map((x) => x.fn);
    fn = (row) => {
      const v = lf(row);
      if (v === null || v === undefined) return negate;
      const nv = norm(v);
      for (const f of fns) if (norm(f(row)) === nv) return !negate;
      return negate;
    };
  }
  return fold('bool', fn, [left, ...list]);
}

function comparable(a: KqlType, b: KqlType): boolean {
  return a === b || (isNum(a) && isNum(b)) || a === 'dynamic' || b === 'dynamic';
}

function compileBinary(e: Extract<Expr, { k: 'bin' }>, scope: Scope): Compiled {
  const l = compileExpr(e.left, scope);
  const r = compileExpr(e.right, scope);
  const lf = l.fn;
  const rf = r.fn;
  const op = e.op;
  const kids = [l, r];
  const mismatch = (): never => semantic(scope, `Cannot apply operator '${op}' to operands of types ${l.type} and ${r.type}`);

  switch (op) {
    case 'and':
      if (!comparable(l.type, 'bool') || !comparable(r.type, 'bool')) mismatch();
      return fold('bool', (row) => lf(row) === true && rf(row) === true, kids);
    case 'or':
      if (!comparable(l.type, 'bool') || !comparable(r.type, 'bool')) mismatch();
      return fold('bool', (row) => lf(row) === true || rf(row) === true, kids);
    case '==':
    case '!=': {
      if (!comparable(l.type, r.type)) mismatch();
      const eq = op === '==';
      return fold('bool', (row) => {
        const a = lf(row);
        const b = rf(row);
        if (a === null || a === undefined || b === null || b === undefined) return !eq;
        return (a === b) === eq;
      }, kids);
    }
    case '=~':
    case '!~': {
      const eq = op === '=~';
      return fold('bool', (row) => {
        const a = lf(row);
        const b = rf(row);
        if (a === null || a === undefined || b === null || b === undefined) return !eq;
        return (asString(a).toLowerCase() === asString(b).toLowerCase()) === eq;
      }, kids);
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (!comparable(l.type, r.type)) mismatch();
      const test: (c: number) => boolean =
        op === '<' ? (c) => c < 0 : op === '<=' ? (c) => c <= 0 : op === '>' ? (c) => c > 0 : (c) => c >= 0;
      return fold('bool', (row) => {
        const a = lf(row);
        const b = rf(row);
        if (a === null || a === undefined || b === null || b === undefined) return false;
        return test(compareValues(a, b));
      }, kids);
    }
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return compileArithmetic(op, l, r, mismatch);
    default:
      return compileStringOp(op, l, r);
  }
}

function compileStringOp(op: string, l: Compiled, r: Compiled): Compiled {
  const negate = op.startsWith('!');
  const base = negate ? op.slice(1) : op;
  const cs = base.endsWith('_cs');
  const name = cs ? base.slice(0, -3) : base;
  const test: (a: string, b: string) => boolean =
    name === 'has' ? hasTerm
    : name === 'contains' ? (a, b) => a.includes(b)
    : name === 'startswith' ? (a, b) => a.startsWith(b)
    : (a, b) => a.endsWith(b);
  const lf = l.fn;
  const prep = cs ? asString : (v: unknown): string => asString(v).toLowerCase();
  let fn: Fn;
  if (r.constant) {
    const needle = prep(r.fn({}));
    fn = (row) => test(prep(lf(row)), needle) !== negate;
  } else {
    const rf = r.fn;
    fn = (row) => test(prep(lf(row)), prep(rf(row))) !== negate;
  }
  return fold('bool', fn, [l, r]);
}

function compileArithmetic(op: string, l: Compiled, r: Compiled, mismatch: () => never): Compiled {
  const lt = l.type;
  const rt = r.type;
  let type: KqlType | undefined;
  let integer = false;
  if (isNum(lt) && isNum(rt)) {
    type = lt === 'real' || rt === 'real' ? 'real' : lt === 'long' || rt === 'long' ? 'long' : 'int';
    integer = type !== 'real';
  } else if (op === '+' && ((lt === 'datetime' && rt === 'timespan') || (lt === 'timespan' && rt === 'datetime'))) {
    type = 'datetime';
  } else if (op === '-' && lt === 'datetime' && rt === 'timespan') {
    type = 'datetime';
  } else if (op === '-' && lt === 'datetime' && rt === 'datetime') {
    type = 'timespan';
  } else if ((op === '+' || op === '-') && lt === 'timespan' && rt === 'timespan') {
    type = 'timespan';
  } else if (op === '*' && ((lt === 'timespan' && isNum(rt)) || (isNum(lt) && rt === 'timespan'))) {
    type = 'timespan';
  } else if (op === '/' && lt === 'timespan' && isNum(rt)) {
    type = 'timespan';
  } else if (op === '/' && lt === 'timespan' && rt === 'timespan') {
    type = 'real';
  }
  if (type === undefined) return mismatch();
  const lf = l.fn;
  const rf = r.fn;
  const apply: (a: number, b: number) => number | null =
    op === '+' ? (a, b) => a + b
    : op === '-' ? (a, b) => a - b
    : op === '*' ? (a, b) => a * b
    : op === '/' ? (integer ? (a, b) => (b === 0 ? null : Math.trunc(a / b)) : (a, b) => a / b)
    : (a, b) => (b === 0 ? null : a % b);
  return fold(type, (row) => {
    const a = lf(row) as number | null;
    const b = rf(row) as number | null;
    if (a === null || a === undefined || b === null || b === undefined) return null;
    return apply(a, b);
  }, [l, r]);
}

// ---------------------------------------------------------------------------------------------
// Tabular operators

interface Plan {
  columns: KqlColumn[];
  run: (rows: Row[]) => Row[];
}

function scopeOf(op: string, columns: KqlColumn[], now: number): Scope {
  return { op, columns: new Map(columns.map((c) => [c.name, c.type])), now };
}

/** Adds `name` to `taken`, suffixed `1`, `2`, … if already there (Kusto's unique-name rule). */
function unique(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 1; taken.has(candidate); i++) candidate = `${name}${i}`;
  taken.add(candidate);
  return candidate;
}

function inferredName(e: Expr): string | undefined {
  return e.k === 'col' ? e.name : undefined;
}

/** A multi-column grouping key; strings are length-prefixed so different tuples never collide. */
function tupleKey(values: unknown[]): string {
  let key = '';
  for (const v of values) {
    if (v === null || v === undefined) key += 'n|';
    else if (typeof v === 'string') key += `s${v.length}:${v}|`;
    else key += `${typeof v}:${String(v)}|`;
  }
  return key;
}

function compileProject(items: NamedExpr[], input: KqlColumn[], now: number): Plan {
  const scope = scopeOf('project', input, now);
  const taken = new Set<string>();
  let generated = 0;
  const names: string[] = [];
  const fns: Fn[] = [];
  const columns: KqlColumn[] = [];
  for (const item of items) {
    const c = compileExpr(item.expr, scope);
    const name = unique(item.name ?? inferredName(item.expr) ?? `Column${++generated}`, taken);
    names.push(name);
    fns.push(c.fn);
    columns.push({ name, type: c.type });
  }
  const count = names.length;
  return {
    columns,
    run: (rows) =>
      rows.map((row) => {
        const out: Row = {};
        for (let i = 0; i < count; i++) out[names[i]!] = fns[i]!(row);
        return out;
      }),
  };
}

function compileExtend(items: NamedExpr[], input: KqlColumn[], now: number): Plan {
  const columns = input.map((c) => ({ ...c }));
  const names: string[] = [];
  const fns: Fn[] = [];
  let generated = 0;
  for (const item of items) {
    const c = compileExpr(item.expr, scopeOf('extend', columns, now));
    let name = item.name ?? inferredName(item.expr);
    if (name === undefined) {
      const taken = new Set(columns.map((x) => x.name));
      do name = `Column${++generated}`;
      while (taken.has(name));
    }
    const existing = columns.find((x) => x.name === name);
    // Kusto.Language replaces an existing column in place (reference §4.2, §5 point 9).
    if (existing) existing.type = c.type;
    else columns.push({ name, type: c.type });
    names.push(name);
    fns.push(c.fn);
  }
  const count = names.length;
  return {
    columns,
    run: (rows) =>
      rows.map((row) => {
        const out: Row = { ...row };
        for (let i = 0; i < count; i++) out[names[i]!] = fns[i]!(out);
        return out;
      }),
  };
}

function sorter(keys: SortKey[], input: KqlColumn[], op: string, now: number): (rows: Row[]) => Row[] {
  const scope = scopeOf(op, input, now);
  const compiled = keys.map((k) => ({ fn: compileExpr(k.expr, scope).fn, desc: k.desc, nullsFirst: k.nullsFirst }));
  return (rows) => {
    const decorated = rows.map((row) => ({ row, keys: compiled.map((k) => k.fn(row)) }));
    decorated.sort((a, b) => {
      for (let i = 0; i < compiled.length; i++) {
        const k = compiled[i]!;
        const x = a.keys[i];
        const y = b.keys[i];
        const xn = x === null || x === undefined;
        const yn = y === null || y === undefined;
        if (xn || yn) {
          if (xn && yn) continue;
          return xn === k.nullsFirst ? -1 : 1;
        }
        const c = compareValues(x, y);
        if (c !== 0) return k.desc ? -c : c;
      }
      return 0;
    });
    return decorated.map((d) => d.row);
  };
}

interface AggState {
  add(row: Row): void;
  value(): unknown;
}

function compileAggregate(agg: Aggregate, scope: Scope): { type: KqlType; make: () => AggState; defaultName: string } {
  const args = agg.args.map((a) => compileExpr(a, scope));
  const arg = args[0];
  const f = arg?.fn ?? (() => null);
  const argName = agg.args[0] ? (inferredName(agg.args[0]) ?? '') : '';
  const defaultName = `${agg.fn}_${argName}`;
  switch (agg.fn) {
    case 'count':
      return {
        type: 'long',
        defaultName,
        make: () => {
          let n = 0;
          return { add: () => void n++, value: () => n };
        },
      };
    case 'countif':
      if (arg!.type !== 'bool') semantic(scope, `countif(): expected a bool argument, got ${arg!.type}`);
      return {
        type: 'long',
        defaultName,
        make: () => {
          let n = 0;
          return { add: (row) => void (f(row) === true && n++), value: () => n };
        },
      };
    case 'dcount':
      return {
        type: 'long',
        defaultName,
        make: () => {
          // Exact; the service's HyperLogLog estimate equals it for small cardinalities.
          const seen = new Set<unknown>();
          return {
            add: (row) => {
              const v = f(row);
              if (v !== null && v !== undefined) seen.add(v);
            },
            value: () => seen.size,
          };
        },
      };
    case 'min':
    case 'max': {
      const sign = agg.fn === 'min' ? -1 : 1;
      return {
        type: arg!.type,
        defaultName,
        make: () => {
          let best: unknown = null;
          return {
            add: (row) => {
              const v = f(row);
              if (v === null || v === undefined) return;
              if (best === null || compareValues(v, best) * sign > 0) best = v;
            },
            value: () => best,
          };
        },
      };
    }
    case 'sum':
    case 'avg': {
      const t = arg!.type;
      if (!isNum(t) && t !== 'timespan' && !(agg.fn === 'avg' && t === 'datetime')) {
        semantic(scope, `${agg.fn}(): expected a numeric or timespan argument, got ${t}`);
      }
      const avg = agg.fn === 'avg';
      const type: KqlType = avg ? (isNum(t) ? 'real' : t) : t === 'int' ? 'long' : t;
      return {
        type,
        defaultName,
        make: () => {
          let total = 0;
          let n = 0;
          return {
            add: (row) => {
              const v = f(row) as number | null;
              if (v === null || v === undefined) return;
              total += v;
              n++;
            },
            value: () => (n === 0 ? null : avg ? total / n : total),
          };
        },
      };
    }
    default:
      return semantic(scope, `Unknown aggregation function '${agg.fn}'`);
  }
}

function compileSummarize(stage: Extract<Stage, { op: 'summarize' }>, input: KqlColumn[], now: number): Plan {
  const scope = scopeOf('summarize', input, now);
  const taken = new Set<string>();
  const columns: KqlColumn[] = [];
  let generated = 0;
  const by = stage.by.map((item) => {
    const c = compileExpr(item.expr, scope);
    const name = unique(item.name ?? inferredName(item.expr) ?? `Column${++generated}`, taken);
    columns.push({ name, type: c.type });
    return { name, fn: c.fn };
  });
  const aggs = stage.aggs.map((agg) => {
    const c = compileAggregate(agg, scope);
    const name = unique(agg.name ?? c.defaultName, taken);
    columns.push({ name, type: c.type });
    return { name, make: c.make };
  });
  interface Group {
    keys: unknown[];
    states: AggState[];
  }
  const newGroup = (keys: unknown[]): Group => ({ keys, states: aggs.map((a) => a.make()) });
  const addTo = (g: Group, row: Row): void => {
    for (const s of g.states) s.add(row);
  };
  return {
    columns,
    run: (rows) => {
      const groups: Group[] = [];
      if (by.length === 0) {
        const g = newGroup([]);
        for (const row of rows) addTo(g, row);
        groups.push(g);
      } else if (by.length === 1) {
        const key = by[0]!.fn;
        const map = new Map<unknown, Group>();
        for (const row of rows) {
          const k = key(row) ?? null;
          let g = map.get(k);
          if (!g) {
            g = newGroup([k]);
            map.set(k, g);
            groups.push(g);
          }
          addTo(g, row);
        }
      } else {
        const map = new Map<string, Group>();
        for (const row of rows) {
          const keys = by.map((b) => b.fn(row) ?? null);
          const k = tupleKey(keys);
          let g = map.get(k);
          if (!g) {
            g = newGroup(keys);
            map.set(k, g);
            groups.push(g);
          }
          addTo(g, row);
        }
      }
      return groups.map((g) => {
        const out: Row = {};
        by.forEach((b, i) => (out[b.name] = g.keys[i]));
        aggs.forEach((a, i) => (out[a.name] = g.states[i]!.value()));
        return out;
      });
    },
  };
}

function compileDistinct(cols: Extract<Stage, { op: 'distinct' }>['cols'], input: KqlColumn[], now: number): Plan {
  const scope = scopeOf('distinct', input, now);
  const columns: KqlColumn[] =
    cols === '*'
      ? input
      : cols.map((tok) => {
          const type = scope.columns.get(tok.text);
          if (type === undefined) semantic(scope, `Failed to resolve scalar expression named '${tok.text}'`);
          return { name: tok.text, type: type! };
        });
  const getters = columns.map((c) => columnGetter(c.name, c.type));
  return {
    columns,
    run: (rows) => {
      const seen = new Set<string>();
      const out: Row[] = [];
      for (const row of rows) {
        const values = getters.map((g) => g(row));
        const key = tupleKey(values);
        if (seen.has(key)) continue;
        seen.add(key);
        const o: Row = {};
        columns.forEach((c, i) => (o[c.name] = values[i]));
        out.push(o);
      }
      return out;
    },
  };
}

function compileStage(stage: Stage, input: KqlColumn[], now: number): Plan {
  switch (stage.op) {
    case 'where': {
      const pred = compileExpr(stage.pred, scopeOf('where', input, now));
      if (pred.type !== 'bool' && pred.type !== 'dynamic') {
        throw new KqlSemanticError(`'where' operator: the predicate must be of type bool, got ${pred.type}`);
      }
      const f = pred.fn;
      return { columns: input, run: (rows) => rows.filter((row) => f(row) === true) };
    }
    case 'project':
      return compileProject(stage.items, input, now);
    case 'extend':
      return compileExtend(stage.items, input, now);
    case 'take':
      return { columns: input, run: (rows) => rows.slice(0, stage.n) };
    case 'top': {
      const sort = sorter([stage.key], input, 'top', now);
      return { columns: input, run: (rows) => sort(rows).slice(0, stage.n) };
    }
    case 'sort':
      return { columns: input, run: sorter(stage.keys, input, 'order', now) };
    case 'summarize':
      return compileSummarize(stage, input, now);
    case 'distinct':
      return compileDistinct(stage.cols, input, now);
    case 'count':
      return { columns: [{ name: 'Count', type: 'long' }], run: (rows) => [{ Count: rows.length }] };
  }
}

/** Binds and runs a parsed query. */
export function execute(query: Query, tables: Record<string, KqlTable>, now: number, maxRows: number): KqlResult {
  const name = query.table.text;
  const table = Object.prototype.hasOwnProperty.call(tables, name) ? tables[name] : undefined;
  if (!table) throw new KqlSemanticError(`Failed to resolve table or column expression named '${name}'`);
  let columns = table.columns;
  const plans: Plan[] = [];
  for (const stage of query.stages) {
    const plan = compileStage(stage, columns, now);
    plans.push(plan);
    columns = plan.columns;
  }
  let rows = table.rows;
  for (const plan of plans) rows = plan.run(rows);
  if (rows.length > maxRows) rows = rows.slice(0, maxRows);
  const formatters = columns.map((c): [string, (v: unknown) => unknown] => {
    if (c.type === 'datetime') {
      return [c.name, (v) => {
        const ms = toMs(v);
        return ms === null ? null : formatDatetime(ms);
      }];
    }
    if (c.type === 'timespan') {
      return [c.name, (v) => {
        const ms = toSpan(v);
        return ms === null ? null : formatTimespan(ms);
      }];
    }
    return [c.name, (v) => v ?? null];
  });
  return {
    columns: columns.map((c) => ({ name: c.name, type: c.type })),
    rows: rows.map((row) => {
      const out: Row = {};
      for (const [n, f] of formatters) out[n] = f(row[n]);
      return out;
    }),
  };
}
