import { randomUUID } from 'node:crypto';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { DefenderClient, type DefenderClientOptions, type TokenCredential } from '../../src/index.js';
import { FakeDefender, seedIncidents } from './defender.js';
import { makeAccessToken } from './jwt.js';

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT_ID = '5e29463d-5d1a-4a5a-9c5e-3f8c4f0f5a11';
export const DEFENDER_RESOURCE = 'https://api.security.microsoft.com';
export const ALL_ROLES = ['Incident.ReadWrite.All', 'AdvancedHunting.Read.All'];

/** One msw server for a test file; handlers are swapped per test with `use()`. */
export function startServer() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** A TokenCredential that issues fake-tenant tokens and counts its calls. */
export class CountingCredential implements TokenCredential {
  calls = 0;
  issued: string[] = [];
  constructor(
    public roles: string[] = ALL_ROLES,
    public lifetimeSeconds = 3600,
  ) {}
  async getToken(scopes: string | string[]) {
    this.calls++;
    const scope = Array.isArray(scopes) ? scopes[0]! : scopes;
    const exp = Math.floor(Date.now() / 1000) + this.lifetimeSeconds;
    const token = makeAccessToken({
      aud: scope.replace(/\/\.default$/, ''),
      tid: TENANT_ID,
      appid: CLIENT_ID,
      roles: this.roles,
      exp,
      uti: randomUUID(),
    });
    this.issued.push(token);
    return { token, expiresOnTimestamp: exp * 1000 };
  }
}

/** A fake Defender tenant served by msw, and a client for it. */
export function fakeTenant(
  server: ReturnType<typeof setupServer>,
  options: { incidents?: number; roles?: string[]; client?: Partial<DefenderClientOptions>; huntingTables?: Record<string, Record<string, unknown>[]> } = {},
) {
  const defender = new FakeDefender({
    tenantId: TENANT_ID,
    incidents: seedIncidents(options.incidents ?? 5, 7),
    ...(options.huntingTables ? { huntingTables: options.huntingTables } : {}),
  });
  server.use(...defender.handlers());
  const credential = new CountingCredential(options.roles);
  const client = new DefenderClient({
    credential,
    // Tests wait milliseconds, not seconds, between retries.
    maxRetryWaitMs: 10_000,
    ...options.client,
  });
  return { defender, credential, client };
}
