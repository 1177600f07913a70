/**
 * The Defender API (`api.security.microsoft.com`): wire schemas, mappers to the public model,
 * query and body builders. Internal to the SDK: resources call it, users do not.
 *
 * @packageDocumentation
 */
export {
  LEGACY_MAX_PAGE_SIZE,
  buildIncidentListQuery,
  buildIncidentUpdateBody,
  parseAlertListPage,
  parseIncident,
  parseIncidentListPage,
  type ParseListOptions,
  type ParsedPage,
} from './incidents.js';
export { parseHuntingResponse } from '../shared/hunting.js';
export { parseListCount } from '../shared/wire.js';
export { readAlert, readIncident, type MapIncidentOptions } from './mappers.js';
export {
  legacyAlertSchema,
  legacyCommentSchema,
  legacyDeviceSchema,
  legacyEntitySchema,
  legacyIncidentListSchema,
  legacyIncidentSchema,
  type LegacyAlert,
  type LegacyComment,
  type LegacyDevice,
  type LegacyEntity,
  type LegacyIncident,
  type LegacyIncidentList,
} from './wire.js';
