/**
 * Runs an advanced-hunting query with a typed row schema; values are escaped by the kql tag.
 *
 * Against your tenant:
 *   AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=… DEVICE_NAME=pc-01 npx tsx examples/run-hunting-query.ts
 * Against the local simulator: run `npx m365d sim`, paste the `export …` lines it prints, then
 *   DEVICE_NAME=<a device of the simulated tenant> npx tsx examples/run-hunting-query.ts   (npm run demo picks one)
 * On Microsoft Graph instead of the Defender API: add DEFENDER_API=graph; nothing else changes.
 *
 * The app needs AdvancedHunting.Read.All (Microsoft Threat Protection), or ThreatHunting.Read.All
 * (Microsoft Graph) with DEFENDER_API=graph.
 */
import { z } from 'zod';
import { DefenderClient, QueryError, RateLimitError, clientOptionsFromEnv, kql } from 'm365-defender';

const client = new DefenderClient(clientOptionsFromEnv());
const deviceName = process.env.DEVICE_NAME ?? 'pc-01';

const rowSchema = z.object({
  Timestamp: z.coerce.date(),
  DeviceName: z.string(),
  FileName: z.string(),
  ProcessCommandLine: z.string().nullable(),
});

try {
  // The time window is in the query (`where Timestamp > ago(7d)`), which runs the same on both APIs.
  // Graph also takes a `timespan` option ('P7D', {start, end}, {start, duration}); the Defender API
  // has no such parameter and refuses the option, so a portable program keeps the window in the KQL.
  const result = await client.advancedHunting.run(
    kql`DeviceProcessEvents
      | where DeviceName == ${deviceName} and Timestamp > ago(7d)
      | project Timestamp, DeviceName, FileName, ProcessCommandLine
      | take 20`,
    { rowSchema },
  );
  console.log(result.schema.map((column) => `${column.name}:${column.type}`).join(', '));
  for (const row of result.rows) console.log(row.Timestamp.toISOString(), row.FileName, row.ProcessCommandLine ?? '');
  console.log(`${result.rows.length} row(s) for ${deviceName} in the last 7 days`);
} catch (error) {
  if (error instanceof QueryError) console.error(`The service refused the query: ${error.message}`);
  else if (error instanceof RateLimitError) console.error(`Quota (${error.quota}) exhausted; retry after ${error.retryAfterMs ?? '?'} ms.`);
  else throw error;
}
