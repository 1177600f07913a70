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
import { promisify } from 'node:util';
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

describe('importing the SDK', () => {
  it('builds no zod schema; the first use of a public schema does', async () => {
    const bundle = join(dir, 'sdk.mjs');
    await build({
      entryPoints: [join(import.meta.dirname, '../../src/index.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      outfile: bundle,
      logLevel: 'silent',
    });
    writeFileSync(join(dir, 'main.mjs'), main);
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'main.mjs'), bundle], { timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({ before: false, afterImport: false, afterUse: true });
  });
});
