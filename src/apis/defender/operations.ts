import { sharedOperations } from '../shared/operations.js';

/** The resource app that holds the Defender API's application permissions. */
export const DEFENDER_PERMISSION_API = 'Microsoft Threat Protection';

/** The Defender API operations, with the permissions each needs (reference §2.1, §3.1). */
export const DEFENDER_OPERATIONS = sharedOperations(DEFENDER_PERMISSION_API, {
  readIncidents: ['Incident.Read.All', 'Incident.ReadWrite.All'],
  writeIncidents: ['Incident.ReadWrite.All'],
  hunting: ['AdvancedHunting.Read.All'],
});
