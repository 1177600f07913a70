/**
 * Turns what @azure/identity throws into {@link AuthenticationError}s a person can act on.
 *
 * @azure/identity 4.13 wraps every token-endpoint failure of the client-credential flows in an
 * `AuthenticationRequiredError` whose message is MSAL's text: the HTTP status is lost, and a 5xx
 * with a non-JSON body reads "network_error". So each built-in credential installs a
 * {@link TokenResponseProbe} pipeline policy that records the status, `Retry-After` and the
 * Entra error body of the last token-endpoint response it saw.
 * @internal
 * @packageDocumentation
 */
import { AuthenticationError } from '../errors.js';
import { redact, redactedCause } from './redact.js';
import { parseRetryAfterHeader } from '../transport/retry-after.js';

/** The fields of an Entra error body the SDK keeps (none of them holds a secret). @internal */
export interface EntraErrorBody {
  error?: string;
  error_description?: string;
  error_codes?: number[];
  timestamp?: string;
  trace_id?: string;
  correlation_id?: string;
  error_uri?: string;
}

/** What the probe saw of the last token-endpoint (or discovery) response. @internal */
export interface ProbedResponse {
  status?: number;
  retryAfterMs?: number;
  body?: EntraErrorBody;
  url?: string;
  networkError?: string;
}

/** Minimal shapes of core-rest-pipeline's policy interface (to avoid importing its types eagerly). */
interface PipelineRequestLike {
  url: string;
}
interface PipelineResponseLike {
  status: number;
  headers: { get(name: string): string | undefined };
  bodyAsText?: string | null;
}

/**
 * A core-rest-pipeline policy that records the last response of the credential's requests to
 * Entra ID. It reads the body only of failed responses (a success body holds the token).
 * @internal
 */
export class TokenResponseProbe {
  last: ProbedResponse | undefined;

  /** The policy to pass in `additionalPolicies`. */
  readonly policy = {
    name: 'm365DefenderTokenResponseProbe',
    sendRequest: async (
      request: PipelineRequestLike,
      next: (request: PipelineRequestLike) => Promise<PipelineResponseLike>,
    ): Promise<PipelineResponseLike> => {
      let response: PipelineResponseLike;
      try {
        response = await next(request);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        this.last = { url: stripQuery(request.url), networkError: typeof code === 'string' ? code : 'network_error' };
        throw error;
      }
      const seen: ProbedResponse = { status: response.status, url: stripQuery(request.url) };
      if (response.status >= 400) {
        seen.retryAfterMs = parseRetryAfterHeader(response.headers.get('retry-after') ?? null);
        seen.body = pickEntraBody(response.bodyAsText);
      }
      this.last = seen;
      return response;
    },
  };
}

function stripQuery(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? url : url.slice(0, i);
}

function pickEntraBody(text: string | null | undefined): EntraErrorBody | undefined {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const raw = parsed as Record<string, unknown>;
  const body: EntraErrorBody = {};
  for (const key of ['error', 'error_description', 'timestamp', 'trace_id', 'correlation_id', 'error_uri'] as const) {
    if (typeof raw[key] === 'string') body[key] = raw[key] as string;
  }
  if (Array.isArray(raw.error_codes)) body.error_codes = raw.error_codes.filter((c): c is number => typeof c === 'number');
  return body.error || body.error_description ? body : undefined;
}

/** What an error mapping needs to know about the credential. @internal */
export interface EntraErrorContext {
  /** `ClientSecretCredential` or `ClientCertificateCredential`. */
  credentialName: string;
  kind: 'secret' | 'certificate';
  tenantId: string;
  clientId: string;
  authorityHost: string;
  scope: string;
  /** SHA-1 thumbprint of the certificate, for certificate credentials. */
  thumbprint?: string;
  /** Exact values to redact (the client secret). */
  secrets: readonly (string | undefined)[];
  /** Where the credential came from, e.g. `Key Vault https://x.vault.azure.net secret "s"`. */
  source?: string;
}

const OAUTH_STATUS: Record<string, number> = {
  invalid_client: 401,
  unauthorized_client: 400,
  invalid_tenant: 400,
  invalid_request: 400,
  invalid_scope: 400,
  invalid_resource: 400,
  invalid_grant: 400,
  unsupported_grant_type: 400,
  temporarily_unavailable: 503,
};

/**
 * Maps an error thrown by an @azure/identity credential to an {@link AuthenticationError}.
 * @internal
 */
export function toAuthenticationError(error: unknown, probe: ProbedResponse | undefined, ctx: EntraErrorContext): AuthenticationError {
  const message = error instanceof Error ? error.message : String(error);
  const body = probe?.body;
  const oauthError = body?.error ?? /^([a-z_]+):/.exec(message)?.[1];
  const aadsts = /AADSTS(\d+)/.exec(body?.error_description ?? '')?.[1] ??
    (body?.error_codes?.[0] !== undefined ? String(body.error_codes[0]) : undefined) ??
    /AADSTS(\d+)/.exec(message)?.[1];
  const code = aadsts ? `AADSTS${aadsts}` : oauthError ?? (probe?.networkError ? 'network_error' : undefined);
  const probedStatus = probe?.status !== undefined && probe.status >= 400 ? probe.status : undefined;
  const status = probedStatus ?? (oauthError ? OAUTH_STATUS[oauthError] : undefined) ?? 401;
  const description = firstLine(body?.error_description ?? /Description: ([\s\S]*?)(?: - Correlation ID|$)/.exec(message)?.[1] ?? '');
  const safeDescription = redact(description, ctx.secrets);
  const correlationId = body?.correlation_id ?? /Correlation ID: ([0-9a-f-]{36})/i.exec(message)?.[1];
  const traceId = body?.trace_id ?? /Trace ID: ([0-9a-f-]{36})/i.exec(message)?.[1];

  const app = `app ${ctx.clientId}`;
  const tenant = `tenant ${ctx.tenantId}`;
  const via = ctx.source ? ` (from ${ctx.source})` : '';
  const withCode = code ? ` (${code})` : '';
  let text: string;
  switch (code) {
    case 'AADSTS7000215':
      text = `Entra ID rejected the client secret${via} for ${app}${withCode}: check that you used the secret's value, not its id, and that it belongs to this app.`;
      break;
    case 'AADSTS7000222':
      text = `The client secret${via} for ${app} has expired${withCode}: create a new one in the app registration (Certificates & secrets) and update your configuration.`;
      break;
    case 'AADSTS700016':
      text = `Entra ID does not know ${app} in ${tenant}${withCode}: check the client id and the tenant id, and that the app is registered in that tenant (for a multi-tenant app: that an admin of the tenant consented to it, at ${consentUrl(ctx)}).`;
      break;
    case 'AADSTS650052':
      text =
        `${tenant} has not consented to ${app}${withCode}: an administrator of that tenant must grant the app its permissions once, ` +
        `by opening ${consentUrl(ctx)} (adminConsentUrl() builds it, with your redirectUri), then try again.`;
      break;
    case 'AADSTS90002':
      text = `Entra ID has no ${tenant} at ${ctx.authorityHost}${withCode}: check the tenant id, and the cloud (a GCC High or DoD tenant is not found on the public cloud's login host).`;
      break;
    case 'AADSTS900023':
      text = `Entra ID says the tenant id "${ctx.tenantId}" is malformed${withCode}: use the directory (tenant) id GUID or a verified domain.`;
      break;
    case 'AADSTS700027':
      text = `Entra ID rejected the certificate's client assertion for ${app}${withCode}: check that the certificate${ctx.thumbprint ? ` with thumbprint ${ctx.thumbprint}` : ''}${via} is uploaded to the app registration (Certificates & secrets) and not expired.`;
      break;
    case 'AADSTS700024':
      text = `Entra ID says the client assertion for ${app} is outside its valid time range${withCode}: check this machine's clock.`;
      break;
    case 'AADSTS7000112':
      text = `${app} is disabled in ${tenant}${withCode}: enable it (Enterprise applications > Properties).`;
      break;
    case 'AADSTS70011':
    case 'AADSTS1002012':
    case 'AADSTS500011':
    case 'AADSTS700022':
      text = `Entra ID rejected the scope "${ctx.scope}" for ${app}${withCode}: ${safeDescription || 'the resource is unknown in this tenant or the scope is malformed.'}` +
        (code === 'AADSTS500011' ? ' The resource\'s service principal is missing in the tenant: is the product licensed there?' : '');
      break;
    default:
      if (probe?.networkError || (code === 'network_error' && probedStatus === undefined)) {
        text = `Could not reach Entra ID at ${ctx.authorityHost} to get a token for ${app}${probe?.networkError ? ` (${probe.networkError})` : ''}: check the network, proxy and the cloud option.`;
      } else if (status === 429) {
        text = `Entra ID throttled token requests for ${app} (429)${withCode}: the app is requesting tokens too often; try again later.`;
      } else if (status >= 500) {
        text = `Entra ID's token endpoint failed (${status})${withCode} for ${app}: try again later.`;
      } else {
        text = `Entra ID refused a token for ${app} in ${tenant}${withCode}${safeDescription ? `: ${safeDescription}` : '.'}`;
      }
  }
  if (correlationId) text += ` Correlation id: ${correlationId}.`;
  return new AuthenticationError(text, {
    status,
    code,
    requestId: correlationId ?? traceId,
    retryAfterMs: probe?.retryAfterMs,
    body: body ? sanitizeBody(body, ctx.secrets) : undefined,
    operation: 'auth.getToken',
    cause: redactedCause(error, ctx.secrets),
  });
}

/** The admin-consent page of the app in the tenant (as adminConsentUrl() builds it, without a redirect). */
function consentUrl(ctx: EntraErrorContext): string {
  return `${ctx.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(ctx.tenantId)}/adminconsent?client_id=${encodeURIComponent(ctx.clientId)}`;
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/)[0] ?? '').trim();
}

function sanitizeBody(body: EntraErrorBody, secrets: readonly (string | undefined)[]): EntraErrorBody {
  const out: EntraErrorBody = { ...body };
  if (out.error_description) out.error_description = redact(out.error_description, secrets);
  return out;
}
