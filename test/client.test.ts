import { thrownBy } from './support/throws.js';
import { describe, expect, it } from 'vitest';
import { DefenderClient, InvalidArgumentError, type DefenderClientOptions } from '../src/index.js';
import { CountingCredential } from './support/harness.js';

const credential = new CountingCredential();

function optionError(options: unknown): InvalidArgumentError {
  return thrownBy(InvalidArgumentError, () => new DefenderClient(options as DefenderClientOptions));
}

describe('DefenderClient options', () => {
  it('defaults to the public cloud and the Defender API', () => {
    const client = new DefenderClient({ credential });
    expect(client.cloud).toEqual({
      name: 'public',
      authorityHost: 'https://login.microsoftonline.com',
      apiBaseUrl: 'https://api.security.microsoft.com',
      scope: 'https://api.security.microsoft.com/.default',
      knownAuthority: true,
      portalBaseUrl: 'https://security.microsoft.com',
      graphBaseUrl: 'https://graph.microsoft.com',
      graphScope: 'https://graph.microsoft.com/.default',
    });
    expect(client.api).toBe('defender');
  });

  it.each([
    ['gcc', 'https://login.microsoftonline.com', 'https://api-gcc.security.microsoft.us'],
    ['gcc-high', 'https://login.microsoftonline.us', 'https://api-gov.security.microsoft.us'],
    ['dod', 'https://login.microsoftonline.us', 'https://api-gov.security.microsoft.us'],
  ] as const)('resolves the %s cloud to its login, API and portal hosts', (cloud, authorityHost, apiBaseUrl) => {
    const client = new DefenderClient({ credential, cloud });
    expect(client.cloud).toMatchObject({ authorityHost, apiBaseUrl, scope: `${apiBaseUrl}/.default` });
    expect(client.cloud.portalBaseUrl).toBe({ gcc: 'https://security.microsoft.com', 'gcc-high': 'https://security.microsoft.us', dod: 'https://security.apps.mil' }[cloud]);
  });

  it('uses a regional host for calls but the global audience for tokens', () => {
    const client = new DefenderClient({ credential, region: 'eu' });
    expect(client.cloud.apiBaseUrl).toBe('https://eu.api.security.microsoft.com');
    expect(client.cloud.scope).toBe('https://api.security.microsoft.com/.default');
  });

  it('accepts a custom cloud and marks an unknown authority for instance-discovery bypass', () => {
    const client = new DefenderClient({
      credential,
      cloud: { authorityHost: 'https://login.contoso.test/', apiBaseUrl: 'https://api.contoso.test', scope: 'https://api.contoso.test/.default' },
    });
    expect(client.cloud).toMatchObject({ name: 'custom', authorityHost: 'https://login.contoso.test', knownAuthority: false });
  });

  it.each([
    [{ credential, maxRetrys: 3 }, 'maxRetrys', /new DefenderClient has no option "maxRetrys"/],
    [{ credential, api: 'beta' }, 'api', /api must be/],
    [{ credential, cloud: 'china' }, 'cloud', /cloud must be 'public', 'gcc', 'gcc-high', 'dod'/],
    [{ credential, cloud: 'toString' }, 'cloud', /cloud must be 'public', 'gcc', 'gcc-high', 'dod'/],
    [{ credential, cloud: '__proto__' }, 'cloud', /cloud must be 'public', 'gcc', 'gcc-high', 'dod'/],
    [{ credential, region: 'mars' }, 'region', /region must be one of/],
    [{ credential, cloud: 'gcc', region: 'us' }, 'region', /public' cloud only/],
    [{ credential, cloud: { authorityHost: 'https://l', apiBaseUrl: 'https://a', scope: 'https://a' } }, 'cloud.scope', /\/\.default/],
    [{ credential, cloud: { authorityHost: 'not a url', apiBaseUrl: 'https://a', scope: 'https://a/.default' } }, 'cloud.authorityHost', /absolute URL/],
    [{ credential, cloud: { authorityHost: 'https://l', apiBaseUrl: 'https://a/?x=1', scope: 'https://a/.default' } }, 'cloud.apiBaseUrl', /query/],
    [{ credential, timeoutMs: 0 }, 'timeoutMs', /integer from 1/],
    [{ credential, maxRetries: 2.5 }, 'maxRetries', /integer from 0 to 10/],
    [{ credential, maxRetryWaitMs: -1 }, 'maxRetryWaitMs', /integer/],
    [{ credential, tokenRefreshMarginMs: '5m' }, 'tokenRefreshMarginMs', /integer/],
    [{ credential, userAgent: 'a\r\nX-Injected: 1' }, 'userAgent', /single-line/],
    [{ credential, userAgent: 'Contoso-Sentinel/1.2 ü' }, 'userAgent', /printable ASCII/],
    [{ credential, logger: 'console' }, 'logger', /console-like/],
    [{}, 'credential', /credential is required/],
    [null, 'options', /options object/],
  ])('rejects bad options with an error naming the option (%#)', (options, option, message) => {
    const error = optionError(options);
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
  });
});
