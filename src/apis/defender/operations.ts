import type { OperationSpec } from '../../transport/transport.js';

/** The resource app that holds the Defender API's application permissions. */
export const DEFENDER_PERMISSION_API = 'Microsoft Threat Protection';

const READ_INCIDENTS = ['Incident.Read.All', 'Incident.ReadWrite.All'] as const;

/** The Defender API operations, with the permissions each needs (reference §2.1, §3.1). */
export const DEFENDER_OPERATIONS = {
  listIncidents: {
    name: 'incidents.list',
    family: 'incidents',
    requiredRoles: READ_INCIDENTS,
    permissionApi: DEFENDER_PERMISSION_API,
    idempotent: true,
  },
  getIncident: {
    name: 'incidents.get',
    family: 'incidents.get',
    requiredRoles: READ_INCIDENTS,
    permissionApi: DEFENDER_PERMISSION_API,
    idempotent: true,
  },
  updateIncident: {
    name: 'incidents.update',
    family: 'incidents',
    requiredRoles: ['Incident.ReadWrite.All'],
    permissionApi: DEFENDER_PERMISSION_API,
    idempotent: false,
  },
  runHuntingQuery: {
    name: 'advancedHunting.run',
    family: 'hunting',
    requiredRoles: ['AdvancedHunting.Read.All'],
    permissionApi: DEFENDER_PERMISSION_API,
    // Hunting is read-only: a resend cannot change state (it does spend CPU quota).
    idempotent: true,
    isQuery: true,
    // A 5xx may come after the query ran (reference §5.7): resend once, not maxRetries times.
    maxServerErrorRetries: 1,
  },
} as const satisfies Record<string, OperationSpec>;
