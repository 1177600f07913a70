/**
 * `m365d devices find/list/get/isolate/release/scan/collect` and `m365d actions list/get/cancel`:
 * device response actions on the Defender for Endpoint API, each optionally awaited (`--wait`).
 * @packageDocumentation
 */
import { Option, type Command } from 'commander';
import {
  ActionFailedError,
  DEVICE_HEALTH_STATUS_FILTERS,
  DEVICE_RISK_SCORE_FILTERS,
  DEVICE_TEXT_LIMITS,
  type DefenderClient,
  type DeviceAction,
  type DeviceActionListOptions,
  type DeviceActionStatus,
  type DeviceActionType,
  type DeviceListOptions,
  TimeoutError,
} from '../index.js';
import { clientFor } from './config.js';
import { UsageError } from './exit.js';
import { choiceOf, choicesOf, durationMs, positiveInteger, sinceDate, textOf, withConnection, withOutput } from './flags.js';
import { writeListing, type ListingFlags } from './listing.js';
import { outputOptions, writeRecord, type OutputOptions } from './output.js';
import { Progress } from './progress.js';

interface DeviceFlags extends ListingFlags {
  name?: string;
  ip?: string;
  at?: string;
  tag?: string;
  health?: string;
  os?: string;
  risk?: string;
  device?: string;
  status?: string[];
  type?: string | string[];
  comment?: string;
  wait?: boolean;
  timeout?: string;
  pollInterval?: string;
}

/** The columns of a device in a table or CSV. */
const DEVICE_COLUMNS = ['id', 'name', 'osPlatform', 'osVersion', 'healthStatus', 'riskScore', 'exposureLevel', 'lastIpAddress', 'lastSeen', 'tags'];
/** The columns of a device action in a table or CSV. */
const ACTION_COLUMNS = ['id', 'type', 'status', 'scope', 'deviceName', 'deviceId', 'requestor', 'comment', 'createdDateTime', 'lastUpdateDateTime'];

/** Every action status `actions list --status` takes (a record of the SDK's type: a status it adds is a compile error until listed). */
const ACTION_STATUSES = Object.keys({
  pending: 0, inProgress: 0, succeeded: 0, failed: 0, timedOut: 0, cancelled: 0,
} satisfies Record<Exclude<DeviceActionStatus, 'unknown'>, 0>) as Exclude<DeviceActionStatus, 'unknown'>[];
/** Every action type `actions list --type` takes (a record of the SDK's type, as {@link ACTION_STATUSES}). */
const ACTION_TYPES = Object.keys({
  isolate: 0, release: 0, runAntivirusScan: 0, collectInvestigationPackage: 0, restrictAppExecution: 0, removeAppRestriction: 0, stopAndQuarantineFile: 0, offboard: 0, liveResponse: 0,
} satisfies Record<Exclude<DeviceActionType, 'unknown'>, 0>) as Exclude<DeviceActionType, 'unknown'>[];

/** A record without its wire object (a table of one record shows every field). */
function row(record: object): Record<string, unknown> {
  const { raw: _raw, ...fields } = record as Record<string, unknown>;
  return fields;
}

/** Prints one device or action (a table of one record shows every field). */
function printRecord(record: object, output: OutputOptions): Promise<void> {
  return writeRecord(record as Record<string, unknown>, output, process.stdout, row);
}

/** The device an action command names: its id argument, or `--name` looked up. */
async function deviceIdOf(client: DefenderClient, id: string | undefined, flags: DeviceFlags): Promise<string> {
  if (id !== undefined) return id;
  return (await client.devices.find({ name: flags.name! })).id;
}

/** The wait options of `--timeout DURATION` and `--poll-interval SECONDS`; refuses them without `--wait`. */
function waitTiming(flags: DeviceFlags): { timeoutMs?: number; intervalMs?: number } {
  if (!flags.wait && (flags.timeout !== undefined || flags.pollInterval !== undefined)) throw new UsageError('--timeout and --poll-interval go with --wait.');
  const timing: { timeoutMs?: number; intervalMs?: number } = {};
  if (flags.timeout !== undefined) {
    const ms = durationMs(flags.timeout);
    if (ms === undefined || ms < 1 || ms > 86_400_000) throw new UsageError('--timeout must be a duration from 1s to 24h (90s, 15m, PT1H).');
    timing.timeoutMs = ms;
  }
  const poll = positiveInteger('--poll-interval', flags.pollInterval);
  if (poll !== undefined) timing.intervalMs = poll * 1000;
  return timing;
}

/** Refuses an action command without exactly one device, without a comment, or with bad wait flags, before anything is sent. */
function checkActionFlags(id: string | undefined, flags: DeviceFlags, command: string): void {
  if ((id === undefined) === (flags.name === undefined)) throw new UsageError(`devices ${command} needs a device id or --name NAME (one of them).`);
  if (flags.comment === undefined || flags.comment.trim() === '') {
    throw new UsageError(`devices ${command} needs --comment TEXT: the service requires a reason (shown in the action center), e.g. --comment "INC-1234: beaconing".`);
  }
  textOf('--comment', flags.comment, DEVICE_TEXT_LIMITS.comment);
  textOf('--name', flags.name, DEVICE_TEXT_LIMITS.name);
  waitTiming(flags);
  outputOptions(flags);
}

/**
 * Prints the action; with `--wait`, first waits until it ends (a progress line meanwhile) and
 * prints it as it ended, also when it failed (then the error, exit status 7, follows). `extra`
 * adds fields to a succeeded action (the package link).
 */
async function printAction(
  client: DefenderClient,
  action: DeviceAction,
  flags: DeviceFlags,
  onStop: (stop: () => Promise<void>) => void,
  extra?: (done: DeviceAction, signal: AbortSignal) => Promise<Record<string, unknown>>,
): Promise<void> {
  const output = outputOptions(flags);
  const print = (record: object) => printRecord(record, output);
  if (!flags.wait) return print(action);
  const stop = new AbortController();
  onStop(async () => stop.abort());
  const options = { ...waitTiming(flags), signal: stop.signal };
  const progress = new Progress('actions', flags);
  progress.waiting(`waiting for ${action.type} on ${action.deviceName ?? action.deviceId} (action ${action.id}${action.reused ? ', already pending' : ''})`);
  let done: DeviceAction;
  let more: Record<string, unknown> = {};
  try {
    done = await action.wait(options);
    if (extra) more = await extra(done, stop.signal);
  } catch (error) {
    progress.done();
    // The action as it ended, or stands at the timeout, on stdout for a script; the error on stderr.
    if (error instanceof ActionFailedError) await print(error.action);
    else if (error instanceof TimeoutError && error.operation === 'deviceActions.wait') await print(await client.deviceActions.get(action.id));
    throw error;
  }
  progress.done();
  await print({ ...done, ...more });
}

/** `--wait`, `--timeout`, `--poll-interval` and `--comment` on an action command. */
function withAction(command: Command): Command {
  return withOutput(withConnection(command))
    .argument('[id]', 'the device id (or --name)')
    .option('--name <dns-name>', 'the device by its DNS name instead of its id')
    .option('--comment <text>', 'why (required: the service shows it in the action center), e.g. the ticket id')
    .option('--wait', 'wait until the action has ended; print it then (exit 7 if it failed, timed out or was cancelled)')
    .option('--timeout <duration>', 'with --wait, give up after this long (default 10m; exit 8, the action goes on)')
    .option('--poll-interval <seconds>', 'with --wait, seconds before the first poll (default 5; each next one 1.5 times longer, at most 60)');
}

/** An action command of `devices`: what it asks the client for, and how its help reads. */
interface ActionCommand {
  name: 'isolate' | 'release' | 'scan' | 'collect';
  description: string;
  example: string;
  /** Its `--type` choice, if it has one. */
  type?: () => Option;
  ask: (client: DefenderClient, deviceId: string, flags: DeviceFlags) => Promise<DeviceAction>;
  /** Fields added to the action once it has succeeded (with `--wait`). */
  extra?: (done: DeviceAction, signal: AbortSignal) => Promise<Record<string, unknown>>;
}

const ACTION_COMMANDS: readonly ActionCommand[] = [
  {
    name: 'isolate',
    description: 'isolate a device from the network; an isolation already pending on it is returned instead of a second one (reused: true)',
    type: () => new Option('--type <type>', 'full: only Defender gets through; selective: Outlook, Teams and Skype too').choices(['full', 'selective']).default('full'),
    example: 'm365d devices isolate --name ws-0042.contoso.com --comment "INC-1234: beaconing" --wait --timeout 15m -o json',
    ask: (client, deviceId, flags) => client.devices.isolate(deviceId, { comment: flags.comment!, type: flags.type as 'full' | 'selective' }),
  },
  {
    name: 'release',
    description: 'release a device from isolation',
    example: 'm365d devices release --name ws-0042.contoso.com --comment "INC-1234: reimaged" --wait',
    ask: (client, deviceId, flags) => client.devices.release(deviceId, { comment: flags.comment! }),
  },
  {
    name: 'scan',
    description: 'run a Microsoft Defender Antivirus scan on a device',
    type: () => new Option('--type <type>', 'scan type').choices(['quick', 'full']).default('quick'),
    example: 'm365d devices scan --name ws-0042.contoso.com --type full --comment "INC-1234" --wait',
    ask: (client, deviceId, flags) => client.devices.runAntivirusScan(deviceId, { comment: flags.comment!, type: flags.type as 'quick' | 'full' }),
  },
  {
    name: 'collect',
    description: 'collect an investigation package; with --wait, print the action with its short-lived download link (packageUri)',
    example: 'm365d devices collect --name ws-0042.contoso.com --comment "INC-1234" --wait -o json | jq -r .packageUri | xargs curl -fsSo package.zip',
    ask: (client, deviceId, flags) => client.devices.collectInvestigationPackage(deviceId, { comment: flags.comment! }),
    extra: async (done, signal) => ({ packageUri: await done.packageUri({ signal }) }),
  },
];

/** Registers `devices` and `actions`. */
export function registerDevices(program: Command, onStop: (stop: () => Promise<void>) => void): void {
  const devices = program.command('devices').description('find devices and isolate, release, scan them or collect an investigation package (Defender for Endpoint API)');
  devices.addHelpText('after', `
Examples:
  m365d devices find --name ws-0042.contoso.com
  m365d devices isolate --name ws-0042.contoso.com --comment "INC-1234: beaconing" --wait -o json
  m365d devices collect 1e5bc9d7e413ddd7902c2932e418702b84d0cc07 --comment "INC-1234" --wait -o json | jq -r .packageUri`);

  withOutput(withConnection(devices.command('find')))
    .description('find one device by DNS name, internal IP address (at a time) or tag; the one seen last when several match')
    .option('--name <dns-name>', 'exact DNS name')
    .option('--ip <address>', 'internal IP address')
    .option('--at <when>', 'with --ip: when it had the address, a duration back (2h) or an ISO 8601 date-time (default now, within 30 days)')
    .option('--tag <tag>', 'device tag')
    .addHelpText('after', `
Examples:
  m365d devices find --name ws-0042.contoso.com
  m365d devices find --ip 10.1.2.3 --at 2026-01-31T08:00:00Z -o json`)
    .action(async (flags: DeviceFlags) => {
      const output = outputOptions(flags);
      const given = [flags.name !== undefined && '--name', flags.ip !== undefined && '--ip', flags.tag !== undefined && '--tag'].filter(Boolean);
      if (given.length !== 1) throw new UsageError(`devices find needs exactly one of --name, --ip or --tag; got ${given.length === 0 ? 'none' : given.join(' and ')}.`);
      if (flags.at !== undefined && flags.ip === undefined) throw new UsageError('--at goes with --ip.');
      const at = flags.at !== undefined ? sinceDate('--at', flags.at) : undefined;
      textOf('--name', flags.name, DEVICE_TEXT_LIMITS.name);
      textOf('--tag', flags.tag, DEVICE_TEXT_LIMITS.tag);
      const client = await clientFor(flags);
      const query = flags.name !== undefined ? { name: flags.name } : flags.ip !== undefined ? { ip: flags.ip, ...(at ? { at } : {}) } : { tag: flags.tag! };
      await printRecord(await client.devices.find(query), output);
    });

  withOutput(withConnection(devices.command('list')))
    .description('list devices, filtered by DNS name, sensor health, OS platform or risk score')
    .option('--name <dns-name>', 'only this exact DNS name')
    .option('--health <status>', `only this sensor health: ${DEVICE_HEALTH_STATUS_FILTERS.join(', ')}`)
    .option('--os <platform>', 'only this OS platform, e.g. Windows11, Linux')
    .option('--risk <score>', `only this risk score: ${DEVICE_RISK_SCORE_FILTERS.join(', ')}`)
    .option('--limit <n>', 'at most N')
    .addHelpText('after', `
Example:
  m365d devices list --health Active --risk High --output csv > risky.csv`)
    .action(async (flags: DeviceFlags) => {
      const options: DeviceListOptions = {};
      // Checked here, before the client is built: a wrong value is a usage error naming the flag.
      const health = choiceOf('--health', flags.health, DEVICE_HEALTH_STATUS_FILTERS, true);
      if (health !== undefined) options.healthStatus = health;
      if (flags.name !== undefined) options.name = textOf('--name', flags.name, DEVICE_TEXT_LIMITS.name)!;
      if (flags.os !== undefined) options.osPlatform = textOf('--os', flags.os, DEVICE_TEXT_LIMITS.osPlatform)!;
      const risk = choiceOf('--risk', flags.risk, DEVICE_RISK_SCORE_FILTERS, true);
      if (risk !== undefined) options.riskScore = risk;
      await writeListing(flags, { noun: 'devices', columns: DEVICE_COLUMNS, row }, (client) => client.devices.list(options));
    });

  withOutput(withConnection(devices.command('get')))
    .description('show one device by id')
    .argument('<id>', 'the device id')
    .addHelpText('after', `
Example:
  m365d devices get 1e5bc9d7e413ddd7902c2932e418702b84d0cc07 --output json`)
    .action(async (id: string, flags: DeviceFlags) => {
      const output = outputOptions(flags);
      const client = await clientFor(flags);
      await printRecord(await client.devices.get(id), output);
    });

  for (const spec of ACTION_COMMANDS) {
    const command = withAction(devices.command(spec.name)).description(spec.description);
    if (spec.type) command.addOption(spec.type());
    command.addHelpText('after', `\nExample:\n  ${spec.example}`).action(async (id: string | undefined, flags: DeviceFlags) => {
      checkActionFlags(id, flags, spec.name);
      const client = await clientFor(flags);
      const action = await spec.ask(client, await deviceIdOf(client, id, flags), flags);
      await printAction(client, action, flags, onStop, spec.extra);
    });
  }

  registerActions(program, onStop);
}

/** Registers `actions list/get/cancel`. */
function registerActions(program: Command, onStop: (stop: () => Promise<void>) => void): void {
  const actions = program.command('actions').description('device response actions already asked for: list, show (and wait for), cancel');
  actions.addHelpText('after', `
Examples:
  m365d actions list --device 1e5bc9d7e413ddd7902c2932e418702b84d0cc07 --status pending inProgress
  m365d actions get 7f0a6b4e-6c1d-4f0a-9f57-2f1f8a0c2d11 --wait
  m365d actions cancel 7f0a6b4e-6c1d-4f0a-9f57-2f1f8a0c2d11 --comment "INC-1234: wrong device"`);

  withOutput(withConnection(actions.command('list')))
    .description('list device actions, newest first, filtered by device, status and type')
    .option('--device <id>', "only this device's actions")
    .option('--status <statuses...>', `only these: ${ACTION_STATUSES.join(', ')}`)
    .option('--type <types...>', `only these: ${ACTION_TYPES.join(', ')}`)
    .option('--limit <n>', 'at most N')
    .addHelpText('after', `
Example:
  m365d actions list --status failed timedOut --limit 20 -o csv`)
    .action(async (flags: DeviceFlags) => {
      const options: DeviceActionListOptions = {};
      if (flags.device !== undefined) options.deviceId = textOf('--device', flags.device, DEVICE_TEXT_LIMITS.deviceId)!;
      const status = choicesOf('--status', flags.status, ACTION_STATUSES);
      if (status !== undefined) options.status = status;
      const type = choicesOf('--type', flags.type, ACTION_TYPES);
      if (type !== undefined) options.type = type;
      await writeListing(flags, { noun: 'actions', columns: ACTION_COLUMNS, row }, (client) => client.deviceActions.list(options));
    });

  withOutput(withConnection(actions.command('get')))
    .description('show one device action; with --wait, once it has ended')
    .argument('<id>', 'the action id')
    .option('--wait', 'wait until it has ended (exit 7 if it failed, timed out or was cancelled)')
    .option('--timeout <duration>', 'with --wait, give up after this long (default 10m; exit 8)')
    .option('--poll-interval <seconds>', 'with --wait, seconds before the first poll (default 5)')
    .addHelpText('after', `
Example:
  m365d actions get 7f0a6b4e-6c1d-4f0a-9f57-2f1f8a0c2d11 --wait --timeout 30m -o json`)
    .action(async (id: string, flags: DeviceFlags) => {
      waitTiming(flags);
      outputOptions(flags);
      const client = await clientFor(flags);
      await printAction(client, await client.deviceActions.get(id), flags, onStop);
    });

  withOutput(withConnection(actions.command('cancel')))
    .description('cancel a device action that has not ended; prints it')
    .argument('<id>', 'the action id')
    .option('--comment <text>', 'why (required by the service)')
    .addHelpText('after', `
Example:
  m365d actions cancel 7f0a6b4e-6c1d-4f0a-9f57-2f1f8a0c2d11 --comment "INC-1234: wrong device"`)
    .action(async (id: string, flags: DeviceFlags) => {
      if (flags.comment === undefined || flags.comment.trim() === '') throw new UsageError('actions cancel needs --comment TEXT: the service requires a reason.');
      textOf('--comment', flags.comment, DEVICE_TEXT_LIMITS.comment);
      const output = outputOptions(flags);
      const client = await clientFor(flags);
      await printRecord(await client.deviceActions.cancel(id, { comment: flags.comment }), output);
    });
}
