/**
 * `m365d devices …` and `m365d actions …` as a responder runs them: the BUILT command line
 * (dist/cli.js) in a child process against the HTTPS simulator's Defender for Endpoint API. The
 * simulator's actions move on its clock: a test moves it on once the child has asked (seen in the
 * tenant's request log), so no bound here depends on the machine's speed.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICE_TEXT_LIMITS } from '../../src/index.js';
import type { TenantRoute } from '../../src/testing/tenant/faults.js';
import { m365d, m365dAgainst, ndjson, type M365dResult, type M365dRun } from '../support/m365d.js';
import { envClient, useSimulator } from './support.js';

const sim = useSimulator({ seed: 15, incidents: 3, huntingRows: 0 });
const MINUTE = 60_000;
const { env, run, dir } = m365dAgainst(sim, 'm365d-devices-e2e-');

/** The n-th workstation of the simulator's fleet (servers refuse selective isolation). */
const workstation = (n: number) => sim().tenant.mde.fleet().filter((d) => !d.server)[n]!;

/** Moves the simulator's clock past every action's end once the child has made a request to `route` (counted from `before`). */
async function finishActionsAfter(route: TenantRoute, before: number, child: M365dRun): Promise<M365dResult> {
  let exited = false;
  const done = child.done.finally(() => (exited = true));
  while (!exited && !sim().tenant.requests.slice(before).some((r) => r.route === route)) await new Promise((resolve) => setTimeout(resolve, 20));
  sim().tenant.clock.advance(10 * MINUTE);
  return done;
}

/** `m365d args…` that waits for an action: the clock moves on once the child has sent `route`. */
async function runWaiting(args: string[], route: TenantRoute, extraEnv: Record<string, string> = {}) {
  const before = sim().tenant.requests.length;
  return finishActionsAfter(route, before, m365d([...args, '--wait', '--poll-interval', '1'], { env: env(extraEnv) }));
}

describe('m365d devices', () => {
  it('find by name, list and get print the devices the SDK reads, in every format', async () => {
    const target = workstation(0);
    const found = await run(['devices', 'find', '--name', target.deviceName, '-o', 'json']);
    expect(found.code, found.stderr).toBe(0);
    expect(JSON.parse(found.stdout)).toMatchObject({ id: target.deviceId, name: target.deviceName });
    expect(JSON.parse(found.stdout)).not.toHaveProperty('raw');

    const client = envClient(sim());
    const expected = await client.devices.list().toArray({ limit: 3 });
    const csv = await run(['devices', 'list', '--limit', '3', '-o', 'csv']);
    const [header, ...rows] = csv.stdout.trimEnd().split('\r\n').map((line) => line.split(','));
    expect(header).toEqual(['id', 'name', 'osPlatform', 'osVersion', 'healthStatus', 'riskScore', 'exposureLevel', 'lastIpAddress', 'lastSeen', 'tags']);
    expect(rows.map((r) => r[0])).toEqual(expected.map((d) => d.id));
    const piped = await run(['devices', 'list', '--name', target.deviceName]);
    expect(ndjson(piped.stdout).map((d) => d.id)).toEqual([target.deviceId]);
    // Health and risk in any letter case, as the SDK filters on them.
    const risky = await run(['devices', 'list', '--health', 'active', '--risk', 'high']);
    expect(risky.code, risky.stderr).toBe(0);
    expect(ndjson(risky.stdout).map((d) => d.id)).toEqual((await client.devices.list({ healthStatus: 'Active', riskScore: 'High' }).toArray()).map((d) => d.id));
    const table = await m365d(['devices', 'get', target.deviceId], { env: env({ M365D_STDOUT_TTY: '1', COLUMNS: '120' }) }).done;
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`│ id +│ ${target.deviceId} +│`));
    expect(table.stdout).not.toMatch(/│ raw /);
  });

  it('isolate --wait by name: a second isolate reuses the pending one and prints it succeeded; a progress line on a terminal stderr', async () => {
    const target = workstation(1);
    const first = await run(['devices', 'isolate', target.deviceId, '--comment', 'INC-1234: beaconing', '-o', 'json']);
    expect(first.code, first.stderr).toBe(0);
    const asked = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(asked).toMatchObject({ type: 'isolate', status: 'pending', deviceId: target.deviceId, comment: 'INC-1234: beaconing', reused: false, scope: 'Full' });

    const before = sim().tenant.requests.filter((r) => r.route === 'mde.machineAction').length;
    const second = await runWaiting(['devices', 'isolate', '--name', target.deviceName, '--comment', 'INC-1234: beaconing', '-o', 'json'], 'mde.listActions', { M365D_STDERR_TTY: '1' });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ id: asked.id, status: 'succeeded', reused: true });
    expect(sim().tenant.requests.filter((r) => r.route === 'mde.machineAction').length).toBe(before);
    expect(sim().tenant.mde.isIsolated(target.deviceId)).toBe(true);
    expect(second.stderr).toMatch(new RegExp(`\\r\\x1b\\[Kwaiting for isolate on ${target.deviceName.replace(/\./g, '\\.')} \\(action ${asked.id as string}, already pending\\), \\d+\\.\\d s`));
    expect(second.stderr.endsWith('\r\x1b[K')).toBe(true);

    const released = await runWaiting(['devices', 'release', target.deviceId, '--comment', 'INC-1234: cleaned'], 'mde.machineAction');
    expect(released.code, released.stderr).toBe(0);
    expect(released.stderr).toBe('');
    expect(ndjson(released.stdout)).toEqual([expect.objectContaining({ type: 'release', status: 'succeeded' })]);
    expect(sim().tenant.mde.isIsolated(target.deviceId)).toBe(false);
  });

  it("the progress line shows escape sequences and bidi controls in the service's device name as visible placeholders", async () => {
    const target = workstation(5);
    const asked = await run(['devices', 'scan', target.deviceId, '--comment', 'INC-1234', '-o', 'json']);
    expect(asked.code, asked.stderr).toBe(0);
    const id = (JSON.parse(asked.stdout) as { id: string }).id;
    // The first read of the action names its device with a title, a hyperlink, a screen clear, a C1 CSI and a bidi override.
    const wire = sim().tenant.mde.actions().find((action) => action.id === id)!;
    sim().tenant.faults.add('mde.getAction', { status: 200, body: { ...wire, computerDnsName: 'ws\u001b]0;owned\u0007\u001b]8;;http://evil.example\u0007\u001b[2J\u009b31m\u202Eexe.\u0085x' } });
    const waited = await runWaiting(['actions', 'get', id, '-o', 'json'], 'mde.getAction', { M365D_STDERR_TTY: '1' });
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({ id, status: 'succeeded' });
    const drawn = waited.stderr.replaceAll('\r\x1b[K', '\n');
    expect(drawn).toContain(`waiting for runAntivirusScan on ws�]0;owned��]8;;http://evil.example��[2J�31m�exe.�x (action ${id}), `);
    expect(drawn.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u);
  });

  it('scan --type full --wait; collect --wait prints the package link', async () => {
    const target = workstation(2);
    const scan = await runWaiting(['devices', 'scan', target.deviceId, '--type', 'full', '--comment', 'INC-1234', '-o', 'json'], 'mde.machineAction');
    expect(scan.code, scan.stderr).toBe(0);
    expect(JSON.parse(scan.stdout)).toMatchObject({ type: 'runAntivirusScan', status: 'succeeded', scope: 'Full' });

    const collect = await runWaiting(['devices', 'collect', '--name', target.deviceName, '--comment', 'INC-1234', '-o', 'json'], 'mde.machineAction');
    expect(collect.code, collect.stderr).toBe(0);
    const printed = JSON.parse(collect.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({ type: 'collectInvestigationPackage', status: 'succeeded' });
    // The link is signed anew on each call: it is the simulator's download host with a signature.
    expect(printed.packageUri).toMatch(new RegExp(`^${sim().origin.replace(/\./g, '\\.')}/safedownload/.+`));

    const listed = await run(['actions', 'list', '--device', target.deviceId, '-o', 'csv']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\r\n')[0]).toBe('id,type,status,scope,deviceName,deviceId,requestor,comment,createdDateTime,lastUpdateDateTime');
    expect(listed.stdout).toContain(printed.id as string);
  });

  it('a failed action exits 7 and prints it as it ended; a --timeout exits 8 and prints it as it stands', async () => {
    const admin = await fetch(`${sim().origin}/_sim/mde/next-actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcomes: ['Failed'] }) });
    expect(admin.status).toBe(201);
    const target = workstation(3);
    const failed = await runWaiting(['devices', 'scan', target.deviceId, '--comment', 'INC-1234', '-o', 'json'], 'mde.machineAction');
    expect(failed.code).toBe(7);
    const action = JSON.parse(failed.stdout) as Record<string, unknown>;
    expect(action).toMatchObject({ type: 'runAntivirusScan', status: 'failed' });
    expect(failed.stderr).toMatch(new RegExp(`^m365d: Device action ${action.id as string} \\(runAntivirusScan on .*\\) ended failed`));
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);

    await fetch(`${sim().origin}/_sim/mde/next-actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcomes: ['hang'] }) });
    const before = sim().tenant.requests.length;
    const timedOut = await finishActionsAfter('mde.machineAction', before, m365d(['devices', 'isolate', target.deviceId, '--comment', 'INC-1234', '--wait', '--timeout', '1s', '--poll-interval', '1', '-o', 'json'], { env: env() }));
    expect(timedOut.code).toBe(8);
    const standing = JSON.parse(timedOut.stdout) as Record<string, unknown>;
    // In progress once the clock has moved on; still pending if the child polled before that.
    expect(standing).toMatchObject({ type: 'isolate', status: expect.stringMatching(/^(inProgress|pending)$/) });
    expect(timedOut.stderr).toMatch(/still (inProgress|pending) after 1000 ms; it goes on on the device\. Follow it with "m365d actions get ID --wait"/);

    const cancelled = await run(['actions', 'cancel', standing.id as string, '--comment', 'INC-1234: wrong device', '-o', 'json']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ id: standing.id, status: 'cancelled' });
    const got = await run(['actions', 'get', standing.id as string, '--wait', '-o', 'json']);
    expect(got.code).toBe(7);
    expect(JSON.parse(got.stdout)).toMatchObject({ id: standing.id, status: 'cancelled' });
  });

  it('usage errors exit 2 and send nothing to the MDE API; an unknown device exits 5', async () => {
    const target = workstation(4);
    const before = sim().tenant.requests.length;
    for (const [args, message] of [
      [['devices', 'isolate', target.deviceId], /devices isolate needs --comment TEXT: the service requires a reason/],
      [['devices', 'isolate', target.deviceId, '--comment', '  '], /needs --comment TEXT/],
      [['devices', 'release', '--comment', 'x'], /devices release needs a device id or --name NAME \(one of them\)/],
      [['devices', 'scan', target.deviceId, '--comment', 'x', '--type', 'deep'], /option '--type <type>' must be one of quick, full/],
      [['devices', 'isolate', target.deviceId, '--comment', 'x', '--wait', '--timeout', 'soon'], /--timeout must be a duration/],
      [['devices', 'isolate', target.deviceId, '--comment', 'x', '--timeout', '5m'], /--timeout and --poll-interval go with --wait/],
      [['devices', 'find'], /devices find needs exactly one of --name, --ip or --tag; got none/],
      [['devices', 'find', '--ip', '10.0.0.1', '--at', 'yesterday'], /--at must be a duration/],
      [['devices', 'find', '--ip', '10.0.0.1', '--at', '2026-02-30T08:00:00Z'], /--at must be a duration .*\): February 2026 has 28 days\./],
      [['devices', 'list', '--risk', 'Critical'], /^m365d: --risk must be one of None, Informational, Low, Medium, High \(in any letter case\)\. Run "m365d devices list --help" for usage\./],
      [['devices', 'list', '--health', "Active' or healthStatus ne 'x"], /^m365d: --health must be one of Active, Inactive, ImpairedCommunication, NoSensorData, NoSensorDataImpairedCommunication, Unknown \(in any letter case\)\./],
      [['actions', 'cancel', 'x'], /actions cancel needs --comment/],
    ] as const) {
      const result = await run([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
    expect(sim().tenant.requests.slice(before).filter((r) => r.route.startsWith('mde.'))).toEqual([]);

    const byName = await run(['devices', 'isolate', '--name', 'nosuch.contoso.com', '--comment', 'INC-1234']);
    expect(byName.code).toBe(5);
    expect(byName.stderr).toMatch(/^m365d: devices\.find: no device named "nosuch\.contoso\.com"/);
    expect((await run(['devices', 'get', 'e'.repeat(40)])).code).toBe(5);
    expect((await run(['devices', 'scan', 'e'.repeat(40), '--comment', 'x'])).code).toBe(5);
    expect(sim().tenant.requests.slice(before).filter((r) => r.route === 'mde.machineAction' && r.status < 400)).toEqual([]);
  });
});

describe('m365d devices: flag values checked before the configuration is read', () => {
  it('a wrong --health, --risk, or actions --status or --type exits 2 naming the flag and its values, without credentials too', async () => {
    for (const [args, message] of [
      [['devices', 'list', '--health', 'Sick'], '--health must be one of Active, Inactive, ImpairedCommunication, NoSensorData, NoSensorDataImpairedCommunication, Unknown (in any letter case).'],
      [['devices', 'list', '--risk', 'Critical'], '--risk must be one of None, Informational, Low, Medium, High (in any letter case).'],
      [['actions', 'list', '--status', 'pending', 'stuck'], '--status must be one of pending, inProgress, succeeded, failed, timedOut, cancelled.'],
      [['actions', 'list', '--type', 'wipe'], '--type must be one of isolate, release, runAntivirusScan, collectInvestigationPackage, restrictAppExecution, removeAppRestriction, stopAndQuarantineFile, offboard, liveResponse.'],
    ] as const) {
      const unconfigured = await m365d([...args], { env: env({ AZURE_CLIENT_SECRET: undefined }) }).done;
      expect(unconfigured.code, args.join(' ')).toBe(2);
      expect(unconfigured.stderr).toBe(`m365d: ${message} Run "m365d ${args[0]} list --help" for usage.\n`);
    }
    // A right value in any letter case gets as far as the missing configuration.
    const valid = await m365d(['devices', 'list', '--health', 'inactive', '--risk', 'HIGH'], { env: env({ AZURE_CLIENT_SECRET: undefined }) }).done;
    expect(valid.code).toBe(3);
  });
});

describe('m365d devices: free-text flags checked before the configuration is read', () => {
  it("a blank, too long or control-character --os, --name, --tag, --device or --comment exits 2 naming the flag and the SDK's limit, without credentials too", async () => {
    const id = 'e'.repeat(40);
    const text = (flag: string, max: number) => `${flag} must be text of 1 to ${max} characters, not blank, without control characters.`;
    const { name, osPlatform, tag, deviceId, comment } = DEVICE_TEXT_LIMITS;
    for (const [args, message, command] of [
      [['devices', 'list', '--os', ''], text('--os', osPlatform), 'devices list'],
      [['devices', 'list', '--os', 'w'.repeat(osPlatform + 1)], text('--os', osPlatform), 'devices list'],
      [['devices', 'list', '--name', 'n'.repeat(name + 1)], text('--name', name), 'devices list'],
      [['devices', 'find', '--name', 'n'.repeat(name + 1)], text('--name', name), 'devices find'],
      [['devices', 'find', '--tag', 't'.repeat(tag + 1)], text('--tag', tag), 'devices find'],
      [['devices', 'find', '--tag', 'a\u0001b'], text('--tag', tag), 'devices find'],
      [['devices', 'isolate', '--name', 'n'.repeat(name + 1), '--comment', 'INC-1'], text('--name', name), 'devices isolate'],
      [['devices', 'isolate', id, '--comment', 'c'.repeat(comment + 1)], text('--comment', comment), 'devices isolate'],
      [['devices', 'release', id, '--comment', 'INC-1\u001b[2J'], text('--comment', comment), 'devices release'],
      [['actions', 'cancel', 'a1', '--comment', 'c'.repeat(comment + 1)], text('--comment', comment), 'actions cancel'],
      [['actions', 'list', '--device', 'd'.repeat(deviceId + 1)], text('--device', deviceId), 'actions list'],
    ] as const) {
      const unconfigured = await m365d([...args], { env: env({ AZURE_CLIENT_SECRET: undefined }) }).done;
      expect(unconfigured.code, args.join(' ').slice(0, 80)).toBe(2);
      expect(unconfigured.stderr).toBe(`m365d: ${message} Run "m365d ${command} --help" for usage.\n`);
      expect(unconfigured.stdout).toBe('');
    }
    // Values as long as the SDK takes them, with a line break and a tab, get as far as the missing configuration.
    for (const args of [
      ['devices', 'list', '--name', 'n'.repeat(name), '--os', 'w'.repeat(osPlatform)],
      ['devices', 'isolate', '--name', 'n'.repeat(name), '--comment', `INC-1\n\t${'c'.repeat(comment - 7)}`],
      ['actions', 'list', '--device', 'd'.repeat(deviceId)],
    ]) {
      const valid = await m365d(args, { env: env({ AZURE_CLIENT_SECRET: undefined }) }).done;
      expect(valid.code, args.join(' ').slice(0, 80)).toBe(3);
    }
  });
});

describe('m365d devices help and completion', () => {
  it.each(['devices', 'devices find', 'devices list', 'devices get', 'devices isolate', 'devices release', 'devices scan', 'devices collect', 'actions', 'actions list', 'actions get', 'actions cancel'])(
    'm365d %s --help shows an example',
    async (command) => {
      const help = await run([...command.split(' '), '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: m365d ${command}`));
      expect(help.stdout).toMatch(/Examples?:\n {2}m365d /);
    },
  );

  it('the top-level help lists statuses 7 and 8; bash completion knows the device commands', async () => {
    const help = await run(['--help']);
    expect(help.stdout).toMatch(/7 device action failed, timed out or cancelled/);
    expect(help.stdout).toMatch(/8 --wait gave up/);
    const script = await run(['completion', 'bash']);
    const file = join(dir(), 'm365d.bash');
    await writeFile(file, script.stdout);
    const complete = (...words: string[]) =>
      execFileSync('bash', ['-c', `. ${file}; COMP_WORDS=(m365d ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _m365d; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).trim();
    expect(complete('dev')).toBe('devices');
    expect(complete('devices', 'is')).toBe('isolate');
    expect(complete('devices', 'isolate', '--comm')).toBe('--comment');
    expect(complete('actions', 'c')).toBe('cancel');
  });
});
