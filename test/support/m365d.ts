/**
 * Runs the BUILT `m365d` (dist/cli.js, as the package's bin runs it) in a child process and
 * collects what it prints. The e2e global setup builds it when dist/ is older than the sources.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

/** The built command line. */
export const M365D_BIN = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Prints the child's peak resident set size (kilobytes) on stderr as it exits. */
const MAX_RSS_HOOK = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nm365d-test-max-rss-kb='+process.resourceUsage().maxRSS+'\\n'))`;

/** What a run printed and how it ended. */
export interface M365dResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Bytes written to stdout (all of them, also when `keepStdout` limited what was kept). */
  stdoutBytes: number;
  /** Line breaks written to stdout. */
  stdoutLines: number;
  /** The child's peak RSS in bytes, with `measureMemory`. */
  maxRssBytes?: number;
}

/** Options of {@link m365d}. */
export interface M365dOptions {
  /** The child's whole environment (nothing of the test process's leaks in but PATH and the CA). */
  env?: Record<string, string | undefined>;
  /** Keep at most this many bytes of stdout (the rest is only counted). Default: all. */
  keepStdout?: number;
  /** Report the child's peak RSS. */
  measureMemory?: boolean;
}

/** A running `m365d`. */
export interface M365dRun {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when the child has exited and its streams have closed. */
  done: Promise<M365dResult>;
  /** stdout so far. */
  out(): string;
  /** Resolves once stdout so far satisfies `test` (rejects if the child exits first). */
  until(test: (stdout: string) => boolean): Promise<void>;
}

/** Starts `m365d args…`: stdout and stderr are pipes, as in a script. */
export function m365d(args: string[], options: M365dOptions = {}): M365dRun {
  const env = {
    PATH: process.env.PATH,
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
    NO_COLOR: '1',
    ...options.env,
  };
  const nodeArgs = options.measureMemory ? [`--import=${MAX_RSS_HOOK}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, M365D_BIN, ...args], { cwd: ROOT, env });
  const keep = options.keepStdout ?? Number.POSITIVE_INFINITY;
  let stdout = '';
  let stderr = '';
  let stdoutBytes = 0;
  let stdoutLines = 0;
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) stdoutLines++;
    if (stdout.length < keep) stdout += chunk.toString('utf8');
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let exited = false;
  const done = new Promise<M365dResult>((resolve) =>
    child.on('close', (code) => {
      exited = true;
      for (const wake of waiters.splice(0)) wake();
      const rss = /\nm365d-test-max-rss-kb=(\d+)\n/.exec(stderr);
      const result: M365dResult = { code, stdout, stderr: stderr.replace(/\nm365d-test-max-rss-kb=\d+\n/, ''), stdoutBytes, stdoutLines };
      if (rss) result.maxRssBytes = Number(rss[1]) * 1024;
      resolve(result);
    }),
  );
  return {
    child,
    done,
    out: () => stdout,
    async until(test) {
      while (!test(stdout)) {
        if (exited) throw new Error(`m365d exited (${child.exitCode}) before its output matched: ${stdout.slice(-2000)}\n${stderr}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

/** How a spec file runs `m365d` against its simulator: see {@link m365dAgainst}. */
export interface M365dHarness {
  /** The simulator's environment with stdout and stderr taken as pipes, unless `extra` says otherwise. */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  /** Runs `m365d args` with {@link M365dHarness.env} and resolves when it ends. */
  run(args: string[], options?: M365dOptions): Promise<M365dResult>;
  /** A scratch directory made before the file's tests and removed after them. */
  dir(): string;
}

/**
 * Runs of `m365d` against the simulator `sim` (as `useSimulator` gives it), with a scratch
 * directory named after `prefix`. Call it at a spec file's top level (it registers hooks).
 */
export function m365dAgainst(sim: () => { env: Record<string, string> }, prefix: string): M365dHarness {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const env = (extra: Record<string, string | undefined> = {}) => ({ ...sim().env, M365D_STDOUT_TTY: '0', M365D_STDERR_TTY: '0', ...extra });
  return { env, run: (args, options = {}) => m365d(args, { env: env(), ...options }).done, dir: () => dir };
}

/** The records of NDJSON output. */
export const ndjson = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
