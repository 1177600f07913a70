/**
 * The Microsoft Graph security API (`graph.microsoft.com/v1.0/security`): wire schemas, mappers
 * to the public model, query and body builders, operations. Internal to the SDK.
 *
 * @packageDocumentation
 */
export * from './incidents.js';
export { buildHuntingBody, parseGraphHuntingResponse } from './hunting.js';
export { GRAPH_PATHS } from './paths.js';
export { readAlert, readEvidence, readIncident } from './mappers.js';
export { GRAPH_PERMISSION_API } from './limits.js';
export { GRAPH_OPERATIONS } from './operation-table.js';
export {
  evidenceSubtype,
  graphAlertSchema,
  graphCommentSchema,
  graphEvidenceSchema,
  graphIncidentSchema,
  type GraphAlert,
  type GraphEvidence,
  type GraphIncident,
} from './wire.js';
