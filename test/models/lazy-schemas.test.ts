/**
 * The public model's zod schemas are built on first use, not on import: importing the SDK builds
 * no zod schema at all (checked in a fresh Node process on an esbuild bundle of src/index.ts,
 * through zod's default locale, which zod installs when it builds its first schema). Built late,
 * they must still be zod schemas in every way a caller uses one.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect, promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { alertSchema, EVIDENCE_TYPES, evidenceSchema, fileDetailsSchema, incidentSchema, userAccountSchema } from '../../src/index.js';
import { fakeTenant, startServer } from '../support/tenant.js';

const server = startServer();

describe('the public schemas', () => {
  it('are zod schemas: instanceof, shape, options, extend, nesting, compile', async () => {
    const { client } = fakeTenant(server);
    const incidents = await client.incidents.list().toArray();
    expect(incidents.length).toBeGreaterThan(0);
    const incident = incidents[0]!;

    expect(incidentSchema).toBeInstanceOf(z.ZodObject);
    expect(evidenceSchema).toBeInstanceOf(z.ZodDiscriminatedUnion);
    expect(Object.keys(incidentSchema.shape)).toContain('lastUpdateDateTime');
    expect(Object.keys(userAccountSchema.shape)).toEqual(['accountName', 'domainName', 'userSid', 'azureAdUserId', 'userPrincipalName', 'displayName']);
    expect(evidenceSchema.options).toHaveLength(EVIDENCE_TYPES.length);
    expect('safeParse' in alertSchema).toBe(true);

    for (const each of incidents) expect(incidentSchema.safeParse(each).success).toBe(true);
    expect(alertSchema.parse(incident.alerts[0])).toEqual(incident.alerts[0]);

    // Nested in a caller's schema, and extended: zod reads the schema's internals through it.
    const envelope = z.object({ incident: incidentSchema, seen: z.boolean() });
    expect(envelope.safeParse({ incident, seen: true }).success).toBe(true);
    const broken = envelope.safeParse({ incident: { ...incident, id: 7 }, seen: true });
    expect(broken.success).toBe(false);
    expect(broken.error?.issues.map((issue) => issue.path)).toEqual([['incident', 'id']]);
    const extended = fileDetailsSchema.extend({ note: z.string() });
    expect(extended.safeParse({ ...fileDetailsSchema.parse(emptyFile()), note: 'n' }).success).toBe(true);
    expect(extended.safeParse(emptyFile()).success).toBe(false);
    expect(z.compile(incidentSchema).validate(incident)).toBe(true);
    expect(z.compile(incidentSchema).validate({ ...incident, createdDateTime: 'not a date' })).toBe(false);
  });

  it('show under util.inspect (console.log) what the real schema shows, also nested', () => {
    // A copy with the real schema's prototype and own properties (read through the stand-in) prints as the real one does.
    const copy = <T extends object>(schema: T): T => Object.create(Object.getPrototypeOf(schema), Object.getOwnPropertyDescriptors(schema));
    for (const options of [{}, { depth: 4, getters: true }, { depth: 0 }, { showHidden: true }]) {
      expect(inspect(evidenceSchema, options)).toBe(inspect(copy(evidenceSchema), options));
      expect(inspect(incidentSchema, options)).toBe(inspect(copy(incidentSchema), options));
      expect(inspect({ nested: userAccountSchema }, options)).toBe(inspect({ nested: copy(userAccountSchema) }, options));
    }
    expect(inspect(alertSchema)).toMatch(/^ZodObject \{/);
  });
});

const emptyFile = () => ({
  sha1: null,
  sha256: null,
  md5: null,
  fileName: null,
  filePath: null,
  fileSize: null,
  filePublisher: null,
  signer: null,
  issuer: null,
});

const dir = mkdtempSync(join(tmpdir(), 'm365d-lazy-schemas-'));
// The bundle leaves packages external: they resolve from the repository's node_modules.
symlinkSync(join(import.meta.dirname, '../../node_modules'), join(dir, 'node_modules'), 'dir');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const main = `
import * as z from 'zod';
import { pathToFileURL } from 'node:url';
const before = z.core.globalConfig.localeError !== undefined;
const sdk = await import(pathToFileURL(process.argv[2]).href);
const afterImport = z.core.globalConfig.localeError !== undefined;
sdk.incidentSchema.safeParse({});
const afterUse = z.core.globalConfig.localeError !== undefined;
process.stdout.write(JSON.stringify({ before, afterImport, afterUse }));
`;

const deviceMain = `
import * as z from 'zod';
import { pathToFileURL } from 'node:url';
const built = () => z.core.globalConfig.localeError !== undefined;
const sdk = await import(pathToFileURL(process.argv[2]).href);
const client = new sdk.DefenderClient({
  credential: { getToken: async () => ({ token: 'a-token', expiresOnTimestamp: Date.now() + 3_600_000 }) },
  cloud: {
    authorityHost: 'https://login.microsoftonline.com',
    apiBaseUrl: 'http://127.0.0.1:9',
    scope: 'https://api.security.microsoft.com/.default',
    mdeScope: 'https://api.securitycenter.microsoft.com/.default',
  },
  maxRetries: 0,
  rateLimit: false,
});
const results = { afterConstruct: built() };
try { await client.indicators.list().toArray(); } catch (e) { results.error = e.name; }
results.afterIndicatorCall = built();
process.stdout.write(JSON.stringify(results));
`;

/** An esbuild bundle of src/index.ts (packages external), built once for the tests below. */
let sdkBundle: Promise<string> | undefined;
function bundle(): Promise<string> {
  const outfile = join(dir, 'sdk.mjs');
  sdkBundle ??= build({
    entryPoints: [join(import.meta.dirname, '../../src/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    outfile,
    logLevel: 'silent',
  }).then(() => outfile);
  return sdkBundle;
}

/** Runs `source` in a fresh Node process with the bundle's path as its argument; its JSON output. */
async function runFresh(name: string, source: string): Promise<unknown> {
  const sdk = await bundle();
  writeFileSync(join(dir, name), source);
  const { stdout } = await promisify(execFile)(process.execPath, [join(dir, name), sdk], { timeout: 20_000 });
  return JSON.parse(stdout);
}

describe('importing the SDK', () => {
  it('builds no zod schema; the first use of a public schema does', async () => {
    expect(await runFresh('main.mjs', main)).toEqual({ before: false, afterImport: false, afterUse: true });
  });

  it('and constructing a client build none; the first device or indicator call loads the Defender for Endpoint wire schemas', async () => {
    expect(await runFresh('device-main.mjs', deviceMain)).toEqual({ afterConstruct: false, error: 'ConnectionError', afterIndicatorCall: true });
  });
});
