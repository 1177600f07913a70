/**
 * Finds a device by name, isolates it, waits for the isolation to take effect, and prints it.
 *
 * Against your tenant:
 *   AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=… DEVICE_NAME=ws-0042.contoso.com npx tsx examples/isolate-device.ts
 * Against the local simulator: run `npx m365d sim`, paste the `export …` lines it prints, then
 *   DEVICE_NAME=<a device of the simulated tenant> npx tsx examples/isolate-device.ts   (npm run demo picks one)
 * Device actions are Defender for Endpoint API calls whatever DEFENDER_API says: the app needs the
 * WindowsDefenderATP permissions Machine.Read.All and Machine.Isolate, with their own token audience.
 * Set RELEASE=1 to release the device again afterwards.
 */
import { ActionFailedError, DefenderClient, DeviceNotFoundError, clientOptionsFromEnv } from 'm365-defender';

const name = process.env.DEVICE_NAME;
if (!name) throw new Error('Set DEVICE_NAME to the DNS name of the device to isolate.');

const client = new DefenderClient(clientOptionsFromEnv());
await client.auth.requireRoles(['Machine.Read.All', 'Machine.Isolate']);

try {
  const device = await client.devices.find({ name });
  console.log(`Found ${device.name} (${device.id}), ${device.osPlatform}, last IP ${device.lastIpAddress}.`);
  // A second isolate while this one is pending returns it (reused: true) instead of a new action.
  const action = await client.devices.isolate(device.id, { comment: 'INC-1234: beaconing to a known C2', type: 'full' });
  console.log(`Isolation ${action.id} is ${action.status}${action.reused ? ' (an isolation already pending, reused)' : ''}; waiting…`);
  const done = await action.wait({ timeoutMs: 10 * 60_000, intervalMs: Number(process.env.POLL_MS ?? 5_000) });
  console.log(`Device ${done.deviceName} isolated at ${done.lastUpdateDateTime?.toISOString()} (${done.scope}).`);
  if (process.env.RELEASE === '1') {
    const release = await client.devices.release(device.id, { comment: 'INC-1234: cleaned' });
    await release.wait({ intervalMs: Number(process.env.POLL_MS ?? 5_000) });
    console.log(`Device ${done.deviceName} released.`);
  }
} catch (error) {
  if (error instanceof DeviceNotFoundError) console.error(`No device named ${name} in this tenant.`);
  else if (error instanceof ActionFailedError) console.error(`The isolation ended ${error.action.status}: ${error.message}`);
  else throw error;
  process.exitCode = 1;
}
