/**
 * The operations both APIs have, as the transport sees them: the public name, the quota family,
 * and whether a resend is safe. They are the same on both APIs (one public behaviour); only the
 * permissions, and the app that holds them, differ and are given by each API's table.
 *
 * @packageDocumentation
 */
import type { OperationSpec } from '../../transport/operation.js';
import { LARGEST_MAX_RESPONSE_BYTES } from '../../transport/read-body.js';

/** The permissions each shared operation needs on one API (any one of each list). */
export interface SharedOperationRoles {
  /** For listing and reading incidents. */
  readIncidents: readonly string[];
  /** For updating an incident. */
  writeIncidents: readonly string[];
  /** For advanced hunting. */
  hunting: readonly string[];
}

/** The incident and hunting operations of one API, whose permissions are held by `permissionApi`. */
export function sharedOperations<const R extends SharedOperationRoles>(permissionApi: string, roles: R) {
  return {
    listIncidents: { name: 'incidents.list', family: 'incidents', requiredRoles: roles.readIncidents, permissionApi, idempotent: true },
    getIncident: { name: 'incidents.get', family: 'incidents.get', requiredRoles: roles.readIncidents, permissionApi, idempotent: true },
    updateIncident: { name: 'incidents.update', family: 'incidents', requiredRoles: roles.writeIncidents, permissionApi, idempotent: false },
    runHuntingQuery: {
      name: 'advancedHunting.run',
      family: 'hunting',
      requiredRoles: roles.hunting,
      permissionApi,
      // Hunting is read-only: a resend cannot change state (it does spend CPU quota).
      idempotent: true,
      isQuery: true,
      // A 5xx may come after the query ran (reference §5.7): resend once, not maxRetries times.
      maxServerErrorRetries: 1,
      // Results stop near 100,000 rows (the largest seen ~124 MB): the pages' 64 MiB is too little.
      maxResponseBytes: LARGEST_MAX_RESPONSE_BYTES,
    },
  } as const satisfies Record<string, OperationSpec>;
}
