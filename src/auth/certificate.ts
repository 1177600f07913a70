/**
 * Reading certificate credentials: PEM (validated synchronously with node:crypto) and PKCS#12
 * (converted to PEM with node-forge, imported lazily).
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

/**
 * Converts a PKCS#12 (PFX) file to PEM with node-forge (imported here, lazily) and validates it.
 * A PFX without a password is tried with the empty password, as Key Vault and `openssl -passout pass:`
 * make them. A wrong or missing password throws {@link CredentialError} naming `passwordOption`
 * (or `option` when there is no password option, as for Key Vault).
 * @internal
 */
export async function parsePkcs12Certificate(
  der: Buffer,
  option: string,
  password: string | undefined,
  passwordOption: string | undefined,
): Promise<CertificateMaterial> {
  const forge = (await import('node-forge')).default;
  let asn1: ReturnType<typeof forge.asn1.fromDer>;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), false);
  } catch {
    throw new CredentialError(`${option} is neither PEM nor a PKCS#12 (PFX) file: it could not be parsed.`, { option });
  }
  let p12: ReturnType<typeof forge.pkcs12.pkcs12FromAsn1> | undefined;
  const attempts: (string | null)[] = password !== undefined ? [password] : ['', null];
  for (const attempt of attempts) {
    try {
      p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, attempt as string);
      break;
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (/MAC could not be verified|Invalid password|decrypt/i.test(message)) {
        continue;
      }
      throw new CredentialError(`${option} is not a PKCS#12 (PFX) file forge can read.`, { option });
    }
  }
  if (!p12) {
    throw new CredentialError(
      password !== undefined
        ? `The password for the PKCS#12 (PFX) in ${option} is wrong.`
        : passwordOption
          ? `${option} is a password-protected PKCS#12 (PFX): give its password in ${passwordOption}.`
          : `${option} is a password-protected PKCS#12 (PFX), and there is no way to give a password here: ` +
            'store it without one (Key Vault certificates are; import the PFX as a Key Vault certificate, not as a secret).',
      { option: passwordOption ?? option },
    );
  }
  const pfx = p12;
  const bags = (oid: string | undefined) => (oid ? (pfx.getBags({ bagType: oid })[oid] ?? []) : []);
  const oids = forge.pki.oids;
  const keyBags = [...bags(oids.pkcs8ShroudedKeyBag), ...bags(oids.keyBag)];
  const certBags = bags(oids.certBag);
  const keyBag = keyBags.find((bag) => bag.key);
  if (!keyBag?.key) {
    throw new CredentialError(
      `The PKCS#12 (PFX) in ${option} has no private key${keyBags.length > 0 ? ' forge can read (only RSA keys are supported)' : ''}: ` +
        'export the certificate with its private key (in Key Vault: an exportable key).',
      { option },
    );
  }
  const keyPem = forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key)));
  const certPems = certBags.flatMap((bag) => (bag.cert ? [forge.pki.certificateToPem(bag.cert)] : []));
  return parsePemCertificate(`${keyPem}\n${certPems.join('\n')}`, option);
}
