/**
 * A bare `node:http` server on 127.0.0.1 that replays fixed bodies: the cheapest server there is,
 * so that what the figures show is the client's cost, not the server's.
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The bodies the server replays, already serialized. */
export interface ReplayBodies {
  /** `GET /api/incidents` (any query). */
  incidentsPage: Buffer;
  /** `GET /api/incidents/{id}` (any id). */
  incident: Buffer;
  /** `POST /api/advancedhunting/run` (any query); built lazily by the caller if absent. */
  hunting?: Buffer;
}

/** A running replay server. */
export interface ReplayServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Requests served, by route. */
  counts: { incidentsPage: number; incident: number; hunting: number; other: number };
  /** Replaces or sets a body (e.g. the hunting result, built on demand). */
  bodies: ReplayBodies;
  /** Stops the server and drops its connections. */
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

/** Starts a replay server on a free loopback port. */
export async function startReplayServer(bodies: ReplayBodies): Promise<ReplayServer> {
  const counts = { incidentsPage: 0, incident: 0, hunting: 0, other: 0 };
  const notFound = Buffer.from(JSON.stringify({ error: { code: 'NotFound', message: 'no such route in the bench server' } }));
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/api/incidents') {
      counts.incidentsPage++;
      return send(res, 200, bodies.incidentsPage);
    }
    if (req.method === 'GET' && path.startsWith('/api/incidents/')) {
      counts.incident++;
      return send(res, 200, bodies.incident);
    }
    if (req.method === 'POST' && path === '/api/advancedhunting/run' && bodies.hunting) {
      counts.hunting++;
      return send(res, 200, bodies.hunting);
    }
    counts.other++;
    return send(res, 404, notFound);
  };
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    // Read the request body before answering, so keep-alive connections stay in step.
    req.resume();
    req.on('end', () => handle(req, res));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep backlog: figure 3 opens 1,000 connections at once.
    server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
