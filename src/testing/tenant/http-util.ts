/*
 * Small HTTP helpers shared by the fake tenant's services (Defender API, Graph, Entra ID, Key
 * Vault) and the tenant itself: body parsing, URL trimming, OData integer options, canned
 * responses and the per-route queues of injected ones.
 */
import { createHash } from 'node:crypto';
import { withNetworkFault, type NetworkFault } from '../network-fault.js';

/** A canned HTTP answer: JSON `body`, or `rawBody` sent verbatim, with optional headers. */
export interface CannedResponse {
  /** HTTP status. */
  status: number;
  /** A JSON body (serialized); ignored when `rawBody` is given. */
  body?: unknown;
  /** A body sent verbatim. */
  rawBody?: string;
  /** Response headers; `content-type` defaults to JSON when there is a body. */
  headers?: Record<string, string>;
}

/** A response a service queues for a route: a canned answer, a reset connection, or another network fault. */
export type InjectedHttpResponse = CannedResponse | 'network-error' | { fault: NetworkFault };

/** One request a service received. `body` is parsed JSON, else the text, else `undefined`. */
export interface RecordedHttpRequest<R extends string> {
  /** HTTP method, upper case. */
  method: string;
  /** The request URL. */
  url: URL;
  /** The headers as sent (test-only: includes the bearer token). */
  headers: Headers;
  /** The parsed body. */
  body: unknown;
  /** The route it was for. */
  route: R;
  /** When it arrived, epoch ms on the tenant's clock. */
  at: number;
}

/** `url` without trailing slashes. */
export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Whether `value` is a plain JSON object (not `null`, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A request body: parsed JSON, else the text, else `undefined` when empty. */
export function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `decodeURIComponent`, or the value as is when it is not valid percent-encoding. */
export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * An OData `$top`/`$skip` value: `undefined` when absent, else a non-negative integer; otherwise
 * `invalid` turns the service's message into the error to throw.
 */
export function nonNegativeInt(raw: string | null, option: string, invalid: (message: string) => Error): number | undefined {
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw.trim())) {
    throw invalid(`Invalid value '${raw}' for ${option} query option found. The ${option} query option requires a non-negative integer value.`);
  }
  return Number(raw.trim());
}

/** A GUID-shaped id derived from `seed` (stable across runs). */
export function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The response an injected answer stands for. `defaultHeaders` are added unless the answer sets
 * them (Graph's request ids); a body without a `content-type` is sent as JSON.
 */
export function injectedResponse(injected: InjectedHttpResponse, defaultHeaders: Record<string, string> = {}): Response {
  if (injected === 'network-error') return withNetworkFault(new Response(null, { status: 599 }), { kind: 'reset' });
  if ('fault' in injected) return withNetworkFault(new Response(null, { status: 599 }), injected.fault);
  const headers = new Headers(injected.headers);
  for (const [name, value] of Object.entries(defaultHeaders)) if (!headers.has(name)) headers.set(name, value);
  let payload: string | null = null;
  if (injected.rawBody !== undefined) payload = injected.rawBody;
  else if (injected.body !== undefined) payload = JSON.stringify(injected.body);
  if (payload !== null && !headers.has('content-type')) headers.set('content-type', 'application/json; charset=utf-8');
  return new Response(payload, { status: injected.status, headers });
}

/**
 * Responses queued per route, served before a service's normal handling: a route's own queue
 * first, then the `'any'` queue.
 */
export class InjectionQueues<R extends string, T> {
  readonly #queues = new Map<R | 'any', T[]>();

  /** Queues `responses` on `route`, after any already queued. */
  add(route: R | 'any', ...responses: T[]): void {
    const queue = this.#queues.get(route) ?? [];
    queue.push(...responses);
    this.#queues.set(route, queue);
  }

  /** Removes and returns the next response for `route`, if any. */
  take(route: R): T | undefined {
    return this.#queues.get(route)?.shift() ?? this.#queues.get('any')?.shift();
  }
}

/** Reads a request's body once: the text and its {@link parseBody} value. */
export async function readRequestBody(request: Request): Promise<{ text: string; body: unknown }> {
  const text = await request.text();
  return { text, body: parseBody(text) };
}

/** The record of a request a service keeps (test-only: headers include the bearer token). */
export function recordOf<R extends string>(request: Request, body: unknown, route: R, at: number): RecordedHttpRequest<R> {
  return { method: request.method.toUpperCase(), url: new URL(request.url), headers: new Headers(request.headers), body, route, at };
}
