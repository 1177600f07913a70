/**
 * A partner (MSSP) with one multi-tenant app: lists the active high-severity incidents of every
 * customer tenant that consented to it, a few tenants at a time, and says which tenants still need
 * an administrator's consent (with the link to send them) or failed otherwise.
 *
 * Against your tenants:
 *   AZURE_TENANT_ID=<your own tenant> AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=… \
 *   M365D_TENANT_IDS=<customer tenant id or domain>,<…> npx tsx examples/partner-all-tenants.ts
 * Against the local simulator: `npx m365d sim --tenants 4 --unconsented 1` prints M365D_TENANT_IDS
 * with the rest of the environment (npm run demo runs it that way, on both APIs).
 *
 * The app is registered once, in your own tenant, as "Accounts in any organizational directory";
 * each customer's administrator consents to it (adminConsentUrl() builds their link). It needs
 * Incident.Read.All (Microsoft Threat Protection), or SecurityIncident.Read.All (Microsoft Graph)
 * with DEFENDER_API=graph, consented in every customer tenant.
 */
import { AuthenticationError, DefenderClient, clientOptionsFromEnv, type Incident } from 'm365-defender';

/** How many tenants are read at once: each has its own quota, but this process has one network and CPU. */
const CONCURRENCY = 4;

const partner = new DefenderClient(clientOptionsFromEnv());
const tenantIds = (process.env.M365D_TENANT_IDS ?? '').split(',').map((id) => id.trim()).filter(Boolean);
if (tenantIds.length === 0) {
  console.error('Set M365D_TENANT_IDS to the customer tenants, comma-separated (ids or verified domains).');
  process.exit(2);
}

type Outcome = { tenantId: string; incidents: Incident[] } | { tenantId: string; error: Error };

/** One tenant's active high-severity incidents; a failure is this tenant's outcome, not the run's. */
async function highSeverity(tenantId: string): Promise<Outcome> {
  try {
    // forTenant: the same app credential, a token of that tenant, its own token cache and quotas.
    const incidents = await partner.forTenant(tenantId).incidents.list({ status: 'active', severity: 'high' }).toArray();
    return { tenantId, incidents };
  } catch (error) {
    return { tenantId, error: error as Error };
  }
}

// Bounded concurrency: CONCURRENCY workers take the next tenant until none is left.
const outcomes: Outcome[] = new Array(tenantIds.length);
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(CONCURRENCY, tenantIds.length) }, async () => {
    while (next < tenantIds.length) {
      const index = next++;
      outcomes[index] = await highSeverity(tenantIds[index]!);
    }
  }),
);

let failed = 0;
for (const outcome of outcomes) {
  if ('incidents' in outcome) {
    console.log(`${outcome.tenantId}: ${outcome.incidents.length} active high-severity incident(s)`);
    for (const incident of outcome.incidents) console.log(`   ${incident.id}\t${incident.lastUpdateDateTime.toISOString()}\t${incident.displayName}`);
  } else if (outcome.error instanceof AuthenticationError && outcome.error.code === 'AADSTS650052') {
    // Not a failure of this run: the customer has not consented yet. The message holds the consent link.
    console.log(`${outcome.tenantId}: no consent yet. ${outcome.error.message}`);
  } else {
    failed++;
    console.log(`${outcome.tenantId}: failed: ${outcome.error.name}: ${outcome.error.message}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
