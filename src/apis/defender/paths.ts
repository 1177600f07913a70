/**
 * The Defender API's paths, under its base URL (`https://api.security.microsoft.com`):
 * reference §2.1 and §3.1.
 *
 * @packageDocumentation
 */

/** Where each Defender API operation is sent. */
export const DEFENDER_PATHS = {
  /** `GET` lists incidents (`$top`, `$skip`, `$filter`). */
  incidents: '/api/incidents',
  /** `GET` reads, `PATCH` updates one incident. */
  incident: (id: string): string => `/api/incidents/${encodeURIComponent(id)}`,
  /** `POST` runs an advanced-hunting query. */
  hunting: '/api/advancedhunting/run',
} as const;
