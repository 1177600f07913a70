/**
 * What the simulator's certificate authority is (its subject, lifetime and name constraints), and
 * the check a CA kept in `caDir` passes before the simulator uses it again.
 *
 * A process that trusts the CA (`NODE_EXTRA_CA_CERTS`) trusts whatever its key signs, so a kept CA
 * is used only when it is the one the kit would make: one certificate, its own key beside it, the
 * kit's subject, RSA, and critical name constraints that permit this machine's names only. The
 * kit's own CA past its time (expired, expiring, made for too long, or naming an address this
 * machine no longer has) is renewed; any other CA is refused and its files left alone.
 * @packageDocumentation
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type * as NodeForge from 'node-forge';

/** The CA's common name. */
export const CA_COMMON_NAME = 'm365-defender simulator local CA';
/** The CA's organization (also the certificate app's). */
export const CA_ORGANIZATION = 'm365-defender simulator';
/** How long a new CA is valid. */
export const CA_VALIDITY_DAYS = 365;
/** A kept CA (`--ca-dir`) that expires within this many days is replaced. */
export const CA_RENEW_DAYS = 7;

const DAY_MS = 24 * 3600_000;
const CA_SUBJECT = `CN=${CA_COMMON_NAME}\nO=${CA_ORGANIZATION}`;
const NAME_CONSTRAINTS_OID = '2.5.29.30';
const MIN_RSA_BITS = 2048;

/** A permitted subtree of the CA's name constraints: a GeneralName tag (2 DNS, 7 IP) and its DER content. */
export interface PermittedName {
  /** `2` (dNSName) or `7` (iPAddress: address then mask). */
  tag: 2 | 7;
  /** The content octets, as a binary string (forge's form). */
  value: string;
}

const bytes = (list: readonly number[]): string => String.fromCharCode(...list);

/** The names every kit CA permits: `localhost`, 127.0.0.0/8 and ::1/128. */
const LOOPBACK_NAMES: readonly PermittedName[] = [
  { tag: 2, value: 'localhost' },
  { tag: 7, value: bytes([127, 0, 0, 0, 255, 0, 0, 0]) },
  { tag: 7, value: bytes([...new Array<number>(15).fill(0), 1, ...new Array<number>(16).fill(255)]) },
];

/** This machine's IPv4 addresses outside 127.0.0.0/8, each as a /32 name (a simulator on 0.0.0.0 answers on them). */
function machineNames(): PermittedName[] {
  const addresses = Object.values(networkInterfaces())
    .flatMap((nics) => nics ?? [])
    .filter((nic) => nic.family === 'IPv4' && !nic.address.startsWith('127.'))
    .map((nic) => nic.address);
  return [...new Set(addresses)].map((ip) => ({ tag: 7, value: bytes([...ip.split('.').map(Number), 255, 255, 255, 255]) }));
}

/** The permitted subtrees of a CA the kit makes now: loopback names and this machine's IPv4 addresses. */
export function permittedNames(): PermittedName[] {
  return [...LOOPBACK_NAMES, ...machineNames()];
}

/** A name as a person reads it: `DNS:localhost`, `IP:127.0.0.0/8`. */
function describeName(name: { type: number; value: unknown }): string {
  if (name.type === 2 && typeof name.value === 'string') return `DNS:${JSON.stringify(name.value).slice(1, -1)}`;
  if (name.type === 7 && typeof name.value === 'string' && (name.value.length === 8 || name.value.length === 32)) {
    const octets = [...name.value].map((c) => c.charCodeAt(0));
    const half = octets.length / 2;
    const address = octets.slice(0, half);
    const prefix = octets.slice(half).reduce((bits, octet) => bits + octet.toString(2).replace(/0/g, '').length, 0);
    const text = half === 4 ? address.join('.') : ipv6Text(Array.from({ length: 8 }, (_, i) => (address[2 * i]! << 8) | address[2 * i + 1]!));
    return `IP:${text}/${prefix}`;
  }
  return `a name of GeneralName type ${name.type}`;
}

/** An IPv6 address's usual text: hex groups, the longest run of two or more zero groups as `::`. */
function ipv6Text(groups: readonly number[]): string {
  let run = { start: -1, length: 1 };
  for (let i = 0; i < groups.length; ) {
    let end = i;
    while (end < groups.length && groups[end] === 0) end++;
    if (end - i > run.length) run = { start: i, length: end - i };
    i = end === i ? i + 1 : end;
  }
  const hex = groups.map((group) => group.toString(16));
  return run.start < 0 ? hex.join(':') : `${hex.slice(0, run.start).join(':')}::${hex.slice(run.start + run.length).join(':')}`;
}

const sameName = (a: { type: number; value: unknown }, b: PermittedName): boolean => a.type === b.tag && a.value === b.value;

/** What to do with a kept CA: use it, make a new one in its place, or refuse it (and say why). */
export type KeptCaVerdict = { action: 'reuse' } | { action: 'renew' } | { action: 'refuse'; reason: string };

/** Where the kept CA's files are, for the messages. */
export interface KeptCaFiles {
  /** Path of the certificate file. */
  certPath: string;
  /** Path of the key file. */
  keyPath: string;
}

/**
 * Judges a CA read from `caDir` against what the kit would make (see the file comment). Never
 * puts key material in a reason; a subject is quoted, cut to 200 characters.
 */
export function judgeKeptCertificateAuthority(certPem: string, keyPem: string, files: KeptCaFiles, forge: typeof NodeForge, now = Date.now()): KeptCaVerdict {
  const { certPath, keyPath } = files;
  const refuse = (reason: string): KeptCaVerdict => ({ action: 'refuse', reason });
  // Every certificate in the file would be trusted through NODE_EXTRA_CA_CERTS, not only the first.
  const blocks = certPem.match(/-----BEGIN [^-\r\n]*-----/g) ?? [];
  if (blocks.length > 1) return refuse(`${certPath} holds ${blocks.length} PEM blocks; the simulator's CA file holds one certificate, and a client trusts every certificate in it`);
  let cert: X509Certificate;
  try {
    if (blocks[0] !== '-----BEGIN CERTIFICATE-----') throw new Error('not a certificate');
    cert = new X509Certificate(certPem);
  } catch {
    return refuse(`${certPath} is not a PEM certificate`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    return refuse(`${keyPath} is not an unencrypted PEM private key`);
  }
  if (!cert.checkPrivateKey(key)) return refuse(`${keyPath} is not the private key of ${certPath}`);
  if (cert.subject !== CA_SUBJECT || cert.issuer !== CA_SUBJECT) {
    const subject = cert.subject.replace(/\n/g, ', ');
    return refuse(`${certPath} is not the simulator's CA: its subject is ${JSON.stringify(subject.length > 200 ? `${subject.slice(0, 200)}…` : subject)}, not "CN=${CA_COMMON_NAME}, O=${CA_ORGANIZATION}"`);
  }
  if (!cert.ca) return refuse(`${certPath} is not a CA certificate (no basicConstraints CA:TRUE)`);
  if (!cert.verify(cert.publicKey)) return refuse(`${certPath} is not self-signed by its own key`);
  const details = cert.publicKey.asymmetricKeyDetails;
  if (cert.publicKey.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < MIN_RSA_BITS) {
    return refuse(`${certPath} has a ${cert.publicKey.asymmetricKeyType ?? 'unknown'} key of ${details?.modulusLength ?? '?'} bits; the simulator's CA has an RSA key of ${MIN_RSA_BITS} bits or more`);
  }
  const constraints = readNameConstraints(certPem, forge);
  if (constraints === 'missing') {
    return refuse(
      `${certPath} has no name constraints, so whoever reads ${keyPath} can impersonate any host to a process that trusts it ` +
        `(a CA made by a version of the kit before its CA was name-constrained, or not made by the kit); if you added it to a trust store, remove it there too`,
    );
  }
  if (typeof constraints === 'string') return refuse(`${certPath}: ${constraints}`);
  const outside = constraints.permitted.filter((name) => !LOOPBACK_NAMES.some((loopback) => sameName(name, loopback)) && !isIpv4Host(name));
  if (outside.length > 0) {
    return refuse(`${certPath} permits ${outside.map(describeName).join(', ')}, beyond this machine's names (localhost, 127.0.0.0/8, ::1 and its IPv4 addresses)`);
  }
  // From here on it is the kit's CA: renewing it trusts nothing new, and it is what the kit would do now.
  const machine = machineNames();
  const stale =
    constraints.permitted.some((name) => isIpv4Host(name) && !machine.some((own) => sameName(name, own))) ||
    LOOPBACK_NAMES.some((loopback) => !constraints.permitted.some((name) => sameName(name, loopback)));
  const validFrom = Date.parse(cert.validFrom);
  const validTo = Date.parse(cert.validTo);
  const outOfTime = !(validFrom <= now) || !(validTo > now + CA_RENEW_DAYS * DAY_MS) || validTo - validFrom > (CA_VALIDITY_DAYS + 1) * DAY_MS;
  return stale || outOfTime ? { action: 'renew' } : { action: 'reuse' };
}

const isIpv4Host = (name: { type: number; value: unknown }): boolean =>
  name.type === 7 && typeof name.value === 'string' && name.value.length === 8 && name.value.endsWith(bytes([255, 255, 255, 255]));

/**
 * The permitted names of the certificate's one critical nameConstraints extension with no excluded
 * subtrees (as the kit makes it); `'missing'` without one; else what is wrong with it.
 */
function readNameConstraints(certPem: string, forge: typeof NodeForge): { permitted: Array<{ type: number; value: unknown }> } | 'missing' | string {
  let extensions: Array<{
    id: string;
    critical?: boolean;
    permittedSubtrees?: Array<{ type: number; value: unknown }>;
    excludedSubtrees?: unknown[];
    unsupportedSubtreeRange?: boolean;
  }>;
  try {
    // An RSA certificate (checked before): forge reads it, and parses the nameConstraints extension.
    extensions = forge.pki.certificateFromPem(certPem).extensions;
  } catch {
    return 'its extensions cannot be read';
  }
  const found = extensions.filter((extension) => extension.id === NAME_CONSTRAINTS_OID);
  if (found.length === 0) return 'missing';
  const [extension] = found;
  if (found.length > 1 || !extension?.permittedSubtrees) return 'its name constraints cannot be read';
  if (extension.critical !== true) return 'its name constraints are not marked critical';
  if ((extension.excludedSubtrees ?? []).length > 0 || extension.unsupportedSubtreeRange) return 'its name constraints are not the kit\'s (excluded subtrees or subtree ranges)';
  if (extension.permittedSubtrees.length === 0) return 'its name constraints permit nothing';
  return { permitted: extension.permittedSubtrees };
}
