/**
 * Authenticates with a certificate (a signed client assertion) instead of a secret.
 *
 *   AZURE_TENANT_ID=… AZURE_CLIENT_ID=… CERTIFICATE_PATH=./app.pem npx tsx examples/certificate-auth.ts
 *
 * The PEM file holds the private key and the certificate whose public part is uploaded to the app registration.
 */
import { DefenderClient } from 'm365-defender';

const { AZURE_TENANT_ID, AZURE_CLIENT_ID, CERTIFICATE_PATH } = process.env;
if (!AZURE_TENANT_ID || !AZURE_CLIENT_ID || !CERTIFICATE_PATH) {
  throw new Error('Set AZURE_TENANT_ID, AZURE_CLIENT_ID and CERTIFICATE_PATH.');
}

const client = new DefenderClient({
  credential: { tenantId: AZURE_TENANT_ID, clientId: AZURE_CLIENT_ID, certificate: { path: CERTIFICATE_PATH } },
});
const who = await client.auth.inspect();
console.log(`Signed in as app ${who.appId} in tenant ${who.tenantId}; roles: ${who.roles.join(', ') || '(none)'}; token valid until ${who.expiresOn.toISOString()}`);
