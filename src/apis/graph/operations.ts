/**
 * Graph's permission app, where the permission advice (`apis/permissions.ts`, always loaded)
 * reads it. The operation table is in `operation-table.ts`, loaded with the Graph adapter: this
 * module does not re-export it, so that importing the name does not carry the table into the
 * main entry.
 *
 * @packageDocumentation
 */
export { GRAPH_PERMISSION_API } from './limits.js';
