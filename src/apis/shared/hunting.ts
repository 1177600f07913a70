/**
 * A hunting response as either API sends it whole: the Defender API's
 * `POST /api/advancedhunting/run` (`{Stats, Schema: [{Name, Type}], Results: [row…]}`, reference
 * §3.1) and Graph's `POST /security/runHuntingQuery` (`{schema: [{name, type}], results}`,
 * reference §5.7). The streaming reader (`hunting-body.ts`) checks columns the same way.
 *
 * @packageDocumentation
 */
import { isPlainObject as isObject } from '../../checks.js';
import { DefenderError, type ValidationIssue } from '../../errors.js';
import type { HuntingColumn } from '../../models/hunting.js';
import { formatIssuePath, responseValidationError } from '../../models/validation.js';

const MAX_ISSUES = 20;

/** The value of `object`'s key named `name` in any letter case, and the key as sent. */
export function readKey(object: Record<string, unknown>, name: string): [unknown, string] {
  if (name in object) return [object[name], name];
  for (const key of Object.keys(object)) {
    if (key.toLowerCase() === name) return [object[key], key];
  }
  return [undefined, name];
}

/**
 * Parses one column of a hunting schema (`{Name, Type}` or `{name, type}`); pushes to `issues`
 * and returns `undefined` when it is not one. `path` is where the column is, e.g. `['Schema', 0]`.
 */
export function parseHuntingColumn(column: unknown, path: readonly PropertyKey[], issues: ValidationIssue[]): HuntingColumn | undefined {
  if (!isObject(column)) {
    issues.push({ path: formatIssuePath(path), message: 'expected a column object {Name, Type}' });
    return undefined;
  }
  const [name, nameKey] = readKey(column, 'name');
  const [type, typeKey] = readKey(column, 'type');
  if (typeof name !== 'string') issues.push({ path: formatIssuePath([...path, nameKey]), message: 'expected a string' });
  if (typeof type !== 'string') issues.push({ path: formatIssuePath([...path, typeKey]), message: 'expected a string' });
  return typeof name === 'string' && typeof type === 'string' ? { name, type } : undefined;
}

/** Which API sent a hunting body: names the members an issue path uses when they are missing. */
export type HuntingWire = 'defender' | 'graph';

/** The top-level member names of a hunting body as `wire` spells them (`Schema`/`schema`, …). */
export function huntingKeys(wire: HuntingWire): { schema: string; results: string } {
  return wire === 'graph' ? { schema: 'schema', results: 'results' } : { schema: 'Schema', results: 'Results' };
}

/**
 * Parses a hunting response. Keys are read case-insensitively (`Schema`/`schema`,
 * `Name`/`name`), because Microsoft's examples use both. Rows are returned as sent, not copied
 * (a result can hold 100,000 rows); each is only checked to be an object.
 *
 * Issue paths use the keys as the body sent them; a missing member is named as `wire` spells it
 * (`Results` on the Defender API, `results` on Graph).
 *
 * @throws ResponseValidationError with paths such as `Results[3]` or `Schema[0].Name`.
 */
export function parseHuntingResponse(
  body: unknown,
  operation: string,
  wire: HuntingWire = 'defender',
): { schema: HuntingColumn[]; rows: Record<string, unknown>[]; stats: unknown } {
  const keys = huntingKeys(wire);
  if (!isObject(body)) {
    throw responseValidationError(operation, [{ path: '(root)', message: `expected an object with ${keys.schema} and ${keys.results}` }]);
  }
  const issues: ValidationIssue[] = [];
  const [schemaValue, schemaKey] = readKey(body, 'schema');
  const [resultsValue, resultsKey] = readKey(body, 'results');
  const [stats] = readKey(body, 'stats');

  const schema: HuntingColumn[] = [];
  if (schemaValue != null && !Array.isArray(schemaValue)) {
    issues.push({ path: schemaKey, message: 'expected an array of columns' });
  } else if (Array.isArray(schemaValue)) {
    schemaValue.forEach((column: unknown, index) => {
      const parsed = parseHuntingColumn(column, [schemaKey, index], issues);
      if (parsed) schema.push(parsed);
    });
  }

  if (!Array.isArray(resultsValue)) {
    issues.push({ path: resultsValue === undefined && !(resultsKey in body) ? keys.results : resultsKey, message: 'expected an array of rows' });
  } else {
    for (let i = 0; i < resultsValue.length && issues.length < MAX_ISSUES; i++) {
      if (!isObject(resultsValue[i])) issues.push({ path: `${resultsKey}[${i}]`, message: 'expected a row object' });
    }
  }
  if (issues.length > 0) throw responseValidationError(operation, issues);
  return { schema, rows: resultsValue as Record<string, unknown>[], stats };
}

/**
 * The error of a stream closed by its caller: a {@link DefenderError} named `AbortError` (so that
 * code testing `error.name === 'AbortError'` treats it as a cancellation).
 */
export function closedError(operation: string, when: string): DefenderError {
  const error = new DefenderError(`${operation}: the stream was closed ${when}.`);
  error.name = 'AbortError';
  return error;
}
