/**
 * Lists active incidents updated in the last 7 days, with their alerts.
 *
 * Against your tenant:
 *   AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=… npx tsx examples/list-incidents.ts
 * Against the local simulator: run `npx m365d sim`, paste the `export …` lines it prints, then
 *   npx tsx examples/list-incidents.ts          (or run every example at once, on both APIs: npm run demo)
 * On Microsoft Graph instead of the Defender API: add DEFENDER_API=graph; nothing else changes.
 *
 * The app needs the Microsoft Threat Protection permission Incident.Read.All (admin-consented), or
 * with DEFENDER_API=graph the Microsoft Graph permission SecurityIncident.Read.All.
 */
import { DefenderClient, clientOptionsFromEnv } from 'm365-defender';

const client = new DefenderClient(clientOptionsFromEnv());
const updatedAfter = new Date(Date.now() - 7 * 24 * 3600 * 1000);

let count = 0;
// expandAlerts: the Defender API always embeds alerts; Graph sends them only when asked ($expand=alerts).
// onInvalidItem: an incident the SDK cannot read is reported and skipped instead of failing the listing.
const onInvalidItem = ({ id, error }: { id?: string; error: Error }) => console.warn(`skipped incident ${id ?? '(no id)'}: ${error.message}`);
for await (const incident of client.incidents.list({ status: 'active', updatedAfter, expandAlerts: true, onInvalidItem })) {
  count++;
  // priorityScore: Graph only (null on the Defender API)
  const priority = incident.priorityScore === null ? '' : `\tpriority ${incident.priorityScore}`;
  console.log(`${incident.id}\t${incident.severity}${priority}\t${incident.lastUpdateDateTime.toISOString()}\t${incident.displayName}`);
  for (const alert of incident.alerts) {
    console.log(`   alert ${alert.id}: ${alert.title} (${alert.serviceSource}, ${alert.evidence.length} evidence)`);
  }
}
console.log(`${count} active incident(s) updated since ${updatedAfter.toISOString()}`);
