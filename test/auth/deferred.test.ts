/**
 * The stand-in that every built-in credential is until its first getToken: it loads the
 * implementation once, forwards to it, shows only identifiers, retries a failed load, and
 * honours the caller's abort while loading.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DeferredCredential } from '../../src/auth/deferred.js';
import { createCredential } from '../../src/auth/index.js';
import { resolveCloud } from '../../src/clouds.js';
import type { AccessToken, TokenCredential } from '../../src/types.js';

const SECRET = 'Zz9Q~deferred-secret-value-0000000000000';
const token = (value: string): AccessToken => ({ token: value, expiresOnTimestamp: Date.now() + 3_600_000 });

describe('DeferredCredential', () => {
  it('loads the implementation once, on the first getToken, and forwards every call to it', async () => {
    let loads = 0;
    const scopes: unknown[] = [];
    const inner: TokenCredential = {
      getToken: async (scope) => {
        scopes.push(scope);
        return token(`t${scopes.length}`);
      },
    };
    const credential = new DeferredCredential('SecretCredential', { clientId: 'app' }, async () => {
      loads++;
      return inner;
    });
    expect(loads).toBe(0);
    const results = await Promise.all([credential.getToken('a'), credential.getToken('b')]);
    expect(await credential.getToken('c')).toMatchObject({ token: 't3' });
    expect(loads).toBe(1);
    expect(results.map((r) => r?.token).sort()).toEqual(['t1', 't2']);
    expect(scopes).toEqual(['a', 'b', 'c']);
  });

  it('loads again on the next call after a failed load', async () => {
    let loads = 0;
    const credential = new DeferredCredential('KeyVaultCredential', {}, async () => {
      loads++;
      if (loads === 1) throw new Error('import failed');
      return { getToken: async () => token('ok') };
    });
    await expect(credential.getToken('s')).rejects.toThrow('import failed');
    await expect(credential.getToken('s')).resolves.toMatchObject({ token: 'ok' });
    expect(loads).toBe(2);
  });

  it('rejects with the caller’s abort reason while the implementation is still loading', async () => {
    const credential = new DeferredCredential('SecretCredential', {}, () => new Promise<TokenCredential>(() => undefined));
    const controller = new AbortController();
    const pending = credential.getToken('s', { abortSignal: controller.signal });
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('built-in credentials show their type and identifiers, never the secret, before and after loading', () => {
    const credential = createCredential(
      { tenantId: 'contoso.onmicrosoft.com', clientId: '5e29463d-5d1a-4a5a-9c5e-3f8c4f0f5a11', clientSecret: SECRET },
      { cloud: resolveCloud('public') },
    );
    const shown = [inspect(credential, { showHidden: true, depth: 10 }), JSON.stringify(credential), String(credential)];
    for (const text of shown) {
      expect(text).toContain('SecretCredential');
      expect(text).toContain('5e29463d-5d1a-4a5a-9c5e-3f8c4f0f5a11');
      expect(text).not.toContain(SECRET);
    }
    expect(JSON.parse(shown[1]!)).toEqual({
      type: 'SecretCredential',
      tenantId: 'contoso.onmicrosoft.com',
      clientId: '5e29463d-5d1a-4a5a-9c5e-3f8c4f0f5a11',
      authorityHost: 'https://login.microsoftonline.com',
    });
  });
});
