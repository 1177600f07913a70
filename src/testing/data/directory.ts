/*
 * The fake tenant's people and machines, shared by the incident and hunting generators so that the
 * same device and account names appear in alerts and in hunting rows.
 */
import { GIVEN_NAMES, SURNAMES, TENANT_DOMAIN } from './catalog.js';
import { deriveSeed, prng, randomTools } from './random.js';

/** A person (or service account) of the tenant. */
export interface DirectoryUser {
  /** SAM account name, lowercase (`adelev`). */
  accountName: string;
  /** Display name (`Adele Vance`). */
  displayName: string;
  /** `adelev@contoso.com`. */
  upn: string;
  /** On-premises SID. */
  sid: string;
  /** Entra object id. */
  objectId: string;
  /** A service account (runs processes, never reads mail). */
  service: boolean;
}

/** A machine onboarded to Defender for Endpoint. */
export interface DirectoryDevice {
  /** MDE device id: 40 hex digits. */
  deviceId: string;
  /** Lowercase FQDN, as hunting's `DeviceName`. */
  deviceName: string;
  /** Entra ID device id; `null` for devices not joined. */
  aadDeviceId: string | null;
  /** Operating system, as the legacy API names it (`Windows11`). */
  osPlatform: string;
  /** Operating system version. */
  version: string;
  /** Operating system build number. */
  osBuild: number;
  /** A server (no owner, no mail). */
  server: boolean;
  /** Device group name. */
  rbacGroupName: string;
  /** Device group id. */
  rbacGroupId: number;
  /** First seen, epoch ms, relative to the directory's `now`. */
  firstSeenMs: number;
  /** Private IPv4 address. */
  localIp: string;
  /** Device tags. */
  tags: string[];
  /** Index in `users` of the person who mostly uses it (workstations). */
  ownerIndex: number;
}

/** The tenant's directory. */
export interface Directory {
  /** The people and service accounts. */
  users: DirectoryUser[];
  /** The onboarded machines. */
  devices: DirectoryDevice[];
  /** The domain controller identity events name as destination. */
  domainController: {
    /** Its FQDN, lower case. */
    deviceName: string;
    /** Its IPv4 address. */
    ip: string;
  };
}

const SERVICE_ACCOUNTS = ['svc-backup', 'svc-sql', 'svc-deploy'] as const;

/**
 * A deterministic directory for `seed`: about 30 people, a few service accounts, and 40 devices
 * (workstations, laptops and servers). `now` only anchors `firstSeenMs`.
 */
export function createDirectory(seed: number, now: number): Directory {
  const { random, pick, int, hex, digits, guid } = randomTools(prng(deriveSeed(seed, 'directory')));
  const domainSid = `S-1-5-21-${digits(10)}-${digits(9)}-${digits(10)}`;
  const users: DirectoryUser[] = [];
  const taken = new Set<string>();
  for (let i = 0; users.length < 30; i++) {
    const given = pick(GIVEN_NAMES);
    const surname = pick(SURNAMES);
    const accountName = `${given}${surname[0]}`.toLowerCase();
    if (taken.has(accountName)) {
      if (i > 500) break;
      continue;
    }
    taken.add(accountName);
    users.push({ accountName, displayName: `${given} ${surname}`, upn: `${accountName}@${TENANT_DOMAIN}`, sid: `${domainSid}-${1100 + users.length}`, objectId: guid(), service: false });
  }
  for (const accountName of SERVICE_ACCOUNTS) {
    users.push({ accountName, displayName: accountName, upn: `${accountName}@${TENANT_DOMAIN}`, sid: `${domainSid}-${int(2000, 2999)}`, objectId: guid(), service: true });
  }
  const people = users.filter((user) => !user.service).length;

  const devices: DirectoryDevice[] = [];
  const names = new Set<string>();
  while (devices.length < 40) {
    const server = devices.length % 5 === 4;
    const short = server ? `${pick(['srv-sql', 'srv-web', 'srv-file', 'srv-app'])}${String(int(1, 30)).padStart(2, '0')}` : `${pick(['ws', 'lt'])}-${hex(4)}`;
    if (names.has(short)) continue;
    names.add(short);
    const [osPlatform, version, osBuild] = server
      ? pick([['WindowsServer2016', '1607', 14393], ['WindowsServer2019', '1809', 17763], ['WindowsServer2022', '21H2', 20348]] as const)
      : pick([['Windows10', '22H2', 19045], ['Windows11', '22H2', 22621], ['Windows11', '23H2', 22631]] as const);
    devices.push({
      deviceId: hex(40),
      deviceName: `${short}.corp.${TENANT_DOMAIN}`,
      aadDeviceId: server || random() < 0.2 ? null : guid(),
      osPlatform,
      version,
      osBuild,
      server,
      rbacGroupName: server ? 'Servers' : pick(['Workstations', 'WDATP-Ring0']),
      rbacGroupId: server ? 3 : int(4, 12),
      firstSeenMs: now - int(60, 900) * 86_400_000 - int(0, 86_399_999),
      localIp: `10.${int(0, 3)}.${int(0, 255)}.${int(2, 254)}`,
      tags: random() < 0.15 ? ['VIP'] : [],
      ownerIndex: int(0, people - 1),
    });
  }
  return { users, devices, domainController: { deviceName: `dc-01.corp.${TENANT_DOMAIN}`, ip: `10.0.0.${int(4, 9)}` } };
}
