/**
 * The simulator's advanced-hunting engine: a real subset of KQL over in-memory tables
 * (`/work/shared/reference/entra-keyvault-kql.md` §4).
 *
 * @example
 * ```ts
 * runKql('DeviceProcessEvents | where FileName =~ "powershell.exe" | summarize count() by DeviceName', tables);
 * ```
 */

import { execute } from './compile.js';
import { parseKql } from './parser.js';
import type { KqlResult, KqlTable, RunKqlOptions } from './types.js';

export { KqlSemanticError, KqlSyntaxError, KqlTooComplexError } from './errors.js';
export type { KqlColumn, KqlResult, KqlTable, KqlType, RunKqlOptions } from './types.js';

/** The service's result cap. */
export const DEFAULT_MAX_ROWS = 100_000;

/**
 * Parses, binds and runs `query` over `tables`.
 *
 * @throws KqlSyntaxError when the query does not parse (or uses an operator or function outside the subset).
 * @throws KqlSemanticError for unknown tables or columns and operands of the wrong type.
 */
export function runKql(query: string, tables: Record<string, KqlTable>, options: RunKqlOptions = {}): KqlResult {
  const parsed = parseKql(query);
  const now = (options.now ?? new Date()).getTime();
  return execute(parsed, tables, now, options.maxRows ?? DEFAULT_MAX_ROWS);
}
