/**
 * Reads the app's client secret (or certificate) from Azure Key Vault with the managed identity
 * of the machine it runs on, then lists the five newest incidents.
 *
 * Against your tenant (on an Azure VM, App Service, Functions, AKS… with a managed identity that may read the vault):
 *   AZURE_TENANT_ID=… AZURE_CLIENT_ID=… VAULT_URL=https://my-vault.vault.azure.net SECRET_NAME=defender-app npx tsx examples/key-vault.ts
 *   (or CERTIFICATE_NAME=defender-app-cert instead of SECRET_NAME)
 * On Microsoft Graph instead of the Defender API: add DEFENDER_API=graph; nothing else changes.
 * The app needs Incident.Read.All (Microsoft Threat Protection), or SecurityIncident.Read.All
 * (Microsoft Graph) with DEFENDER_API=graph.
 *
 * The local simulator cannot stand in for Key Vault here: the Key Vault client only sends a token to
 * a host under the vault's domain (*.vault.azure.net), and there is no managed identity on a
 * workstation. `npm run demo` says so and skips this example (on both APIs); the SDK's tests cover the Key Vault
 * credential with the fake tenant in-process.
 */
import { DefenderClient, clientOptionsFromEnv } from 'm365-defender';

const { AZURE_TENANT_ID, AZURE_CLIENT_ID, VAULT_URL, SECRET_NAME, CERTIFICATE_NAME } = process.env;
if (!AZURE_TENANT_ID || !AZURE_CLIENT_ID || !VAULT_URL || !(SECRET_NAME || CERTIFICATE_NAME)) {
  throw new Error('Set AZURE_TENANT_ID, AZURE_CLIENT_ID, VAULT_URL and SECRET_NAME or CERTIFICATE_NAME.');
}

// The cloud and API still come from the environment (DEFENDER_CLOUD, DEFENDER_API, …).
const client = new DefenderClient(
  clientOptionsFromEnv(process.env, {
    credential: {
      tenantId: AZURE_TENANT_ID,
      clientId: AZURE_CLIENT_ID,
      keyVault: CERTIFICATE_NAME
        ? { vaultUrl: VAULT_URL, certificateName: CERTIFICATE_NAME }
        : { vaultUrl: VAULT_URL, secretName: SECRET_NAME },
    },
  }),
);
for (const incident of await client.incidents.list({ pageSize: 5 }).toArray({ limit: 5 })) {
  console.log(incident.id, incident.status, incident.displayName);
}
