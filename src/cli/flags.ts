/**
 * The flags commands share (connection, output, verbosity) and the parsing of flag values
 * (dates, durations, counts) into what the client takes.
 * @packageDocumentation
 */
import { Option, type Command } from 'commander';
import { UsageError } from './exit.js';
import { FORMATS } from './output.js';

/** Adds the connection flags (configuration is otherwise the environment's, as `clientOptionsFromEnv()` reads it). */
export function withConnection(command: Command): Command {
  return command
    .option('--tenant <id>', 'tenant id or domain (default: AZURE_TENANT_ID)')
    .option('--client-id <id>', 'application (client) id (default: AZURE_CLIENT_ID)')
    .option('--certificate <path>', 'PEM certificate with its private key (default: AZURE_CLIENT_CERTIFICATE_PATH)')
    .option('--client-secret-file <path>', 'read the client secret from this file (never pass a secret as a flag)')
    .addOption(new Option('--api <api>', 'wire API (default: DEFENDER_API, else defender)').choices(['defender', 'graph']))
    .addOption(new Option('--cloud <cloud>', 'national cloud (default: DEFENDER_CLOUD, else public)').choices(['public', 'gcc', 'gcc-high', 'dod']))
    .option('--quiet', 'no progress line and no warnings on stderr')
    .option('--verbose', "the client's log and full error details on stderr");
}

/** Adds `--output` and `--csv-safe`. */
export function withOutput(command: Command): Command {
  return command
    .addOption(new Option('-o, --output <format>', 'output format (default: table on a terminal, ndjson through a pipe)').choices([...FORMATS]))
    .option('--csv-safe', "CSV: prefix cells starting with = + - @ with ' so spreadsheets do not run them as formulas");
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds of a duration: `90s`, `15m`, `24h`, `7d`, `2w`, or ISO 8601 (`P7D`, `PT1H30M`). */
export function durationMs(text: string): number | undefined {
  const short = /^(\d+)([smhdw])$/i.exec(text);
  if (short) return Number(short[1]) * UNIT_MS[short[2]!.toLowerCase()]!;
  const iso = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (iso && text !== 'P' && !/T$/i.test(text)) {
    const [, w = 0, d = 0, h = 0, m = 0, s = 0] = iso;
    return (Number(w) * 7 * 24 * 3600 + Number(d) * 24 * 3600 + Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000;
  }
  return undefined;
}

/** `2026-01-31`, or a date-time with a zone: `2026-01-31T08:00Z`, `2026-01-31T08:00:00.5+02:00`. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2})))?$/i;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Days in a month (1–12) of the proleptic Gregorian calendar. */
function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Why an ISO 8601 date or date-time names no instant (`February 2026 has 28 days`), or undefined when it does. */
function impossibility(fields: RegExpExecArray): string | undefined {
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = fields.slice(1).map((field) => (field === undefined ? undefined : Number(field)));
  if (month! < 1 || month! > 12) return `there is no month ${month}`;
  if (day! < 1 || day! > daysIn(year!, month!)) return `${MONTHS[month! - 1]} ${year} has ${daysIn(year!, month!)} days`;
  if (hour > 23 || minute > 59 || second > 59) return 'a time of day goes from 00:00:00 to 23:59:59';
  if (offsetHours > 23 || offsetMinutes > 59) return 'a zone offset goes from -23:59 to +23:59';
  return undefined;
}

/**
 * A point in time from `--since` (or `--at`): a duration back from now (`24h`, `P7D`), an ISO
 * 8601 date (`2026-01-31`, midnight UTC) or date-time with a zone (`2026-01-31T08:00:00Z`). An
 * impossible date (`2026-02-31`) is refused, never rolled over into the next month. The value is
 * not repeated (as for {@link choiceOf}); why a date-shaped one names no instant is said.
 */
export function sinceDate(flag: string, text: string, now: number = Date.now()): Date {
  const refuse = (why?: string): never => {
    throw new UsageError(`${flag} must be a duration (24h, 7d, P7D) or an ISO 8601 date or date-time with a zone (2026-01-31, 2026-01-31T08:00:00Z)${why ? `: ${why}` : ''}.`);
  };
  const ms = durationMs(text);
  if (ms !== undefined) {
    const date = new Date(now - ms);
    return Number.isNaN(date.getTime()) ? refuse('that is further back than a date can be') : date;
  }
  const fields = ISO_DATE.exec(text) ?? refuse();
  const why = impossibility(fields);
  if (why !== undefined) refuse(why);
  const date = new Date(fields[4] === undefined ? `${text}T00:00:00Z` : text);
  return Number.isNaN(date.getTime()) ? refuse() : date;
}

/** A positive integer flag value (the value is not repeated in the error, as for {@link choiceOf}). */
export function positiveInteger(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number of at least 1.`);
  return n;
}

/**
 * A flag's value that must be one of `allowed`, returned as `allowed` spells it (`anyCase`: given
 * in any letter case). Commands check these before they build the client, so a wrong value is a
 * usage error naming the flag even without credentials. The value is not repeated, as for
 * commander's choices: it may be a secret typed into the wrong place.
 */
export function choiceOf<T extends string>(flag: string, text: string | undefined, allowed: readonly T[], anyCase = false): T | undefined {
  if (text === undefined) return undefined;
  const found = allowed.find((value) => value === text || (anyCase && value.toLowerCase() === text.toLowerCase()));
  if (found === undefined) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}${anyCase ? ' (in any letter case)' : ''}.`);
  return found;
}

/** A control character the SDK refuses in text (tab, line feed and carriage return are text). */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/**
 * A free-text flag's value checked as the SDK checks its option, before the client is built (so
 * a wrong one is a usage error naming the flag, without credentials too): not blank; with `max`
 * (a limit of `DEVICE_TEXT_LIMITS`, as `devices` options take text), at most that long and with
 * no control character. The value is not repeated, as for {@link choiceOf}.
 */
export function textOf(flag: string, text: string | undefined, max?: number): string | undefined {
  if (text === undefined) return undefined;
  if (max === undefined) {
    if (text.trim() === '') throw new UsageError(`${flag} must not be blank.`);
  } else if (text.trim() === '' || text.length > max || CONTROL.test(text)) {
    throw new UsageError(`${flag} must be text of 1 to ${max} characters, not blank, without control characters.`);
  }
  return text;
}

/** Each value of a variadic flag (`--status pending inProgress`) as {@link choiceOf} checks it. */
export function choicesOf<T extends string>(flag: string, texts: string | readonly string[] | undefined, allowed: readonly T[]): T[] | undefined {
  if (texts === undefined) return undefined;
  return (typeof texts === 'string' ? [texts] : texts).map((text) => choiceOf(flag, text, allowed)!);
}
