/**
 * Resolves an incident as a true positive and leaves a comment.
 *
 * Against your tenant:
 *   AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=… INCIDENT_ID=924521 npx tsx examples/update-incident.ts
 * Against the local simulator: run `npx m365d sim`, paste the `export …` lines it prints, then
 *   INCIDENT_ID=<an incident of the simulated tenant> npx tsx examples/update-incident.ts   (npm run demo picks one)
 * On Microsoft Graph instead of the Defender API: add DEFENDER_API=graph; nothing else changes.
 *
 * The app needs Incident.ReadWrite.All (Microsoft Threat Protection), or SecurityIncident.ReadWrite.All
 * (Microsoft Graph) with DEFENDER_API=graph.
 */
import { DefenderClient, NotFoundError, clientOptionsFromEnv } from 'm365-defender';

const id = process.env.INCIDENT_ID;
if (!id) throw new Error('Set INCIDENT_ID to the incident to update.');

const client = new DefenderClient(clientOptionsFromEnv());
// The two APIs name the same permission differently.
await client.auth.requireRoles(['Incident.ReadWrite.All']); // SecurityIncident.ReadWrite.All on Graph

try {
  // Values both APIs take: the SDK sends 'resolved'/'truePositive'/'malware' to Graph as they are,
  // and as Resolved/TruePositive/Malware to the Defender API.
  const incident = await client.incidents.update(id, {
    status: 'resolved',
    classification: 'truePositive',
    determination: 'malware',
    comment: 'Contained by the SOC; device isolated and re-imaged.',
  });
  console.log(`Incident ${incident.id} is now ${incident.status} (${incident.classification}/${incident.determination}), via ${client.api === 'graph' ? 'Microsoft Graph' : 'the Defender API'}.`);
  console.log(`Last comment: ${incident.comments.at(-1)?.comment ?? '(none)'}`);
} catch (error) {
  if (error instanceof NotFoundError) console.error(`No incident ${id} in this tenant.`);
  else throw error;
}
