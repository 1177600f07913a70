/**
 * The Defender for Endpoint API's permission app, where the permission advice
 * (`apis/permissions.ts`, always loaded) and the lazy adapter read it, apart from the operation
 * table, which loads with the adapter.
 *
 * @packageDocumentation
 */

/** The resource app that holds the Defender for Endpoint API's application permissions. */
export const MDE_PERMISSION_API = 'WindowsDefenderATP';
