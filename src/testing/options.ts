/*
 * Checks of the testing kit's option objects (`createFakeTenant`, `startSimulator`): an unknown key
 * or a value of the wrong type is an `InvalidArgumentError` naming the option (its path, e.g.
 * `apps[0].roles.graph`), never a silently ignored setting. `undefined` counts as absent.
 */
import { describe } from '../checks.js';
import { InvalidArgumentError } from '../errors.js';
import { isRecord } from './tenant/http-util.js';

/** Checks one value; `path` names it in the error. */
export type Check = (value: unknown, path: string) => void;

/** The checks of an object's keys; a key not listed is refused. */
export type Shape = Readonly<Record<string, Check>>;

function fail(path: string, expected: string, value: unknown): never {
  throw new InvalidArgumentError(path, `${path} must be ${expected}; got ${describe(value)}.`);
}

/**
 * Checks `options` (of the function `what`) against `shape`: an object whose every key is listed,
 * every value (unless `undefined`) passing its check. `undefined` options pass.
 */
export function checkOptions(what: string, options: unknown, shape: Shape): void {
  if (options === undefined) return;
  if (!isRecord(options)) throw new InvalidArgumentError('options', `${what} options must be an object; got ${describe(options)}.`);
  checkKeys(options, shape, '', `${what} has no option`);
}

function checkKeys(value: Record<string, unknown>, shape: Shape, prefix: string, noSuch: string): void {
  const known = Object.keys(shape);
  for (const key of Object.keys(value)) {
    const path = `${prefix}${key}`;
    const check = shape[key];
    if (!check) {
      throw new InvalidArgumentError(path, `${noSuch} "${path}"; ${prefix === '' ? 'the options are' : `${prefix.slice(0, -1)} takes`} ${known.map((k) => `"${k}"`).join(', ')}.`);
    }
    if (value[key] !== undefined) check(value[key], path);
  }
}

/** An object with the keys of `shape` only; `required` keys must be present. */
export function object(shape: Shape, required: readonly string[] = []): Check {
  return (value, path) => {
    if (!isRecord(value)) fail(path, `an object with ${Object.keys(shape).map((k) => `"${k}"`).join(', ')}`, value);
    checkKeys(value, shape, `${path}.`, 'there is no option');
    for (const key of required) if (value[key] === undefined) throw new InvalidArgumentError(`${path}.${key}`, `${path}.${key} is required.`);
  };
}

/** An integer from `min` to `max` (inclusive). */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(path, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`, value);
    }
  };
}

/** A number as the messages write it: `86,400`. */
const numberText = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 20 });

/** A finite number greater than 0 and at most `max` (`unit`, e.g. `ms`, follows it in the message). */
export function positiveNumber(max: number, unit = ''): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
      fail(path, `a number greater than 0 and at most ${numberText(max)}${unit && ` ${unit}`}`, value);
    }
  };
}

/** A finite number from `min` to `max` (inclusive; `unit`, e.g. `ms`, follows it in the message). */
export function numberFrom(min: number, max: number, unit = ''): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      fail(path, `a number from ${numberText(min)} to ${numberText(max)}${unit && ` ${unit}`}`, value);
    }
  };
}

/** A string that is not empty. */
export const nonEmptyString: Check = (value, path) => {
  if (typeof value !== 'string' || value.trim() === '') fail(path, 'a non-empty string', value);
};

/** A string, possibly empty. */
export const string: Check = (value, path) => {
  if (typeof value !== 'string') fail(path, 'a string', value);
};

/** `true` or `false`. */
export const boolean: Check = (value, path) => {
  if (typeof value !== 'boolean') fail(path, 'true or false', value);
};

/** Any plain object (not `null`, not an array). */
export const plainObject: Check = (value, path) => {
  if (!isRecord(value)) fail(path, 'an object', value);
};

/** A function. */
export const func: Check = (value, path) => {
  if (typeof value !== 'function') fail(path, 'a function', value);
};

/** An absolute `http:` or `https:` URL. */
export const httpUrl: Check = (value, path) => {
  let ok = false;
  if (typeof value === 'string') {
    try {
      ok = ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      ok = false;
    }
  }
  if (!ok) fail(path, 'an absolute http(s) URL like https://login.microsoftonline.com', value);
};

/** A valid `Date` or a number of epoch milliseconds, from `min` to `max` (epoch ms, inclusive). */
export function instant(min: number, max: number): Check {
  return (value, path) => {
    const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Number.NaN;
    if (!(ms >= min && ms <= max)) {
      fail(path, `a valid Date or a number of epoch milliseconds, from ${new Date(min).toISOString()} to ${new Date(max).toISOString()}`, value);
    }
  };
}

/** An array whose every item passes `item` (named `path[i]`), with at least `minLength` items. */
export function arrayOf(item: Check, minLength = 0): Check {
  return (value, path) => {
    if (!Array.isArray(value) || value.length < minLength) fail(path, minLength > 0 ? `an array of at least ${minLength} item(s)` : 'an array', value);
    value.forEach((entry, i) => item(entry, `${path}[${i}]`));
  };
}

/** An object used as a map: every value passes `entry` (named `path.key`); `keys`, if given, lists the allowed keys. */
export function recordOf(entry: Check, keys?: readonly string[]): Check {
  return (value, path) => {
    if (!isRecord(value)) fail(path, 'an object', value);
    for (const [key, item] of Object.entries(value)) {
      if (keys && !keys.includes(key)) {
        throw new InvalidArgumentError(`${path}.${key}`, `${path} has no key "${key}"; it takes ${keys.map((k) => `"${k}"`).join(', ')}.`);
      }
      if (item !== undefined) entry(item, `${path}.${key}`);
    }
  };
}

/** Passes when any of `checks` passes; else fails with `expected`. */
export function oneOf(expected: string, ...checks: Check[]): Check {
  return (value, path) => {
    for (const check of checks) {
      try {
        check(value, path);
        return;
      } catch (error) {
        if (!(error instanceof InvalidArgumentError) || error.option !== path) throw error;
      }
    }
    fail(path, expected, value);
  };
}

/** Exactly `literal`. */
export function exactly(literal: unknown): Check {
  return (value, path) => {
    if (value !== literal) fail(path, describe(literal), value);
  };
}
