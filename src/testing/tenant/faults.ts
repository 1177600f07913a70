/*
 * Faults on demand: per route, a queue of steps the fake tenant plays instead of (or before) its
 * normal answer — a status sequence, delays, dropped connections, truncated or HTML bodies, expired tokens.
 */
import type { NetworkFault } from '../network-fault.js';

/** A route of the fake tenant, as faults and recorded requests name it. */
export type TenantRoute =
  | 'entra.token'
  | 'entra.discovery'
  | 'defender.listIncidents'
  | 'defender.getIncident'
  | 'defender.updateIncident'
  | 'defender.hunting'
  | 'graph.listIncidents'
  | 'graph.getIncident'
  | 'graph.updateIncident'
  | 'graph.addComment'
  | 'graph.listAlerts'
  | 'graph.getAlert'
  | 'graph.updateAlert'
  | 'graph.addAlertComment'
  | 'graph.hunting'
  | 'graph.other'
  | 'keyvault.getSecret';

/** The service part of a route name. */
export type TenantService = 'entra' | 'defender' | 'graph' | 'keyvault';

/** What a fault applies to: one route, every route of a service (`'graph.*'`), or every route (`'*'`). */
export type FaultRoute = TenantRoute | `${TenantService}.*` | '*';

/**
 * One step of a fault sequence; each matching request consumes one step.
 * - `{status, body?, rawBody?, headers?}`: answer with this instead (JSON `body`, or `rawBody` verbatim);
 * - `{delayMs}`: wait, then answer normally;
 * - `{network}`: break the connection (`reset`, `stall`; `reset-during-body` cuts the normal answer);
 * - `{truncateBodyAt}`: the normal answer, cut after that many bytes (a `reset-during-body` fault);
 * - `{html: true, status}`: an HTML error page, as a proxy or gateway sends it;
 * - `{expiredToken: true}`: treat the request's bearer token as expired (the API's 401).
 */
export type FaultStep =
  | { status: number; body?: unknown; rawBody?: string; headers?: Record<string, string> }
  | { delayMs: number }
  | { network: NetworkFault }
  | { truncateBodyAt: number }
  | { html: true; status: number }
  | { expiredToken: true };

/** The fault steps queued on a fake tenant. */
export class FaultBook {
  readonly #queue: Array<{ route: FaultRoute; step: FaultStep }> = [];

  /**
   * Queues `steps` for requests to `route`, after any already queued. A request consumes the first
   * queued step whose route matches it.
   *
   * @example
   * ```ts
   * tenant.faults.add('defender.listIncidents', { status: 503 }, { status: 503 }); // then normal answers
   * tenant.faults.add('*', { network: { kind: 'reset' } });
   * ```
   */
  add(route: FaultRoute, ...steps: FaultStep[]): void {
    for (const step of steps) {
      checkStep(step);
      this.#queue.push({ route, step });
    }
  }

  /** Drops every queued step. */
  clear(): void {
    this.#queue.length = 0;
  }

  /** How many steps are still queued. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Removes and returns the next step for a request to `route`, if any. */
  take(route: TenantRoute): FaultStep | undefined {
    const index = this.#queue.findIndex((entry) => routeMatches(entry.route, route));
    if (index < 0) return undefined;
    return this.#queue.splice(index, 1)[0]?.step;
  }
}

/** Whether a fault's route pattern covers `route`. */
export function routeMatches(pattern: FaultRoute, route: TenantRoute): boolean {
  if (pattern === '*' || pattern === route) return true;
  return pattern.endsWith('.*') && route.startsWith(pattern.slice(0, -1));
}

function checkStep(step: FaultStep): void {
  const ok =
    typeof step === 'object' &&
    step !== null &&
    (('status' in step && Number.isInteger(step.status) && step.status >= 100 && step.status <= 599) ||
      ('delayMs' in step && Number.isFinite(step.delayMs) && step.delayMs >= 0) ||
      ('network' in step && ['reset', 'stall', 'reset-during-body'].includes(step.network?.kind)) ||
      ('truncateBodyAt' in step && Number.isInteger(step.truncateBodyAt) && step.truncateBodyAt >= 0) ||
      ('expiredToken' in step && step.expiredToken === true));
  if (!ok) throw new TypeError(`faults.add: not a fault step: ${JSON.stringify(step)}`);
}

/** An HTML error page like the ones a gateway in front of the API sends. */
export function htmlErrorPage(status: number): Response {
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  const body =
    `<!DOCTYPE html>\n<html><head><title>${title}</title></head>\n` +
    `<body><h1>${title}</h1><p>The service is temporarily unable to process your request. Please try again later.</p>` +
    `<hr><p>Reference: ${Math.floor(status * 7919).toString(16)}</p></body></html>\n`;
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8' } });
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
