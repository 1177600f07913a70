/**
 * Test certificates: a self-signed RSA certificate with its private key, as PEM, as an encrypted
 * PEM and as PKCS#12 (PFX), made with node:crypto (key) and node-forge (certificate, PFX).
 */
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

/** A self-signed test certificate and its key in the forms the SDK accepts. */
export interface TestCertificate {
  /** The certificate alone (public), `-----BEGIN CERTIFICATE-----`. */
  certPem: string;
  /** The private key alone, PKCS#8 `-----BEGIN PRIVATE KEY-----`. */
  keyPem: string;
  /** Key followed by certificate: what `certificate: { pem }` takes. */
  pem: string;
  /** SHA-1 thumbprint of the certificate's DER bytes, upper-case hex (what the Azure portal shows). */
  thumbprintSha1: string;
  /** base64url SHA-1 thumbprint (`x5t`). */
  x5t: string;
  /** base64url SHA-256 thumbprint (`x5t#S256`). */
  x5tS256: string;
  /** The key as an encrypted PKCS#8 PEM (`-----BEGIN ENCRYPTED PRIVATE KEY-----`) plus the certificate. */
  encryptedPem(password: string): string;
  /** A PKCS#12 (PFX) holding the key and certificate, base64. `password` `null` = no encryption at all. */
  pfxBase64(password?: string | null): string;
}

/** Makes a self-signed RSA-2048 certificate valid from yesterday for `validDays` days. */
export function makeTestCertificate(options: { commonName?: string; validDays?: number } = {}): TestCertificate {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  cert.serialNumber = `01${createHash('sha1').update(keyPem).digest('hex').slice(0, 16)}`;
  const notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + (options.validDays ?? 365) * 24 * 3600_000);
  const attrs = [{ name: 'commonName', value: options.commonName ?? 'm365-defender test' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forgeKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
  const der = new X509Certificate(certPem).raw;
  return {
    certPem,
    keyPem,
    pem: `${keyPem}${certPem}`,
    thumbprintSha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
    x5t: createHash('sha1').update(der).digest('base64url'),
    x5tS256: createHash('sha256').update(der).digest('base64url'),
    encryptedPem(password) {
      const encrypted = privateKey
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: password })
        .toString();
      return `${encrypted}${certPem}`;
    },
    pfxBase64(password = '') {
      const asn1 = forge.pkcs12.toPkcs12Asn1(forgeKey, [cert], password, { algorithm: '3des' });
      return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary').toString('base64');
    },
  };
}
