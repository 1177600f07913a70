/**
 * The fake tenant's data: deterministic incidents and advanced-hunting tables from a seed.
 *
 * @packageDocumentation
 */
export { generateIncidents, type GenerateIncidentsOptions } from './incidents.js';
export {
  generateHuntingTables,
  huntingKqlTables,
  HUNTING_TABLE_NAMES,
  HUNTING_TABLE_SCHEMAS,
  type GenerateHuntingTablesOptions,
  type HuntingTableName,
  type HuntingTables,
} from './hunting.js';
export { seedIncidents } from './seed-incidents.js';
export { formatTime, prng } from './random.js';
