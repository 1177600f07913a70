/**
 * Microsoft Graph security's paths, under the Graph host (`https://graph.microsoft.com`):
 * reference §5.1 and §5.7.
 *
 * @packageDocumentation
 */

/** Where each Graph security operation is sent. */
export const GRAPH_PATHS = {
  /** `GET` lists incidents (`$top` ≤ 50, `$filter`, `$expand=alerts`, `@odata.nextLink`). */
  incidents: '/v1.0/security/incidents',
  /** `GET` reads, `PATCH` updates one incident. */
  incident: (id: string): string => `/v1.0/security/incidents/${encodeURIComponent(id)}`,
  /** `POST` adds a comment to an incident. */
  incidentComments: (id: string): string => `/v1.0/security/incidents/${encodeURIComponent(id)}/comments`,
  /** `GET` lists alerts. */
  alerts: '/v1.0/security/alerts_v2',
  /** `GET` reads, `PATCH` updates one alert. */
  alert: (id: string): string => `/v1.0/security/alerts_v2/${encodeURIComponent(id)}`,
  /** `POST` adds a comment to an alert. */
  alertComments: (id: string): string => `/v1.0/security/alerts_v2/${encodeURIComponent(id)}/comments`,
  /** `POST` runs an advanced-hunting query. */
  hunting: '/v1.0/security/runHuntingQuery',
} as const;
