/*
 * Faults on demand: per route, a queue of steps the fake tenant plays instead of (or before) its
 * normal answer — a status sequence, delays, dropped connections, truncated or HTML bodies, expired tokens.
 */
import { describe } from '../../checks.js';
import { InvalidArgumentError } from '../../errors.js';
import type { NetworkFault } from '../network-fault.js';
import { exactly, integer, numberFrom, object, oneOf, recordOf, string, type Check } from '../options.js';

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
  | 'keyvault.getSecret'
  | `mde.${MdeRouteName}`;

/** The Defender for Endpoint routes (`mde.isolate` etc. are all `mde.machineAction`). */
export type MdeRouteName =
  | 'listMachines'
  | 'getMachine'
  | 'findMachines'
  | 'machineAction'
  | 'listActions'
  | 'getAction'
  | 'cancelAction'
  | 'packageUri'
  | 'listIndicators'
  | 'submitIndicator'
  | 'importIndicators'
  | 'deleteIndicator';

/** Every route, for the checks (a `Record` so that the compiler keeps it complete). */
const TENANT_ROUTES = Object.keys({
  'entra.token': true,
  'entra.discovery': true,
  'defender.listIncidents': true,
  'defender.getIncident': true,
  'defender.updateIncident': true,
  'defender.hunting': true,
  'graph.listIncidents': true,
  'graph.getIncident': true,
  'graph.updateIncident': true,
  'graph.addComment': true,
  'graph.listAlerts': true,
  'graph.getAlert': true,
  'graph.updateAlert': true,
  'graph.addAlertComment': true,
  'graph.hunting': true,
  'graph.other': true,
  'keyvault.getSecret': true,
  'mde.listMachines': true,
  'mde.getMachine': true,
  'mde.findMachines': true,
  'mde.machineAction': true,
  'mde.listActions': true,
  'mde.getAction': true,
  'mde.cancelAction': true,
  'mde.packageUri': true,
  'mde.listIndicators': true,
  'mde.submitIndicator': true,
  'mde.importIndicators': true,
  'mde.deleteIndicator': true,
} satisfies Record<TenantRoute, true>) as TenantRoute[];

/** The service part of a route name. */
export type TenantService = 'entra' | 'defender' | 'graph' | 'keyvault' | 'mde';

/** What a fault applies to: one route, every route of a service (`'graph.*'`), or every route (`'*'`). */
export type FaultRoute = TenantRoute | `${TenantService}.*` | '*';

/** The longest `delayMs`: Node's timers hold at most 2^31 − 1 ms (about 24.8 days); a `stall` fault holds longer. */
const MAX_FAULT_DELAY_MS = 2 ** 31 - 1;

/**
 * One step of a fault sequence; each matching request consumes one step.
 * - `{status, body?, rawBody?, headers?}`: answer with this instead (JSON `body`, or `rawBody` verbatim);
 * - `{delayMs}`: wait (0 to 2,147,483,647 ms, Node's longest timer), then answer normally;
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
   * @throws InvalidArgumentError naming the option (`route`, `steps[1].delayMs`, …) for an unknown
   * route or a step that is not one; nothing is queued then.
   *
   * @example
   * ```ts
   * tenant.faults.add('defender.listIncidents', { status: 503 }, { status: 503 }); // then normal answers
   * tenant.faults.add('*', { network: { kind: 'reset' } });
   * ```
   */
  add(route: FaultRoute, ...steps: FaultStep[]): void {
    faultRoute(route, 'route');
    steps.forEach((step, i) => faultStep(step, `steps[${i}]`));
    for (const step of steps) this.#queue.push({ route, step });
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

/** A fault route: a route of the tenant, a whole service (`graph.*`), or `*`. */
export const faultRoute: Check = (value, path) => {
  const services = [...new Set(TENANT_ROUTES.map((route) => route.split('.')[0]))];
  const known = typeof value === 'string' && (value === '*' || (TENANT_ROUTES as readonly string[]).includes(value) || services.some((service) => value === `${service}.*`));
  if (!known) {
    throw new InvalidArgumentError(path, `${path} must be a route of the tenant (${TENANT_ROUTES.join(', ')}), a service's routes (${services.map((service) => `${service}.*`).join(', ')}) or *; got ${describe(value)}.`);
  }
};

const status = integer(100, 599);

/** A JSON body: anything `JSON.stringify` can write. */
const jsonBody: Check = (value, path) => {
  let ok: boolean;
  try {
    ok = JSON.stringify(value) !== undefined;
  } catch {
    ok = false;
  }
  if (!ok) throw new InvalidArgumentError(path, `${path} must be a value JSON can write (use rawBody for text); got ${describe(value)}.`);
};

/** Response headers: names and values `Headers` takes. */
const headers: Check = (value, path) => {
  recordOf(string)(value, path);
  try {
    new Headers(value as Record<string, string>);
  } catch {
    throw new InvalidArgumentError(path, `${path} must be valid HTTP header names and values (no CR, LF or NUL).`);
  }
};

const networkFault = object({ kind: oneOf('"reset", "stall" or "reset-during-body"', exactly('reset'), exactly('stall'), exactly('reset-during-body')), afterBytes: integer(0) }, ['kind']);

/** Each kind of step, by the key that marks it (in the order they are told apart), with its shape. */
const STEP_KINDS: ReadonlyArray<readonly [key: string, check: Check]> = [
  ['html', object({ html: exactly(true), status }, ['html', 'status'])],
  ['expiredToken', object({ expiredToken: exactly(true) }, ['expiredToken'])],
  [
    'network',
    (value, path) => {
      object({ network: networkFault }, ['network'])(value, path);
      const { kind, afterBytes } = (value as { network: { kind: string; afterBytes?: unknown } }).network;
      if ((kind === 'reset-during-body') !== (afterBytes !== undefined)) {
        throw new InvalidArgumentError(`${path}.network.afterBytes`, `${path}.network.afterBytes goes with kind "reset-during-body", and only with it.`);
      }
    },
  ],
  ['truncateBodyAt', object({ truncateBodyAt: integer(0) }, ['truncateBodyAt'])],
  ['delayMs', object({ delayMs: numberFrom(0, MAX_FAULT_DELAY_MS, 'ms') }, ['delayMs'])],
  [
    'status',
    (value, path) => {
      object({ status, body: jsonBody, rawBody: string, headers }, ['status'])(value, path);
      const { body, rawBody } = value as { body?: unknown; rawBody?: unknown };
      if (body !== undefined && rawBody !== undefined) throw new InvalidArgumentError(`${path}.rawBody`, `${path}.rawBody goes without body: a step answers with body (JSON) or rawBody (text), not both.`);
    },
  ],
];

/** One fault step (see {@link FaultStep}): exactly one kind, with that kind's keys only. */
export const faultStep: Check = (value, path) => {
  const kinds = typeof value === 'object' && value !== null && !Array.isArray(value) ? STEP_KINDS.filter(([key]) => key in value) : [];
  // html goes with a status: the two mark one kind.
  const marked = kinds.length === 2 && kinds[0]![0] === 'html' && kinds[1]![0] === 'status' ? [kinds[0]!] : kinds;
  if (marked.length !== 1) {
    const found = marked.length > 1 ? ` with ${marked.map(([key]) => key).join(' and ')} together` : '';
    throw new InvalidArgumentError(
      path,
      `${path} must be one fault step: {status, body?, rawBody?, headers?}, {delayMs}, {network: {kind}}, {truncateBodyAt}, {html: true, status} or {expiredToken: true}; got ${describe(value)}${found}.`,
    );
  }
  marked[0]![1](value, path);
};

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
