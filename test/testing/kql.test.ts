import { describe, expect, it } from 'vitest';
import { DefenderClient, QueryError } from '../../src/index.js';
import { kql } from '../../src/kql.js';
import { KqlSemanticError, KqlSyntaxError, KqlTooComplexError, runKql, type KqlTable } from '../../src/testing/kql/index.js';
import { fakeTenant, requestsTo, startServer } from '../support/tenant.js';

const server = startServer();

// ---------------------------------------------------------------------------------------------
// Fixed data: a few realistic rows (Timestamp cells mix Date objects and ISO strings, as callers may).

const NOW = new Date('2024-05-10T12:00:00Z');

const DeviceProcessEvents: KqlTable = {
  columns: [
    { name: 'Timestamp', type: 'datetime' },
    { name: 'DeviceName', type: 'string' },
    { name: 'FileName', type: 'string' },
    { name: 'ProcessCommandLine', type: 'string' },
    { name: 'ProcessId', type: 'long' },
    { name: 'FileSize', type: 'long' },
    { name: 'AccountName', type: 'string' },
    { name: 'InitiatingProcessFileName', type: 'string' },
  ],
  rows: [
    { Timestamp: new Date('2024-05-10T11:00:00Z'), DeviceName: 'web-01', FileName: 'powershell.exe', ProcessCommandLine: 'powershell.exe -EncodedCommand SQBFAFgA', ProcessId: 4100, FileSize: 450560, AccountName: 'svc-web', InitiatingProcessFileName: 'cmd.exe' },
    { Timestamp: '2024-05-09T08:30:00Z', DeviceName: 'web-01', FileName: 'cmd.exe', ProcessCommandLine: 'cmd.exe /c whoami', ProcessId: 4200, FileSize: 289000, AccountName: 'svc-web', InitiatingProcessFileName: 'w3wp.exe' },
    { Timestamp: '2024-05-01T00:00:00.0000000Z', DeviceName: 'db-02', FileName: 'PowerShell.EXE', ProcessCommandLine: 'PowerShell.EXE -NoProfile -File C:\\Scripts\\backup.ps1', ProcessId: 5100, FileSize: 450000, AccountName: 'sqladmin', InitiatingProcessFileName: 'svchost.exe' },
    { Timestamp: new Date('2024-04-20T16:45:00Z'), DeviceName: 'db-02', FileName: 'rundll32.exe', ProcessCommandLine: 'rundll32.exe C:\\Users\\Public\\payload.dll,Start', ProcessId: 5200, FileSize: 71000, AccountName: 'sqladmin', InitiatingProcessFileName: 'explorer.exe' },
    { Timestamp: '2024-05-10T11:59:00Z', DeviceName: 'ws-07', FileName: 'notepad.exe', ProcessCommandLine: 'notepad.exe "C:\\Temp\\notes.txt"', ProcessId: 6100, FileSize: 201000, AccountName: 'alice', InitiatingProcessFileName: 'explorer.exe' },
    { Timestamp: '2024-05-10T10:00:00Z', DeviceName: 'ws-07', FileName: 'KustoExplorerQueryRun.exe', ProcessCommandLine: '', ProcessId: 6200, FileSize: null, AccountName: '', InitiatingProcessFileName: 'explorer.exe' },
  ],
};

const DeviceNetworkEvents: KqlTable = {
  columns: [
    { name: 'Timestamp', type: 'datetime' },
    { name: 'DeviceName', type: 'string' },
    { name: 'ActionType', type: 'string' },
    { name: 'RemoteIP', type: 'string' },
    { name: 'RemotePort', type: 'int' },
    { name: 'RemoteUrl', type: 'string' },
    { name: 'InitiatingProcessFileName', type: 'string' },
  ],
  rows: [
    { Timestamp: '2024-05-10T11:01:00Z', DeviceName: 'web-01', ActionType: 'ConnectionSuccess', RemoteIP: '203.0.113.10', RemotePort: 443, RemoteUrl: 'evil.example.com', InitiatingProcessFileName: 'powershell.exe' },
    { Timestamp: '2024-05-10T11:02:00Z', DeviceName: 'web-01', ActionType: 'ConnectionFailed', RemoteIP: '203.0.113.10', RemotePort: 8080, RemoteUrl: '', InitiatingProcessFileName: 'powershell.exe' },
    { Timestamp: '2024-05-09T09:00:00Z', DeviceName: 'db-02', ActionType: 'ConnectionSuccess', RemoteIP: '10.0.0.5', RemotePort: 1433, RemoteUrl: '', InitiatingProcessFileName: 'sqlservr.exe' },
    { Timestamp: '2024-05-08T07:00:00Z', DeviceName: 'ws-07', ActionType: 'ConnectionSuccess', RemoteIP: '198.51.100.7', RemotePort: 443, RemoteUrl: 'login.microsoftonline.com', InitiatingProcessFileName: 'msedge.exe' },
    { Timestamp: '2024-05-10T11:30:00Z', DeviceName: 'ws-07', ActionType: 'ConnectionSuccess', RemoteIP: '203.0.113.10', RemotePort: 443, RemoteUrl: 'evil.example.com', InitiatingProcessFileName: 'msedge.exe' },
  ],
};

const tables = { DeviceProcessEvents, DeviceNetworkEvents };

const run = (query: string, options: { now?: Date; maxRows?: number } = {}) => runKql(query, tables, { now: NOW, ...options });

/** The ProcessIds a DeviceProcessEvents filter keeps, in table order. */
function pids(filter: string): unknown[] {
  return run(`DeviceProcessEvents | where ${filter} | project ProcessId`).rows.map((r) => r.ProcessId);
}

function syntaxError(query: string): KqlSyntaxError {
  try {
    run(query);
  } catch (error) {
    expect(error).toBeInstanceOf(KqlSyntaxError);
    return error as KqlSyntaxError;
  }
  throw new Error(`expected a syntax error for: ${query}`);
}

function semanticError(query: string): string {
  try {
    run(query);
  } catch (error) {
    expect(error).toBeInstanceOf(KqlSemanticError);
    return (error as Error).message;
  }
  throw new Error(`expected a semantic error for: ${query}`);
}

// ---------------------------------------------------------------------------------------------

describe('where: comparison and string operators', () => {
  it('== and != are case-sensitive; =~ and !~ are not', () => {
    expect(pids('FileName == "powershell.exe"')).toEqual([4100]);
    expect(pids('FileName =~ "POWERSHELL.exe"')).toEqual([4100, 5100]);
    expect(pids('FileName !~ "powershell.exe"')).toEqual([4200, 5200, 6100, 6200]);
    expect(pids('DeviceName != "web-01"')).toEqual([5100, 5200, 6100, 6200]);
  });

  it('has matches whole terms, case-insensitively; contains matches substrings', () => {
    expect(pids('ProcessCommandLine has "encodedcommand"')).toEqual([4100]);
    expect(pids('ProcessCommandLine has "ENCODED"')).toEqual([]);
    expect(pids('ProcessCommandLine has "payload.dll"')).toEqual([5200]);
    expect(pids('FileName has "Explorer"')).toEqual([]);
    expect(pids('FileName contains "EXPLORER"')).toEqual([6200]);
    expect(pids('ProcessCommandLine !has "exe"')).toEqual([6200]);
    expect(pids('FileName !contains "shell"')).toEqual([4200, 5200, 6100, 6200]);
    expect(pids('FileName contains_cs "Shell"')).toEqual([5100]);
  });

  it('startswith and endswith are case-insensitive', () => {
    expect(pids('ProcessCommandLine startswith "POWERSHELL"')).toEqual([4100, 5100]);
    expect(pids('FileName endswith "SHELL.exe"')).toEqual([4100, 5100]);
    expect(pids('InitiatingProcessFileName !startswith "explorer"')).toEqual([4100, 4200, 5100]);
    expect(pids('FileName !endswith ".exe"')).toEqual([]);
  });

  it('in and !in are case-sensitive; in~ is not', () => {
    expect(pids('FileName in ("cmd.exe", "powershell.exe")')).toEqual([4100, 4200]);
    expect(pids('FileName in~ ("cmd.exe", "powershell.exe")')).toEqual([4100, 4200, 5100]);
    expect(pids('FileName !in ("cmd.exe", "powershell.exe")')).toEqual([5100, 5200, 6100, 6200]);
    expect(pids('ProcessId in (4100, 6200, 9999)')).toEqual([4100, 6200]);
  });

  it('and, or, not() and parentheses, with or binding loosest', () => {
    expect(pids('(DeviceName == "db-02" or DeviceName == "ws-07") and not(FileName =~ "powershell.exe")')).toEqual([5200, 6100, 6200]);
    expect(pids('DeviceName == "db-02" or DeviceName == "ws-07" and FileName == "notepad.exe"')).toEqual([5100, 5200, 6100]);
  });

  it('numeric comparisons skip nulls', () => {
    expect(pids('FileSize >= 289000')).toEqual([4100, 4200, 5100]);
    expect(pids('FileSize < 201000')).toEqual([5200]);
    expect(pids('FileSize <= 201000')).toEqual([5200, 6100]);
    expect(pids('FileSize > 450000')).toEqual([4100]);
    expect(pids('FileSize != 450000')).toEqual([4100, 4200, 5200, 6100, 6200]);
  });

  it('isempty / isnotempty treat null and "" as empty', () => {
    expect(pids('isempty(AccountName)')).toEqual([6200]);
    expect(pids('isempty(FileSize)')).toEqual([6200]);
    expect(pids('isnotempty(ProcessCommandLine)')).toEqual([4100, 4200, 5100, 5200, 6100]);
  });
});

describe('datetimes and timespans', () => {
  it('ago() and now() use the fixed now for the whole query', () => {
    expect(pids('Timestamp > ago(1d)')).toEqual([4100, 6100, 6200]);
    expect(pids('Timestamp > ago(30m)')).toEqual([6100]);
    expect(pids('Timestamp >= now(-2h) and Timestamp < now()')).toEqual([4100, 6100, 6200]);
    expect(pids('Timestamp > ago(10d) and Timestamp <= ago(1h)')).toEqual([4100, 4200, 5100, 6200]);
  });

  it('datetime(...) literals in several ISO forms', () => {
    expect(pids('Timestamp >= datetime(2024-05-01) and Timestamp < datetime(2024-05-10T00:00:00Z)')).toEqual([4200, 5100]);
    expect(pids('Timestamp == datetime(2024-05-09 08:30:00)')).toEqual([4200]);
    expect(pids('Timestamp == datetime(2024-05-01T00:00:00.0000000Z)')).toEqual([5100]);
  });

  it('datetime(...) of the years 1–99 is that year, not 1900–1999', () => {
    const rows = [{ T: new Date('0001-01-01T00:00:00.007Z').getTime() }, { T: new Date('1901-01-01T00:00:00.007Z').getTime() }];
    const table: KqlTable = { columns: [{ name: 'T', type: 'datetime' }], rows };
    const result = runKql('X | where T == datetime(0001-01-01T00:00:00.007Z)', { X: table }, { now: NOW });
    expect(result.rows).toHaveLength(1);
    expect(String(result.rows[0]?.['T'])).toMatch(/^0001-01-01T00:00:00\.007/);
  });

  it('datetime ± timespan, datetime − datetime; results printed like the service', () => {
    const result = run(
      'DeviceProcessEvents | where ProcessId == 4100 | project Timestamp, Later = Timestamp + 1h, Earlier = Timestamp - 10s, Age = now() - Timestamp, Week = 7d, Mixed = 1d + 2h + 30m + 1.5s',
    );
    expect(result.columns).toEqual([
      { name: 'Timestamp', type: 'datetime' },
      { name: 'Later', type: 'datetime' },
      { name: 'Earlier', type: 'datetime' },
      { name: 'Age', type: 'timespan' },
      { name: 'Week', type: 'timespan' },
      { name: 'Mixed', type: 'timespan' },
    ]);
    expect(result.rows).toEqual([
      {
        Timestamp: '2024-05-10T11:00:00.0000000Z',
        Later: '2024-05-10T12:00:00.0000000Z',
        Earlier: '2024-05-10T10:59:50.0000000Z',
        Age: '01:00:00',
        Week: '7.00:00:00',
        Mixed: '1.02:30:01.5000000',
      },
    ]);
  });
});

describe('scalar functions and arithmetic', () => {
  it('tolower / toupper', () => {
    expect(run('DeviceProcessEvents | where ProcessId == 5100 | project L = tolower(FileName), U = toupper(DeviceName)').rows).toEqual([
      { L: 'powershell.exe', U: 'DB-02' },
    ]);
    expect(pids('tolower(FileName) == "powershell.exe"')).toEqual([4100, 5100]);
  });

  it('+ - * / on numbers: long division truncates, real does not, null propagates', () => {
    const result = run('DeviceProcessEvents | where ProcessId in (4100, 6200) | project ProcessId, KB = FileSize / 1000, Ratio = FileSize / 1000.0, Next = ProcessId + 1, Neg = -ProcessId * 2');
    expect(result.columns.map((c) => c.type)).toEqual(['long', 'long', 'real', 'long', 'long']);
    expect(result.rows).toEqual([
      { ProcessId: 4100, KB: 450, Ratio: 450.56, Next: 4101, Neg: -8200 },
      { ProcessId: 6200, KB: null, Ratio: null, Next: 6201, Neg: -12400 },
    ]);
  });
});

describe('tabular operators', () => {
  it('project keeps exactly the listed columns, renames, and names unnamed expressions Column1…', () => {
    const result = run('DeviceProcessEvents | take 1 | project DeviceName, Pid = ProcessId, ProcessId * 2');
    expect(result.columns).toEqual([
      { name: 'DeviceName', type: 'string' },
      { name: 'Pid', type: 'long' },
      { name: 'Column1', type: 'long' },
    ]);
    expect(result.rows).toEqual([{ DeviceName: 'web-01', Pid: 4100, Column1: 8200 }]);
  });

  it('extend appends new columns and replaces existing ones in place; later items see earlier ones', () => {
    const result = run('DeviceNetworkEvents | take 1 | extend RemotePort = RemotePort + 1, Https = RemotePort == 444');
    expect(result.columns).toEqual([
      { name: 'Timestamp', type: 'datetime' },
      { name: 'DeviceName', type: 'string' },
      { name: 'ActionType', type: 'string' },
      { name: 'RemoteIP', type: 'string' },
      { name: 'RemotePort', type: 'long' },
      { name: 'RemoteUrl', type: 'string' },
      { name: 'InitiatingProcessFileName', type: 'string' },
      { name: 'Https', type: 'bool' },
    ]);
    expect(result.rows).toEqual([
      {
        Timestamp: '2024-05-10T11:01:00.0000000Z',
        DeviceName: 'web-01',
        ActionType: 'ConnectionSuccess',
        RemoteIP: '203.0.113.10',
        RemotePort: 444,
        RemoteUrl: 'evil.example.com',
        InitiatingProcessFileName: 'powershell.exe',
        Https: true,
      },
    ]);
    // The input table is not modified.
    expect(DeviceNetworkEvents.rows[0]!.RemotePort).toBe(443);
  });

  it('take and limit', () => {
    expect(run('DeviceProcessEvents | take 2 | project ProcessId').rows).toEqual([{ ProcessId: 4100 }, { ProcessId: 4200 }]);
    expect(run('DeviceProcessEvents | limit 3 | project ProcessId').rows).toEqual([{ ProcessId: 4100 }, { ProcessId: 4200 }, { ProcessId: 5100 }]);
    expect(run('DeviceProcessEvents | limit 0').rows).toEqual([]);
  });

  it('top defaults to desc (nulls last); asc puts nulls first', () => {
    expect(run('DeviceProcessEvents | top 2 by FileSize | project ProcessId').rows).toEqual([{ ProcessId: 4100 }, { ProcessId: 5100 }]);
    expect(run('DeviceProcessEvents | top 2 by FileSize asc | project ProcessId').rows).toEqual([{ ProcessId: 6200 }, { ProcessId: 5200 }]);
    expect(run('DeviceProcessEvents | top 1 by Timestamp desc | project ProcessId').rows).toEqual([{ ProcessId: 6100 }]);
  });

  it('order by / sort by default to desc and take several keys', () => {
    expect(run('DeviceNetworkEvents | order by RemotePort asc, Timestamp | project RemotePort, Timestamp').rows).toEqual([
      { RemotePort: 443, Timestamp: '2024-05-10T11:30:00.0000000Z' },
      { RemotePort: 443, Timestamp: '2024-05-10T11:01:00.0000000Z' },
      { RemotePort: 443, Timestamp: '2024-05-08T07:00:00.0000000Z' },
      { RemotePort: 1433, Timestamp: '2024-05-09T09:00:00.0000000Z' },
      { RemotePort: 8080, Timestamp: '2024-05-10T11:02:00.0000000Z' },
    ]);
    expect(run('DeviceProcessEvents | sort by ProcessId | take 3 | project ProcessId').rows).toEqual([
      { ProcessId: 6200 },
      { ProcessId: 6100 },
      { ProcessId: 5200 },
    ]);
    expect(run('DeviceProcessEvents | sort by FileSize asc nulls last | project ProcessId').rows.map((r) => r.ProcessId)).toEqual([
      5200, 6100, 4200, 5100, 4100, 6200,
    ]);
  });

  it('summarize: by columns first, aggregates with default names and types', () => {
    const result = run(
      'DeviceNetworkEvents | summarize count(), dcount(RemoteIP), min(RemotePort), max(Timestamp), sum(RemotePort), avg(RemotePort) by DeviceName | order by DeviceName asc',
    );
    expect(result.columns).toEqual([
      { name: 'DeviceName', type: 'string' },
      { name: 'count_', type: 'long' },
      { name: 'dcount_RemoteIP', type: 'long' },
      { name: 'min_RemotePort', type: 'int' },
      { name: 'max_Timestamp', type: 'datetime' },
      { name: 'sum_RemotePort', type: 'long' },
      { name: 'avg_RemotePort', type: 'real' },
    ]);
    expect(result.rows).toEqual([
      { DeviceName: 'db-02', count_: 1, dcount_RemoteIP: 1, min_RemotePort: 1433, max_Timestamp: '2024-05-09T09:00:00.0000000Z', sum_RemotePort: 1433, avg_RemotePort: 1433 },
      { DeviceName: 'web-01', count_: 2, dcount_RemoteIP: 1, min_RemotePort: 443, max_Timestamp: '2024-05-10T11:02:00.0000000Z', sum_RemotePort: 8523, avg_RemotePort: 4261.5 },
      { DeviceName: 'ws-07', count_: 2, dcount_RemoteIP: 2, min_RemotePort: 443, max_Timestamp: '2024-05-10T11:30:00.0000000Z', sum_RemotePort: 886, avg_RemotePort: 443 },
    ]);
  });

  it('summarize: named aggregates, several by keys, duplicate default names get suffixes', () => {
    expect(
      run('DeviceNetworkEvents | summarize Connections = count(), countif(ActionType == "ConnectionFailed") by DeviceName, Port = RemotePort | order by Connections, Port asc').rows,
    ).toEqual([
      { DeviceName: 'ws-07', Port: 443, Connections: 2, countif_: 0 },
      { DeviceName: 'web-01', Port: 443, Connections: 1, countif_: 0 },
      { DeviceName: 'db-02', Port: 1433, Connections: 1, countif_: 0 },
      { DeviceName: 'web-01', Port: 8080, Connections: 1, countif_: 1 },
    ]);
    expect(run('DeviceNetworkEvents | summarize count(), count()').columns.map((c) => c.name)).toEqual(['count_', 'count_1']);
  });

  it('summarize on empty input: one row without by, none with by', () => {
    expect(run('DeviceNetworkEvents | where DeviceName == "nope" | summarize count(), sum(RemotePort), min(Timestamp)').rows).toEqual([
      { count_: 0, sum_RemotePort: null, min_Timestamp: null },
    ]);
    expect(run('DeviceNetworkEvents | where DeviceName == "nope" | summarize count() by DeviceName').rows).toEqual([]);
  });

  it('distinct keeps the first occurrence of each combination', () => {
    const result = run('DeviceNetworkEvents | distinct DeviceName, RemotePort');
    expect(result.columns).toEqual([
      { name: 'DeviceName', type: 'string' },
      { name: 'RemotePort', type: 'int' },
    ]);
    expect(result.rows).toEqual([
      { DeviceName: 'web-01', RemotePort: 443 },
      { DeviceName: 'web-01', RemotePort: 8080 },
      { DeviceName: 'db-02', RemotePort: 1433 },
      { DeviceName: 'ws-07', RemotePort: 443 },
    ]);
    expect(run('DeviceNetworkEvents | project RemoteIP | distinct *').rows).toEqual([
      { RemoteIP: '203.0.113.10' },
      { RemoteIP: '10.0.0.5' },
      { RemoteIP: '198.51.100.7' },
    ]);
  });

  it('count', () => {
    expect(run('DeviceNetworkEvents | where RemotePort == 443 | count')).toEqual({ columns: [{ name: 'Count', type: 'long' }], rows: [{ Count: 3 }] });
  });

  it('a multi-line query with comments', () => {
    const query = [
      '// suspicious PowerShell',
      'DeviceProcessEvents',
      '| where Timestamp > ago(7d)   // last week',
      '| where FileName =~ "powershell.exe"',
      '| project DeviceName, ProcessCommandLine',
    ].join('\n');
    expect(run(query).rows).toEqual([{ DeviceName: 'web-01', ProcessCommandLine: 'powershell.exe -EncodedCommand SQBFAFgA' }]);
  });
});

describe('string literals', () => {
  const Strings: KqlTable = {
    columns: [{ name: 'Value', type: 'string' }],
    rows: [{ Value: 'a"b\\c\r\n' }, { Value: "it's" }, { Value: 'tab\there' }, { Value: 'C:\\Temp\\notes.txt' }],
  };
  const find = (query: string): unknown[] => runKql(query, { Strings }).rows.map((r) => r.Value);

  it('accepts what the kql tag renders, including \\r', () => {
    const value = 'a"b\\c\r\n';
    const query = kql`Strings | where Value == ${value}`;
    expect(query.text).toBe('Strings | where Value == "a\\"b\\\\c\\r\\n"');
    expect(find(query.text)).toEqual([value]);
    expect(find(kql`Strings | where Value in (${["it's", 'tab\there']})`.text)).toEqual(["it's", 'tab\there']);
  });

  it('single quotes, verbatim @"…" with doubled quotes, obfuscated h"…", adjacent concatenation', () => {
    expect(find("Strings | where Value == 'it\\'s'")).toEqual(["it's"]);
    expect(find('Strings | where Value == "it\'s"')).toEqual(["it's"]);
    expect(find('Strings | where Value == @"C:\\Temp\\notes.txt"')).toEqual(['C:\\Temp\\notes.txt']);
    expect(find('Strings | where Value startswith @"a""b"')).toEqual(['a"b\\c\r\n']);
    expect(find('Strings | where Value == h"tab\\there"')).toEqual(['tab\there']);
    expect(find('Strings | where Value == "it" // comment\n  "\'s"')).toEqual(["it's"]);
  });
});

describe('syntax errors', () => {
  it('an unknown operator: position of the token and what was expected', () => {
    const error = syntaxError('DeviceProcessEvents | frobnicate');
    expect(error.message).toBe("Syntax error: Query could not be parsed at 'frobnicate' on line [1,23]");
    expect([error.line, error.column]).toEqual([1, 23]);
    expect(error.expected).toBe('a tabular operator (where, project, extend, take, limit, top, order by, sort by, summarize, distinct, count)');
  });

  it('positions on later lines', () => {
    const error = syntaxError('DeviceProcessEvents\n| where FileName ==\n| take 1');
    expect([error.line, error.column, error.token, error.expected]).toEqual([3, 1, '|', 'an expression']);
  });

  it('operators and functions outside the subset', () => {
    const q1 = 'DeviceProcessEvents | where FileName matches regex "x"';
    const e1 = syntaxError(q1);
    expect([e1.token, e1.column, e1.expected]).toEqual(['matches', q1.indexOf('matches') + 1, "'|' or the end of the query"]);
    const q2 = 'DeviceProcessEvents | where strlen(FileName) > 3';
    const e2 = syntaxError(q2);
    expect([e2.token, e2.column]).toEqual(['strlen', q2.indexOf('strlen') + 1]);
    expect(e2.expected).toMatch(/^a supported function/);
    const e3 = syntaxError('DeviceProcessEvents | summarize percentile(FileSize, 50)');
    expect([e3.token, e3.column, e3.expected]).toEqual(['percentile', 33, 'an aggregation function (count, countif, dcount, min, max, sum, avg)']);
  });

  it('bad literals and arguments', () => {
    expect(syntaxError('DeviceProcessEvents | where Timestamp > ago(7w)')).toMatchObject({ token: '7w', line: 1, column: 45 });
    expect(syntaxError('DeviceProcessEvents | where FileName == "cmd.exe')).toMatchObject({ token: '"cmd.exe', column: 41, expected: 'closing "' });
    expect(syntaxError('DeviceProcessEvents | take x')).toMatchObject({ token: 'x', column: 28, expected: 'a non-negative integer literal' });
    expect(syntaxError('DeviceProcessEvents | where Timestamp > datetime(2024-13-01)')).toMatchObject({ token: '2024-13-01', column: 50 });
    expect(syntaxError('DeviceProcessEvents | where ago() > Timestamp')).toMatchObject({ token: ')', expected: '1 argument for ago()' });
    expect(syntaxError('DeviceProcessEvents | where')).toMatchObject({ token: '<EOF>', line: 1, column: 28, expected: 'an expression' });
    expect(syntaxError('DeviceProcessEvents | where FileName == "a" $')).toMatchObject({ token: '$', column: 45 });
  });
});

describe('semantic errors', () => {
  it('unknown tables (names are case-sensitive)', () => {
    expect(semanticError('DeviceProcessEvent | take 1')).toBe("Failed to resolve table or column expression named 'DeviceProcessEvent'");
    expect(semanticError('deviceprocessevents | take 1')).toBe("Failed to resolve table or column expression named 'deviceprocessevents'");
  });

  it('unknown columns, including ones a previous operator dropped', () => {
    expect(semanticError('DeviceProcessEvents | where Devicename == "web-01"')).toBe("'where' operator: Failed to resolve scalar expression named 'Devicename'");
    expect(semanticError('DeviceProcessEvents | project DeviceName | where FileName == "cmd.exe"')).toBe(
      "'where' operator: Failed to resolve scalar expression named 'FileName'",
    );
    expect(semanticError('DeviceNetworkEvents | summarize count() by Port')).toBe("'summarize' operator: Failed to resolve scalar expression named 'Port'");
    expect(semanticError('DeviceNetworkEvents | distinct Port')).toBe("'distinct' operator: Failed to resolve scalar expression named 'Port'");
  });

  it('operands of the wrong type', () => {
    expect(semanticError('DeviceProcessEvents | where FileName > 5')).toBe(
      "'where' operator: Cannot apply operator '>' to operands of types string and long",
    );
    expect(semanticError('DeviceProcessEvents | where Timestamp > ago(7)')).toBe("'where' operator: ago(): expected a timespan argument, got long");
    expect(semanticError('DeviceProcessEvents | where FileSize')).toBe("'where' operator: the predicate must be of type bool, got long");
  });
});

describe('limits and performance', () => {
  it('caps results at maxRows (default 100,000)', () => {
    expect(run('DeviceProcessEvents | project ProcessId', { maxRows: 2 }).rows).toEqual([{ ProcessId: 4100 }, { ProcessId: 4200 }]);
    const Big: KqlTable = { columns: [{ name: 'N', type: 'long' }], rows: Array.from({ length: 100_005 }, (_, i) => ({ N: i })) };
    const result = runKql('Big', { Big });
    expect(result.rows.length).toBe(100_000);
    expect(result.rows[99_999]).toEqual({ N: 99_999 });
  });

  it.each([
    ['Date', (d: Date): unknown => d],
    ['ISO string', (d: Date): unknown => d.toISOString()],
  ])('200,000 rows (Timestamp as %s) × where + summarize count() by, reading each cell it needs once at most', (_kind, cell) => {
    const devices = ['web-01', 'web-02', 'db-01', 'ws-07'];
    const rows = Array.from({ length: 200_000 }, (_, i) => ({
      Timestamp: cell(new Date(NOW.getTime() - i * 1000)),
      DeviceName: devices[i % 4],
      ActionType: i % 3 === 0 ? 'ConnectionFailed' : 'ConnectionSuccess',
      RemoteIP: `10.0.${(i >> 8) & 255}.${i & 255}`,
      RemotePort: i % 2 === 0 ? 443 : 80,
      RemoteUrl: '',
      InitiatingProcessFileName: 'svchost.exe',
    }));
    // The engine's work, counted rather than timed: every read of a row's cell. (How long it takes is
    // the machine's; a run gone quadratic would also meet the test's timeout.)
    let reads = 0;
    const counting: ProxyHandler<Record<string, unknown>> = {
      get(target, key, receiver) {
        reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    };
    const table: KqlTable = { columns: DeviceNetworkEvents.columns, rows: rows.map((row) => new Proxy(row, counting)) };
    const query = 'DeviceNetworkEvents | where ActionType =~ "connectionsuccess" and RemotePort in (443, 8443) and Timestamp > ago(3d) | summarize count() by DeviceName | order by DeviceName asc';
    const result = runKql(query, { DeviceNetworkEvents: table }, { now: NOW });
    // Even i (port 443), not a multiple of 3 (success): i ≡ 2 or 4 (mod 6). Devices: i % 4 ∈ {0, 2} only.
    const expected = new Map<string, number>();
    for (let i = 0; i < 200_000; i++) {
      if (i % 2 === 0 && i % 3 !== 0) expected.set(devices[i % 4]!, (expected.get(devices[i % 4]!) ?? 0) + 1);
    }
    expect(result.rows).toEqual([
      { DeviceName: 'db-01', count_: expected.get('db-01') },
      { DeviceName: 'web-01', count_: expected.get('web-01') },
    ]);
    // Linear, and no copy of the rows: the query names four of the seven columns (ActionType,
    // RemotePort, Timestamp, DeviceName), each read once a row at most (the `and` stops early).
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(4 * rows.length);
  });
});

describe('queries too complex to run (issue 11)', () => {
  // 50,000 levels: far past what a recursive parser or evaluator can hold on the stack.
  const deep = 50_000;
  const tooDeep: [string, string][] = [
    ['nested parentheses', `DeviceProcessEvents | where ${'('.repeat(deep)}ProcessId > 0${')'.repeat(deep)}`],
    ['nested signs', `DeviceProcessEvents | where ${'-'.repeat(deep)}ProcessId > 0`],
    ['nested function calls', `DeviceProcessEvents | where ${'not('.repeat(deep)}ProcessId > 0${')'.repeat(deep)}`],
    ['a chain of or', `DeviceProcessEvents | where ProcessId == 0${' or ProcessId == 0'.repeat(deep)}`],
    ['a chain of +', `DeviceProcessEvents | extend N = ProcessId${' + 1'.repeat(deep)}`],
  ];

  it.each(tooDeep)('refuses %s with the service\'s "Query complexity exceeded", not a stack overflow', (_shape, query) => {
    let thrown: unknown;
    try {
      run(query);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KqlTooComplexError);
    // Both wire APIs answer a KqlSyntaxError as a 400 BadRequest.
    expect(thrown).toBeInstanceOf(KqlSyntaxError);
    expect((thrown as Error).message).toMatch(/^Query complexity exceeded: /);
  });

  it('runs what real queries do: 1,500 or-ed comparisons, 100 nested parentheses', () => {
    const ids = run(`DeviceProcessEvents | where ProcessId == 4100${' or ProcessId == 0'.repeat(1_499)} | project ProcessId`);
    expect(ids.rows).toEqual([{ ProcessId: 4100 }]);
    expect(run(`DeviceProcessEvents | where ${'('.repeat(100)}ProcessId == 4200${')'.repeat(100)} | project ProcessId`).rows).toEqual([{ ProcessId: 4200 }]);
  });

  it.each(['defender', 'graph'] as const)('answers it on the %s API as a 400 BadRequest: the client raises QueryError, sent once', async (api) => {
    const { tenant, credential } = fakeTenant(server, { huntingTables: { DeviceProcessEvents: [{ Timestamp: NOW.toISOString(), ProcessId: 1 }] } });
    const client = new DefenderClient({ credential, api, silenceDeprecationWarnings: true });
    // 50,000 signs: within the client's 100,000-character query limit.
    const error = await client.advancedHunting.run(tooDeep[1]![1]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).status).toBe(400);
    expect((error as QueryError).message).toMatch(/Query complexity exceeded/);
    expect(requestsTo(tenant, api)).toHaveLength(1);
  });
});
