/**
 * The few Graph facts the client needs before (or without) loading the Graph wire code: no zod
 * schema is built here, so importing this module costs nothing (the Graph adapter, its schemas
 * and its mappers load on the first Graph call; see `lazy-adapter.ts`).
 *
 * @packageDocumentation
 */

/** Incidents per `GET /security/incidents`: `$top` above 50 is a 400 (reference §5.2). */
export const GRAPH_MAX_INCIDENT_PAGE_SIZE = 50;

/** The resource app that holds Graph's application permissions. */
export const GRAPH_PERMISSION_API = 'Microsoft Graph';
