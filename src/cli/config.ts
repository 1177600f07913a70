/**
 * The client a command uses: `clientOptionsFromEnv()` (so `m365d sim`'s exports just work) with
 * the connection flags on top, and the logger and progress hooks of `--verbose`.
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { clientOptionsFromEnv, DefenderClient, type Logger } from '../index.js';
import { UsageError } from './exit.js';
import { terminalLine } from './terminal.js';

/** The connection flags every command that calls the service takes. */
export interface ConnectionFlags {
  tenant?: string;
  clientId?: string;
  certificate?: string;
  clientSecretFile?: string;
  api?: string;
  cloud?: string;
  verbose?: boolean;
  quiet?: boolean;
}

/** The flag names a client secret could be passed under: refused, the value never used nor shown. */
const SECRET_FLAGS = /^--(client-secret|secret|client_secret|clientsecret|password|certificate-password)(=|$)/i;

/**
 * The first argument that passes a secret on the command line (visible to every user of the
 * machine in `ps`, kept in shell history), or undefined.
 */
export function secretFlagIn(argv: readonly string[]): string | undefined {
  for (const arg of argv) {
    if (arg === '--') return undefined;
    const match = SECRET_FLAGS.exec(arg);
    if (match) return `--${match[1]}`;
  }
  return undefined;
}

/** The environment with the connection flags applied: the flags win over the variables. */
export async function environmentWith(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = { ...env };
  if (flags.tenant !== undefined) out.AZURE_TENANT_ID = flags.tenant;
  if (flags.clientId !== undefined) out.AZURE_CLIENT_ID = flags.clientId;
  if (flags.certificate !== undefined && flags.clientSecretFile !== undefined) {
    throw new UsageError('give --certificate or --client-secret-file, not both.');
  }
  if (flags.certificate !== undefined) {
    // As for --client-secret-file: the path is never repeated (key material or a password pasted
    // here by mistake would land in the error); the SDK's own error would quote it.
    await readFile(flags.certificate).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`could not read the file given with --certificate (${error.code ?? 'error'}): give the path of a PEM or PFX file that holds the certificate and its private key.`);
    });
    out.AZURE_CLIENT_CERTIFICATE_PATH = flags.certificate;
    delete out.AZURE_CLIENT_SECRET; // the flag says which credential to use
  }
  if (flags.clientSecretFile !== undefined) {
    // The path is never repeated: a secret passed here by mistake would land in the error (and the CI log).
    const secret = (
      await readFile(flags.clientSecretFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`could not read the file given with --client-secret-file (${error.code ?? 'error'}): give the path of a file that holds the secret.`);
      })
    ).trim();
    if (secret === '') throw new UsageError('the file given with --client-secret-file is empty.');
    out.AZURE_CLIENT_SECRET = secret;
    delete out.AZURE_CLIENT_CERTIFICATE_PATH;
  }
  if (flags.api !== undefined) out.DEFENDER_API = flags.api;
  if (flags.cloud !== undefined) out.DEFENDER_CLOUD = flags.cloud;
  return out;
}

/** A logger writing to stderr (`--verbose`), which also tells `onWait` of every retry or quota wait. */
export function cliLogger(verbose: boolean, onWait: (message: string) => void): Logger {
  // A log message can quote the service (an error body, a hunting query's text).
  const line = (level: string) => (message: string) => process.stderr.write(`m365d ${level}: ${terminalLine(message)}\n`);
  const logger: Logger = {
    warn: (message: string) => {
      onWait(message);
      if (verbose) line('warn')(message);
    },
    error: (message: string) => {
      if (verbose) line('error')(message);
    },
  };
  if (verbose) {
    logger.debug = line('debug');
    logger.info = line('info');
  }
  return logger;
}

/** The client for the command's flags. */
export async function clientFor(flags: ConnectionFlags, onWait: (message: string) => void = () => {}): Promise<DefenderClient> {
  const env = await environmentWith(flags);
  return new DefenderClient(
    clientOptionsFromEnv(env, {
      logger: cliLogger(flags.verbose === true, onWait),
      // --quiet: only what the command prints and its errors.
      silenceDeprecationWarnings: flags.quiet === true,
    }),
  );
}
