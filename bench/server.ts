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
  /** When set, `GET /api/incidents` answers page `$skip ÷ 100` of these (an empty page past the end). */
  legacyPages?: Buffer[];
  /** `GET /v1.0/security/incidents`: page `$skiptoken` (0 without one) of these. */
  graphPages?: Buffer[];
  /** `POST /v1.0/security/runHuntingQuery` (any query). */
  graphHunting?: Buffer;
}

/** A running replay server. */
export interface ReplayServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Requests served, by route. */
  counts: { incidentsPage: number; incident: number; hunting: number; graphPage: number; graphHunting: number; other: number };
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
  const counts = { incidentsPage: 0, incident: 0, hunting: 0, graphPage: 0, graphHunting: 0, other: 0 };
  const emptyPage = Buffer.from(JSON.stringify({ '@odata.context': 'https://api.security.microsoft.com/api/$metadata#Incidents', value: [] }));
  const notFound = Buffer.from(JSON.stringify({ error: { code: 'NotFound', message: 'no such route in the bench server' } }));
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const [path = '/', search = ''] = (req.url ?? '/').split('?');
    if (req.method === 'GET' && path === '/api/incidents') {
      counts.incidentsPage++;
      if (!bodies.legacyPages) return send(res, 200, bodies.incidentsPage);
      const skip = Number(new URLSearchParams(search).get('$skip') ?? 0);
      return send(res, 200, bodies.legacyPages[Math.floor(skip / 100)] ?? emptyPage);
    }
    if (req.method === 'GET' && path === '/v1.0/security/incidents' && bodies.graphPages) {
      counts.graphPage++;
      const page = bodies.graphPages[Number(new URLSearchParams(search).get('$skiptoken') ?? 0)];
      if (page) return send(res, 200, page);
    }
    if (req.method === 'POST' && path === '/v1.0/security/runHuntingQuery' && bodies.graphHunting) {
      counts.graphHunting++;
      return send(res, 200, bodies.graphHunting);
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
