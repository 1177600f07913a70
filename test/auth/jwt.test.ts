import { describe, expect, it } from 'vitest';
import { decodeAccessToken } from '../../src/auth/index.js';
import { AuthenticationError } from '../../src/errors.js';
import { makeAccessToken } from '../support/jwt.js';
import { renderings } from '../support/leak.js';

const TENANT = '4f7d2c1e-9a3b-4c5d-8e6f-0a1b2c3d4e5f';
const APP = '11111111-2222-4333-8444-555555555555';

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('decodeAccessToken', () => {
  it('reads tenant, app, audience, roles and expiry of a v1 app-only token', () => {
    const exp = Math.floor(Date.now() / 1000) + 4000;
    const token = makeAccessToken({ aud: 'https://api.security.microsoft.com', tid: TENANT, appid: APP, roles: ['Incident.Read.All'], exp });
    expect(decodeAccessToken(token)).toEqual({
      tenantId: TENANT,
      appId: APP,
      audience: 'https://api.security.microsoft.com',
      roles: ['Incident.Read.All'],
      expiresOn: new Date(exp * 1000),
    });
  });

  it('takes azp when there is no appid (v2 tokens), and no roles claim as []', () => {
    const token = `${b64url({ alg: 'RS256' })}.${b64url({ aud: 'fc780465', tid: TENANT, azp: APP, exp: 2_000_000_000 })}.sig`;
    expect(decodeAccessToken(token)).toMatchObject({ appId: APP, roles: [], audience: 'fc780465' });
  });

  it.each([
    ['an opaque string', 'opaque-access-token-value-1234567890'],
    ['two parts', 'eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjF9'],
    ['a payload that is not JSON', 'eyJhbGciOiJSUzI1NiJ9.bm90LWpzb24tYXQtYWxs.c2ln'],
    ['a payload without exp', `${b64url({ alg: 'RS256' })}.${b64url({ tid: TENANT })}.c2lnbmF0dXJl`],
  ])('rejects %s with an AuthenticationError that never echoes the token', (_label, token) => {
    let error: unknown;
    try {
      decodeAccessToken(token);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).code).toBe('invalid_token');
    expect((error as Error).message).toMatch(/not a JWT/);
    for (const shown of renderings(error)) expect(shown).not.toContain(token);
  });
});
