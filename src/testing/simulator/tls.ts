/**
 * The simulator's certificates: its CA (given, kept in `caDir`, or made for this run), a server
 * certificate for the host it listens on, and with `certificateApp` a client certificate for
 * the certificate app, written to a temporary directory.
 * @packageDocumentation
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import {
  CA_CERT_FILE,
  createCertificateAuthority,
  createClientCertificate,
  createServerCertificate,
  loadOrCreateCertificateAuthority,
} from '../certs.js';
import type { SimulatorOptions, SimulatorTenant, SimulatorTls } from './types.js';

/** The IP addresses the server certificate names besides loopback (127.0.0.1, ::1), for `host`. */
function extraAddresses(host: string): string[] {
  // On a wildcard address (`::` takes IPv4 too) the certificate names every local IPv4 address, so that callers over them verify it.
  if (host === '0.0.0.0' || host === '::') {
    return Object.values(networkInterfaces()).flatMap((nics) => (nics ?? []).filter((nic) => nic.family === 'IPv4').map((nic) => nic.address));
  }
  // The CA permits no IPv6 address but ::1, which the certificate always names.
  return isIPv4(host) ? [host] : [];
}

/** Makes or loads the certificates of one simulator run; the caller removes `tempDir` on close. */
export async function prepareTls<T extends SimulatorTenant>(options: SimulatorOptions<T>, host: string): Promise<SimulatorTls> {
  const ca = options.ca ?? (options.caDir !== undefined ? await loadOrCreateCertificateAuthority(options.caDir) : await createCertificateAuthority());
  const leaf = await createServerCertificate(ca, extraAddresses(host));
  // The temporary directory holds the CA file (unless it lives in caDir) and the certificate app's PEM.
  const tempDir = await mkdtemp(join(tmpdir(), 'm365d-sim-'));
  let caPath: string;
  if (options.caDir !== undefined && options.ca === undefined) {
    caPath = join(options.caDir, CA_CERT_FILE);
  } else {
    caPath = join(tempDir, CA_CERT_FILE);
    await writeFile(caPath, ca.certPem);
  }
  if (!options.certificateApp) return { ca, leaf, caPath, tempDir };
  const pair = await createClientCertificate();
  const path = join(tempDir, 'app-certificate.pem');
  await writeFile(path, `${pair.keyPem}${pair.certPem}`, { mode: 0o600 });
  return { ca, leaf, caPath, tempDir, clientCertificate: { pair, path } };
}
