/**
 * The simulator's TLS material: a local certificate authority and a leaf certificate for
 * 127.0.0.1 / localhost signed by it. Keys come from node:crypto (fast, native); the X.509
 * structures come from node-forge, loaded lazily so that nothing else pays for it.
 * @packageDocumentation
 */
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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
  /** The server certificate (SAN `IP:127.0.0.1`, `DNS:localhost`), signed by the CA. */
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

/** Makes a new certificate authority valid from yesterday for ten years. */
export function createCertificateAuthority(commonName = 'm365-defender simulator local CA'): Promise<PemKeyPair> {
  return selfSigned(commonName, true);
}

/** Makes a self-signed certificate for an app's client assertions (what is uploaded to an app registration). */
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
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600_000);
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'm365-defender simulator' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions(
    ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
          { name: 'subjectKeyIdentifier' },
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

/** Makes a server certificate for 127.0.0.1 and localhost (plus `extraIps`), signed by `ca`, valid for a year. */
export async function createServerCertificate(ca: PemKeyPair, extraIps: readonly string[] = []): Promise<PemKeyPair> {
  const forge = await loadForge();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const { keyPem, publicPem } = newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = serialFor('leaf');
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  const ips = ['127.0.0.1', ...extraIps.filter((ip) => ip !== '127.0.0.1')];
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
 */
export async function loadOrCreateCertificateAuthority(dir: string): Promise<PemKeyPair> {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  try {
    const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    const cert = new X509Certificate(certPem);
    if (cert.ca && Date.parse(cert.validTo) > Date.now() + 24 * 3600_000) return { certPem, keyPem };
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  const ca = await createCertificateAuthority();
  await mkdir(dir, { recursive: true });
  // Key first and private: a reader that sees ca.pem must also find its key.
  await writeFile(keyPath, ca.keyPem, { mode: 0o600 });
  await writeFile(certPath, ca.certPem);
  return ca;
}
