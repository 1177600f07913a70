/**
 * Reading PKCS#12 (PFX) certificate credentials: converted to PEM with node-forge. This module
 * and node-forge are imported on the first `getToken` of a credential that needs them.
 * @internal
 * @packageDocumentation
 */
import { CredentialError } from '../errors.js';
import { parsePemCertificate, type CertificateMaterial } from './certificate.js';

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
