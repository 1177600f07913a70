/**
 * The Graph security operations and the permissions each needs. Loaded with the Graph adapter
 * (on the first Graph call), through `index.ts`.
 *
 * @packageDocumentation
 */
import type { OperationSpec } from '../../transport/operation.js';
import { sharedOperations } from '../shared/operations.js';
import { GRAPH_PERMISSION_API } from './limits.js';

const READ_ALERTS = ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All'] as const;

/** The Graph security operations, with the permissions each needs (reference §5.1, §5.6). */
export const GRAPH_OPERATIONS = {
  ...sharedOperations(GRAPH_PERMISSION_API, {
    readIncidents: ['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'],
    writeIncidents: ['SecurityIncident.ReadWrite.All'],
    hunting: ['ThreatHunting.Read.All'],
  }),
  // Its own name: a failure here says the PATCH before it (if any) was applied.
  commentIncident: {
    name: 'incidents.update.comment',
    family: 'incidents',
    requiredRoles: ['SecurityIncident.ReadWrite.All'],
    permissionApi: GRAPH_PERMISSION_API,
    idempotent: false,
  },
  listAlerts: {
    name: 'alerts.list',
    family: 'alerts',
    requiredRoles: READ_ALERTS,
    permissionApi: GRAPH_PERMISSION_API,
    idempotent: true,
  },
  getAlert: {
    name: 'alerts.get',
    family: 'alerts',
    requiredRoles: READ_ALERTS,
    permissionApi: GRAPH_PERMISSION_API,
    idempotent: true,
  },
  updateAlert: {
    name: 'alerts.update',
    family: 'alerts',
    requiredRoles: ['SecurityAlert.ReadWrite.All'],
    permissionApi: GRAPH_PERMISSION_API,
    idempotent: false,
  },
  commentAlert: {
    name: 'alerts.update.comment',
    family: 'alerts',
    requiredRoles: ['SecurityAlert.ReadWrite.All'],
    permissionApi: GRAPH_PERMISSION_API,
    idempotent: false,
  },
} as const satisfies Record<string, OperationSpec>;
