/**
 * The Key Vault row of the fault matrix (issue 5). The simulator's loopback origin cannot be a
 * vault host (`*.vault.azure.net`), so this row runs on msw with the same fake tenant: Entra ID,
 * the Defender API and the tenant's Key Vault, each on its real host.
 */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialError, DefenderClient } from '../src/index.js';
import { createFakeTenant, handlers } from '../src/testing/index.js';
import type { AccessToken, TokenCredential } from '../src/types.js';

// Tokens live 3 s: the client refreshes past half of that, while the token is still valid.
const tenant = createFakeTenant({ seed: 21, incidents: 3, huntingRows: 0, quotas: false, tokenLifetimeSeconds: 3 });
const server = setupServer(...handlers(tenant));
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

/** The bootstrap credential that reads the vault: the app itself, at the tenant's token endpoint. */
class VaultReader implements TokenCredential {
  async getToken(): Promise<AccessToken> {
    const { clientId, clientSecret } = tenant.credential();
    const response = await fetch(`https://login.microsoftonline.com/${tenant.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'https://vault.azure.net/.default' }),
    });
    const body = (await response.json()) as { access_token: string; expires_in: number };
    return { token: body.access_token, expiresOnTimestamp: Date.now() + body.expires_in * 1000 };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fault matrix: the Key Vault failing at refresh time', () => {
  it('keeps calling on the still-valid token, then fails with CredentialError once it expired, sending nothing', async () => {
    const { tenantId, clientId } = tenant.credential();
    const client = new DefenderClient({
      credential: { tenantId, clientId, keyVault: { vaultUrl: tenant.hosts.keyVaultUrl, secretName: 'defender-client-secret' }, vaultCredential: new VaultReader() },
      rateLimit: false,
    });
    const id = String([...tenant.incidents.keys()][0]);
    await expect(client.incidents.get(id)).resolves.toMatchObject({ id });
    // API tokens issued (the vault reader's own tokens aside).
    const apiTokens = () =>
      tenant.requests.filter((r) => r.route === 'entra.token' && r.status === 200 && String((r.body as { scope?: string }).scope).startsWith('https://api.security')).length;
    const issued = apiTokens();
    const vaultReads = () => tenant.requests.filter((r) => r.route === 'keyvault.getSecret' && r.status === 200).length;
    expect(vaultReads()).toBe(1);

    // Access to the vault is revoked. The token (3 s) is due for refresh, which re-reads the vault
    // (a value is trusted only as long as the token it gave).
    await sleep(1_700);
    const denied = { status: 403, body: { error: { code: 'Forbidden', message: 'Caller is not authorized to perform action on resource.', innerError: { code: 'ForbiddenByRbac' } } } };
    tenant.faults.add('keyvault.getSecret', denied, denied, denied, denied);
    const from = tenant.requests.length;
    await expect(client.incidents.get(id)).resolves.toMatchObject({ id });
    await expect(client.incidents.get(id)).resolves.toMatchObject({ id });
    const during = tenant.requests.slice(from);
    expect(during.filter((r) => r.route === 'keyvault.getSecret').map((r) => r.status)).toEqual([403]);
    const apiTokenRequests = (requests: typeof during) =>
      requests.filter((r) => r.route === 'entra.token' && String((r.body as { scope?: string }).scope).startsWith('https://api.security.microsoft.com'));
    // The vault refused before Entra ID was asked for an API token.
    expect(apiTokenRequests(during)).toHaveLength(0);
    expect(during.filter((r) => r.route === 'defender.getIncident').map((r) => r.status)).toEqual([200, 200]);

    // Expired (exp is in whole seconds: wait past the next one): a CredentialError naming the
    // vault, and no API request.
    await sleep(2_500);
    const after = tenant.requests.length;
    const error = await client.incidents.get(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialError);
    expect(error).toMatchObject({ option: 'credential.vaultCredential' });
    expect((error as Error).message).toContain(tenant.hosts.keyVaultUrl);
    const failed = tenant.requests.slice(after);
    expect(failed.filter((r) => r.route === 'keyvault.getSecret').map((r) => r.status)).toEqual([403]);
    expect(failed.filter((r) => r.route === 'defender.getIncident')).toHaveLength(0);
    expect(apiTokenRequests(failed)).toHaveLength(0);
    expect(apiTokens()).toBe(issued);

    // Access restored: the next call reads the vault, gets a token and succeeds.
    tenant.faults.clear();
    await expect(client.incidents.get(id)).resolves.toMatchObject({ id });
    expect(apiTokens()).toBe(issued + 1);
  });
});
