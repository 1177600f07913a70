/**
 * The simulator's TLS material: a local certificate authority and a leaf certificate for
 * 127.0.0.1, ::1 and localhost signed by it. Keys come from node:crypto (fast, native); the X.509
 * structures come from node-forge, loaded lazily so that nothing else pays for it.
 *
 * A process that trusts the CA (`NODE_EXTRA_CA_CERTS`) trusts whatever its key signs, so the CA
 * is kept small in time and scope: valid one year (leaves 30 days), name-constrained to this
 * machine (`localhost`, 127.0.0.0/8, ::1 and the machine's IPv4 addresses when it is made), its
 * key file is mode 0600, and a CA kept in a directory is used again only when it is still what
 * the kit would make (`ca-policy.ts`).
 * @packageDocumentation
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import {
  CA_COMMON_NAME,
  CA_ORGANIZATION,
  CA_RENEW_DAYS,
  CA_VALIDITY_DAYS,
  judgeKeptCertificateAuthority,
  permittedNames,
} from './ca-policy.js';

/** A certificate and its private key, both PEM. */
export interface PemKeyPair {
  /** The certificate, `-----BEGIN CERTIFICATE-----`. */
  certPem: string;
  /** Its private key, PKCS#8 `-----BEGIN PRIVATE KEY-----`. Never printed or logged. */
  keyPem: string;
}

/** What a TLS server for the simulator needs: the CA (to trust) and the leaf (to serve). */
export interface SimulatorTls {
  /** The certificate authority: clients trust `ca.certPem` (e.g. with `NODE_EXTRA_CA_CERTS`). */
  ca: PemKeyPair;
  /** The server certificate (SAN `DNS:localhost`, `IP:127.0.0.1`, `IP:::1`), signed by the CA. */
  leaf: PemKeyPair;
}

type Forge = typeof import('node-forge');
let forgeModule: Promise<Forge> | undefined;

async function loadForge(): Promise<Forge> {
  forgeModule ??= import('node-forge').then((m) => ((m as { default?: Forge }).default ?? m) as Forge);
  return forgeModule;
}

function newRsaKey(): { keyPem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function serialFor(seed: string): string {
  // A positive serial: a leading 01 byte keeps the DER integer's sign bit clear.
  return `01${createHash('sha256').update(seed).update(String(Date.now())).update(String(Math.random())).digest('hex').slice(0, 30)}`;
}

const DAY_MS = 24 * 3600_000;
/** How long a server certificate is valid (at most until its CA expires); one is made per start. */
export const LEAF_VALIDITY_DAYS = 30;

/**
 * Makes a new certificate authority valid from yesterday for {@link CA_VALIDITY_DAYS} days,
 * name-constrained to `localhost`, 127.0.0.0/8, ::1 and this machine's IPv4 addresses.
 */
export function createCertificateAuthority(commonName = CA_COMMON_NAME): Promise<PemKeyPair> {
  return selfSigned(commonName, true);
}

/** Makes a self-signed certificate for an app's client assertions (what is uploaded to an app registration), valid {@link LEAF_VALIDITY_DAYS} days. */
export function createClientCertificate(commonName = 'm365-defender simulator app'): Promise<PemKeyPair> {
  return selfSigned(commonName, false);
}

async function selfSigned(commonName: string, ca: boolean): Promise<PemKeyPair> {
  const forge = await loadForge();
  const { keyPem, publicPem } = newRsaKey();
  const key = forge.pki.privateKeyFromPem(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = serialFor(commonName);
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + (ca ? CA_VALIDITY_DAYS : LEAF_VALIDITY_DAYS) * DAY_MS);
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: CA_ORGANIZATION },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions(
    ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
          { name: 'subjectKeyIdentifier' },
          loopbackNameConstraints(forge),
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, critical: true },
          { name: 'extKeyUsage', clientAuth: true },
        ],
  );
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), keyPem };
}

/**
 * node-forge (1.4) reads the nameConstraints extension but has no encoder for it: the value is
 * given as an ASN.1 structure built with forge's own `asn1` (RFC 5280 §4.2.1.10), which forge
 * then DER-encodes. Permitted: DNS `localhost`, IP 127.0.0.0/8, ::1/128, and each IPv4 address
 * of this machine (so that a simulator on 0.0.0.0 is reachable over them). Critical, as the RFC asks.
 */
function loopbackNameConstraints(forge: Forge): { id: string; name: string; critical: boolean; value: unknown } {
  const { asn1 } = forge;
  const subtree = ({ tag, value }: { tag: number; value: string }) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, false, value)]);
  const permitted = permittedNames().map(subtree);
  return {
    id: '2.5.29.30',
    name: 'nameConstraints',
    critical: true,
    value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, permitted)]),
  };
}

/**
 * Makes a server certificate for localhost, 127.0.0.1 and ::1 (plus `extraIps`), signed by `ca`,
 * valid for {@link LEAF_VALIDITY_DAYS} days or until the CA expires, whichever is sooner.
 */
export async function createServerCertificate(ca: PemKeyPair, extraIps: readonly string[] = []): Promise<PemKeyPair> {
  const forge = await loadForge();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const { keyPem, publicPem } = newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = serialFor('leaf');
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Math.min(Date.now() + LEAF_VALIDITY_DAYS * DAY_MS, caCert.validity.notAfter.getTime()));
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  const ips = [...new Set(['127.0.0.1', '::1', ...extraIps])];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [{ type: 2, value: 'localhost' }, ...ips.map((ip) => ({ type: 7, ip }))],
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), keyPem };
}

/** File names of a CA kept in a directory (`--ca-dir`). */
export const CA_CERT_FILE = 'ca.pem';
/** File name of the CA's private key in a CA directory (mode 0600). */
export const CA_KEY_FILE = 'ca-key.pem';

/**
 * Reads the CA kept in `dir` (`ca.pem`, `ca-key.pem`), or makes one and writes it there, so that
 * several simulator runs (the e2e tests, the demo, `m365d sim --ca-dir`) share one trusted CA.
 *
 * A kept CA is used only when it is what the kit would make (`ca-policy.ts`). The kit's own CA is
 * replaced when it has expired, expires within {@link CA_RENEW_DAYS} days, is valid for longer
 * than {@link CA_VALIDITY_DAYS} days, or names an address this machine no longer has. Anything
 * else (a CA without the kit's name constraints, a key that is not the certificate's, a foreign
 * or unreadable file, one file of the two) is refused and left as it is. The key file is made
 * mode 0600, and put back to 0600 when it is found readable by others.
 *
 * @throws InvalidArgumentError (option `caDir`) naming the file and what is wrong with it.
 */
export async function loadOrCreateCertificateAuthority(dir: string): Promise<PemKeyPair> {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  const [certPem, keyPem] = await Promise.all([readIfPresent(certPath), readIfPresent(keyPath)]);
  const refuse = (reason: string): never => {
    throw new InvalidArgumentError(
      'caDir',
      `startSimulator: caDir holds a CA the simulator will not use: ${reason}. Delete ${certPath} and ${keyPath} (the next start makes a new CA there), or give another caDir.`,
    );
  };
  if (certPem !== undefined && keyPem === undefined) refuse(`${certPath} has no key beside it (${keyPath})`);
  if (certPem === undefined && keyPem !== undefined) refuse(`${keyPath} has no certificate beside it (${certPath})`);
  if (certPem !== undefined && keyPem !== undefined) {
    const verdict = judgeKeptCertificateAuthority(certPem, keyPem, { certPath, keyPath }, await loadForge());
    if (verdict.action === 'refuse') refuse(verdict.reason);
    if (verdict.action === 'reuse') {
      await restrictKeyFile(keyPath);
      return { certPem, keyPem };
    }
  }
  const ca = await createCertificateAuthority();
  await mkdir(dir, { recursive: true });
  // Key first and private: a reader that sees ca.pem must also find its key.
  await writeFile(keyPath, ca.keyPem, { mode: 0o600 });
  // writeFile's mode applies only to a new file: an older key file keeps its mode otherwise.
  await chmod(keyPath, 0o600);
  await writeFile(certPath, ca.certPem);
  return ca;
}

/** A file's text, or `undefined` when there is no such file. */
async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Makes a private key file mode 0600 when group or others may read it (POSIX; no-op on Windows). */
async function restrictKeyFile(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
}
