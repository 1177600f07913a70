/**
 * What the end-to-end test files share: one HTTPS simulator per file (trusting the CA global
 * setup made), clients configured only from the environment it prints, and checks that read the
 * same on both APIs.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { clientOptionsFromEnv } from '../../src/env.js';
import { DefenderClient, type DefenderClientOptions } from '../../src/index.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/testing/server.js';
import type { TenantRoute } from '../../src/testing/tenant/faults.js';

/**
 * Starts a simulator before the file's tests, with the CA of global setup, and closes it after
 * them. Returns the running simulator's getter (it exists from `beforeAll` on).
 */
export function useSimulator(options: Omit<SimulatorOptions, 'caDir'>): () => Simulator {
  let sim: Simulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ caDir: process.env.M365D_E2E_CA_DIR!, ...options });
  });
  afterAll(async () => {
    await sim?.close();
  });
  return () => {
    if (sim === undefined) throw new Error('the simulator starts in beforeAll: use it inside a test or a hook');
    return sim;
  };
}

/**
 * A client configured only from the environment the simulator prints (plus `env`), as a user's
 * program would be. Retries wait at most 10 s, so that a test sees a slow retry fail rather than hang.
 */
export function envClient(sim: Simulator, env: Record<string, string> = {}, overrides: Partial<DefenderClientOptions> = {}): DefenderClient {
  return new DefenderClient(clientOptionsFromEnv({ ...sim.env, ...env }, { maxRetryWaitMs: 10_000, ...overrides }));
}

/**
 * A service time as the service compares it: in ticks (ten-thousandths of a millisecond) from its
 * 7-digit fraction of a second, which a `Date` would round to milliseconds.
 */
export function serviceTicks(iso: string): bigint {
  const [, whole, fraction = ''] = /^(.*?:\d\d)(?:\.(\d+))?Z$/.exec(iso)!;
  return BigInt(Date.parse(`${whole}Z`)) * 10_000n + BigInt(fraction.padEnd(7, '0').slice(0, 7));
}

/**
 * Answers the next incident list on `route` with a 429 saying `Retry-After: 1` (and `body`), and
 * checks that the client of `clientWith` (given a logger) decides to wait exactly that second,
 * waits it, and then lists. What is bounded is the SDK's decision (its log) and the time it
 * waited at the least; how much longer a loaded machine takes is not.
 */
export async function expectRetryAfterWaited(
  sim: Simulator,
  clientWith: (overrides: Partial<DefenderClientOptions>) => DefenderClient,
  route: TenantRoute,
  body: unknown,
): Promise<void> {
  const warnings: string[] = [];
  const client = clientWith({ logger: { warn: (message: string) => void warnings.push(message) } });
  await client.auth.inspect(); // the token first, so the timing below is the retry's
  sim.tenant.faults.add(route, { status: 429, headers: { 'Retry-After': '1' }, body });
  const before = sim.tenant.requests.length;
  const started = Date.now();
  const page = await client.incidents.list({ pageSize: 5 }).toArray({ limit: 5 });
  const elapsed = Date.now() - started;
  expect(page).toHaveLength(5);
  expect(warnings).toEqual([expect.stringMatching(/ Retrying in 1000 ms \(attempt 2 of \d+\)\.$/)]);
  expect(elapsed).toBeGreaterThanOrEqual(950);
  expect(sim.tenant.requests.slice(before).filter((r) => r.route === route).map((r) => r.status)).toEqual([429, 200]);
}
