/**
 * Reading certificate credentials: PEM, validated synchronously with node:crypto when the client
 * is created. PKCS#12 is converted in `pkcs12.ts`, imported on the first `getToken`.
 * @internal
 * @packageDocumentation
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { CredentialError } from '../errors.js';

/** A certificate credential ready for `ClientCertificateCredential`. @internal */
export interface CertificateMaterial {
  /** Unencrypted PKCS#8 private key followed by the certificate chain, leaf first. */
  pem: string;
  /** SHA-1 thumbprint of the leaf certificate, upper-case hex (as the Azure portal shows it). */
  thumbprint: string;
  /** The leaf certificate's subject, for messages. */
  subject: string;
  /** When the leaf certificate expires. */
  notAfter: Date;
}

const KEY_BLOCK = /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END \1?PRIVATE KEY-----/;
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Whether the bytes look like PEM text (else they are taken as DER PKCS#12). @internal */
export function looksLikePem(data: string | Buffer): boolean {
  const head = typeof data === 'string' ? data : data.subarray(0, 4096).toString('latin1');
  return head.includes('-----BEGIN ');
}

/**
 * Validates PEM text holding a private key and its certificate and normalizes it. Throws
 * {@link CredentialError} naming `option` (never quoting the PEM).
 * @internal
 */
export function parsePemCertificate(pem: string, option: string, password?: string, passwordOption?: string): CertificateMaterial {
  const keyMatch = KEY_BLOCK.exec(pem);
  if (!keyMatch) {
    throw new CredentialError(
      `${option} has no private key: a certificate credential needs the private key ("-----BEGIN PRIVATE KEY-----" block) ` +
        'next to the certificate in the same PEM. The certificate alone (.cer/.crt) is what you upload to the app registration; ' +
        'the SDK needs the key too.',
      { option },
    );
  }
  const certBlocks = pem.match(CERT_BLOCK) ?? [];
  if (certBlocks.length === 0) {
    throw new CredentialError(
      `${option} has a private key but no certificate: add the "-----BEGIN CERTIFICATE-----" block of the certificate ` +
        'registered on the app (Entra ID identifies the key by the certificate\'s thumbprint).',
      { option },
    );
  }
  let key: KeyObject;
  const encrypted = keyMatch[1] === 'ENCRYPTED ' || /Proc-Type:\s*4,ENCRYPTED/.test(keyMatch[0]);
  if (encrypted && password === undefined) {
    throw new CredentialError(
      `${option} holds an encrypted private key: give its password${passwordOption ? ` in ${passwordOption}` : ''}.`,
      { option: passwordOption ?? option },
    );
  }
  try {
    key = createPrivateKey({ key: keyMatch[0], format: 'pem', ...(password !== undefined ? { passphrase: password } : {}) });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (encrypted) {
      throw new CredentialError(`The password for the private key in ${option} is wrong (the key could not be decrypted).`, {
        option: passwordOption ?? option,
      });
    }
    throw new CredentialError(
      `The private key in ${option} could not be read${typeof code === 'string' ? ` (${code})` : ''}: is the PEM complete?`,
      { option },
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new CredentialError(
      `The private key in ${option} is ${key.asymmetricKeyType ?? 'of an unknown type'}: Entra ID certificate credentials need an RSA key.`,
      { option },
    );
  }
  let certs: X509Certificate[];
  try {
    certs = certBlocks.map((block) => new X509Certificate(block));
  } catch {
    throw new CredentialError(`A certificate in ${option} could not be parsed: is the PEM complete?`, { option });
  }
  const leafIndex = certs.findIndex((cert) => cert.checkPrivateKey(key));
  if (leafIndex < 0) {
    throw new CredentialError(
      `The private key in ${option} does not belong to ${certs.length === 1 ? 'the certificate' : 'any of the certificates'} in it: ` +
        'put the key and its own certificate together.',
      { option },
    );
  }
  const leaf = certs[leafIndex]!;
  const ordered = [leaf, ...certs.filter((_, i) => i !== leafIndex)];
  const keyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    pem: `${keyPem}${ordered.map((cert) => cert.toString()).join('')}`,
    thumbprint: leaf.fingerprint.replace(/:/g, '').toUpperCase(),
    subject: leaf.subject.replace(/\n/g, ', '),
    notAfter: new Date(leaf.validTo),
  };
}
