/**
 * `m365d` as admins, analysts and scripts run it: the BUILT command line (dist/cli.js) in a child
 * process against the HTTPS simulator, configured only by the environment the simulator prints.
 * What it prints is checked against what the SDK itself reads from the same tenant.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { M365D_BIN, m365d, m365dAgainst, ndjson } from '../support/m365d.js';
import { envClient, useSimulator } from './support.js';

const sim = useSimulator({ seed: 16, incidents: 12, huntingRows: 2_000 });
const { env, run, dir } = m365dAgainst(sim, 'm365d-e2e-');

/** RFC 4180 records (quoted fields with doubled quotes, commas and line breaks inside). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') record.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field), records.push(record), (record = []), (field = ''), i++;
    } else field += c;
  }
  if (field !== '' || record.length > 0) record.push(field), records.push(record);
  return records;
}

/** A Defender API hunting body with these columns and rows, served instead of the tenant's answer once. */
function serveHunting(columns: string[], rows: string): void {
  const schema = JSON.stringify(columns.map((Name) => ({ Name, Type: 'String' })));
  sim().tenant.faults.add('defender.hunting', { status: 200, headers: { 'content-type': 'application/json' }, rawBody: `{"Schema":${schema},"Results":[${rows}]}` });
}

describe('m365d token', () => {
  it('prints who the app is and its roles, exit 0 when every required role is there, 4 naming the missing ones', async () => {
    const ok = await run(['token', '--require', 'Incident.Read.All', 'AdvancedHunting.Read.All', '--json']);
    expect(ok.code).toBe(0);
    const who = await envClient(sim()).auth.inspect();
    const printed = JSON.parse(ok.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({ tenantId: who.tenantId, appId: who.appId, audience: who.audience, roles: who.roles, missing: [] });
    expect(printed.expiresOn).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // A permission the simulator's app was not granted.
    const missing = await run(['token', '--require', 'Incident.Read.All', 'Imaginary.Read.All', '--json']);
    expect(missing.code).toBe(4);
    expect(JSON.parse(missing.stdout)).toMatchObject({ missing: ['Imaginary.Read.All'] });
    expect(missing.stderr).toMatch(/lacks the Microsoft Threat Protection application permission\(s\) Imaginary\.Read\.All/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--api graph inspects the Graph token', async () => {
    const graph = await run(['token', '--api', 'graph', '--output', 'json']);
    expect(graph.code).toBe(0);
    expect(JSON.parse(graph.stdout)).toMatchObject({ audience: 'https://graph.microsoft.com' });
  });

  it('reads the client secret from --client-secret-file, and refuses one passed as a flag without showing it', async () => {
    const file = join(dir(), 'secret.txt');
    await writeFile(file, `${sim().env.AZURE_CLIENT_SECRET}\n`, { mode: 0o600 });
    const fromFile = await m365d(['token', '--client-secret-file', file, '--json'], { env: env({ AZURE_CLIENT_SECRET: undefined }) }).done;
    expect(fromFile.code).toBe(0);
    // The secret itself given where its file's path goes: a usage error that does not repeat it.
    const misplaced = await m365d(['token', '--client-secret-file', 'Sup3r~Secret.Value'], { env: env({ AZURE_CLIENT_SECRET: undefined }) }).done;
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(/could not read the file given with --client-secret-file \(ENOENT\)/);
    expect(misplaced.stderr).not.toContain('Sup3r');
    // The same for --certificate: a path that cannot be read is never repeated.
    for (const path of ['Sup3r~Secret.Value', dir()]) {
      const unreadable = await m365d(['token', '--certificate', path], { env: env({ AZURE_CLIENT_SECRET: undefined }) }).done;
      expect(unreadable.code, unreadable.stderr).toBe(2);
      expect(unreadable.stderr).toMatch(/could not read the file given with --certificate \((ENOENT|EISDIR)\)/);
      expect(unreadable.stderr).not.toContain(path);
    }

    for (const args of [['incidents', 'list', '--client-secret', 'Sup3r~Secret.Value'], ['token', '--client-secret=Sup3r~Secret.Value'], ['hunt', 'T', '--secret', 'Sup3r~Secret.Value']]) {
      const refused = await run(args);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/^m365d: warning: refused --(client-secret|secret): a secret on the command line is visible/);
      expect(refused.stderr).toContain('AZURE_CLIENT_SECRET');
      expect(refused.stderr).not.toContain('Sup3r');
    }
    expect(sim().tenant.requests.filter((r) => r.route === 'defender.hunting')).toHaveLength(0);
  });

  it('exit 3 with the AADSTS code and what it means when Entra refuses the secret', async () => {
    const refused = await m365d(['token'], { env: env({ AZURE_CLIENT_SECRET: 'not-the-secret' }) }).done;
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^m365d: Entra ID rejected the client secret .*\(AADSTS7000215\): check that you used the secret's value/);
    expect(refused.stderr).not.toContain('not-the-secret');
    const unset = await m365d(['token'], { env: env({ AZURE_CLIENT_SECRET: undefined }) }).done;
    expect(unset.code).toBe(3);
    expect(unset.stderr).toMatch(/AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH is not set/);
  });
});

describe('m365d consent-url', () => {
  it("prints the admin-consent link on the simulator's login host; a bad client id is a usage error", async () => {
    const clientId = '11111111-2222-3333-4444-555555555555';
    const url = await run(['consent-url', '--client-id', clientId, '--tenant', 'contoso.onmicrosoft.com', '--redirect-uri', 'https://app.example.com/done']);
    expect(url.code).toBe(0);
    expect(url.stdout).toBe(`${sim().env.AZURE_AUTHORITY_HOST}/contoso.onmicrosoft.com/adminconsent?client_id=${clientId}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fdone\n`);
    const bad = await run(['consent-url', '--client-id', 'my-app']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`m365d: --client-id must be the app's application (client) id, a GUID. Run "m365d consent-url --help" for usage.\n`);
  });
});

describe('m365d incidents and alerts', () => {
  it('through a pipe prints NDJSON; on a terminal (M365D_STDOUT_TTY=1) a table that fits COLUMNS', async () => {
    const expected = (await envClient(sim()).incidents.list().toArray({ limit: 5 })).map((incident) => incident.id);
    const piped = await run(['incidents', 'list', '--limit', '5']);
    expect(piped.code).toBe(0);
    expect(ndjson(piped.stdout).map((incident) => incident.id)).toEqual(expected);
    expect(ndjson(piped.stdout)[0]).not.toHaveProperty('raw');

    const terminal = await m365d(['incidents', 'list', '--limit', '5'], { env: env({ M365D_STDOUT_TTY: '1', COLUMNS: '90' }) }).done;
    expect(terminal.code).toBe(0);
    const lines = terminal.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5 + 3); // top rule, header, five rows, bottom rule
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(90);
    expect(lines[1]).toMatch(/^│ id +│ disp/);
    for (const [i, id] of expected.entries()) expect(lines[2 + i]).toMatch(new RegExp(`^│ ${id} +│`));
  });

  it('--output csv, json and ndjson carry the same incidents as the SDK, dates in ISO 8601', async () => {
    const client = envClient(sim());
    const expected = await client.incidents.list({ status: 'active' }).toArray();
    const csv = await run(['incidents', 'list', '--status', 'active', '--output', 'csv']);
    expect(csv.code).toBe(0);
    const [header, ...rows] = parseCsv(csv.stdout);
    expect(header).toEqual(['id', 'displayName', 'status', 'severity', 'assignedTo', 'classification', 'determination', 'createdDateTime', 'lastUpdateDateTime', 'tags', 'alerts']);
    expect(rows.map((r) => r[0])).toEqual(expected.map((i) => i.id));
    expect(rows.map((r) => r[7])).toEqual(expected.map((i) => i.createdDateTime.toISOString()));
    expect(rows.map((r) => Number(r[10]))).toEqual(expected.map((i) => i.alerts.length));

    const json = await run(['incidents', 'list', '--status', 'active', '-o', 'json']);
    const parsed = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(parsed.map((i) => [i.id, i.status, i.lastUpdateDateTime])).toEqual(expected.map((i) => [i.id, i.status, i.lastUpdateDateTime.toISOString()]));
    const none = await run(['incidents', 'list', '--assigned-to', 'nobody@nowhere.example', '-o', 'json']);
    expect(JSON.parse(none.stdout)).toEqual([]);
    const since = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const recent = await run(['incidents', 'list', '--since', since]);
    expect(ndjson(recent.stdout).map((i) => i.id)).toEqual((await client.incidents.list({ updatedAfter: since }).toArray()).map((i) => i.id));
  });

  it('get prints one incident; update changes it (as the SDK then reads it); an unknown id exits 5', async () => {
    const client = envClient(sim());
    const [target] = await client.incidents.list({ status: 'active' }).toArray({ limit: 1 });
    const got = await run(['incidents', 'get', target!.id, '-o', 'json']);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ id: target!.id, displayName: target!.displayName });
    // The public model, not the wire object it keeps (`raw`), in a table or CSV of one record too.
    const table = await run(['incidents', 'get', target!.id, '-o', 'table']);
    expect(table.stdout).toMatch(/\bdisplayName\b/);
    expect(table.stdout).not.toMatch(/^\W*raw\b/m);
    const csv = await run(['incidents', 'get', target!.id, '-o', 'csv']);
    expect(csv.stdout.split('\r\n')[0]!.split(',')).toContain('displayName');
    expect(csv.stdout.split('\r\n')[0]!.split(',')).not.toContain('raw');

    const updated = await run(['incidents', 'update', target!.id, '--status', 'resolved', '--classification', 'truePositive', '--determination', 'malware', '--assign-to', 'soc@contoso.com', '--tag', 'cli', 'e2e', '--comment', 'Contained', '-o', 'ndjson']);
    expect(updated.code).toBe(0);
    expect(ndjson(updated.stdout)).toEqual([expect.objectContaining({ id: target!.id, status: 'resolved', assignedTo: 'soc@contoso.com', tags: ['cli', 'e2e'] })]);
    expect(await client.incidents.get(target!.id)).toMatchObject({ status: 'resolved', classification: 'truePositive', determination: 'malware', assignedTo: 'soc@contoso.com' });

    const missing = await run(['incidents', 'get', '99999999']);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/^m365d: incidents\.get: not found \(404\)/);
    expect(missing.stdout).toBe('');
  });

  it('usage errors exit 2 and send nothing: a bad value, an unknown option, an update without changes', async () => {
    const before = sim().tenant.requests.length;
    for (const [args, message] of [
      [['incidents', 'list', '--status', 'bogus'], /--status must be one of active, inProgress, resolved, redirected, awaitingAction\./],
      [['incidents', 'list', '--since', 'yesterday'], /--since must be a duration \(24h, 7d, P7D\) or an ISO 8601 date/],
      // Impossible calendar dates are refused, not rolled over into the next month.
      [['incidents', 'list', '--since', '2026-02-31'], /--since must be a duration \(24h, 7d, P7D\) or an ISO 8601 date or date-time with a zone \(2026-01-31, 2026-01-31T08:00:00Z\): February 2026 has 28 days\./],
      [['alerts', 'list', '--since', '2026-04-31T08:00:00Z'], /--since .*\): April 2026 has 30 days\./],
      [['alerts', 'list', '--since', '2025-02-29T23:00:00+02:00'], /February 2025 has 28 days/],
      [['incidents', 'list', '--since', '2026-13-01'], /--since .*: there is no month 13\./],
      [['incidents', 'list', '--since', '2026-01-31T24:00:00Z'], /--since .*: a time of day goes from 00:00:00 to 23:59:59\./],
      [['incidents', 'list', '--since', '2026-01-31 Z'], /--since must be a duration/],
      [['sync', 'incidents', '--checkpoint', join(dir(), 'never-written.json'), '--since', '2026-02-29'], /--since .*: February 2026 has 28 days\./],
      [['incidents', 'list', '--limit', '0'], /--limit must be a whole number of at least 1\. Run "m365d incidents list --help" for usage./],
      [['incidents', 'list', '--output', 'xml'], /option '-o, --output <format>' must be one of table, json, ndjson, csv/],
      [['incidents', 'update', '1'], /update needs at least one change/],
      [['alerts', 'lst'], /unknown command: m365d alerts takes one of list, get, update/],
    ] as const) {
      const result = await run([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
    expect(sim().tenant.requests.slice(before).filter((r) => r.route !== 'entra.token')).toEqual([]);
    // A leap day is a date.
    const leap = await run(['incidents', 'list', '--since', '2024-02-29', '--limit', '1']);
    expect(leap.code, leap.stderr).toBe(0);
    // A bad date is a usage error before the configuration is read.
    for (const args of [['alerts', 'list', '--since', '2026-02-31'], ['sync', 'alerts', '--checkpoint', join(dir(), 'never-written.json'), '--since', '2026-02-31']]) {
      const unconfigured = await m365d(args, { env: env({ AZURE_CLIENT_SECRET: undefined }) }).done;
      expect(unconfigured.code, args.join(' ')).toBe(2);
      expect(unconfigured.stderr).toMatch(/^m365d: --since .*: February 2026 has 28 days\./);
    }
  });

  it('an unknown option is named without what follows its = (a secret typed into a wrong flag is never printed), on every command', async () => {
    const before = sim().tenant.requests.length;
    for (const [args, named, command] of [
      [['incidents', 'list', '--app-secret=hunter2'], '--app-secret', 'm365d incidents list'],
      [['--api-key=hunter2', 'incidents', 'list'], '--api-key', 'm365d'],
      [['alerts', 'update', '1', '--token=hunter2'], '--token', 'm365d alerts update'],
      [['hunt', 'T', "--pass'word=hunter2"], "--pass'word", 'm365d hunt'],
      [['devices', 'list', '-Phunter2'], '-P', 'm365d devices list'],
      [['sync', 'alerts', '--checkpoint', join(dir(), 'never-written.json'), '--key=hunter2'], '--key', 'm365d sync alerts'],
      [['token', '--sas=hunter2', '--json'], '--sas', 'm365d token'],
    ] as const) {
      const result = await run([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toBe(`m365d: unknown option '${named}'\nRun "${command} --help" for usage.\n`);
      expect(result.stdout).toBe('');
    }
    expect(sim().tenant.requests.slice(before).filter((r) => r.route !== 'entra.token')).toEqual([]);
  });

  it("an unknown command, a value outside an option's choices and excess arguments are named without what was typed; a suggestion only names our own", async () => {
    const before = sim().tenant.requests.length;
    for (const [args, shown, command] of [
      [['hunter2'], 'unknown command: m365d takes one of token, consent-url, incidents, alerts, hunt, sync, devices, actions, sim, completion, help\n(Did you mean hunt?)', 'm365d'],
      [['alerts', 'hunter2'], 'unknown command: m365d alerts takes one of list, get, update, help', 'm365d alerts'],
      [['alerts', 'lst'], 'unknown command: m365d alerts takes one of list, get, update, help\n(Did you mean list?)', 'm365d alerts'],
      [['incidents', 'list', '-o', 'hunter2'], "option '-o, --output <format>' must be one of table, json, ndjson, csv", 'm365d incidents list'],
      [['token', '--api=hunter2'], "option '--api <api>' must be one of defender, graph", 'm365d token'],
      [['devices', 'scan', 'x', '--comment', 'x', '--type', 'hunter2'], "option '--type <type>' must be one of quick, full", 'm365d devices scan'],
      [['incidents', 'list', 'hunter2'], 'too many arguments: m365d incidents list takes no arguments', 'm365d incidents list'],
      [['devices', 'get', 'x', 'hunter2'], 'too many arguments: m365d devices get takes at most 1 argument', 'm365d devices get'],
      [['incidents', 'list', '--statu', 'active'], "unknown option '--statu'\n(Did you mean --status?)", 'm365d incidents list'],
      // A suggestion typed into the option itself stays on its line, and is not taken for ours.
      [['incidents', 'list', '--x\n(Did you mean --hunter2?)'], "unknown option '--x (Did you mean --hunter2?)'", 'm365d incidents list'],
    ] as const) {
      const result = await run([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toBe(`m365d: ${shown}\nRun "${command} --help" for usage.\n`);
      if (!shown.includes('hunter2')) expect(result.stderr).not.toContain('hunter2');
      expect(result.stdout).toBe('');
    }
    expect(sim().tenant.requests.slice(before).filter((r) => r.route !== 'entra.token')).toEqual([]);
  });

  it('a usage error names the flag and what it takes, never the value typed (a secret pasted into the wrong flag), also from the SDK and with --verbose', async () => {
    const secret = 's3cr3t-value';
    const checkpoint = join(dir(), 'never-written.json');
    const clientId = '11111111-2222-3333-4444-555555555555';
    const duration = '--since must be a duration (24h, 7d, P7D) or an ISO 8601 date or date-time with a zone (2026-01-31, 2026-01-31T08:00:00Z).';
    // Checked by m365d itself: also without credentials.
    const ours = [
      [['completion', secret], "argument 'shell' of m365d completion must be one of bash, zsh\n", 'completion'],
      [['incidents', 'list', '--limit', secret], '--limit must be a whole number of at least 1. ', 'incidents list'],
      [['alerts', 'list', '--since', secret], `${duration} `, 'alerts list'],
      [['devices', 'find', '--ip', '10.0.0.1', '--at', secret], `${duration.replace('--since', '--at')} `, 'devices find'],
      [['devices', 'isolate', 'x', '--comment', 'INC-1', '--wait', '--timeout', secret], '--timeout must be a duration from 1s to 24h (90s, 15m, PT1H). ', 'devices isolate'],
      [['actions', 'get', 'x', '--wait', '--poll-interval', secret], '--poll-interval must be a whole number of at least 1. ', 'actions get'],
      [['sync', 'incidents', '--checkpoint', checkpoint, '--batch-size', secret], '--batch-size must be a whole number of at least 1. ', 'sync incidents'],
      [['sync', 'alerts', '--checkpoint', checkpoint, '--poll-interval', secret], '--poll-interval must be a whole number of at least 1. ', 'sync alerts'],
      [['consent-url', '--client-id', secret], "--client-id must be the app's application (client) id, a GUID. ", 'consent-url'],
      [['consent-url', '--client-id', clientId, '--tenant', secret], "--tenant must be a tenant id GUID, a verified domain, 'organizations' or 'common'. ", 'consent-url'],
      [['consent-url', '--client-id', clientId, '--redirect-uri', `http://${secret}.example`], '--redirect-uri must be an absolute https URL (http only for localhost) registered on the app. ', 'consent-url'],
    ] as const;
    // Checked by the SDK once the client is built: its refusal shown without the value it quotes.
    const sdks = [
      [['devices', 'find', '--ip', secret], '--ip must be an IPv4 or IPv6 address. ', 'devices find'],
      [['hunt', 'DeviceInfo', '--api', 'graph', '--timespan', secret], "--timespan must be an ISO-8601 duration such as 'P7D' or 'PT12H', { start: Date, end: Date } or { start: Date, duration: 'P1D' }. ", 'hunt'],
    ] as const;
    const before = sim().tenant.requests.length;
    for (const [args, message, command, extraEnv] of [
      ...ours.map(([args, message, command]) => [args, message, command, {}] as const),
      ...ours.map(([args, message, command]) => [args, message, command, { AZURE_CLIENT_SECRET: undefined }] as const),
      ...sdks.map(([args, message, command]) => [args, message, command, {}] as const),
    ]) {
      const result = await m365d([...args], { env: env(extraEnv) }).done;
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toBe(`m365d: ${message}Run "m365d ${command} --help" for usage.\n`);
      expect(result.stdout + result.stderr).not.toContain('s3cr3t');
    }
    // With --verbose too: the details and stack frames, but not the value.
    for (const [args, message] of sdks) {
      const verbose = await run([...args, '--verbose']);
      expect(verbose.code, args.join(' ')).toBe(2);
      expect(verbose.stderr).toContain(`m365d: ${message}`);
      expect(verbose.stderr).toMatch(/^\s+at /m);
      expect(verbose.stdout + verbose.stderr).not.toContain('s3cr3t');
    }
    expect(sim().tenant.requests.slice(before).filter((r) => r.route !== 'entra.token')).toEqual([]);
  });

  it('a wrong filter or update value is a usage error naming the flag and its values before the configuration is read', async () => {
    for (const [args, message] of [
      [['incidents', 'list', '--status', 'bogus'], '--status must be one of active, inProgress, resolved, redirected, awaitingAction.'],
      [['incidents', 'list', '--severity', 'critical'], '--severity must be one of unknown, informational, low, medium, high.'],
      [['alerts', 'list', '--status', 'active'], '--status must be one of new, inProgress, resolved, unknown.'],
      [['alerts', 'list', '--service-source', 'defender'], /^--service-source must be one of unknown, microsoftDefenderForEndpoint, [^\n]*, microsoftThreatIntelligence\.$/],
      [['incidents', 'update', '1', '--status', 'awaitingAction'], '--status must be one of active, inProgress, resolved, redirected.'],
      [['alerts', 'update', '1', '--status', 'active'], '--status must be one of new, inProgress, resolved.'],
      [['incidents', 'update', '1', '--classification', 'benign'], '--classification must be one of unknown, falsePositive, truePositive, informationalExpectedActivity.'],
      [['alerts', 'update', '1', '--determination', 'malware'], '--determination goes with --classification (the service takes them as a pair).'],
      [['incidents', 'update', '1', '--classification', 'falsePositive', '--determination', 'malware'], '--determination with --classification falsePositive must be one of notMalicious, notEnoughDataToValidate, other.'],
    ] as const) {
      const command = args.slice(0, 2).join(' ');
      const unconfigured = await m365d([...args], { env: env({ AZURE_CLIENT_SECRET: undefined }) }).done;
      expect(unconfigured.code, args.join(' ')).toBe(2);
      const hint = ` Run "m365d ${command} --help" for usage.\n`;
      if (typeof message === 'string') expect(unconfigured.stderr).toBe(`m365d: ${message}${hint}`);
      else expect(unconfigured.stderr.replace(/^m365d: /, '').replace(hint, '')).toMatch(message);
    }
    // The values the SDK takes pass (here as far as the missing configuration).
    const valid = await m365d(['incidents', 'update', '1', '--status', 'resolved', '--classification', 'falsePositive', '--determination', 'notMalicious'], { env: env({ AZURE_CLIENT_SECRET: undefined }) }).done;
    expect(valid.code).toBe(3);
  });

  it('a blank --assigned-to, --comment or --tag, and --timespan on the Defender API, exit 2 naming the flag before the configuration is read', async () => {
    const timespan = "--timespan goes with --api graph: the Defender API's hunting has no time span. Limit the time in the query instead: | where Timestamp > ago(7d).";
    for (const [args, message, extraEnv] of [
      [['incidents', 'list', '--assigned-to', ''], '--assigned-to must not be blank.', {}],
      [['alerts', 'list', '--assigned-to', '  '], '--assigned-to must not be blank.', {}],
      [['incidents', 'update', '1', '--comment', ' '], '--comment must not be blank.', {}],
      [['alerts', 'update', '1', '--status', 'resolved', '--comment', ''], '--comment must not be blank.', {}],
      [['incidents', 'update', '1', '--tag', 'phishing', ''], '--tag must not be blank.', {}],
      [['hunt', 'DeviceInfo', '--timespan', 'P7D'], timespan, {}],
      [['hunt', 'DeviceInfo', '--api', 'defender', '--timespan', 'P7D'], timespan, { DEFENDER_API: 'graph' }],
      [['hunt', 'DeviceInfo', '--timespan', 'P7D'], timespan, { DEFENDER_API: ' defender ' }],
    ] as const) {
      const command = args[0] === 'hunt' ? 'hunt' : args.slice(0, 2).join(' ');
      const unconfigured = await m365d([...args], { env: env({ AZURE_CLIENT_SECRET: undefined, DEFENDER_API: undefined, ...extraEnv }) }).done;
      expect(unconfigured.code, args.join(' ')).toBe(2);
      expect(unconfigured.stderr).toBe(`m365d: ${message} Run "m365d ${command} --help" for usage.\n`);
      expect(unconfigured.stdout).toBe('');
    }
    // --timespan on Graph (by flag or DEFENDER_API), and an owner, get as far as the missing configuration.
    for (const [args, extraEnv] of [
      [['hunt', 'DeviceInfo', '--api', 'graph', '--timespan', 'P7D'], {}],
      [['hunt', 'DeviceInfo', '--timespan', 'P7D'], { DEFENDER_API: 'graph' }],
      [['incidents', 'list', '--assigned-to', 'soc@contoso.com'], {}],
    ] as const) {
      const valid = await m365d([...args], { env: env({ AZURE_CLIENT_SECRET: undefined, DEFENDER_API: undefined, ...extraEnv }) }).done;
      expect(valid.code, args.join(' ')).toBe(3);
    }
  });

  it('a 403 exits 4 naming the permission; a 429 longer than the client waits exits 6', async () => {
    sim().tenant.faults.add('defender.listIncidents', { status: 403, body: { error: { code: 'Forbidden', message: 'Missing application roles.' } } });
    const denied = await run(['incidents', 'list']);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/Incident\.Read\.All/);
    sim().tenant.faults.add('defender.listIncidents', { status: 429, headers: { 'Retry-After': '3600' } });
    const limited = await run(['incidents', 'list']);
    expect(limited.code).toBe(6);
    expect(limited.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('alerts list, get and update on Graph', async () => {
    const client = envClient(sim(), { DEFENDER_API: 'graph' });
    const expected = await client.alerts.list().toArray({ limit: 3 });
    const listed = await run(['alerts', 'list', '--api', 'graph', '--limit', '3', '-o', 'csv']);
    expect(listed.code).toBe(0);
    expect(parseCsv(listed.stdout).slice(1).map((r) => r[0])).toEqual(expected.map((a) => a.id));
    const got = await run(['alerts', 'get', expected[0]!.id, '--api', 'graph', '-o', 'json']);
    expect(JSON.parse(got.stdout)).toMatchObject({ id: expected[0]!.id, title: expected[0]!.title });
    const updated = await run(['alerts', 'update', expected[0]!.id, '--api', 'graph', '--status', 'inProgress', '--assign-to', 'soc@contoso.com']);
    expect(updated.code).toBe(0);
    expect(await client.alerts.get(expected[0]!.id)).toMatchObject({ status: 'inProgress', assignedTo: 'soc@contoso.com' });
  });
});

describe('m365d hunt', () => {
  it('streams the rows as NDJSON, CSV, JSON or a table, the same rows the SDK reads', async () => {
    const query = 'DeviceProcessEvents | project Timestamp, DeviceName, FileName | take 25';
    const { rows } = await envClient(sim(), {}, { silenceDeprecationWarnings: true }).advancedHunting.run(query);
    const lines = await run(['hunt', query, '--quiet']);
    expect(lines.code).toBe(0);
    expect(ndjson(lines.stdout)).toEqual(rows);
    const csv = await run(['hunt', query, '--quiet', '-o', 'csv']);
    expect(parseCsv(csv.stdout)).toEqual([['Timestamp', 'DeviceName', 'FileName'], ...rows.map((r) => [r.Timestamp, r.DeviceName, r.FileName])]);
    const json = await run(['hunt', query, '--quiet', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual(rows);
    const file = join(dir(), 'q.kql');
    await writeFile(file, query);
    const table = await m365d(['hunt', '--file', file, '--quiet'], { env: env({ M365D_STDOUT_TTY: '1', COLUMNS: '200' }) }).done;
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(25 + 3);
    expect(table.stdout).toContain(`│ ${rows[0]!.DeviceName as string}`);
  });

  it('CSV is RFC 4180; --csv-safe makes formula-leading cells text', async () => {
    const cells = ['=HYPERLINK("http://x.example","click")', '+SUM(1)', '-2+3', '@cmd', 'a,b', 'say "hi"', 'two\nlines', 'plain'];
    const row = JSON.stringify(Object.fromEntries(cells.map((cell, i) => [`c${i}`, cell])));
    const columns = cells.map((_, i) => `c${i}`);
    serveHunting(columns, row);
    const plain = await run(['hunt', 'T', '--quiet', '-o', 'csv']);
    expect(plain.stdout.split('\r\n')[1]).toBe('"=HYPERLINK(""http://x.example"",""click"")",+SUM(1),-2+3,@cmd,"a,b","say ""hi""","two\nlines",plain');
    expect(parseCsv(plain.stdout)[1]).toEqual(cells);
    serveHunting(columns, row);
    const safe = await run(['hunt', 'T', '--quiet', '-o', 'csv', '--csv-safe']);
    expect(parseCsv(safe.stdout)[1]).toEqual([`'${cells[0]}`, "'+SUM(1)", "'-2+3", "'@cmd", 'a,b', 'say "hi"', 'two\nlines', 'plain']);
    expect(safe.stdout.split('\r\n')[1]).toMatch(/^"'=HYPERLINK\(""http/);
  });

  it('a table shows the escape sequences and bidi controls of service values and column names as visible placeholders; JSON keeps them as data', async () => {
    const values = {
      link: '\u001b]8;;http://evil.example\u0007click\u001b]8;;\u0007',
      clear: 'a\u001b[2J\u001b[Hb',
      c1: 'x\u009b31mred\u0085',
      bidi: 'invoice\u202Efdp.exe\u2066',
      del: 'y\u007f\u0000z',
      lines: 'one\r\ntwo\tthree',
      'n\u001b[1mame': 'v',
    };
    const columns = Object.keys(values);
    serveHunting(columns, JSON.stringify(values));
    const table = await m365d(['hunt', 'T', '--quiet'], { env: env({ M365D_STDOUT_TTY: '1', COLUMNS: '250' }) }).done;
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u);
    for (const shown of ['�]8;;http://evil.example�click�]8;;�', 'a�[2J�[Hb', 'x�31mred�', 'invoice�fdp.exe�', 'y��z', 'one two three', 'n�[1mame']) {
      expect(table.stdout).toContain(` ${shown} `);
    }
    serveHunting(columns, JSON.stringify(values));
    const json = await run(['hunt', 'T', '--quiet', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual([values]);
  });

  it("an error quoting the service's message shows its escape sequences as visible placeholders, also with --verbose", async () => {
    const message = 'Syntax error\u001b[2J\u001b]0;owned\u0007 near \u202Eexe.\u009b1m\r\nsecond\u001b[31m line';
    for (const verbose of [[], ['--verbose']]) {
      sim().tenant.faults.add('graph.hunting', { status: 400, body: { error: { code: 'BadRequest', message } } });
      const refused = await run(['hunt', 'T', '--api', 'graph', ...verbose]);
      expect(refused.code).toBe(1);
      // With --verbose, the client's log (its error line quotes the service too) comes first.
      expect(refused.stderr).toMatch(/^m365d: advancedHunting\.stream: the query was refused \(400\): Syntax error�\[2J�\]0;owned� near �exe\.�1m\n/m);
      expect(refused.stderr.replaceAll('\n', '')).not.toMatch(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u);
    }
  });

  it("a line break in the service's message cannot forge a line of its own, also in the --verbose details and log", async () => {
    const message = 'Syntax error\nm365d: done\nm365d info: all clear';
    for (const verbose of [[], ['--verbose']]) {
      sim().tenant.faults.add('graph.hunting', { status: 400, body: { error: { code: 'BadRequest', message } } });
      const refused = await run(['hunt', 'T', '--api', 'graph', ...verbose]);
      expect(refused.code).toBe(1);
      const lines = refused.stderr.trimEnd().split('\n');
      // One error line; the rest are the client's log lines or indented details.
      expect(lines.filter((line) => line.startsWith('m365d: '))).toEqual([expect.stringMatching(/^m365d: advancedHunting\.stream: the query was refused \(400\): Syntax error$/)]);
      for (const line of lines) expect(line).toMatch(/^(m365d: advancedHunting\.stream|m365d (debug|info|warn|error): (?!all clear)| {2})/);
      expect(refused.stderr).not.toMatch(/^m365d: done/m);
    }
  });

  it('token --require: a role name with a line break stays on the one line that names the missing roles', async () => {
    const missing = await run(['token', '--require', 'Imaginary.Read.All\nm365d: every role granted', '--json']);
    expect(missing.code).toBe(4);
    expect(missing.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^m365d: .*Imaginary\.Read\.All m365d: every role granted/)]);
  });

  it('bidi marks, U+FEFF and the other invisible format controls show as placeholders, U+2028 and U+2029 as a space; ZWJ emoji stay', async () => {
    const values = {
      marks: 'a\u200Eb\u200Fc\u061Cd',
      bom: '\uFEFFe',
      hidden: 'f\u200Bg\u00ADh\u2060i\u{E0041}j',
      separators: 'one\u2028two\u2029three',
      emoji: 'dev \u{1F469}\u200D\u{1F4BB}',
    };
    serveHunting(Object.keys(values), JSON.stringify(values));
    const table = await m365d(['hunt', 'T', '--quiet'], { env: env({ M365D_STDOUT_TTY: '1', COLUMNS: '250' }) }).done;
    expect(table.code, table.stderr).toBe(0);
    for (const shown of ['a\uFFFDb\uFFFDc\uFFFDd', '\uFFFDe', 'f\uFFFDg\uFFFDh\uFFFDi\uFFFDj', 'one two three', 'dev \u{1F469}\u200D\u{1F4BB}']) expect(table.stdout).toContain(` ${shown} `);
    expect(table.stdout).not.toMatch(/(?!\u200D)[\p{Cf}\u2028\u2029]/u);
    // The one-line error too.
    sim().tenant.faults.add('graph.hunting', { status: 400, body: { error: { code: 'BadRequest', message: 'Syntax error\u2028m365d: done \u200Eexe.\uFEFF' } } });
    const refused = await run(['hunt', 'T', '--api', 'graph']);
    expect(refused.stderr).toBe('m365d: advancedHunting.stream: the query was refused (400): Syntax error m365d: done \uFFFDexe.\uFFFD.\n');
  });

  it('a progress line on stderr only when stderr is a terminal (M365D_STDERR_TTY), never with --quiet', async () => {
    const query = 'DeviceProcessEvents | take 50';
    const shown = await m365d(['hunt', query, '--api', 'graph'], { env: env({ M365D_STDERR_TTY: '1' }) }).done;
    expect(shown.code).toBe(0);
    expect(shown.stderr).toMatch(/\r\x1b\[K\d+ rows, [\d.]+ s/);
    const piped = await m365d(['hunt', query, '--api', 'graph'], { env: env({ M365D_STDERR_TTY: '0' }) }).done;
    expect(piped.stderr).toBe('');
    const quiet = await m365d(['hunt', query, '--api', 'graph', '--quiet'], { env: env({ M365D_STDERR_TTY: '1' }) }).done;
    expect(quiet.stderr).toBe('');
    expect(ndjson(shown.stdout)).toHaveLength(50);
  });

  it('--verbose shows the client log on stderr; a refused query is one line without it', async () => {
    const verbose = await run(['hunt', 'DeviceProcessEvents | take 1', '--api', 'graph', '--verbose']);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toMatch(/^m365d (debug|info): /m);
    const refused = await run(['hunt', 'DeviceProcessEvents | mv-expand X', '--api', 'graph']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^m365d: advancedHunting\.stream: the query was refused \(400\)/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    const graph = await run(['hunt', 'DeviceProcessEvents | take 3', '--api', 'graph', '--timespan', 'P30D']);
    expect(graph.code).toBe(0);
    expect(ndjson(graph.stdout)).toHaveLength(3);
    const defender = await run(['hunt', 'DeviceProcessEvents | take 3', '--timespan', 'P30D']);
    expect(defender.code).toBe(2);
    expect(defender.stderr).toMatch(/timespan/);
  });
});

describe('m365d hunt: what arrived before a failure', () => {
  it('is written before the error is reported, when the answer is cut off mid-way, as NDJSON and as CSV', async () => {
    const query = 'DeviceProcessEvents | take 500';
    const whole = await run(['hunt', query, '-o', 'ndjson']);
    expect(whole.code).toBe(0);
    const rows = ndjson(whole.stdout);
    expect(rows).toHaveLength(500);
    for (const format of ['ndjson', 'csv'] as const) {
      // The service's answer cut a third of the way in: the stream fails after handing out rows.
      sim().tenant.faults.add('defender.hunting', { truncateBodyAt: Math.floor(Buffer.byteLength(JSON.stringify({ Results: rows })) / 3) });
      const cut = await run(['hunt', query, '--quiet', '-o', format]);
      expect(cut.code, cut.stderr).not.toBe(0);
      expect(cut.stderr).toMatch(/^m365d: /);
      const lines = cut.stdout.split(format === 'csv' ? '\r\n' : '\n').filter(Boolean);
      const written = format === 'csv' ? lines.length - 1 : lines.length;
      // Every row handed out before the cut reached stdout; a third of the rows, give or take.
      expect(written).toBeGreaterThan(50);
      expect(written).toBeLessThan(500);
      if (format === 'ndjson') expect(ndjson(cut.stdout)).toEqual(rows.slice(0, written));
    }
  });

  it('is written when the failure comes in the same piece of the body as the rows before it', async () => {
    const good = Array.from({ length: 40 }, (_, i) => JSON.stringify({ A: `row ${i}`, B: i }));
    for (const format of ['ndjson', 'csv'] as const) {
      // 40 rows, then one that is not JSON: the stream hands out the 40, then fails, with no wait between.
      serveHunting(['A', 'B'], `${good.join(',')},{"A":}`);
      const cut = await run(['hunt', 'T', '--quiet', '-o', format]);
      expect(cut.code, cut.stderr).not.toBe(0);
      expect(cut.stderr).toMatch(/^m365d: /);
      if (format === 'ndjson') expect(ndjson(cut.stdout)).toEqual(good.map((row) => JSON.parse(row)));
      else expect(cut.stdout.split('\r\n').filter(Boolean)).toEqual(['A,B', ...good.map((_, i) => `row ${i},${i}`)]);
    }
  });
});

describe('m365d: an output that fails', () => {
  it('a full disk (stdout on /dev/full) fails the command with status 1 and the reason, in every streamed format', async () => {
    // 20 rows: less than a batch, so their one write is the one that fails; 500: several batches.
    for (const [format, query] of [['ndjson', 'DeviceProcessEvents | take 20'], ['csv', 'DeviceProcessEvents | take 20'], ['json', 'DeviceProcessEvents | take 20'], ['ndjson', 'DeviceProcessEvents | take 500']] as const) {
      const full = openSync('/dev/full', 'w');
      try {
        const child = spawn(process.execPath, [M365D_BIN, 'hunt', query, '--quiet', '-o', format], { env: { PATH: process.env.PATH, ...env() }, stdio: ['ignore', full, 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        expect(code, `${format}: ${stderr}`).toBe(1);
        expect(stderr).toMatch(/^m365d: ENOSPC: no space left on device, write\n$/);
      } finally {
        closeSync(full);
      }
    }
  });
});

describe('m365d hunt: 100,000 rows to CSV', () => {
  const ROWS = 100_000;
  const columns = ['Timestamp', 'DeviceName', 'AccountUpn', 'FileName', 'FolderPath', 'SHA256', 'ReportId', 'ProcessCommandLine'];
  const padding = 'A'.repeat(1_500);
  const rowsJson = (count: number): string => {
    const parts: string[] = [];
    for (let i = 0; i < count; i++) {
      parts.push(JSON.stringify({
        Timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
        DeviceName: `ws-${i % 997}.corp.contoso.com`,
        AccountUpn: `user${i % 101}@contoso.com`,
        FileName: 'powershell.exe',
        FolderPath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
        SHA256: (i * 2654435761).toString(16).padStart(64, '0'),
        ReportId: String(i),
        ProcessCommandLine: `powershell.exe -EncodedCommand ${i}${padding}`,
      }));
    }
    return parts.join(',');
  };

  it('streams: the child never holds the result (peak RSS grows far less than the body between 1,000 and 100,000 rows)', { timeout: 300_000 }, async () => {
    serveHunting(columns, rowsJson(1_000));
    const small = await m365d(['hunt', 'T', '--quiet', '-o', 'csv'], { env: env(), measureMemory: true, keepStdout: 0 }).done;
    expect(small.code).toBe(0);
    expect(small.stdoutLines).toBe(1_001);

    let body = rowsJson(ROWS);
    const bodyBytes = Buffer.byteLength(body);
    serveHunting(columns, body);
    body = '';
    const big = await m365d(['hunt', 'T', '--quiet', '-o', 'csv'], { env: env(), measureMemory: true, keepStdout: 4096 }).done;
    expect(big.code, big.stderr).toBe(0);
    expect(big.stdoutLines).toBe(ROWS + 1);
    expect(big.stdout.split('\r\n')[0]).toBe(columns.join(','));
    expect(bodyBytes).toBeGreaterThan(150_000_000);
    // Holding the rows would take more than the body itself; streaming takes a few buffers.
    console.log(`m365d hunt 100k rows to CSV: body ${(bodyBytes / 1e6).toFixed(0)} MB, CSV ${(big.stdoutBytes / 1e6).toFixed(0)} MB, peak RSS ${(small.maxRssBytes! / 1e6).toFixed(0)} MB (1,000 rows) -> ${(big.maxRssBytes! / 1e6).toFixed(0)} MB (100,000 rows)`);
    expect(big.maxRssBytes! - small.maxRssBytes!).toBeLessThan(bodyBytes / 4);
  });
});

describe('m365d sync', () => {
  it('writes the change feed as NDJSON and resumes from the checkpoint file', async () => {
    const checkpoint = join(dir(), 'incidents.json');
    const client = envClient(sim());
    const all = await client.incidents.list().toArray();
    const first = await run(['sync', 'incidents', '--checkpoint', checkpoint]);
    expect(first.code).toBe(0);
    expect(ndjson(first.stdout).map((i) => i.id).sort()).toEqual(all.map((i) => i.id).sort());
    expect(JSON.parse(await readFile(checkpoint, 'utf8'))).toHaveProperty('checkpoints');

    const again = await run(['sync', 'incidents', '--checkpoint', checkpoint]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');

    const target = all.find((i) => i.status === 'active') ?? all[0]!;
    await client.incidents.update(target.id, { comment: 'seen by sync' });
    const changed = await run(['sync', 'incidents', '--checkpoint', checkpoint]);
    expect(ndjson(changed.stdout).map((i) => i.id)).toEqual([target.id]);
  });

  it('--follow keeps writing changes as they happen; Ctrl-C ends it with status 0 and the checkpoint committed', async () => {
    const checkpoint = join(dir(), 'follow.json');
    const client = envClient(sim());
    const total = (await client.incidents.list().toArray()).length;
    const follow = m365d(['sync', 'incidents', '--checkpoint', checkpoint, '--follow', '--poll-interval', '1'], { env: env() });
    await follow.until((out) => out.split('\n').length > total);
    const [target] = await client.incidents.list().toArray({ limit: 1 });
    await client.incidents.update(target!.id, { assignedTo: 'follow@contoso.com' });
    await follow.until((out) => ndjson(out).some((i) => i.id === target!.id && i.assignedTo === 'follow@contoso.com'));
    follow.child.kill('SIGINT');
    const ended = await follow.done;
    expect(ended.code).toBe(0);
    expect(ndjson(ended.stdout)).toHaveLength(total + 1);
    const after = await run(['sync', 'incidents', '--checkpoint', checkpoint]);
    expect(after.stdout).toBe('');
  });
});

describe('m365d help and completion', () => {
  it.each(['token', 'consent-url', 'incidents list', 'incidents get', 'incidents update', 'alerts list', 'alerts get', 'alerts update', 'hunt', 'sync incidents', 'sync alerts', 'completion', 'incidents', 'alerts', ''])(
    'm365d %s --help shows an example',
    async (command) => {
    const path = command.split(' ').filter(Boolean);
    const help = await run([...path, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^Usage: m365d ${command}`));
    expect(help.stdout).toMatch(/Examples?:\n {2}(m365d|echo) /);
  },
  );

  it('completion bash completes commands, sub-commands and options in bash itself; zsh loads it through bashcompinit', async () => {
    const script = await run(['completion', 'bash']);
    expect(script.code).toBe(0);
    const file = join(dir(), 'm365d.bash');
    await writeFile(file, script.stdout);
    const complete = (...words: string[]) =>
      execFileSync('bash', ['-c', `. ${file}; COMP_WORDS=(m365d ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _m365d; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).trim();
    expect(complete('in')).toBe('incidents');
    expect(complete('incidents', 'l')).toBe('list');
    expect(complete('incidents', 'list', '--sta')).toBe('--status');
    expect(complete('sync', 'alerts', '--check')).toBe('--checkpoint');
    const zsh = await run(['completion', 'zsh']);
    expect(zsh.stdout).toContain('bashcompinit');
    expect(zsh.stdout).toContain('complete -F _m365d m365d');
    expect((await run(['completion', 'fish'])).code).toBe(2);
  });
});
