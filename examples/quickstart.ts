// The README's quickstart, verbatim (test/readme.test.ts keeps them equal and runs it).
import { DefenderClient, kql } from 'm365-defender';

const client = new DefenderClient({
  credential: { tenantId: process.env.AZURE_TENANT_ID!, clientId: process.env.AZURE_CLIENT_ID!, clientSecret: process.env.AZURE_CLIENT_SECRET! },
});
await client.auth.requireRoles(['Incident.Read.All', 'AdvancedHunting.Read.All']);
for await (const incident of client.incidents.list({ status: 'active' })) console.log(incident.id, incident.severity, incident.displayName);
const { rows } = await client.advancedHunting.run(kql`DeviceProcessEvents | where FileName == ${'powershell.exe'} | take 5`);
console.log(rows);
