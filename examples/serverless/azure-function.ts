/**
 * Azure Functions (Node.js programming model v4, `@azure/functions` 4.x) with two functions:
 *
 * - `highSeverityIncidents`, an HTTP trigger: `GET /api/incidents/high?limit=10` answers the active
 *   high-severity incidents as JSON;
 * - `highSeverityDigest`, a timer trigger every 15 minutes: logs the active high-severity incidents
 *   updated since the previous run (a hook for a Teams post, a ticket, …).
 *
 * In a Functions project this file is e.g. `src/functions/defender.ts`, found through package.json's
 * `"main": "dist/src/functions/*.js"`; docs/serverless.md has the app settings (Node 22 or 24, the
 * credential variables, Key Vault references, managed identity). The variables are those of
 * `clientOptionsFromEnv()`: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (or
 * AZURE_CLIENT_CERTIFICATE_PATH), and optionally DEFENDER_API=graph, DEFENDER_CLOUD, … Put the
 * secret in Key Vault and the app setting as a reference to it:
 * `AZURE_CLIENT_SECRET=@Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>/)`;
 * the code does not change.
 *
 * The app needs Incident.Read.All (Microsoft Threat Protection), or SecurityIncident.Read.All
 * (Microsoft Graph) with DEFENDER_API=graph.
 *
 * CI type-checks this file; it does not run it (there is no Functions host in CI). The same client
 * code runs against the simulator in examples/serverless/aws-lambda.ts.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext, type Timer } from '@azure/functions';
import { DefenderClient, DefenderError, RateLimitError, clientOptionsFromEnv, type Incident } from 'm365-defender';

// Module scope on purpose: the Functions host loads this file once per worker process and keeps
// the process for every invocation it serves after (both triggers, until the app scales in or
// recycles), so the client's token cache and quota pacing are shared by all of them. Only the first
// invocation of a worker asks Entra ID for a token; the others reuse it until about 5 minutes before
// it expires. Constructing the client makes no request; a missing or malformed variable throws here,
// and the host reports the worker's start-up failure with the CredentialError naming the variable.
const client = new DefenderClient(clientOptionsFromEnv());

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;
/** The timer's period, used as the look-back window when the schedule status has no last run. */
const PERIOD_MS = 15 * 60_000;

/** What both functions return about an incident. */
function summary(incident: Incident) {
  return {
    id: incident.id,
    displayName: incident.displayName,
    severity: incident.severity,
    status: incident.status,
    assignedTo: incident.assignedTo,
    lastUpdateDateTime: incident.lastUpdateDateTime.toISOString(),
    webUrl: incident.webUrl,
  };
}

/**
 * The SDK's errors as HTTP answers. Their messages never hold a secret or a token (the SDK
 * guarantees it), so they can be shown to the caller; anything else is rethrown for the host to log.
 */
function failure(error: unknown, context: InvocationContext): HttpResponseInit {
  if (error instanceof RateLimitError) {
    const seconds = Math.ceil((error.retryAfterMs ?? 60_000) / 1000);
    return { status: 503, headers: { 'retry-after': String(seconds) }, jsonBody: { error: error.name, message: error.message } };
  }
  if (error instanceof DefenderError) {
    context.error(`${error.name}: ${error.message}`);
    return { status: 502, jsonBody: { error: error.name, message: error.message } };
  }
  throw error;
}

app.http('highSeverityIncidents', {
  methods: ['GET'],
  // A function key is required (`?code=…` or the `x-functions-key` header): incidents are not public.
  authLevel: 'function',
  route: 'incidents/high',
  handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const raw = request.query.get('limit');
    const limit = raw === null ? DEFAULT_LIMIT : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return { status: 400, jsonBody: { error: 'BadRequest', message: `limit must be an integer from 1 to ${MAX_LIMIT}.` } };
    }
    try {
      // Bounds the call, retries included, well inside the 230 s an HTTP-triggered function has to answer.
      const signal = AbortSignal.timeout(30_000);
      const incidents = await client.incidents.list({ status: 'active', severity: 'high', signal }).toArray({ limit });
      return { jsonBody: { count: incidents.length, incidents: incidents.map(summary) } };
    } catch (error) {
      return failure(error, context);
    }
  },
});

app.timer('highSeverityDigest', {
  // NCRONTAB with seconds: every 15 minutes, on the quarter hour.
  schedule: '0 */15 * * * *',
  handler: async (timer: Timer, context: InvocationContext): Promise<void> => {
    // The host records the last occurrence (useMonitor); a first run or a missing record looks one period back.
    const last = Date.parse(timer.scheduleStatus?.last ?? '');
    const updatedAfter = new Date(Number.isNaN(last) ? Date.now() - PERIOD_MS : last);
    if (timer.isPastDue) context.warn('highSeverityDigest is running late (the app was asleep or busy).');
    let count = 0;
    // A thrown error fails the invocation, and the host logs it with the SDK's error class and message.
    for await (const incident of client.incidents.list({ status: 'active', severity: 'high', updatedAfter })) {
      count++;
      context.log(`incident ${incident.id} (${incident.severity}): ${incident.displayName}`, summary(incident));
    }
    context.log(`${count} active high-severity incident(s) updated since ${updatedAfter.toISOString()}`);
  },
});
