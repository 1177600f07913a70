// The README's quickstart, verbatim (test/docs/readme.test.ts keeps them equal and runs it). DEFENDER_API=graph runs it on Microsoft Graph.
import { DefenderClient, clientOptionsFromEnv, kql } from 'm365-defender';

const client = new DefenderClient(clientOptionsFromEnv()); // AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, …
await client.auth.requireRoles(['Incident.Read.All', 'AdvancedHunting.Read.All']); // checked as SecurityIncident.Read.All, ThreatHunting.Read.All on Graph
for await (const incident of client.incidents.list({ status: 'active' })) console.log(incident.id, incident.severity, incident.displayName);
const { rows } = await client.advancedHunting.run(kql`DeviceProcessEvents | where FileName == ${'powershell.exe'} | take 5`);
console.log(rows);
