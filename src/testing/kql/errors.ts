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
