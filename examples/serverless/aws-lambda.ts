/**
 * An AWS Lambda handler that returns the active high-severity incidents as JSON.
 *
 * Deploy it as a bundle (docs/serverless.md has the settings that work and the figures), runtime
 * nodejs22.x, handler `index.handler`:
 *   npx esbuild examples/serverless/aws-lambda.ts --bundle --platform=node --target=node22 \
 *     --format=esm --minify --keep-names --outfile=build/index.mjs \
 *     --banner:js="import { createRequire as __m365dCreateRequire } from 'node:module'; const require = __m365dCreateRequire(import.meta.url);"
 * or as CommonJS (`--format=cjs --outfile=build/index.cjs`, no banner needed).
 * Without the banner an ESM bundle builds and loads, then fails at the first token request with
 * `Dynamic require of "buffer" is not supported` (an AuthenticationError): msal-node's dependencies,
 * under `@azure/identity`, are CommonJS and `require()` Node built-ins, which an ESM file cannot do
 * without a `require` of its own.
 *
 * Configuration is the environment, as everywhere in the SDK (`clientOptionsFromEnv()`):
 * AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH), and
 * optionally DEFENDER_API=graph, DEFENDER_CLOUD, … Keep the secret in AWS Secrets Manager or SSM
 * Parameter Store, resolved into the variable at deploy time, never in the repository.
 * Against the local simulator: `npx m365d sim --save-env sim.env`, load sim.env into the
 * environment, and call `handler({})` (scripts/serverless-check.mjs does exactly that, in CI).
 *
 * The app needs Incident.Read.All (Microsoft Threat Protection), or SecurityIncident.Read.All
 * (Microsoft Graph) with DEFENDER_API=graph.
 */
import { DefenderClient, clientOptionsFromEnv, type Incident } from 'm365-defender';

/**
 * The part of Lambda's context object this handler reads (hand-written: no `@types/aws-lambda`
 * needed). Optional, so that the handler can be called directly, e.g. from a test.
 */
export interface LambdaContext {
  /** The invocation's request id. */
  awsRequestId: string;
  /** Milliseconds left before Lambda stops the invocation. */
  getRemainingTimeInMillis(): number;
}

/**
 * What the handler returns: the shape of a Lambda function URL / API Gateway proxy response, which
 * a direct invocation (`aws lambda invoke`, Step Functions, EventBridge) also receives as it is.
 */
export interface LambdaResult {
  statusCode: number;
  headers: Record<string, string>;
  /** JSON: {@link IncidentsBody}. */
  body: string;
}

/** The JSON in {@link LambdaResult.body}. */
export interface IncidentsBody {
  /** True on the first invocation of this container (a cold start: the one that fetched the token). */
  coldStart: boolean;
  /** Invocations this container has served, this one included. */
  invocation: number;
  count: number;
  incidents: Array<Pick<Incident, 'id' | 'displayName' | 'severity' | 'status' | 'assignedTo'> & { lastUpdateDateTime: string }>;
}

/** At most this many incidents in one response. */
const LIMIT = 25;
/** Time kept back from Lambda's deadline, so that a slow call ends as a clean error, not a kill. */
const DEADLINE_RESERVE_MS = 1_000;

// Module scope on purpose: Lambda runs this once per container (the INIT phase) and keeps it for
// every warm invocation after, so the client's token cache survives them. Only the cold start asks
// Entra ID for a token; warm invocations reuse it until about 5 minutes before it expires (tokens
// live 60-90 minutes), then one invocation refreshes it. A client built inside the handler would
// request a token on every invocation and lose the quota pacing between them.
// Constructing the client is cheap and makes no request (`@azure/identity` is loaded on the first
// token request); a missing or malformed variable throws here, failing INIT with a CredentialError or
// InvalidArgumentError that names it.
const client = new DefenderClient(clientOptionsFromEnv());
let invocations = 0;

/**
 * Lists up to 25 active high-severity incidents. The event is not read. A failure (e.g.
 * `PermissionError` naming the missing permission, `AuthenticationError` with the AADSTS code)
 * is thrown, so Lambda records a failed invocation and its retry policy applies.
 */
export async function handler(_event?: unknown, context?: LambdaContext): Promise<LambdaResult> {
  invocations++;
  // Stop before Lambda's own deadline: the SDK aborts the request (and its retries) on this signal.
  const remaining = context ? context.getRemainingTimeInMillis() - DEADLINE_RESERVE_MS : 60_000;
  const signal = AbortSignal.timeout(Math.max(1, remaining));
  const incidents = await client.incidents.list({ status: 'active', severity: 'high', signal }).toArray({ limit: LIMIT });
  const body: IncidentsBody = {
    coldStart: invocations === 1,
    invocation: invocations,
    count: incidents.length,
    incidents: incidents.map((incident) => ({
      id: incident.id,
      displayName: incident.displayName,
      severity: incident.severity,
      status: incident.status,
      assignedTo: incident.assignedTo,
      lastUpdateDateTime: incident.lastUpdateDateTime.toISOString(),
    })),
  };
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
