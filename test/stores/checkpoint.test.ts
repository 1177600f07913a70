import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CheckpointError,
  FileCheckpointStore,
  InvalidArgumentError,
  MemoryCheckpointStore,
  type CheckpointStore,
} from 'm365-defender';
import { rejection, thrownBy } from '../support/throws.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'm365d-checkpoint-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const stores: [string, () => CheckpointStore][] = [
  ['MemoryCheckpointStore', () => new MemoryCheckpointStore()],
  ['FileCheckpointStore', () => new FileCheckpointStore(join(dir, 'state', 'checkpoints.json'))],
];

describe.each(stores)('%s', (_name, makeStore) => {
  it('has no checkpoint before the first write, and version 1 after it', async () => {
    const store = makeStore();
    expect(await store.get('incidents')).toBeUndefined();
    expect(await store.set('incidents', 'cp-1', undefined)).toBe(true);
    expect(await store.get('incidents')).toEqual({ value: 'cp-1', version: 1 });
  });

  it('writes only over the version it was given, one version at a time', async () => {
    const store = makeStore();
    await store.set('incidents', 'cp-1', undefined);
    expect(await store.set('incidents', 'cp-2', 1)).toBe(true);
    expect(await store.set('incidents', 'stale', 1)).toBe(false);
    expect(await store.set('incidents', 'ahead', 3)).toBe(false);
    expect(await store.set('incidents', 'again-from-nothing', undefined)).toBe(false);
    expect(await store.get('incidents')).toEqual({ value: 'cp-2', version: 2 });
  });

  it('keeps checkpoints of different keys apart', async () => {
    const store = makeStore();
    await store.set('defender:incidents', 'a', undefined);
    await store.set('graph:alerts', 'b', undefined);
    await store.set('graph:alerts', 'c', 1);
    expect(await store.get('defender:incidents')).toEqual({ value: 'a', version: 1 });
    expect(await store.get('graph:alerts')).toEqual({ value: 'c', version: 2 });
  });

  it('lets exactly one of many concurrent writers of the same version win', async () => {
    const store = makeStore();
    await store.set('incidents', 'start', undefined);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.set('incidents', `writer-${i}`, 1)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await store.get('incidents')).toEqual({ value: `writer-${winner}`, version: 2 });
  });

  it('refuses a write whose lease fence is lower than one it recorded (a worker that lost its lease), and keeps the fence', async () => {
    const store = makeStore();
    expect(await store.set('incidents', 'by-fence-1', undefined, { fence: 1 })).toBe(true);
    expect(await store.set('incidents', 'claimed-by-fence-2', 1, { fence: 2 })).toBe(true);
    // The old holder read version 2 after the claim: the version matches, the fence does not.
    expect(await store.set('incidents', 'late-write-of-fence-1', 2, { fence: 1 })).toBe(false);
    expect(await store.get('incidents')).toEqual({ value: 'claimed-by-fence-2', version: 2, fence: 2 });
    expect(await store.set('incidents', 'fence-2-again', 2, { fence: 2 })).toBe(true);
    // A write with no fence keeps the recorded one, so a later stale fence is still refused.
    expect(await store.set('incidents', 'unfenced', 3)).toBe(true);
    expect(await store.set('incidents', 'stale', 4, { fence: 1 })).toBe(false);
    expect(await store.get('incidents')).toEqual({ value: 'unfenced', version: 4, fence: 2 });
  });

  it.each([
    ['fence 0', { fence: 0 }],
    ['a fractional fence', { fence: 1.5 }],
    ['a fence given as a string', { fence: '2' }],
    ['options that are not an object', 3],
  ])('refuses %s with an InvalidArgumentError and writes nothing', async (_case, options) => {
    const store = makeStore();
    const error = await rejection(store.set('k', 'x', undefined, options as never));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toMatch(/^options/);
    expect(await store.get('k')).toBeUndefined();
  });

  it.each([
    ['an empty key', '', 'x', undefined, 'key'],
    ['a key with a newline', 'a\nb', 'x', undefined, 'key'],
    ['a key of 257 characters', 'k'.repeat(257), 'x', undefined, 'key'],
    ['a value that is not a string', 'k', 42, undefined, 'value'],
    ['version 0', 'k', 'x', 0, 'expectedVersion'],
    ['a fractional version', 'k', 'x', 1.5, 'expectedVersion'],
    ['a version given as a string', 'k', 'x', '1', 'expectedVersion'],
  ])('refuses %s with an InvalidArgumentError naming the argument', async (_case, key, value, version, option) => {
    const store = makeStore();
    const error = await rejection(store.set(key as string, value as string, version as number | undefined));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe(option);
    expect(await store.get('k')).toBeUndefined();
  });
});

describe('FileCheckpointStore', () => {
  const file = () => join(dir, 'checkpoints.json');

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('keeps a checkpoint named "%s" like any other name', async (key) => {
    const store = new FileCheckpointStore(file());
    await store.set('other', 'x', undefined);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.set(key, 'cp-1', undefined)).toBe(true);
    expect(await new FileCheckpointStore(file()).get(key)).toEqual({ value: 'cp-1', version: 1 });
    expect(await store.set(key, 'cp-2', 1)).toBe(true);
    expect(await store.get(key)).toEqual({ value: 'cp-2', version: 2 });
    expect(await store.get('other')).toEqual({ value: 'x', version: 1 });
  });

  it('keeps its checkpoints across instances (a new run of the program)', async () => {
    await new FileCheckpointStore(file()).set('incidents', 'cp-1', undefined);
    await new FileCheckpointStore(file()).set('incidents', 'cp-2', 1);
    expect(await new FileCheckpointStore(file()).get('incidents')).toEqual({ value: 'cp-2', version: 2 });
  });

  it('creates the folder of the file on the first write and leaves no temporary or lock file', async () => {
    const path = join(dir, 'a', 'b', 'sync.json');
    await new FileCheckpointStore(path).set('incidents', 'cp', undefined);
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['sync.json']);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      format: 'm365-defender/checkpoints',
      formatVersion: 1,
      checkpoints: { incidents: { value: 'cp', version: 1 } },
    });
  });

  it.each([
    ['is not JSON (a torn or corrupt file)', '{"format": "m365-defender/checkp', /is not valid JSON/],
    ['is empty', '', /is not valid JSON/],
    ['is some other JSON file', '{"name": "my-app", "version": "1.0.0"}', /is not a checkpoint file of m365-defender/],
    ['is a JSON array', '[]', /is not a checkpoint file of m365-defender/],
    ['comes from a newer format', '{"format": "m365-defender/checkpoints", "formatVersion": 2, "checkpoints": {}}', /format version number 2/],
    [
      'holds an entry with no version',
      '{"format": "m365-defender/checkpoints", "formatVersion": 1, "checkpoints": {"incidents": {"value": "x"}}}',
      /checkpoint "incidents" has no string value and positive integer version/,
    ],
  ])('refuses a file that %s, on read and on write, and leaves it as it was', async (_case, content, message) => {
    await writeFile(file(), content);
    const store = new FileCheckpointStore(file());
    for (const attempt of [store.get('incidents'), store.set('incidents', 'cp', undefined)]) {
      const error = await rejection(attempt);
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as CheckpointError).message).toMatch(message);
      expect((error as CheckpointError).location).toBe(file());
    }
    expect(await readFile(file(), 'utf8')).toBe(content);
  });

  it('still reads the last whole checkpoint when a writer died before its rename (a temporary file left behind)', async () => {
    const store = new FileCheckpointStore(file());
    await store.set('incidents', 'committed', undefined);
    await writeFile(`${file()}.4242.deadbeef.tmp`, '{"format": "m365-defender/checkpoints", "formatVer');
    expect(await store.get('incidents')).toEqual({ value: 'committed', version: 1 });
    expect(await store.set('incidents', 'next', 1)).toBe(true);
  });

  it('takes over a lock left by a writer that died (older than staleLockMs)', async () => {
    await writeFile(`${file()}.lock`, '{"pid": 4242}');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file()}.lock`, old, old);
    expect(await new FileCheckpointStore(file(), { staleLockMs: 30_000 }).set('incidents', 'cp', undefined)).toBe(true);
    expect(await readdir(dir)).toEqual(['checkpoints.json']);
  });

  it('fails with a CheckpointError when another writer holds the lock past lockTimeoutMs, and writes nothing', async () => {
    await writeFile(`${file()}.lock`, '{"pid": 4242}');
    const store = new FileCheckpointStore(file(), { lockTimeoutMs: 50, staleLockMs: 3_600_000 });
    const error = await rejection(store.set('incidents', 'cp', undefined));
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/is locked by another writer .*checkpoints\.json\.lock.* lockTimeoutMs \(50 ms\)/);
    expect(await store.get('incidents')).toBeUndefined();
  });

  it('never loses an update when four processes advance one checkpoint at once', async () => {
    const worker = fileURLToPath(new URL('../support/checkpoint-worker.ts', import.meta.url));
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const run = promisify(execFile);
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', worker, file(), '25'], { cwd: root })),
    );
    // Every lost race was seen by its writer (set() answered false) and retried, never silently dropped.
    expect(outputs.map((o) => typeof (JSON.parse(o.stdout) as { conflicts: unknown }).conflicts)).toEqual(['number', 'number', 'number', 'number']);
    expect(await new FileCheckpointStore(file()).get('counter')).toEqual({ value: '100', version: 100 });
  }, 60_000);

  it.each([
    ['an empty path', '', undefined, 'path'],
    ['a path that is not a string', 42, undefined, 'path'],
    ['an unknown option', 'x.json', { lockTimeout: 5 }, 'lockTimeout'],
    ['a negative lockTimeoutMs', 'x.json', { lockTimeoutMs: -1 }, 'lockTimeoutMs'],
    ['an infinite staleLockMs', 'x.json', { staleLockMs: Infinity }, 'staleLockMs'],
  ])('refuses %s', (_case, path, options, option) => {
    const error = thrownBy(InvalidArgumentError, () => new FileCheckpointStore(path as string, options as never));
    expect(error.option).toBe(option);
  });
});
