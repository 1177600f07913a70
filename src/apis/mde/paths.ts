/**
 * The Defender for Endpoint API's paths, under the Defender API's base URL (reference
 * mde-actions.md §2.1, §3.1, §4.1).
 *
 * @packageDocumentation
 */

const seg = encodeURIComponent;

/** Where each Defender for Endpoint operation is sent. */
export const MDE_PATHS = {
  /** `GET` lists machines (`$filter`, `$top`, `$skip`). */
  machines: '/api/machines',
  /** `GET` reads one machine. */
  machine: (id: string): string => `/api/machines/${seg(id)}`,
  /** `GET` machines seen with an internal IP within 15 minutes of `at`. */
  findByIp: (ip: string, at: string): string => `/api/machines/findbyip(ip='${seg(ip)}',timestamp=${seg(at)})`,
  /** `GET` machines with a tag (`?tag=`). */
  findByTag: '/api/machines/findbytag',
  /** `POST` one of the machine's actions (`isolate`, `runAntiVirusScan`, …). */
  machineAction: (id: string, action: string): string => `/api/machines/${seg(id)}/${action}`,
  /** `GET` lists machine actions. */
  actions: '/api/machineactions',
  /** `GET` reads one machine action. */
  action: (id: string): string => `/api/machineactions/${seg(id)}`,
  /** `POST` cancels a machine action. */
  cancel: (id: string): string => `/api/machineactions/${seg(id)}/cancel`,
  /** `GET` the investigation package's download link. */
  packageUri: (id: string): string => `/api/machineactions/${seg(id)}/getPackageUri`,
  /** `GET` lists, `POST` submits (or updates) indicators. */
  indicators: '/api/indicators',
  /** `POST` submits up to 500 indicators. */
  importIndicators: '/api/indicators/import',
  /** `DELETE` one indicator. */
  indicator: (id: string): string => `/api/indicators/${seg(id)}`,
} as const;
