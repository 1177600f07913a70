/**
 * Resolves an incident as a true positive and leaves a comment.
 *
 * Against your tenant:
 *   AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=… INCIDENT_ID=924521 npx tsx examples/update-incident.ts
 * Against the local simulator: run `npx m365d sim`, paste the `export …` lines it prints, then
 *   INCIDENT_ID=<an incident of the simulated tenant> npx tsx examples/update-incident.ts   (npm run demo picks one)
 *
 * The app needs Incident.ReadWrite.All.
 */
import { DefenderClient, NotFoundError, clientOptionsFromEnv } from 'm365-defender';

const id = process.env.INCIDENT_ID;
if (!id) throw new Error('Set INCIDENT_ID to the incident to update.');

const client = new DefenderClient(clientOptionsFromEnv());
await client.auth.requireRoles(['Incident.ReadWrite.All']);

try {
  const incident = await client.incidents.update(id, {
    status: 'resolved',
    classification: 'truePositive',
    determination: 'malware',
    comment: 'Contained by the SOC; device isolated and re-imaged.',
  });
  console.log(`Incident ${incident.id} is now ${incident.status} (${incident.classification}/${incident.determination}).`);
} catch (error) {
  if (error instanceof NotFoundError) console.error(`No incident ${id} in this tenant.`);
  else throw error;
}
