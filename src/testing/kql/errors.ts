/** A query that does not parse: carries the 1-based position of the offending token and what was expected there. */
export class KqlSyntaxError extends Error {
  /** Line of the offending token, from 1. */
  readonly line: number;
  /** Column of the offending token, from 1. */
  readonly column: number;
  /** What the parser expected there (e.g. `an expression`), when it knows. */
  readonly expected?: string;
  /** The offending token's text (`<EOF>` at the end of the query). */
  readonly token: string;

  constructor(token: string, line: number, column: number, expected?: string) {
    super(`Syntax error: Query could not be parsed at '${token}' on line [${line},${column}]`);
    this.name = 'KqlSyntaxError';
    this.token = token;
    this.line = line;
    this.column = column;
    if (expected !== undefined) this.expected = expected;
  }
}

/** A query that parses but does not bind: unknown table or column, operands of the wrong type. */
export class KqlSemanticError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KqlSemanticError';
  }
}

/**
 * A query nested deeper than the engine evaluates, as the service refuses a query whose tree of
 * operators "exceeds limits" (Kusto query limits, "Limit on query complexity"). A KqlSyntaxError,
 * so both wire APIs answer it as the 400 BadRequest they give a query that does not parse.
 */
export class KqlTooComplexError extends KqlSyntaxError {
  constructor(token: string, line: number, column: number, problem: string) {
    super(token, line, column);
    this.message = `Query complexity exceeded: ${problem} (at '${token}' on line [${line},${column}]).`;
    this.name = 'KqlTooComplexError';
  }
}
