/**
 * The HTTPS adapter itself, with a small stand-in tenant: the node:http ↔ web Request/Response
 * bridge, network faults, the /_sim admin API, the CA, and a prompt close().
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { createServer as createNetServer, connect as netConnect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { format, inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, type TokenCredential } from '../../src/index.js';
import { withNetworkFault, type NetworkFault } from '../../src/testing/network-fault.js';
import { isLoopbackAddress, startSimulator, type Simulator, type SimulatorTenant } from '../../src/testing/server.js';
import { rejection } from '../support/throws.js';
import { envClient } from './support.js';

const CA_DIR = process.env.M365D_E2E_CA_DIR!;
/** The simulator's HTTPS server drops an idle keep-alive connection after this long (src/testing). */
const SERVER_KEEP_ALIVE_TIMEOUT_MS = 5_000;

class StubTenant implements SimulatorTenant {
  seen: { method: string; url: string; body: string; headers: Headers }[] = [];
  queued: { route: string; steps: Record<string, unknown>[] }[] = [];
  nextFault: NetworkFault | undefined;
  constructor(readonly generation: number) {}
  faults = {
    add: (route: string, ...steps: Record<string, unknown>[]) => {
      if (!route.startsWith('GET ') && !route.startsWith('POST ')) throw new Error(`unknown route "${route}"`);
      this.queued.push({ route, steps });
    },
    clear: () => {
      this.queued = [];
    },
  };
  async handle(request: Request): Promise<Response | undefined> {
    const url = new URL(request.url);
    this.seen.push({ method: request.method, url: request.url, body: await request.text(), headers: request.headers });
    if (url.pathname === '/echo') {
      return Response.json({ method: request.method, path: url.pathname, query: url.search, generation: this.generation }, { headers: { 'x-stub': 'yes' } });
    }
    if (url.pathname === '/big') {
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ === 16) controller.close();
          else controller.enqueue(new TextEncoder().encode(chunk));
        },
      });
      const response = new Response(body, { status: 200, headers: { 'content-type': 'text/plain' } });
      return this.nextFault ? withNetworkFault(response, this.nextFault) : response;
    }
    return undefined;
  }
}

let sim: Simulator<StubTenant> | undefined;
let generations = 0;

async function start(host?: string): Promise<Simulator<StubTenant>> {
  sim = await startSimulator<StubTenant>({
    caDir: CA_DIR,
    ...(host ? { host } : {}),
    faults: [{ route: 'GET /api/incidents', steps: [429] }],  // a bare status is {status}
    createTenant: () => new StubTenant(++generations),
    app: () => ({ tenantId: 'tenant-id', clientId: 'client-id', clientSecret: 'stub-secret' }),
    tenantState: (tenant) => ({ queuedFaults: tenant.queued.length }),
  });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Raw HTTPS GET that reports how many body bytes arrived before the connection ended. */
function rawGet(url: string, ca: string, options: { localAddress?: string; servername?: string; agent?: HttpsAgent } = {}) {
  return new Promise<{ status?: number; bytes: number; error?: string; body: string }>((resolve) => {
    let bytes = 0;
    let status: number | undefined;
    let body = '';
    const req = httpsRequest(url, { ca, agent: false, ...options }, (res) => {
      status = res.statusCode;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (body.length < 4096) body += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status, bytes, body }));
      res.on('error', (error) => resolve({ status, bytes, body, error: (error as NodeJS.ErrnoException).code ?? error.message }));
    });
    req.on('error', (error) => resolve({ status, bytes, body, error: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end();
  });
}

describe('startSimulator (HTTPS adapter)', () => {
  it('serves the tenant over TLS with a certificate for 127.0.0.1 signed by the shared CA', async () => {
    const s = await start();
    expect(s.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // fetch trusts it through NODE_EXTRA_CA_CERTS, set by the e2e global setup.
    const response = await fetch(`${s.origin}/echo?a=1`, { method: 'POST', body: 'hello', headers: { 'x-test': 'one' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-stub')).toBe('yes');
    expect(await response.json()).toEqual({ method: 'POST', path: '/echo', query: '?a=1', generation: generations });
    const seen = s.tenant.seen[0]!;
    expect(seen.body).toBe('hello');
    expect(seen.headers.get('x-test')).toBe('one');
    expect(seen.url).toBe(`${s.origin}/echo?a=1`);

    expect(s.caPem).toBe(await readFile(`${CA_DIR}/ca.pem`, 'utf8'));
    expect(s.caPath).toBe(`${CA_DIR}/ca.pem`);
    expect(new X509Certificate(s.caPem).ca).toBe(true);
    expect(s.env).toEqual({
      NODE_EXTRA_CA_CERTS: s.caPath,
      AZURE_TENANT_ID: 'tenant-id',
      AZURE_CLIENT_ID: 'client-id',
      AZURE_CLIENT_SECRET: 'stub-secret',
      AZURE_AUTHORITY_HOST: s.origin,
      DEFENDER_API_BASE_URL: s.origin,
      DEFENDER_GRAPH_BASE_URL: s.origin,
    });
  });

  it('writes a generated CA to a temporary file and removes it on close', async () => {
    const s = await startSimulator<StubTenant>({ createTenant: () => new StubTenant(0), app: () => ({ tenantId: 't', clientId: 'c', clientSecret: 's' }) });
    sim = s;
    expect(await readFile(s.caPath, 'utf8')).toBe(s.caPem);
    expect(s.caPem).not.toBe(await readFile(`${CA_DIR}/ca.pem`, 'utf8'));
    const direct = await rawGet(`${s.origin}/echo`, s.caPem);
    expect(direct.status).toBe(200);
    await s.close();
    await expect(readFile(s.caPath, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('answers a route the tenant does not serve with a 404 JSON body', async () => {
    const s = await start();
    const response = await fetch(`${s.origin}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'NotFound', message: 'The simulator serves no GET /nope.' } });
  });

  it('streams a large body', async () => {
    const s = await start();
    const text = await (await fetch(`${s.origin}/big`)).text();
    expect(text.length).toBe(16 * 64 * 1024);
  });

  it('resets the connection before the headers for a "reset" fault', async () => {
    const s = await start();
    s.tenant.nextFault = { kind: 'reset' };
    const result = await rawGet(`${s.origin}/big`, s.caPem);
    expect(result.status).toBeUndefined();
    expect(result.error).toBe('ECONNRESET');
    await expect(fetch(`${s.origin}/big`)).rejects.toThrow(TypeError);
  });

  it('sends the headers and exactly the first n body bytes for a "reset-during-body" fault', async () => {
    const s = await start();
    s.tenant.nextFault = { kind: 'reset-during-body', afterBytes: 100_000 };
    const result = await rawGet(`${s.origin}/big`, s.caPem);
    expect(result.status).toBe(200);
    expect(result.bytes).toBe(100_000);
    expect(result.error).toBeDefined();
  });

  it('sends nothing for a "stall" fault until the client gives up, and close() still returns promptly', async () => {
    const s = await start();
    s.tenant.nextFault = { kind: 'stall' };
    // The stall never ends: only the client's 300 ms timer can end the request.
    await expect(fetch(`${s.origin}/big`, { signal: AbortSignal.timeout(300) })).rejects.toThrow(/timeout|aborted/i);
    // A second stalled request, open (the tenant has it) while closing: close() must end it, since
    // nothing else ever will (a close() that waited for it would never return: the hang guard).
    const pending = rawGet(`${s.origin}/big`, s.caPem);
    await expect.poll(() => s.tenant.seen.length, { timeout: 20_000 }).toBe(2);
    await s.close();
    expect((await pending).status).toBeUndefined();
  });

  it('closes promptly with idle keep-alive connections open', async () => {
    const s = await start();
    // A client that keeps its idle connections open for ever (fetch would drop them after 4 s):
    // only the server ends them, at once in close(), or else after its keep-alive timeout.
    const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) expect((await rawGet(`${s.origin}/echo`, s.caPem, { agent })).status).toBe(200);
      await expect.poll(() => Object.values(agent.freeSockets).flat().length, { timeout: 20_000 }).toBe(1);
      const closing = Date.now();
      await s.close();
      // The one bound is the other mechanism's time: the server's keepAliveTimeout (5 s, src/testing).
      expect(Date.now() - closing).toBeLessThan(SERVER_KEEP_ALIVE_TIMEOUT_MS);
      await expect(fetch(`${s.origin}/echo`)).rejects.toThrow(TypeError);
    } finally {
      agent.destroy();
    }
  });
});

describe('the /_sim admin API', () => {
  it('reports request counts and tenant state', async () => {
    const s = await start();
    await (await fetch(`${s.origin}/echo`)).text();
    await (await fetch(`${s.origin}/echo`)).text();
    await (await fetch(`${s.origin}/nope`)).text();
    const state = await (await fetch(`${s.origin}/_sim/state`)).json();
    expect(state).toEqual({
      origin: s.origin,
      requestsByRoute: { 'GET /echo': 2, 'GET /nope': 1 },
      tokenRequests: 0,
      queuedFaults: 1,
    });
  });

  it('adds faults with POST, clears them with DELETE, and refuses a malformed fault', async () => {
    const s = await start();
    const added = await fetch(`${s.origin}/_sim/faults`, { method: 'POST', body: JSON.stringify({ route: 'GET /api/incidents', steps: [503, { delayMs: 5 }] }) });
    expect(added.status).toBe(201);
    expect(s.tenant.queued).toEqual([
      { route: 'GET /api/incidents', steps: [{ status: 429 }] },
      { route: 'GET /api/incidents', steps: [{ status: 503 }, { delayMs: 5 }] },
    ]);
    const refused = await fetch(`${s.origin}/_sim/faults`, { method: 'POST', body: JSON.stringify({ route: 'PUT /x', steps: [500] }) });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: { code: 'BadRequest', message: 'unknown route "PUT /x"' } });
    const malformed = await fetch(`${s.origin}/_sim/faults`, { method: 'POST', body: '{"route":' });
    expect(malformed.status).toBe(400);
    expect((await fetch(`${s.origin}/_sim/faults`, { method: 'DELETE' })).status).toBe(204);
    expect(s.tenant.queued).toEqual([]);
  });

  it('resets to a fresh tenant with the start-up faults and zeroed counters', async () => {
    const s = await start();
    const first = s.tenant;
    await (await fetch(`${s.origin}/echo`)).text();
    expect((await fetch(`${s.origin}/_sim/reset`, { method: 'POST' })).status).toBe(204);
    expect(s.tenant).not.toBe(first);
    expect(s.tenant.queued).toEqual([{ route: 'GET /api/incidents', steps: [{ status: 429 }] }]);
    expect(s.stats()).toEqual({ requestsByRoute: {}, tokenRequests: 0 });
  });

  it('refuses a fault step the built-in tenant cannot play with a 400 naming the option, and queues nothing', async () => {
    const s = await startSimulator({ caDir: CA_DIR, incidents: 1, huntingRows: 0 });
    try {
      const post = (body: unknown) => fetch(`${s.origin}/_sim/faults`, { method: 'POST', body: JSON.stringify(body) });
      const refused = await post({ route: 'defender.listIncidents', steps: [503, { delayMs: 1e300 }] });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({
        error: { code: 'BadRequest', message: 'steps[1].delayMs must be a number from 0 to 2,147,483,647 ms; got number 1e+300.' },
      });
      expect((await post({ route: 'defender.listIncident', steps: [503] })).status).toBe(400);
      expect(((await (await fetch(`${s.origin}/_sim/state`)).json()) as { faultsPending: number }).faultsPending).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('answers an unknown admin route with a 404 listing the known ones', async () => {
    const s = await start();
    const response = await fetch(`${s.origin}/_sim/nothing`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('GET /_sim/state');
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((nic) => nic && nic.family === 'IPv4' && !nic.internal);

  it('tells loopback callers (admitted to /_sim) from every other address', () => {
    for (const address of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of ['10.0.0.5', '192.168.1.2', '::ffff:192.168.1.2', '0.0.0.0', 'fe80::1', '', undefined]) {
      expect(isLoopbackAddress(address), String(address)).toBe(false);
    }
  });

  // Needs a second address on this machine to call from; a network-less sandbox has none (the
  // check above still covers the rule there).
  it.skipIf(external === undefined)('refuses callers that are not on this machine with 403', async () => {
    const s = await start('0.0.0.0');
    const url = `https://${external!.address}:${s.port}`;
    const admin = await rawGet(`${url}/_sim/state`, s.caPem);
    expect(admin.status).toBe(403);
    expect(JSON.parse(admin.body)).toEqual({ error: { code: 'Forbidden', message: 'The /_sim admin API answers loopback callers only.' } });
    // The same caller reaches the tenant, and a loopback caller reaches the admin API.
    expect((await rawGet(`${url}/echo`, s.caPem)).status).toBe(200);
    expect((await rawGet(`${s.origin}/_sim/state`, s.caPem)).status).toBe(200);
  });
});

describe('printing a simulator', () => {
  it('redacts the client secret in console.log, util.inspect and JSON.stringify, while sim.env holds it', async () => {
    const s = await start();
    expect(s.env.AZURE_CLIENT_SECRET).toBe('stub-secret');
    for (const printed of [format(s), inspect(s, { depth: 10 }), JSON.stringify(s), JSON.stringify({ s })]) {
      expect(printed).not.toContain('stub-secret');
      expect(printed).toContain('[redacted]');
      expect(printed).toContain(s.origin);
      expect(printed).toContain('client-id');
    }
    expect(JSON.parse(JSON.stringify(s))).toEqual({ origin: s.origin, port: s.port, caPath: s.caPath, env: { ...s.env, AZURE_CLIENT_SECRET: '[redacted]' } });
    expect(format(s)).toMatch(/^Simulator \{/);
  });

  it('redacts the built-in tenant\'s app secret everywhere it would show', async () => {
    const s = await startSimulator({ caDir: CA_DIR, seed: 9, incidents: 1, huntingRows: 0, certificateApp: true });
    try {
      const secret = s.env.AZURE_CLIENT_SECRET!;
      expect(secret).toBe(s.tenant.credential().clientSecret);
      for (const printed of [format(s), inspect(s, { depth: 10 }), JSON.stringify(s), format(s.tenant.apps), JSON.stringify(s.tenant.apps)]) {
        expect(printed).not.toContain(secret);
      }
      expect(format(s)).toContain('FakeTenant {');
      expect(JSON.parse(JSON.stringify(s)).certificateApp.env).toEqual(s.certificateApp!.env);
    } finally {
      await s.close();
    }
  });
});

/** The certificate a TLS server presents, checked against `ca`. */
function peerCertificate(origin: string, ca: string, servername = 'localhost'): Promise<PeerCertificate> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: hostname, port: Number(port), ca, servername }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
}

type Forge = typeof import('node-forge');
const loadForge = async (): Promise<Forge> => ((m) => ((m as { default?: Forge }).default ?? m) as Forge)(await import('node-forge'));

/**
 * A 2048-bit RSA key pair as forge keys, generated by node:crypto (fast, unlike forge's own). Not
 * smaller: OpenSSL 3.5 (Node 24+) refuses a 1024-bit key in a TLS server (`ee key too small`).
 */
function rsaKeys(forge: Forge) {
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const privateKey = forge.pki.privateKeyFromPem(pem) as ReturnType<Forge['pki']['rsa']['setPrivateKey']>;
  return { privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e) };
}

/** A name in a CA's name constraints: a DNS name, or an IP address with its mask. */
type ConstraintName = { dns: string } | { ip: number[]; mask: number[] };
const LOOPBACK_NAMES: ConstraintName[] = [
  { dns: 'localhost' },
  { ip: [127, 0, 0, 0], mask: [255, 0, 0, 0] },
  { ip: [...new Array<number>(15).fill(0), 1], mask: new Array<number>(16).fill(255) },
];

/**
 * A self-signed CA made here, not by the kit: valid `days` more days (default 300; negative:
 * expired that long ago), with the kit's subject unless `commonName` is given, and the given
 * critical name constraints (`permitted`), or none.
 */
async function plantedCa(options: { days?: number; commonName?: string; permitted?: ConstraintName[] } = {}): Promise<{ certPem: string; keyPem: string }> {
  const { days = 300, commonName = 'm365-defender simulator local CA', permitted } = options;
  const forge = await loadForge();
  const { asn1 } = forge;
  const keys = rsaKeys(forge);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01ab';
  cert.validity.notAfter = new Date(Date.now() + days * DAY);
  cert.validity.notBefore = new Date(Math.min(Date.now(), cert.validity.notAfter.getTime()) - DAY);
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'm365-defender simulator' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const bytes = (list: number[]) => String.fromCharCode(...list);
  const general = (name: ConstraintName) =>
    'dns' in name ? asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, name.dns) : asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, bytes([...name.ip, ...name.mask]));
  const constraints = permitted && {
    id: '2.5.29.30',
    critical: true,
    value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, permitted.map((name) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [general(name)]))),
    ]),
  };
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, critical: true },
    ...(constraints ? [constraints] : []),
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

const DAY = 24 * 3600_000;
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

/** A TCP port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('the simulator CA', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'm365d-ca-test-'));
    dirs.push(dir);
    return dir;
  }
  const stubOptions = { createTenant: () => new StubTenant(0), app: () => ({ tenantId: 't', clientId: 'c', clientSecret: 's' }) };

  it('is valid for a year, its server certificate for 30 days at most, and its key file is private', async () => {
    const s = await start();
    const ca = new X509Certificate(s.caPem);
    const caDays = (Date.parse(ca.validTo) - Date.now()) / DAY;
    expect(caDays).toBeGreaterThan(300);
    expect(caDays).toBeLessThanOrEqual(366);
    const leaf = await peerCertificate(s.origin, s.caPem);
    const leafDays = (Date.parse(leaf.valid_to) - Date.now()) / DAY;
    expect(leafDays).toBeGreaterThan(0);
    expect(leafDays).toBeLessThanOrEqual(30);
    if (process.platform !== 'win32') expect(await modeOf(join(CA_DIR, 'ca-key.pem'))).toBe(0o600);
  });

  it('keeps its own CA in caDir (the same certificate on the next start) and makes its readable key file private again', async () => {
    const dir = await tempDir();
    const first = await startSimulator<StubTenant>({ caDir: dir, ...stubOptions });
    await first.close();
    await chmod(join(dir, 'ca-key.pem'), 0o644);
    const s = await startSimulator<StubTenant>({ caDir: dir, ...stubOptions });
    sim = s;
    expect(fingerprintOf(s.caPem)).toBe(fingerprintOf(first.caPem));
    expect(s.caPem).toBe(await readFile(join(dir, 'ca.pem'), 'utf8'));
    if (process.platform !== 'win32') expect(await modeOf(join(dir, 'ca-key.pem'))).toBe(0o600);
    expect((await rawGet(`${s.origin}/echo`, s.caPem)).status).toBe(200);
  });

  it.each([
    ['has expired', 400],
    ['expires within a week', 360],
  ])('renews its own CA that %s, with a private key file', async (_case, daysAgo) => {
    const dir = await tempDir();
    // The kit's own CA, made `daysAgo` days ago: the simulator started then, with the clock of then.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - daysAgo * DAY);
    const old = await startSimulator<StubTenant>({ caDir: dir, ...stubOptions });
    await old.close();
    vi.useRealTimers();
    await chmod(join(dir, 'ca-key.pem'), 0o644);

    const s = await startSimulator<StubTenant>({ caDir: dir, ...stubOptions });
    sim = s;
    expect(fingerprintOf(s.caPem)).not.toBe(fingerprintOf(old.caPem));
    expect(await readFile(join(dir, 'ca.pem'), 'utf8')).toBe(s.caPem);
    const renewed = new X509Certificate(s.caPem);
    // Made now, `daysAgo` days after the old one, for a year.
    expect(Date.parse(renewed.validFrom) - Date.parse(new X509Certificate(old.caPem).validFrom)).toBeGreaterThan((daysAgo - 1) * DAY);
    expect((Date.parse(renewed.validTo) - Date.parse(renewed.validFrom)) / DAY).toBeGreaterThan(360);
    if (process.platform !== 'win32') expect(await modeOf(join(dir, 'ca-key.pem'))).toBe(0o600);
    expect((await rawGet(`${s.origin}/echo`, s.caPem)).status).toBe(200);
  });

  it.each([
    ['is valid for ten years', { days: 3650, permitted: LOOPBACK_NAMES }],
    ['names an address this machine does not have', { permitted: [...LOOPBACK_NAMES, { ip: [203, 0, 113, 77], mask: [255, 255, 255, 255] }] }],
  ])('renews a CA of the kit\'s shape that %s', async (_case, spec) => {
    const dir = await tempDir();
    const planted = await plantedCa(spec);
    await writeFile(join(dir, 'ca.pem'), planted.certPem);
    await writeFile(join(dir, 'ca-key.pem'), planted.keyPem, { mode: 0o600 });
    const s = await startSimulator<StubTenant>({ caDir: dir, ...stubOptions });
    sim = s;
    expect(fingerprintOf(s.caPem)).not.toBe(fingerprintOf(planted.certPem));
    expect(await readFile(join(dir, 'ca.pem'), 'utf8')).toBe(s.caPem);
    expect((await rawGet(`${s.origin}/echo`, s.caPem)).status).toBe(200);
  });

  /**
   * Plants `files` in a fresh caDir and starts a simulator on a free port there: it must refuse with
   * an InvalidArgumentError naming caDir, start nothing, and leave the files as they were.
   */
  async function refusal(files: { cert?: string; key?: string }): Promise<{ dir: string; message: string }> {
    const dir = await tempDir();
    if (files.cert !== undefined) await writeFile(join(dir, 'ca.pem'), files.cert);
    if (files.key !== undefined) await writeFile(join(dir, 'ca-key.pem'), files.key, { mode: 0o600 });
    const port = await freePort();
    let tenants = 0;
    const error = await rejection(
      startSimulator<StubTenant>({ caDir: dir, port, ...stubOptions, createTenant: () => new StubTenant(++tenants) }),
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe('caDir');
    expect(tenants).toBe(0);
    expect(await isListening(port)).toBe(false);
    expect((await readdir(dir)).sort()).toEqual([...(files.key !== undefined ? ['ca-key.pem'] : []), ...(files.cert !== undefined ? ['ca.pem'] : [])]);
    if (files.cert !== undefined) expect(await readFile(join(dir, 'ca.pem'), 'utf8')).toBe(files.cert);
    if (files.key !== undefined) expect(await readFile(join(dir, 'ca-key.pem'), 'utf8')).toBe(files.key);
    const message = (error as Error).message;
    expect(message).toContain(`Delete ${join(dir, 'ca.pem')} and ${join(dir, 'ca-key.pem')}`);
    if (files.key !== undefined) expect(message).not.toContain(files.key.trim().split('\n')[1]);
    return { dir, message };
  }

  it('refuses a CA without name constraints (an older kit made such), saying whoever reads its key could impersonate any host', async () => {
    const planted = await plantedCa({ days: 3650 });
    const { dir, message } = await refusal({ cert: planted.certPem, key: planted.keyPem });
    expect(message).toContain(`${join(dir, 'ca.pem')} has no name constraints, so whoever reads ${join(dir, 'ca-key.pem')} can impersonate any host`);
    expect(message).toContain('remove it there too');
  });

  it('refuses a CA whose name constraints permit names beyond this machine', async () => {
    const wide = await plantedCa({ permitted: [...LOOPBACK_NAMES, { dns: 'login.microsoftonline.com' }, { ip: [10, 0, 0, 0], mask: [255, 0, 0, 0] }] });
    const { dir, message } = await refusal({ cert: wide.certPem, key: wide.keyPem });
    expect(message).toContain(`${join(dir, 'ca.pem')} permits DNS:login.microsoftonline.com, IP:10.0.0.0/8, beyond this machine's names`);
  });

  it('refuses a key that is not the certificate\'s', async () => {
    const kit = await plantedCa({ permitted: LOOPBACK_NAMES });
    const other = await plantedCa({ permitted: LOOPBACK_NAMES });
    const { dir, message } = await refusal({ cert: kit.certPem, key: other.keyPem });
    expect(message).toContain(`${join(dir, 'ca-key.pem')} is not the private key of ${join(dir, 'ca.pem')}`);
  });

  it('refuses an expired CA that is not the kit\'s, and leaves it there', async () => {
    const expired = await plantedCa({ days: -1, commonName: 'corporate root', permitted: LOOPBACK_NAMES });
    const { dir, message } = await refusal({ cert: expired.certPem, key: expired.keyPem });
    expect(message).toContain(`${join(dir, 'ca.pem')} is not the simulator's CA: its subject is "CN=corporate root, O=m365-defender simulator"`);
  });

  it('refuses files that are not a certificate and a key', async () => {
    const kit = await plantedCa({ permitted: LOOPBACK_NAMES });
    const garbageCert = await refusal({ cert: 'garbage\n', key: kit.keyPem });
    expect(garbageCert.message).toContain(`${join(garbageCert.dir, 'ca.pem')} is not a PEM certificate`);
    const garbageKey = await refusal({ cert: kit.certPem, key: 'garbage\n' });
    expect(garbageKey.message).toContain(`${join(garbageKey.dir, 'ca-key.pem')} is not an unencrypted PEM private key`);
    const keyAsCert = await refusal({ cert: kit.keyPem, key: kit.keyPem });
    expect(keyAsCert.message).toContain('ca.pem is not a PEM certificate');
    const lonely = await refusal({ cert: kit.certPem });
    expect(lonely.message).toContain(`${join(lonely.dir, 'ca.pem')} has no key beside it`);
    const keyOnly = await refusal({ key: kit.keyPem });
    expect(keyOnly.message).toContain(`${join(keyOnly.dir, 'ca-key.pem')} has no certificate beside it`);
  });

  it('refuses the kit\'s own CA with another certificate appended to its file (a client would trust both)', async () => {
    const dir = await tempDir();
    const own = await startSimulator<StubTenant>({ caDir: dir, ...stubOptions });
    await own.close();
    const key = await readFile(join(dir, 'ca-key.pem'), 'utf8');
    const rogue = await plantedCa({ commonName: 'rogue' });
    const { message } = await refusal({ cert: `${own.caPem}${rogue.certPem}`, key });
    expect(message).toContain('ca.pem holds 2 PEM blocks');
  });

  it('is name-constrained to this machine: a certificate it signs for another name is refused', async () => {
    const dir = await tempDir();
    const s = await startSimulator<StubTenant>({ caDir: dir, ...stubOptions });
    sim = s;
    expect((await rawGet(`${s.origin}/echo`, s.caPem)).status).toBe(200);

    // Someone holding the CA key signs a certificate for another host: clients that trust the CA refuse it.
    const forge = await loadForge();
    const caCert = forge.pki.certificateFromPem(s.caPem);
    const caKey = forge.pki.privateKeyFromPem(await readFile(join(dir, 'ca-key.pem'), 'utf8'));
    const keys = rsaKeys(forge);
    const rogue = forge.pki.createCertificate();
    rogue.publicKey = keys.publicKey;
    rogue.serialNumber = '02cd';
    rogue.validity.notBefore = new Date(Date.now() - DAY);
    rogue.validity.notAfter = new Date(Date.now() + DAY);
    rogue.setSubject([{ name: 'commonName', value: 'login.microsoftonline.com' }]);
    rogue.setIssuer(caCert.subject.attributes);
    rogue.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: 'login.microsoftonline.com' }, { type: 7, ip: '127.0.0.1' }] }]);
    rogue.sign(caKey, forge.md.sha256.create());
    const server = createHttpsServer({ cert: forge.pki.certificateToPem(rogue), key: forge.pki.privateKeyToPem(keys.privateKey) }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const refused = await peerCertificate(`https://127.0.0.1:${port}`, s.caPem, 'login.microsoftonline.com').then(
        () => 'accepted',
        (error: Error) => error.message,
      );
      expect(refused).toBe('permitted subtree violation');
    } finally {
      server.close();
    }
  });
});

/** A client-secret credential that asks the simulator's Entra token endpoint with fetch. */
function fetchCredential(env: Record<string, string>): TokenCredential {
  return {
    async getToken(scopes) {
      const response = await fetch(`${env.AZURE_AUTHORITY_HOST}/${env.AZURE_TENANT_ID}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: env.AZURE_CLIENT_ID!,
          client_secret: env.AZURE_CLIENT_SECRET!,
          scope: [scopes].flat().join(' '),
        }),
      });
      const body = (await response.json()) as { access_token: string; expires_in: number };
      return { token: body.access_token, expiresOnTimestamp: Date.now() + body.expires_in * 1000 };
    },
  };
}

describe('the simulator on the IPv6 loopback', () => {
  it('serves a real client on host ::1 over TLS: its certificate names IP ::1', async () => {
    const s = await startSimulator({ caDir: CA_DIR, host: '::1', seed: 5, incidents: 3, huntingRows: 0 });
    try {
      expect(s.origin).toBe(`https://[::1]:${s.port}`);
      // Checked against the address itself (no server name): the certificate must name IP ::1.
      const leaf = await new Promise<PeerCertificate>((resolve, reject) => {
        const socket = tlsConnect({ host: '::1', port: s.port, ca: s.caPem }, () => {
          resolve(socket.getPeerCertificate());
          socket.end();
        });
        socket.on('error', reject);
      });
      expect(leaf.subjectaltname?.split(', ')).toContain('IP Address:0:0:0:0:0:0:0:1');
      // A client configured from sim.env, trusting the CA through NODE_EXTRA_CA_CERTS. Its token comes
      // from a fetch credential: @azure/identity's Node HTTP client cannot reach a bracketed IPv6
      // host (it looks up "[::1]" in DNS: ENOTFOUND), see docs/testing.md.
      const incidents = await envClient(s, {}, { credential: fetchCredential(s.env) }).incidents.list({ pageSize: 10 }).toArray();
      expect(incidents.map((incident) => incident.id).sort()).toEqual([...s.tenant.incidents.keys()].map(String).sort());
      expect(s.tenant.requests.map((request) => `${request.route} ${request.status}`)).toEqual(
        expect.arrayContaining(['entra.token 200', 'defender.listIncidents 200']),
      );
    } finally {
      await s.close();
    }
  });
});
