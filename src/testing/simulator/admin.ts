/**
 * The simulator's `/_sim` admin API, for loopback callers only (others get 403):
 * `GET /_sim/state`, `POST /_sim/faults` with `{route, steps}`, `DELETE /_sim/faults`,
 * `POST /_sim/reset`, `POST /_sim/mde/next-actions` with `{outcomes: ['Failed' | 'TimeOut' | 'hang' | 'Succeeded', …]}`
 * (how the next device actions end).
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http.js';
import { normalizeSteps } from './options.js';
import type { TenantFactory } from './tenant-factory.js';
import type { MdeActionOutcome } from '../tenant/mde-api.js';
import type { SimulatorFaultStep, SimulatorState, SimulatorTenant } from './types.js';

/** Whether a socket's remote address is this machine (127.0.0.0/8, ::1, or their IPv4-mapped forms). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const ip = address.replace(/^::ffff:/i, '');
  return ip === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

/** What the admin routes need. */
export interface AdminContext<T extends SimulatorTenant> {
  /** The running simulator's tenant, counters and origin. */
  state: SimulatorState<T>;
  /** Describes the tenant for `GET /_sim/state`. */
  factory: TenantFactory<T>;
  /** Back to a fresh tenant (`POST /_sim/reset`). */
  reset: () => Promise<void>;
}

/** Reads a JSON request body; `undefined` when it is not JSON. */
async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false }> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/** `POST /_sim/faults`: queues fault steps on a route of the tenant. */
async function addFaults<T extends SimulatorTenant>(req: IncomingMessage, res: ServerResponse, tenant: T): Promise<void> {
  const body = await readJson(req);
  if (!body.ok) {
    sendJson(res, 400, { error: { code: 'BadRequest', message: 'POST /_sim/faults needs a JSON body {"route": "GET /api/incidents", "steps": [429, 200]}.' } });
    return;
  }
  const { route, steps } = (body.value ?? {}) as { route?: unknown; steps?: unknown };
  if (typeof route !== 'string' || !Array.isArray(steps) || steps.length === 0) {
    sendJson(res, 400, { error: { code: 'BadRequest', message: 'POST /_sim/faults needs {"route": string, "steps": [status or step object, …]} with at least one step.' } });
    return;
  }
  try {
    tenant.faults.add(route, ...normalizeSteps(steps as SimulatorFaultStep[]));
  } catch (error) {
    sendJson(res, 400, { error: { code: 'BadRequest', message: error instanceof Error ? error.message : String(error) } });
    return;
  }
  sendJson(res, 201, { route, steps });
}

const OUTCOMES = ['Succeeded', 'Failed', 'TimeOut', 'hang'];

/** `POST /_sim/mde/next-actions`: how the next device actions of the built-in tenant end. */
async function nextActions(req: IncomingMessage, res: ServerResponse, tenant: SimulatorTenant): Promise<void> {
  const mde = (tenant as { mde?: { nextActions?: (...outcomes: MdeActionOutcome[]) => void } }).mde;
  if (typeof mde?.nextActions !== 'function') {
    sendJson(res, 404, { error: { code: 'NotFound', message: 'This tenant has no Defender for Endpoint API.' } });
    return;
  }
  const body = await readJson(req);
  const outcomes = body.ok ? (body.value as { outcomes?: unknown } | null)?.outcomes : undefined;
  if (!Array.isArray(outcomes) || outcomes.length === 0 || outcomes.some((o) => !OUTCOMES.includes(o as string))) {
    sendJson(res, 400, { error: { code: 'BadRequest', message: `POST /_sim/mde/next-actions needs {"outcomes": [...]} of ${OUTCOMES.join(', ')}.` } });
    return;
  }
  mde.nextActions(...(outcomes as MdeActionOutcome[]));
  sendJson(res, 201, { outcomes });
}

/** The handler of `/_sim` requests. */
export function createAdminHandler<T extends SimulatorTenant>(context: AdminContext<T>) {
  const { state, factory, reset } = context;
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    if (!isLoopbackAddress(req.socket.remoteAddress)) {
      sendJson(res, 403, { error: { code: 'Forbidden', message: 'The /_sim admin API answers loopback callers only.' } });
      return;
    }
    const route = `${req.method ?? 'GET'} ${pathname}`;
    switch (route) {
      case 'GET /_sim/state':
        sendJson(res, 200, { origin: state.origin, ...state.stats, ...factory.state(state.tenant!) });
        return;
      case 'DELETE /_sim/faults':
        state.tenant!.faults.clear();
        res.writeHead(204).end();
        return;
      case 'POST /_sim/faults':
        await addFaults(req, res, state.tenant!);
        return;
      case 'POST /_sim/mde/next-actions':
        await nextActions(req, res, state.tenant!);
        return;
      case 'POST /_sim/reset':
        await reset();
        res.writeHead(204).end();
        return;
      default:
        sendJson(res, 404, { error: { code: 'NotFound', message: `No admin route ${route}. Known: GET /_sim/state, POST|DELETE /_sim/faults, POST /_sim/reset, POST /_sim/mde/next-actions.` } });
    }
  };
}
