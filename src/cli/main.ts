/**
 * `m365d`: the SDK from a shell. Each command is a thin layer over the public client
 * (`m365-defender`); `m365d sim` starts the local simulator. Never imported by the SDK's entry.
 * @packageDocumentation
 */
import { Command, CommanderError } from 'commander';
import { SDK_VERSION } from '../index.js';
import { registerConsentUrl, registerToken } from './auth-commands.js';
import { registerCompletion } from './completion.js';
import { secretFlagIn } from './config.js';
import { registerDevices } from './devices.js';
import { errorLines, EXIT, exitStatusOf, parseErrorLines, usageWithoutValue } from './exit.js';
import { registerHunt } from './hunt.js';
import { registerRecords } from './records.js';
import { registerSync } from './sync.js';

const EXIT_HELP = `
Exit statuses:
  0 done            2 usage (bad command line, secret passed as a flag)   3 authentication
  4 permission (also token --require with a role missing)   5 not found   6 rate limited
  7 device action failed, timed out or cancelled (--wait)   8 --wait gave up (--timeout), the action goes on
  1 any other failure   130 stopped by Ctrl-C

Configuration comes from the environment as clientOptionsFromEnv() reads it (AZURE_TENANT_ID,
AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, DEFENDER_API, DEFENDER_CLOUD,
...), so the exports of "m365d sim" just work; the flags --tenant, --client-id, --certificate,
--client-secret-file, --api and --cloud override it. A client secret is never taken as a flag.

Examples:
  m365d token --require Incident.Read.All AdvancedHunting.Read.All
  m365d incidents list --status active --since 24h
  m365d hunt --file query.kql --output csv > rows.csv
  m365d sync incidents --checkpoint incidents.json --follow >> incidents.ndjson
  m365d devices isolate --name ws-0042.contoso.com --comment "INC-1234: beaconing" --wait -o json
  m365d sim --quiet --save-env .sim.env &
`;

/** The command tree. `status` receives a status a command sets without failing (token --require). */
function programOf(setStatus: (status: number) => void, onStop: (stop: () => Promise<void>) => void): Command {
  const program = new Command('m365d')
    .description(`tools of the m365-defender SDK ${SDK_VERSION}: check the token, read and update incidents and alerts, hunt, follow the change feed, isolate and scan devices`)
    .version(SDK_VERSION, '-v, --version', 'print the version')
    .enablePositionalOptions()
    // Set before the sub-commands are made: commander copies both to each one it creates.
    .exitOverride()
    .showSuggestionAfterError()
    // Parse errors are printed from the CommanderError, with the command it came from (main()).
    .configureOutput({ outputError: () => {} })
    .addHelpText('after', EXIT_HELP);
  registerToken(program, setStatus);
  registerConsentUrl(program);
  registerRecords(program);
  registerHunt(program, onStop);
  registerSync(program, onStop);
  registerDevices(program, onStop);
  program
    .command('sim')
    .description('start a local HTTPS simulator of a Defender tenant (m365d sim --help for its options)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments();
  registerCompletion(program);
  return program;
}

/** The command the words at the start of `argv` name (`incidents list`): the one whose parser failed, for a parse error. */
function commandAt(program: Command, argv: readonly string[]): Command {
  let command = program;
  for (const word of argv) {
    const sub = command.commands.find((c) => c.name() === word);
    if (sub === undefined) break;
    command = sub;
  }
  return command;
}

/** The command words at the start of `argv` (`incidents list`). */
function commandPath(program: Command, argv: readonly string[]): string {
  const path: string[] = [];
  for (let c: Command | null = commandAt(program, argv); c?.parent; c = c.parent) path.unshift(c.name());
  return path.join(' ');
}

async function main(argv: string[]): Promise<number> {
  // `m365d sim` keeps its own parser, flags and messages.
  if (argv[0] === 'sim') {
    const { main: simMain } = await import('../sim/cli.js');
    return simMain(argv);
  }
  const secret = secretFlagIn(argv);
  if (secret !== undefined) {
    process.stderr.write(
      `m365d: warning: refused ${secret}: a secret on the command line is visible to every user of this machine (ps) and kept in shell history. ` +
        'Set AZURE_CLIENT_SECRET in the environment or use --client-secret-file FILE; rotate the secret if it was real.\n',
    );
    return EXIT.usage;
  }
  let status: number = EXIT.ok;
  const stops: (() => Promise<void>)[] = [];
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) process.exit(EXIT.interrupted); // a second Ctrl-C does not wait
    interrupted = true;
    for (const stop of stops) void stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed pipe (m365d … | head) ends the output, not with an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(status);
  });
  const program = programOf(
    (s) => (status = s),
    (stop) => stops.push(stop),
  );
  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    return EXIT.usage;
  }
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return interrupted && !argv.includes('--follow') ? EXIT.interrupted : status;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with 0, help for a command group without its sub-command with 2
      // (commander printed them); every other parse error is printed here.
      if (error.exitCode === 0) return EXIT.ok;
      if (error.code !== 'commander.help') process.stderr.write(parseErrorLines(error, commandAt(program, argv)));
      return EXIT.usage;
    }
    if (interrupted) return EXIT.interrupted;
    const shown = usageWithoutValue(error, commandAt(program, argv));
    process.stderr.write(errorLines(shown, verbose, commandPath(program, argv)));
    return exitStatusOf(shown);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

process.exitCode = await main(process.argv.slice(2));
