import { describe, expect, it } from 'vitest';
import { adminConsentUrl } from '../../src/auth/index.js';
import { InvalidArgumentError } from '../../src/errors.js';

const APP = '11111111-2222-4333-8444-555555555555';

describe('adminConsentUrl', () => {
  it('builds the adminconsent URL on the public login host with organizations by default', () => {
    const url = new URL(adminConsentUrl({ clientId: APP }));
    expect(url.origin + url.pathname).toBe('https://login.microsoftonline.com/organizations/adminconsent');
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: APP });
  });

  it('includes tenant, redirect_uri and state, on the cloud login host', () => {
    const url = new URL(
      adminConsentUrl({ clientId: APP, tenant: 'fabrikam.onmicrosoft.com', redirectUri: 'https://partner.example/consented?x=1', state: 'a b&c', cloud: 'gcc-high' }),
    );
    expect(url.origin + url.pathname).toBe('https://login.microsoftonline.us/fabrikam.onmicrosoft.com/adminconsent');
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: APP, redirect_uri: 'https://partner.example/consented?x=1', state: 'a b&c' });
  });

  it.each([
    ['clientId', { clientId: 'my-app' }],
    ['tenant', { clientId: APP, tenant: 'not a tenant' }],
    ['tenant', { clientId: APP, tenant: 'consumers' }],
    ['redirectUri', { clientId: APP, redirectUri: 'http://partner.example/cb' }],
    ['redirectUri', { clientId: APP, redirectUri: '/relative' }],
    ['state', { clientId: APP, state: '' }],
    ['cloud', { clientId: APP, cloud: 'moon' }],
  ])('rejects a bad %s with InvalidArgumentError', (option, input) => {
    let error: unknown;
    try {
      adminConsentUrl(input as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe(option);
  });

  it('takes the login host directly (authorityHost) or a resolved cloud, not both', () => {
    expect(adminConsentUrl({ clientId: APP, authorityHost: 'https://login.microsoftonline.us/' })).toMatch(/^https:\/\/login\.microsoftonline\.us\/organizations\/adminconsent\?/);
    expect(() => adminConsentUrl({ clientId: APP, authorityHost: 'http://login.example' })).toThrow(InvalidArgumentError);
    expect(() => adminConsentUrl({ clientId: APP, authorityHost: 'https://login.microsoftonline.us', cloud: 'dod' })).toThrow(InvalidArgumentError);
  });

  it('allows a loopback http redirect for local tools', () => {
    expect(adminConsentUrl({ clientId: APP, redirectUri: 'http://localhost:8400/cb' })).toContain('redirect_uri=http%3A%2F%2Flocalhost%3A8400%2Fcb');
  });
});
