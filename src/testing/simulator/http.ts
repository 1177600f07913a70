/**
 * The simulator's request handler: a node request turned into a web `Request` for the tenant,
 * the tenant's `Response` written back (streamed, with network faults), counters and the
 * `onRequest` log; `/_sim` requests go to the admin routes.
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { networkFaultOf, type NetworkFault } from '../network-fault.js';
import type { SimulatorOptions, SimulatorState, SimulatorTenant } from './types.js';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

// Route keys for the counters: ids and names become placeholders so that counts add up per operation.
function routeKey(method: string, pathname: string): string {
  const path = pathname
    .replace(/^\/[^/]+\/(oauth2\/(?:v2\.0\/)?token)$/, '/{tenant}/$1')
    .replace(/^\/[^/]+\/((?:v2\.0\/)?\.well-known\/openid-configuration)$/, '/{tenant}/$1')
    .replace(/^\/[^/]+\/(discovery\/(?:v2\.0\/)?keys)$/, '/{tenant}/$1')
    .replace(/^(\/api\/incidents)\/[^/]+$/, '$1/{id}')
    .replace(/^(\/v1\.0\/security\/(?:incidents|alerts_v2))\/[^/]+$/, '$1/{id}')
    .replace(/^(\/secrets)\/[^/]+(?:\/[^/]*)?$/, '$1/{name}');
  return `${method} ${path}`;
}

async function toWebRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (method !== 'GET' && method !== 'HEAD') {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    init.body = Buffer.concat(chunks);
  }
  return new Request(new URL(req.url ?? '/', origin), init);
}

/** Sends a JSON body with its length. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function writeHead(res: ServerResponse, response: Response): void {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, response.statusText || undefined, headers);
}

/** Writes a web Response to a node response, streaming the body and honouring a network fault. */
async function writeResponse(req: IncomingMessage, res: ServerResponse, response: Response, fault: NetworkFault | undefined): Promise<void> {
  if (fault?.kind === 'reset') {
    req.socket.destroy();
    return;
  }
  if (fault?.kind === 'stall') {
    // Nothing is sent; the client times out, or close() ends the socket.
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  writeHead(res, response);
  if (response.body === null || req.method === 'HEAD') {
    res.end();
    return;
  }
  let budget = fault?.kind === 'reset-during-body' ? Math.max(0, fault.afterBytes) : Number.POSITIVE_INFINITY;
  if (budget === 0) res.flushHeaders();
  const reader = response.body.getReader();
  try {
    while (budget > 0) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = value.byteLength > budget ? value.subarray(0, budget) : value;
      budget -= chunk.byteLength;
      if (!res.write(chunk)) await drainOrClose(res);
      if (res.destroyed) return;
    }
  } finally {
    if (budget <= 0) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  if (fault?.kind === 'reset-during-body') {
    // Let the headers and the first bytes leave, then break the connection mid-body.
    await new Promise<void>((resolve) => res.write('', () => resolve()));
    req.socket.destroy();
    return;
  }
  res.end();
}

/** Waits for `drain` or `close`, whichever comes first, removing both listeners after. */
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** What the request handler needs. */
export interface RequestHandlerContext<T extends SimulatorTenant> {
  /** The running simulator's tenant, counters and origin. */
  state: SimulatorState<T>;
  /** Answers a `/_sim` request. */
  admin: (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void>;
  /** The caller's request log. */
  onRequest: SimulatorOptions<T>['onRequest'];
}

/** The handler of every request the simulator's server receives. */
export function createRequestHandler<T extends SimulatorTenant>(context: RequestHandlerContext<T>) {
  const { state, admin, onRequest } = context;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', state.origin);
    if (url.pathname === '/_sim' || url.pathname.startsWith('/_sim/')) {
      await admin(req, res, url.pathname);
      return;
    }
    const key = routeKey(req.method ?? 'GET', url.pathname);
    state.stats.requestsByRoute[key] = (state.stats.requestsByRoute[key] ?? 0) + 1;
    if (/\/oauth2\/(?:v2\.0\/)?token$/.test(url.pathname)) state.stats.tokenRequests++;
    const started = performance.now();
    const aborter = new AbortController();
    res.once('close', () => aborter.abort());
    const request = await toWebRequest(req, state.origin, aborter.signal);
    const response = await state.tenant!.handle(request);
    if (res.destroyed) return;
    const fault = response === undefined ? undefined : networkFaultOf(response);
    onRequest?.({
      method: req.method ?? 'GET',
      path: url.pathname,
      status: fault?.kind === 'reset' || fault?.kind === 'stall' ? fault.kind : (response?.status ?? 404),
      ms: Math.round(performance.now() - started),
    });
    if (response === undefined) {
      sendJson(res, 404, { error: { code: 'NotFound', message: `The simulator serves no ${req.method} ${url.pathname}.` } });
      return;
    }
    await writeResponse(req, res, response, fault);
  };
  // A failure inside the handler answers 500 (or drops a response already under way).
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      sendJson(res, 500, { error: { code: 'SimulatorError', message: `The simulator failed: ${error instanceof Error ? error.message : String(error)}` } });
    });
  };
}
