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
    if (rest.length > 0) out += `  ${terminalLine(rest.join('\n'))}\n`;
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
const UNKNOWN_OPTION = /^(error: unknown option ')(.*)('(?:\n\(Did you mean [^\n]*\?\))?\s*)$/s;

/**
 * A command-line parse error (commander's) as `m365d` prints it, safe for a terminal. An unknown
 * option is named without its value: `--app-secret=hunter2` shows as `--app-secret`, `-phunter2`
 * as `-p`, since what follows may be a secret typed into the wrong flag.
 */
export function parseErrorLines(text: string): string {
  const unknown = UNKNOWN_OPTION.exec(text);
  const message = unknown ? `${unknown[1]}${optionName(unknown[2]!)}${unknown[3]}` : text;
  return `m365d: ${terminalText(message.replace(/^error: /, '').trimEnd())}\nRun "m365d --help" for usage.\n`;
}

/** The name of the option an argument gives: `--name` before any `=`, or `-x` of `-xVALUE`. */
function optionName(argument: string): string {
  return argument.startsWith('--') ? argument.split('=', 1)[0]! : argument.slice(0, 2);
}
