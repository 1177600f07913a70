/**
 * Streams a large advanced-hunting result row by row: memory stays flat however many rows come back.
 *
 * Against your tenant:
 *   AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=… npx tsx examples/stream-hunting.ts
 * Against the local simulator: run `npx m365d sim`, paste the `export …` lines it prints, then
 *   npx tsx examples/stream-hunting.ts   (npm run demo runs it too)
 *
 * The app needs AdvancedHunting.Read.All (or ThreatHunting.Read.All with DEFENDER_API=graph).
 */
import { z } from 'zod';
import { DefenderClient, clientOptionsFromEnv, kql } from 'm365-defender';

const client = new DefenderClient(clientOptionsFromEnv());

const stream = client.advancedHunting.stream(
  kql`DeviceProcessEvents
    | where Timestamp > ago(7d)
    | project Timestamp, DeviceName, FileName`,
  { rowSchema: z.object({ Timestamp: z.coerce.date(), DeviceName: z.string(), FileName: z.string() }) },
);

console.log('columns:', (await stream.schema).map((column) => `${column.name}:${column.type}`).join(', '));
let count = 0;
const perDevice = new Map<string, number>();
for await (const row of stream) {
  if (count < 3) console.log(row.Timestamp.toISOString(), row.DeviceName, row.FileName);
  perDevice.set(row.DeviceName, (perDevice.get(row.DeviceName) ?? 0) + 1);
  count++;
}
console.log(`${count} rows from ${perDevice.size} devices`);
