/**
 * The argument checks every public call shares, with one phrasing: how a bad value is described,
 * an unknown option refused, an options object, a signal and an id checked. Each throws
 * {@link InvalidArgumentError} naming the option.
 *
 * @packageDocumentation
 */
import { InvalidArgumentError } from './errors.js';
import type { Logger } from './types.js';

/**
 * Describes a value for an error message without echoing long strings: `null`, `an array`,
 * `"short"`, `a long string`, `an object`, `a function`, `number 3`.
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value.length > 60 ? 'a long string' : JSON.stringify(value);
    case 'object': {
      const tag = Object.prototype.toString.call(value).slice(8, -1);
      return tag === 'Object' ? 'an object' : `an object (${tag})`;
    }
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      return `${typeof value} ${String(value)}`;
  }
}

/** Whether a value is a plain object: not `null`, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How {@link rejectUnknownOptions} names what it checks. */
export interface UnknownOptionsContext {
  /** What takes the options, as a user writes it: `incidents.list`, `new DefenderClient`. */
  what: string;
  /** Prefix of the option named on the error, for nested options: `rateLimit.`. */
  prefix?: string;
  /** Keys whose value is `undefined` are accepted (options built by spreading). */
  allowUndefined?: boolean;
}

/**
 * Refuses the first key of `object` that is not in `known`: `X has no option "k"; its options are
 * a, b, c.` A typo is an error, never ignored.
 */
export function rejectUnknownOptions(object: object, known: readonly string[] | ReadonlySet<string>, context: UnknownOptionsContext): void {
  const names = [...known];
  for (const [key, value] of Object.entries(object)) {
    if (names.includes(key) || (context.allowUndefined && value === undefined)) continue;
    throw new InvalidArgumentError(
      `${context.prefix ?? ''}${key}`,
      `${context.what} has no option "${key}"; its options are ${names.join(', ')}.`,
    );
  }
}

/**
 * Checks an optional options object: `undefined`, or a plain object with known keys only.
 * Returns it as a record (empty for `undefined`).
 */
export function checkOptionsObject(options: unknown, known: readonly string[], what: string, option = 'options'): Record<string, unknown> {
  if (options === undefined) return {};
  if (!isPlainObject(options)) {
    throw new InvalidArgumentError(option, `${what} ${option} must be an object; got ${describe(options)}.`);
  }
  rejectUnknownOptions(options, known, { what });
  return options;
}

/** Checks an optional `signal`: `undefined` or an `AbortSignal`. */
export function checkSignal(signal: unknown, option = 'signal'): AbortSignal | undefined {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError(option, `${option} must be an AbortSignal; got ${describe(signal)}.`);
  }
  return signal;
}

/**
 * Checks a call's options object: known keys only and a real `AbortSignal` for `signal`.
 */
export function checkCallOptions(options: unknown, known: readonly string[], call: string): void {
  const checked = checkOptionsObject(options, known, call);
  checkSignal(checked.signal);
}

const LOGGER_METHODS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * Checks an optional `logger`: `undefined`, or an object whose `debug`, `info`, `warn` and `error`,
 * each optional, are functions when present (a bad one would otherwise throw a raw `TypeError`
 * in the middle of a call).
 */
export function checkLogger(logger: unknown, option = 'logger'): Logger | undefined {
  if (logger === undefined) return undefined;
  if (typeof logger !== 'object' || logger === null || Array.isArray(logger)) {
    throw new InvalidArgumentError(option, `${option} must be a console-like object with debug/info/warn/error methods; got ${describe(logger)}.`);
  }
  for (const name of LOGGER_METHODS) {
    const method = (logger as Record<string, unknown>)[name];
    if (method !== undefined && typeof method !== 'function') {
      throw new InvalidArgumentError(
        `${option}.${name}`,
        `${option}.${name} must be a function (or left out, for no ${name} lines); got ${describe(method)}.`,
      );
    }
  }
  return logger as Logger;
}

/** Whether a string holds a lone surrogate (U+D800–U+DFFF), which cannot be percent-encoded. */
export function hasLoneSurrogate(text: string): boolean {
  return /\p{Cs}/u.test(text);
}

/**
 * Checks an id argument: a non-empty string (or integer) that cannot change the request path.
 * `what` names it in the message (`incident`, `alert`).
 */
export function checkId(id: unknown, what = 'incident'): string {
  const text = typeof id === 'number' && Number.isInteger(id) ? String(id) : id;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new InvalidArgumentError('id', `id must be a non-empty ${what} id string; got ${typeof id === 'string' ? 'an empty string' : typeof id}.`);
  }
  // A lone surrogate cannot be percent-encoded (encodeURIComponent throws URIError).
  if (hasLoneSurrogate(text)) {
    throw new InvalidArgumentError('id', `id must be well-formed Unicode text; it holds a lone surrogate (U+D800–U+DFFF).`);
  }
  // "." and ".." survive encodeURIComponent and would change the path (PATCH /api/incidents/).
  if (/^\.{1,2}$/.test(text)) {
    throw new InvalidArgumentError('id', `id "${text}" is not an ${what} id.`);
  }
  return text;
}

/** The longest name a store (checkpoint, lease) accepts. */
export const MAX_STORE_KEY_LENGTH = 256;

/**
 * Checks the name of something a store keeps (`what`: `checkpoint`, `lease`): a non-empty string
 * of at most 256 characters with no control character.
 */
export function checkStoreKey(key: unknown, what: string): string {
  if (typeof key !== 'string' || key === '' || key.length > MAX_STORE_KEY_LENGTH || /\p{Cc}/u.test(key)) {
    throw new InvalidArgumentError(
      'key',
      `key must be a ${what} name: a non-empty string of at most ${MAX_STORE_KEY_LENGTH} characters with no control characters; got ${describe(key)}.`,
    );
  }
  return key;
}
