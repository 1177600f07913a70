import type { DefenderClient } from 'm365-defender';

/** Assigns every active high-severity incident that has no owner to `owner`; returns how many. */
export async function assignHighSeverity(client: DefenderClient, owner: string): Promise<number> {
  let assigned = 0;
  for await (const incident of client.incidents.list({ status: 'active', severity: 'high' })) {
    if (incident.assignedTo) continue;
    await client.incidents.update(incident.id, { assignedTo: owner, comment: 'Auto-assigned: high severity' });
    assigned++;
  }
  return assigned;
}
