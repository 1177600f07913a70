/**
 * `m365-defender/testing/msw`: the msw adapter of the fake tenant (msw 2 or 3, an optional peer): one request handler that hands every request to the tenant
 * and puts its answer on msw's wire, breaking the "connection" where the tenant marked a network
 * fault (src/testing/network-fault.ts).
 *
 * @packageDocumentation
 * @module m365-defender/testing/msw
 */
import { http, HttpResponse, type HttpHandler } from 'msw';
import { networkFaultOf, type RequestHandlerLike } from './network-fault.js';

/**
 * msw request handlers that serve `tenant` (Entra ID, the Defender API, Graph and Key Vault on the
 * tenant's hosts), ready for `setupServer(...handlers(tenant))`. Requests the tenant does not serve
 * fall through to your other handlers (or to msw's `onUnhandledFrame`, `onUnhandledRequest` on msw 2).
 *
 * Network faults become msw's own: `reset` → `HttpResponse.error()`, `reset-during-body` → the
 * status, headers and first bytes of the body, then a stream error, `stall` → no answer until the
 * request is aborted.
 *
 * @example
 * ```ts
 * const tenant = createFakeTenant({ seed: 1 });
 * const server = setupServer(...handlers(tenant));
 * ```
 */
export function handlers(tenant: RequestHandlerLike): HttpHandler[] {
  return [
    http.all('*', async ({ request }) => {
      const response = await tenant.handle(request);
      if (response === undefined) return undefined;
      return toMswResponse(response, request.signal);
    }),
  ];
}

async function toMswResponse(response: Response, signal: AbortSignal): Promise<Response> {
  const fault = networkFaultOf(response);
  if (!fault) return withContentLength(response);
  switch (fault.kind) {
    case 'reset':
      return HttpResponse.error();
    case 'stall':
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      return HttpResponse.error();
    case 'reset-during-body': {
      const full = new Uint8Array(await response.arrayBuffer());
      const bytes = full.slice(0, Math.max(0, fault.afterBytes));
      let sent = bytes.length === 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (!sent) {
            sent = true;
            controller.enqueue(bytes);
            return;
          }
          // Let the bytes reach the reader before the "connection" breaks.
          await new Promise((resolve) => setTimeout(resolve, 10));
          controller.error(new TypeError('terminated: other side closed'));
        },
      });
      // The length of the whole body: the client sees the connection break before it has all of it
      // (msw 3 puts the response on a socket, where a body without a length would just end early).
      return new HttpResponse(body, { status: response.status, statusText: response.statusText, headers: headersOf(response, full.byteLength) });
    }
  }
}

/**
 * The tenant's answers are small and in memory: send them with their length, as a server would.
 * msw 3 puts a response on an emulated socket, where a body without a length ends with the
 * connection, and closing a connection whose body the client has not read crashes Node's fetch
 * (undici: `assert(!this.paused)`).
 */
async function withContentLength(response: Response): Promise<Response> {
  if (response.body === null || response.headers.has('content-length')) return response;
  const body = new Uint8Array(await response.arrayBuffer());
  return new HttpResponse(body, { status: response.status, statusText: response.statusText, headers: headersOf(response, body.byteLength) });
}

/** A plain record (msw drops the headers of a Headers object copied from another response), with `content-length`. */
function headersOf(response: Response, length: number): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers['content-length'] = String(length);
  return headers;
}
