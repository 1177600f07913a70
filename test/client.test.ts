import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { DefenderClient, InvalidArgumentError, type DefenderClientOptions } from '../src/index.js';
import { fakeTenant, startServer, unusedCredential as credential } from './support/tenant.js';
import { thrownBy } from './support/throws.js';

const server = startServer();

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
      mdeScope: 'https://api.securitycenter.microsoft.com/.default',
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
    expect(client.cloud).toMatchObject({ name: 'custom', authorityHost: 'https://login.contoso.test', knownAuthority: false, mdeScope: undefined });
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
    [{ credential, cloud: { authorityHost: 'https://l', apiBaseUrl: 'https://a', scope: 'https://a/.default', mdeScope: 'https://a' } }, 'cloud.mdeScope', /\/\.default/],
    [{ credential, timeoutMs: 0 }, 'timeoutMs', /integer from 1/],
    [{ credential, maxRetries: 2.5 }, 'maxRetries', /integer from 0 to 10/],
    [{ credential, maxRetryWaitMs: -1 }, 'maxRetryWaitMs', /integer/],
    [{ credential, tokenRefreshMarginMs: '5m' }, 'tokenRefreshMarginMs', /integer/],
    [{ credential, userAgent: 'a\r\nX-Injected: 1' }, 'userAgent', /single-line/],
    [{ credential, userAgent: 'Contoso-Sentinel/1.2 ü' }, 'userAgent', /printable ASCII/],
    [{ credential, logger: 'console' }, 'logger', /console-like/],
    [{ credential, logger: [] }, 'logger', /console-like/],
    [{ credential, logger: { debug: 'yes' } }, 'logger.debug', /logger\.debug must be a function.*got "yes"/],
    [{ credential, logger: { debug() {}, warn: true } }, 'logger.warn', /logger\.warn must be a function.*got boolean true/],
    [{ credential, logger: { error: {} } }, 'logger.error', /logger\.error must be a function.*got an object/],
    [{}, 'credential', /credential is required/],
    [null, 'options', /options object/],
  ])('rejects bad options with an error naming the option (%#)', (options, option, message) => {
    const error = optionError(options);
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
  });
});

describe('logger', () => {
  it('takes any console-like object: methods may be left out, or inherited', async () => {
    const lines: string[] = [];
    class Collector {
      debug(message: string) {
        lines.push(message);
      }
    }
    const { client, tenant } = fakeTenant(server, { client: { logger: new Collector() } });
    await client.incidents.get(String([...tenant.incidents.keys()][0]));
    expect(lines.some((line) => line.startsWith('→ GET '))).toBe(true);
    expect(() => new DefenderClient({ credential, logger: {} })).not.toThrow();
    expect(() => new DefenderClient({ credential, logger: console })).not.toThrow();
  });
});

describe("api: 'graph' client options and clouds", () => {
  it.each([
    ['public', 'https://graph.microsoft.com'],
    ['gcc', 'https://graph.microsoft.com'],
    ['gcc-high', 'https://graph.microsoft.us'],
    ['dod', 'https://dod-graph.microsoft.us'],
  ] as const)('resolves the %s cloud to Graph host %s and its scope', (cloud, host) => {
    const client = new DefenderClient({ credential, cloud, api: 'graph' });
    expect(client.api).toBe('graph');
    expect(client.cloud).toMatchObject({ graphBaseUrl: host, graphScope: `${host}/.default` });
  });

  it('calls the sovereign Graph host with a token for its audience', async () => {
    const { credential: dodCredential } = fakeTenant(server, { incidents: 0, roles: ['SecurityIncident.Read.All'] });
    const seen: string[] = [];
    server.use(
      http.get('https://dod-graph.microsoft.us/v1.0/security/incidents', ({ request }) => {
        seen.push(request.url);
        return HttpResponse.json({ value: [] });
      }),
    );
    const client = new DefenderClient({ credential: dodCredential, cloud: 'dod', api: 'graph' });
    await client.incidents.list().toArray();
    expect(seen).toHaveLength(1);
    expect((await client.auth.inspect()).audience).toBe('https://dod-graph.microsoft.us');
  });

  it('takes a custom cloud graphBaseUrl (a loopback simulator) with a default scope', () => {
    const client = new DefenderClient({
      credential,
      api: 'graph',
      cloud: { authorityHost: 'http://127.0.0.1:8443', apiBaseUrl: 'http://127.0.0.1:8443', scope: 'https://api.security.microsoft.com/.default', graphBaseUrl: 'http://127.0.0.1:8443/' },
    });
    expect(client.cloud).toMatchObject({ graphBaseUrl: 'http://127.0.0.1:8443', graphScope: 'http://127.0.0.1:8443/.default' });
  });

  it('needs graphBaseUrl for api: graph on a custom cloud, and checks graphScope', () => {
    const cloud = { authorityHost: 'https://login.example', apiBaseUrl: 'https://api.example', scope: 'https://api.example/.default' };
    expect(optionError({ credential, api: 'graph', cloud }).option).toBe('cloud.graphBaseUrl');
    expect(new DefenderClient({ credential, cloud }).cloud.graphBaseUrl).toBeUndefined();
    expect(optionError({ credential, api: 'graph', cloud: { ...cloud, graphBaseUrl: 'ftp://graph.example' } }).option).toBe('cloud.graphBaseUrl');
    expect(optionError({ credential, api: 'graph', cloud: { ...cloud, graphBaseUrl: 'https://graph.example', graphScope: 'graph' } }).option).toBe('cloud.graphScope');
    expect(optionError({ credential, cloud: { ...cloud, graphScope: 'https://graph.example/.default' } }).option).toBe('cloud.graphScope');
  });

  it("refuses an api other than 'defender' or 'graph'", () => {
    const error = optionError({ credential, api: 'mde' });
    expect(error.option).toBe('api');
    expect(error.message).toContain("'defender' or 'graph'");
  });
});
