/**
 * Tokens echoed back by the API (issue 11, item 2): some gateways copy the request's headers into
 * their error bodies. Whatever the status, wire API or body shape, the token the SDK sent, any JWT
 * and any `Bearer …` value are redacted from the error's message, `body`, every other property,
 * `util.inspect`, `JSON.stringify` and the logger's lines, and the rest of the service's words stay.
 */
import { inspect } from 'node:util';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  ApiError,
  AuthenticationError,
  DefenderClient,
  NotFoundError,
  PermissionError,
  QueryError,
  RateLimitError,
  ServerError,
  type DefenderClientOptions,
  type Logger,
  type TokenCredential,
} from '../../src/index.js';
import { renderings } from '../support/leak.js';
import { rejection } from '../support/throws.js';
import { fakeTenant, startServer } from '../support/tenant.js';

const server = startServer();

type Api = 'defender' | 'graph';
/** Every API route of each wire API (incidents and hunting). */
const API_ROUTES: Record<Api, string> = {
  defender: 'https://api.security.microsoft.com/api/*',
  graph: 'https://graph.microsoft.com/v1.0/security/*',
};

/** A JWT-shaped string that is not the token sent: redacted too. */
const OTHER_JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzb21lb25lLWVsc2UiLCJhdWQiOiJodHRwczovL290aGVyIn0.c2lnbmF0dXJlLW9mLWFub3RoZXItdG9rZW4tOTg3NjU0MzIx';
/** A bearer value that is no JWT: redacted as `Bearer <anything>`. */
const OTHER_BEARER = 'opaque-reference-token-0123456789abcdef';

/** An OData error body as a gateway that echoes the request's headers writes it. */
function echoingBody(authorization: string) {
  return {
    error: {
      code: 'GatewayRejected',
      message: `Upstream refused the request; headers were Authorization: ${authorization}`,
      target: 'd3b07384-d9a0-4c9f-8e2b-1f2a3b4c5d6e',
      details: [{ code: 'Echo', message: `token ${authorization.replace(/^Bearer /, '')}`, also: `${OTHER_JWT} and Bearer ${OTHER_BEARER}` }],
      innerError: { 'request-id': 'd3b07384-d9a0-4c9f-8e2b-1f2a3b4c5d6e', headers: { Authorization: authorization } },
    },
  };
}

/** A logger that keeps every line of every level, its arguments inspected. */
function capturing(lines: string[]): Logger {
  const line = (level: string) => (...args: unknown[]) => void lines.push(`${level} ${args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 10 }))).join(' ')}`);
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/** Asserts that no form of `tokens` (or of the other JWT and bearer value) shows anywhere. */
function expectRedacted(error: unknown, lines: readonly string[], tokens: readonly string[]): void {
  const all = [...renderings(error), ...lines].join('\n');
  expect(tokens.length).toBeGreaterThan(0);
  for (const token of tokens) {
    expect(all).not.toContain(token);
    // Each part of a JWT on its own (the signature is the secret part; the payload names the app).
    for (const part of token.split('.')) if (part.length > 8) expect(all).not.toContain(part);
  }
  expect(all).not.toContain(OTHER_JWT.split('.')[2]);
  expect(all).not.toContain(OTHER_BEARER);
}

const fast: Partial<DefenderClientOptions> = { maxRetries: 0, rateLimit: false, silenceDeprecationWarnings: true };

describe.each<Api>(['defender', 'graph'])('a token echoed in an error body, on api: %s', (api) => {
  it.each([
    [400, ApiError],
    [401, AuthenticationError],
    [403, PermissionError],
    [404, NotFoundError],
    [429, RateLimitError],
    [500, ServerError],
  ] as const)('%i: redacted from message, body, details, inspect, JSON and the log; the rest kept', async (status, expected) => {
    const lines: string[] = [];
    const { client, credential } = fakeTenant(server, { client: { ...fast, api, logger: capturing(lines) } });
    server.use(
      http.all(API_ROUTES[api], ({ request }) =>
        HttpResponse.json(echoingBody(request.headers.get('authorization') ?? ''), { status, headers: { 'retry-after': '3600' } }),
      ),
    );
    const error = await rejection(client.incidents.get('100001'));
    expect(error).toBeInstanceOf(expected);
    const apiError = error as ApiError;
    // What the service said, with the token taken out of it.
    expect(apiError.message).toContain('Upstream refused the request; headers were Authorization: Bearer [redacted');
    expect(apiError.code).toBe('GatewayRejected');
    const body = apiError.body as ReturnType<typeof echoingBody>;
    expect(body.error.innerError.headers.Authorization).toMatch(/^Bearer \[redacted/);
    expect(body.error.details[0]!.message).toMatch(/^token \[redacted[^\]]*\]$/);
    expect(body.error.details[0]!.also).toBe('[redacted token] and Bearer [redacted]');
    expect(lines.some((line) => line.startsWith('error ') && line.includes('Upstream refused'))).toBe(true);
    expectRedacted(error, lines, credential.issued);
  });

  it('a gateway page (not JSON) echoing the header: redacted from the text kept on body', async () => {
    const lines: string[] = [];
    const { client, credential } = fakeTenant(server, { client: { ...fast, api, logger: capturing(lines) } });
    server.use(
      http.all(API_ROUTES[api], ({ request }) =>
        HttpResponse.text(`<html><body><h1>502 Bad Gateway</h1><pre>authorization: ${request.headers.get('authorization')}</pre></body></html>`, {
          status: 502,
          headers: { 'content-type': 'text/html' },
        }),
      ),
    );
    const error = await rejection(client.incidents.list().toArray());
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).body).toContain('<pre>authorization: Bearer [redacted');
    expectRedacted(error, lines, credential.issued);
  });

  it('a token hidden behind JSON escapes (\\u002e for its dots) is redacted once parsed', async () => {
    const { client, credential } = fakeTenant(server, { client: { ...fast, api } });
    server.use(
      http.all(API_ROUTES[api], ({ request }) => {
        const token = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
        const text = JSON.stringify({ error: { code: 'BadRequest', message: `rejected ${token}` } }).replaceAll('.', '\\u002e');
        return new HttpResponse(text, { status: 400, headers: { 'content-type': 'application/json' } });
      }),
    );
    const error = await rejection(client.incidents.get('100001'));
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toContain('rejected [redacted');
    expectRedacted(error, [], credential.issued);
  });

  it('the exact token sent, even when it is no JWT and carries no "Bearer"', async () => {
    const opaque = `opaque~${api}~token/value+0123456789ABCDEF=`;
    const credential: TokenCredential = { getToken: async () => ({ token: opaque, expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const client = new DefenderClient({ credential, ...fast, api });
    server.use(
      http.all(API_ROUTES[api], ({ request }) =>
        HttpResponse.json({ error: { code: 'Forbidden', message: `caller ${(request.headers.get('authorization') ?? '').slice(7)} is not allowed` } }, { status: 404 }),
      ),
    );
    const error = await rejection(client.incidents.get('100001'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toContain('caller [redacted] is not allowed');
    expectRedacted(error, [], [opaque]);
  });

  it('advanced hunting, run() and stream(): a refused query echoing the token', async () => {
    const lines: string[] = [];
    const { client, credential } = fakeTenant(server, { client: { ...fast, api, logger: capturing(lines) } });
    server.use(http.all(API_ROUTES[api], ({ request }) => HttpResponse.json(echoingBody(request.headers.get('authorization') ?? ''), { status: 400 })));
    const ran = await rejection(client.advancedHunting.run('DeviceInfo | take 1'));
    expect(ran).toBeInstanceOf(QueryError);
    expectRedacted(ran, lines, credential.issued);
    const stream = client.advancedHunting.stream('DeviceInfo | take 1');
    const streamed = await rejection((async () => {
      for await (const row of stream) void row;
    })());
    expect(streamed).toBeInstanceOf(QueryError);
    expect((streamed as QueryError).message).toContain('Upstream refused the request');
    expectRedacted(streamed, lines, credential.issued);
  });
});
