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
 * Off Azure (a workstation, the local simulator) there is no managed identity: give another identity
 * that may read the vault as VAULT_CLIENT_ID and VAULT_CLIENT_SECRET (`npm run demo` does, against
 * the simulator's vault, whose URL is on 127.0.0.1: the SDK then lifts the Key Vault client's check
 * that the token goes to a host under the vault's domain, for a loopback vault only).
 */
import { ClientSecretCredential } from '@azure/identity';
import { DefenderClient, clientOptionsFromEnv } from 'm365-defender';

const { AZURE_TENANT_ID, AZURE_CLIENT_ID, VAULT_URL, SECRET_NAME, CERTIFICATE_NAME, VAULT_CLIENT_ID, VAULT_CLIENT_SECRET, AZURE_AUTHORITY_HOST } = process.env;
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
      // Default: the managed identity of the machine. Elsewhere, another app's secret.
      ...(VAULT_CLIENT_ID && VAULT_CLIENT_SECRET
        ? {
            vaultCredential: new ClientSecretCredential(AZURE_TENANT_ID, VAULT_CLIENT_ID, VAULT_CLIENT_SECRET, {
              // A login host on this machine (the simulator) has no instance discovery to ask.
              ...(AZURE_AUTHORITY_HOST ? { authorityHost: AZURE_AUTHORITY_HOST, disableInstanceDiscovery: /^https:\/\/(127\.|localhost[:/]|\[::1\])/.test(AZURE_AUTHORITY_HOST) } : {}),
            }),
          }
        : {}),
    },
  }),
);
for (const incident of await client.incidents.list({ pageSize: 5 }).toArray({ limit: 5 })) {
  console.log(incident.id, incident.status, incident.displayName);
}
