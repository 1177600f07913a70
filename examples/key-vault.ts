/**
 * Reads the app's client secret (or certificate) from Azure Key Vault with the managed identity
 * of the machine it runs on, then lists the five newest incidents.
 *
 *   AZURE_TENANT_ID=… AZURE_CLIENT_ID=… VAULT_URL=https://my-vault.vault.azure.net SECRET_NAME=defender-app npx tsx examples/key-vault.ts
 *   (or CERTIFICATE_NAME=defender-app-cert instead of SECRET_NAME)
 */
import { DefenderClient } from 'm365-defender';

const { AZURE_TENANT_ID, AZURE_CLIENT_ID, VAULT_URL, SECRET_NAME, CERTIFICATE_NAME } = process.env;
if (!AZURE_TENANT_ID || !AZURE_CLIENT_ID || !VAULT_URL || !(SECRET_NAME || CERTIFICATE_NAME)) {
  throw new Error('Set AZURE_TENANT_ID, AZURE_CLIENT_ID, VAULT_URL and SECRET_NAME or CERTIFICATE_NAME.');
}

const client = new DefenderClient({
  credential: {
    tenantId: AZURE_TENANT_ID,
    clientId: AZURE_CLIENT_ID,
    keyVault: CERTIFICATE_NAME
      ? { vaultUrl: VAULT_URL, certificateName: CERTIFICATE_NAME }
      : { vaultUrl: VAULT_URL, secretName: SECRET_NAME },
  },
});
for (const incident of await client.incidents.list({ pageSize: 5 }).toArray({ limit: 5 })) {
  console.log(incident.id, incident.status, incident.displayName);
}
