/**
 * Authenticates with a certificate (a signed client assertion) instead of a secret, and shows
 * what the token grants.
 *
 * Against your tenant:
 *   AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_CERTIFICATE_PATH=./app.pem npx tsx examples/certificate-auth.ts
 * Against the local simulator: `npm run demo` runs it with a certificate app of the simulated tenant
 * (`startSimulator({ certificateApp: true })` registers one and writes its PEM file).
 * On Microsoft Graph instead of the Defender API: add DEFENDER_API=graph; nothing else changes (the
 * token is then for Microsoft Graph, and shows the app's Graph permissions).
 *
 * The PEM file holds the private key and the certificate whose public part is uploaded to the app
 * registration (a PKCS#12 .pfx works too; its password goes in AZURE_CLIENT_CERTIFICATE_PASSWORD).
 */
import { DefenderClient, clientOptionsFromEnv } from 'm365-defender';

if (!process.env.AZURE_CLIENT_CERTIFICATE_PATH || process.env.AZURE_CLIENT_SECRET) {
  // credentialsFromEnv() prefers a secret when both are set, as @azure/identity does.
  throw new Error('Set AZURE_CLIENT_CERTIFICATE_PATH (and unset AZURE_CLIENT_SECRET, which would take precedence).');
}

const client = new DefenderClient(clientOptionsFromEnv());
const who = await client.auth.inspect();
console.log(`Signed in with a certificate as app ${who.appId} in tenant ${who.tenantId}`);
console.log(`roles: ${who.roles.join(', ') || '(none)'}; token valid until ${who.expiresOn.toISOString()}`);
