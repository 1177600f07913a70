/**
 * The exit statuses of `m365d` and the one-line message each failure prints (docs/cli.md lists them).
 * @packageDocumentation
 */
import {
  ActionFailedError,
  AuthenticationError,
  CheckpointError,
  CredentialError,
  InvalidArgumentError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  TimeoutError,
} from '../index.js';
import type { Command } from 'commander';
import { terminalLine, terminalText } from './terminal.js';

/** Exit statuses: scripts branch on them, so their numbers never change. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** Any other failure: network, server, a response the SDK could not read. */
  other: 1,
  /** Bad command line: unknown command or option, a value that is not valid, a secret passed as a flag. */
  usage: 2,
  /** No token: credentials missing or refused (the AADSTS code says why). */
  auth: 3,
  /** The token lacks a permission (also `m365d token --require` with a role missing). */
  permission: 4,
  /** No incident, alert, device, device action or file by that id or name. */
  notFound: 5,
  /** A quota is used up and the wait is longer than the client waits. */
  rateLimited: 6,
  /** A device action waited for (`--wait`) ended failed, timed out on the device, or cancelled. */
  actionFailed: 7,
  /** `--wait` gave up after `--timeout` before the device action ended (it goes on on the device). */
  waitTimedOut: 8,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

/** A command-line mistake found by `m365d` itself (exit status {@link EXIT.usage}). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The exit status for an error thrown by a command. */
export function exitStatusOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof InvalidArgumentError) return EXIT.usage;
  if (error instanceof PermissionError) return EXIT.permission;
  if (error instanceof AuthenticationError || error instanceof CredentialError) return EXIT.auth;
  if (error instanceof NotFoundError) return EXIT.notFound;
  if (error instanceof RateLimitError) return EXIT.rateLimited;
  if (error instanceof ActionFailedError) return EXIT.actionFailed;
  if (error instanceof TimeoutError && error.operation?.startsWith('deviceActions.')) return EXIT.waitTimedOut;
  if ((error as { code?: unknown } | null)?.code === 'ENOENT') return EXIT.notFound;
  return EXIT.other;
}

/** The SDK's quote of a value it refuses (`; got "…"`, a JSON string: the one phrasing of `describe()`). */
const QUOTED_VALUE = /; got "(?:[^"\\]|\\.)*"/g;

/**
 * The SDK's refusal of a value a flag gave, as `m365d` prints it: without the value it quotes
 * (it may be a secret typed into the wrong flag), its option named as the flag `command` takes
 * for it (`ip` as `--ip`, `redirectUri` as `--redirect-uri`) when there is one. Anything else
 * is returned as it is.
 */
export function usageWithoutValue(error: unknown, command: Command): unknown {
  if (!(error instanceof InvalidArgumentError)) return error;
  let message = error.message.replace(QUOTED_VALUE, '');
  const flag = `--${error.option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (/^[a-z][a-zA-Z]*$/.test(error.option) && message.startsWith(`${error.option} `) && command.options.some((o) => o.long === flag)) {
    message = `${flag}${message.slice(error.option.length)}`;
  }
  const usage = new UsageError(message, { cause: error.cause });
  // The frames of where the SDK refused it (--verbose); its first line, with the value, is not printed.
  if (error.stack !== undefined) usage.stack = error.stack;
  return usage;
}

/** What to do next, per kind of failure (the SDK's own message says what failed). */
function adviceFor(error: unknown, command: string): string {
  if (error instanceof UsageError || error instanceof InvalidArgumentError) return `Run "m365d ${command ? `${command} ` : ''}--help" for usage.`;
  if (error instanceof CredentialError) return 'Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or --certificate PATH, --client-secret-file FILE).';
  if (error instanceof RateLimitError) return 'Wait and run it again, or lower the request rate.';
  if (error instanceof CheckpointError) return 'Check the --checkpoint file (delete it to start the feed over).';
  if (error instanceof TimeoutError && error.operation?.startsWith('deviceActions.')) return 'Follow it with "m365d actions get ID --wait" (the action id is on stdout).';
  return '';
}

/**
 * The one line printed for a failure: the SDK's message (it names the missing permission, the
 * AADSTS code and its meaning) with a hint; with `verbose`, the details that follow it. `command`
 * is the command that failed (`incidents list`), named in the usage hint. Safe for a terminal: a
 * message can quote the service, so each line of it is made one line and only the first starts
 * with `m365d:` (a line break in a quoted value cannot forge another).
 */
export function errorLines(error: unknown, verbose: boolean, command = ''): string {
  const message = error instanceof Error ? error.message : String(error);
  const [first = '', ...rest] = message.split(/\r?\n/);
  const advice = adviceFor(error, command);
  let out = `m365d: ${terminalLine(first)}${advice && !first.includes(advice) ? ` ${advice}` : ''}\n`;
  if (verbose) {
    if (rest.some((line) => line.trim() !== '')) out += `  ${terminalLine(rest.join('\n'))}\n`;
    const e = error as { name?: string; status?: number; code?: string; requestId?: string; operation?: string; stack?: string; cause?: unknown };
    const facts = [e.name, e.operation && `operation ${e.operation}`, e.status && `status ${e.status}`, e.code && `code ${e.code}`, e.requestId && `request id ${e.requestId}`].filter(Boolean);
    if (facts.length > 0) out += `  (${terminalLine(facts.join(', '))})\n`;
    // The frames only: the stack begins with the message, which may quote the service.
    const stack = e.stack ?? '';
    const frames = (stack.includes(message) ? stack.slice(stack.indexOf(message) + message.length) : stack).split('\n').filter((line) => /^\s+at /.test(line));
    if (frames.length > 0) out += `${terminalText(frames.join('\n'))}\n`;
    if (e.cause instanceof Error) out += `  caused by: ${terminalLine(e.cause.message)}\n`;
  } else if (rest.some((line) => line.trim() !== '')) {
    out += '  (run with --verbose for details)\n';
  }
  return out;
}

/** Commander's unknown-option message: the argument it quotes, then perhaps "(Did you mean --x?)". */
const UNKNOWN_OPTION = /^error: unknown option '(.*?)'(?:\n\(Did you mean [^\n]*\?\))?$/s;
/** Commander's invalid-value message of an option: the flags (ours, without quotes) before the value. */
const INVALID_OPTION_VALUE = /^error: option '([^']*)' argument /;
/** Commander's invalid-value message of a command argument: its name (ours) after the value. */
const INVALID_ARGUMENT_VALUE = /^error: command-argument value .* is invalid for argument '([^']*)'\. /s;
/** Commander's "(Did you mean x?)" or "(Did you mean one of x, y?)" at the end of a message. */
const SUGGESTION = /\n\(Did you mean (?:one of )?([^\n]*)\?\)$/;

/**
 * A command-line parse error (commander's, thrown from `command`) as `m365d` prints it, safe for a
 * terminal. What the user typed is never repeated, since it may be a secret typed into the wrong
 * place: an unknown option is named without its value (`--app-secret=hunter2` shows as
 * `--app-secret`, `-phunter2` as `-p`); an unknown command, a value not among an option's
 * choices and excess arguments name the command or option and what it takes instead. Commander's
 * "(Did you mean …?)" is kept when it names only our own commands or options.
 */
export function parseErrorLines(error: { code: string; message: string }, command: Command): string {
  const name = ['m365d', ...commandNames(command)].join(' ');
  let message: string;
  let candidates: string[] = [];
  switch (error.code) {
    case 'commander.unknownOption': {
      const unknown = UNKNOWN_OPTION.exec(error.message);
      message = unknown ? `unknown option '${optionName(unknown[1]!)}'` : 'unknown option';
      for (let c: Command | null = command; c !== null; c = c.parent) candidates.push(...c.createHelp().visibleOptions(c).flatMap((o) => (o.long ? [o.long] : [])));
      break;
    }
    case 'commander.unknownCommand':
      candidates = command.createHelp().visibleCommands(command).map((c) => c.name());
      message = `unknown command: ${name} takes one of ${candidates.join(', ')}`;
      break;
    case 'commander.invalidArgument': {
      const option = command.options.find((o) => o.flags === INVALID_OPTION_VALUE.exec(error.message)?.[1]);
      const argumentName = INVALID_ARGUMENT_VALUE.exec(error.message)?.[1];
      const choices = option?.argChoices ?? command.registeredArguments.find((a) => a.name() === argumentName)?.argChoices;
      const what = option ? `option '${option.flags}'` : argumentName !== undefined ? `argument '${argumentName}' of ${name}` : `an argument of ${name}`;
      message = choices ? `${what} must be one of ${choices.join(', ')}` : `${what} was given a value that is not valid`;
      break;
    }
    case 'commander.excessArguments': {
      const expected = command.registeredArguments.length;
      message = `too many arguments: ${name} takes ${expected === 0 ? 'no arguments' : `at most ${expected} argument${expected === 1 ? '' : 's'}`}`;
      break;
    }
    default:
      // The other parse errors name only our options and arguments (missing value, required option).
      message = error.message.replace(/^error: /, '');
  }
  return `m365d: ${terminalLine(message.trimEnd())}${suggestionOf(error.message, candidates)}\nRun "${name} --help" for usage.\n`;
}

/** Commander's suggestion as a line of its own, when every name it offers is one of `ours`. */
function suggestionOf(message: string, ours: readonly string[]): string {
  const names = SUGGESTION.exec(message)?.[1]?.split(', ');
  if (names === undefined || !names.every((n) => ours.includes(n))) return '';
  return `\n(Did you mean ${names.length > 1 ? 'one of ' : ''}${names.join(', ')}?)`;
}

/** The names of a command and its parents below the program (`incidents list`). */
function commandNames(command: Command): string[] {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names;
}

/** The name of the option an argument gives: `--name` before any `=`, or `-x` of `-xVALUE`. */
function optionName(argument: string): string {
  return terminalLine(argument.startsWith('--') ? argument.split('=', 1)[0]! : argument.slice(0, 2));
}
