import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  ActionFailedError,
  ActionInProgressError,
  DEVICE_TEXT_LIMITS,
  DefenderClient,
  DeviceNotFoundError,
  InvalidArgumentError,
  PermissionError,
  TimeoutError,
  UnsupportedDeviceError,
  kql,
  type Device,
  type TokenCredential,
} from '../../src/index.js';
import type { FakeTenant } from '../../src/testing/index.js';
import { TenantCredential, fakeTenant, startServer, unusedCredential } from '../support/tenant.js';
import { rejection, thrownBy } from '../support/throws.js';

const server = startServer();
const MINUTE = 60_000;
const ISOLATE_ONLY = ['Machine.Isolate'];

const actionRequests = (tenant: FakeTenant) => tenant.requests.filter((r) => r.route === 'mde.machineAction');

async function workstation(client: DefenderClient): Promise<Device> {
  const devices = await client.devices.list().toArray();
  const device = devices.find((d) => d.osPlatform?.startsWith('Windows1'));
  if (!device) throw new Error('the fleet has no workstation');
  return device;
}

describe('client.devices: finding devices', () => {
  it('lists the fleet of the tenant and finds one by name, by IP at a time, and by tag', async () => {
    const { client } = fakeTenant(server);
    const devices = await client.devices.list().toArray();
    expect(devices.length).toBe(40);
    const device = devices[3] as Device;
    expect(device.id).toMatch(/^[0-9a-f]{40}$/);

    const byName = await client.devices.find({ name: device.name as string });
    expect(byName.id).toBe(device.id);
    const byIp = await client.devices.find({ ip: device.lastIpAddress as string, at: new Date() });
    expect(byIp.lastIpAddress).toBe(device.lastIpAddress);
    const tagged = devices.find((d) => d.tags.includes('VIP'));
    if (tagged) expect((await client.devices.find({ tag: 'VIP' })).tags).toContain('VIP');
    expect((await client.devices.get(device.id)).name).toBe(device.name);
  });

  it('throws DeviceNotFoundError for a name, an id or an IP no device has', async () => {
    const { client } = fakeTenant(server);
    expect(await rejection(client.devices.find({ name: 'nobody.contoso.com' }))).toBeInstanceOf(DeviceNotFoundError);
    const error = await rejection(client.devices.get('0'.repeat(40)));
    expect(error).toBeInstanceOf(DeviceNotFoundError);
    expect((error as DeviceNotFoundError).deviceId).toBe('0'.repeat(40));
    expect(await rejection(client.devices.find({ ip: '192.0.2.1' }))).toBeInstanceOf(DeviceNotFoundError);
  });

  it('refuses a query with none or two of name, ip and tag, and a name that is not text, before sending', async () => {
    const { client, tenant } = fakeTenant(server);
    expect(await rejection(client.devices.find({} as never))).toBeInstanceOf(InvalidArgumentError);
    expect(await rejection(client.devices.find({ name: 'a', tag: 'b' } as never))).toBeInstanceOf(InvalidArgumentError);
    expect(await rejection(client.devices.find({ ip: 'not-an-ip' }))).toBeInstanceOf(InvalidArgumentError);
    expect(tenant.requests.filter((r) => r.route.startsWith('mde.'))).toHaveLength(0);
  });

  it("keeps a quote in a name inside the filter's string literal", async () => {
    const { client, tenant } = fakeTenant(server);
    expect(await rejection(client.devices.find({ name: "x' or computerDnsName ne 'y" }))).toBeInstanceOf(DeviceNotFoundError);
    const sent = tenant.requests.find((r) => r.route === 'mde.listMachines');
    expect(new URL(sent?.url as string).searchParams.get('$filter')).toBe("computerDnsName eq 'x'' or computerDnsName ne ''y'");
  });

  it("keeps a quote in a listing's OS platform inside the filter's string literal: the filter matches nothing rather than everything", async () => {
    const { client, tenant } = fakeTenant(server);
    expect(await client.devices.list({ osPlatform: "Linux' or osPlatform ne 'x" }).toArray()).toEqual([]);
    const sent = tenant.requests.find((r) => r.route === 'mde.listMachines');
    expect(new URL(sent?.url as string).searchParams.get('$filter')).toBe("osPlatform eq 'Linux'' or osPlatform ne ''x'");
  });

  it('refuses a health status or risk score the service does not have, naming the option and its values, before sending', () => {
    const { client, tenant } = fakeTenant(server);
    const health = thrownBy(InvalidArgumentError, () => client.devices.list({ healthStatus: 'Healthy' as never }));
    expect(health).toMatchObject({
      option: 'healthStatus',
      message: `healthStatus must be one of 'Active', 'Inactive', 'ImpairedCommunication', 'NoSensorData', 'NoSensorDataImpairedCommunication', 'Unknown'; got "Healthy".`,
    });
    const risk = thrownBy(InvalidArgumentError, () => client.devices.list({ riskScore: "High' or riskScore ne 'x" as never }));
    expect(risk).toMatchObject({ option: 'riskScore', message: expect.stringMatching(/^riskScore must be one of 'None', 'Informational', 'Low', 'Medium', 'High'; got "High' or/) });
    expect(thrownBy(InvalidArgumentError, () => client.devices.list({ riskScore: 3 as never }))).toMatchObject({ option: 'riskScore' });
    expect(tenant.requests.filter((r) => r.route.startsWith('mde.'))).toHaveLength(0);
  });

  it("filters on health and risk given in any letter case, sending the service's spelling", async () => {
    const { client, tenant } = fakeTenant(server);
    const all = await client.devices.list().toArray();
    const expected = all.filter((d) => d.healthStatus === 'Active' && d.riskScore === 'High').map((d) => d.id);
    expect(expected.length).toBeGreaterThan(0);
    const before = tenant.requests.length;
    expect((await client.devices.list({ healthStatus: 'active', riskScore: 'high' }).toArray()).map((d) => d.id)).toEqual(expected);
    const sent = tenant.requests.slice(before).find((r) => r.route === 'mde.listMachines');
    expect(new URL(sent?.url as string).searchParams.get('$filter')).toBe("healthStatus eq 'Active' and riskScore eq 'High'");
  });
});

describe('client.devices: actions', () => {
  it('isolates a device; the action goes pending → in progress → succeeded on the tenant clock, and wait() resolves it', async () => {
    const { client, tenant } = fakeTenant(server);
    const device = await workstation(client);
    const action = await client.devices.isolate(device.id, { comment: 'INC-1234: beaconing', type: 'selective' });
    expect(action).toMatchObject({ type: 'isolate', status: 'pending', scope: 'Selective', deviceId: device.id, comment: 'INC-1234: beaconing', reused: false });
    expect(actionRequests(tenant)[0]?.body).toEqual({ Comment: 'INC-1234: beaconing', IsolationType: 'Selective' });
    tenant.clock.advance(30_000);
    expect((await client.deviceActions.get(action.id)).status).toMatch(/^(pending|inProgress)$/);
    tenant.clock.advance(10 * MINUTE);
    const done = await action.wait({ intervalMs: 1 });
    expect(done.status).toBe('succeeded');
    expect(done.lastUpdateDateTime?.getTime()).toBeGreaterThan(done.createdDateTime.getTime());
    expect(tenant.mde.isIsolated(device.id)).toBe(true);

    const release = await client.devices.release(device.id, { comment: 'INC-1234: clean' });
    tenant.clock.advance(10 * MINUTE);
    await release.wait({ intervalMs: 1 });
    expect(tenant.mde.isIsolated(device.id)).toBe(false);
  });

  it('an isolation that succeeded, and its release, show in DeviceInfo hunting results from their completion time', async () => {
    // generated hunting tables (the helper's default is none): 2,000 rows give each device one DeviceInfo report
    const { client, tenant, credential } = fakeTenant(server, { huntingTables: undefined, huntingRows: 2_000 });
    const device = await workstation(client);
    const latest = async () => {
      const { rows } = await client.advancedHunting.run(kql`DeviceInfo | where DeviceId == ${device.id} | top 1 by Timestamp desc | project Timestamp, DeviceName, MachineGroup, AdditionalFields`);
      return rows[0] as { Timestamp: string; DeviceName: string; MachineGroup: string; AdditionalFields: string } | undefined;
    };
    const before = await latest();
    expect(before).toMatchObject({ DeviceName: device.name, AdditionalFields: '{"IsolationState":"NotIsolated"}' });
    expect(before?.MachineGroup).toBe(device.rbacGroupName);

    const isolation = await client.devices.isolate(device.id, { comment: 'INC-1234: beaconing' });
    tenant.clock.advance(10 * MINUTE);
    const done = await isolation.wait({ intervalMs: 1 });
    const isolated = await latest();
    expect(isolated?.AdditionalFields).toBe('{"IsolationState":"Isolated"}');
    expect(Date.parse(isolated?.Timestamp ?? '')).toBe(done.lastUpdateDateTime?.getTime());
    // Graph's runHuntingQuery reads the same tables
    const graph = new DefenderClient({ credential, api: 'graph' });
    const { rows: viaGraph } = await graph.advancedHunting.run(kql`DeviceInfo | where DeviceId == ${device.id} | top 1 by Timestamp desc | project AdditionalFields`);
    expect(viaGraph).toEqual([{ AdditionalFields: '{"IsolationState":"Isolated"}' }]);

    const release = await client.devices.release(device.id, { comment: 'INC-1234: clean' });
    tenant.clock.advance(10 * MINUTE);
    await release.wait({ intervalMs: 1 });
    expect((await latest())?.AdditionalFields).toBe('{"IsolationState":"NotIsolated"}');
    const { rows } = await client.advancedHunting.run(kql`DeviceInfo | where DeviceId == ${device.id} and AdditionalFields contains '"Isolated"' | count`);
    expect(rows).toEqual([{ Count: 1 }]);
  });

  it('sends every action with its own body and returns its type', async () => {
    const { client, tenant } = fakeTenant(server);
    const device = await workstation(client);
    const sha1 = 'a'.repeat(40);
    const actions = [
      await client.devices.runAntivirusScan(device.id, { comment: 'c', type: 'full' }),
      await client.devices.collectInvestigationPackage(device.id, { comment: 'c' }),
      await client.devices.restrictAppExecution(device.id, { comment: 'c' }),
      await client.devices.removeAppRestriction(device.id, { comment: 'c' }),
      await client.devices.stopAndQuarantineFile(device.id, { comment: 'c', sha1 }),
    ];
    expect(actions.map((a) => a.type)).toEqual(['runAntivirusScan', 'collectInvestigationPackage', 'restrictAppExecution', 'removeAppRestriction', 'stopAndQuarantineFile']);
    expect(actions[0]?.scope).toBe('Full');
    expect(actions[4]?.fileSha1).toBe(sha1);
    expect(actionRequests(tenant).map((r) => new URL(r.url).pathname.split('/').pop())).toEqual([
      'runAntiVirusScan', 'collectInvestigationPackage', 'restrictCodeExecution', 'unrestrictCodeExecution', 'StopAndQuarantineFile',
    ]);
    expect(actionRequests(tenant)[4]?.body).toEqual({ Comment: 'c', Sha1: sha1 });
  });

  it('ten concurrent isolates of one device send one request that creates an action; every caller gets that action', async () => {
    const { client, tenant } = fakeTenant(server);
    const device = await workstation(client);
    const actions = await Promise.all(Array.from({ length: 10 }, () => client.devices.isolate(device.id, { comment: 'INC-1' })));
    expect(actionRequests(tenant)).toHaveLength(1);
    expect(new Set(actions.map((a) => a.id)).size).toBe(1);
    expect(actions.filter((a) => a.reused)).toHaveLength(9);
  });

  it("concurrent calls that share one request: a caller's abort ends only that call; when every caller has aborted, the request is abandoned", async () => {
    const { client, tenant } = fakeTenant(server);
    const device = await workstation(client);
    // The first caller aborts while the shared request is still on its way; the other gets the action.
    const first = new AbortController();
    const second = new AbortController();
    const calls = [client.devices.isolate(device.id, { comment: 'INC-1', signal: first.signal }), client.devices.isolate(device.id, { comment: 'INC-1', signal: second.signal })];
    first.abort(new Error('first caller gave up'));
    const [aborted, kept] = await Promise.allSettled(calls);
    expect(aborted).toMatchObject({ status: 'rejected', reason: { message: 'first caller gave up' } });
    expect(kept).toMatchObject({ status: 'fulfilled', value: { type: 'isolate', reused: true } });
    expect(actionRequests(tenant)).toHaveLength(1);

    // A scan asked by two callers who both give up before it is sent: nothing is asked of the service.
    const a = new AbortController();
    const b = new AbortController();
    const scans = [client.devices.runAntivirusScan(device.id, { comment: 'INC-2', signal: a.signal }), client.devices.runAntivirusScan(device.id, { comment: 'INC-2', signal: b.signal })];
    a.abort(new Error('a gave up'));
    b.abort(new Error('b gave up'));
    const outcomes = await Promise.allSettled(scans);
    expect(outcomes.map((o) => o.status === 'rejected' && (o.reason as Error).message)).toEqual(['a gave up', 'b gave up']);
    expect(actionRequests(tenant)).toHaveLength(1);
    // A caller right after them asks afresh rather than inheriting their abort.
    const c = new AbortController();
    const d = new AbortController();
    const abandoned = client.devices.runAntivirusScan(device.id, { comment: 'INC-2', signal: c.signal });
    const both = Promise.allSettled([abandoned, client.devices.runAntivirusScan(device.id, { comment: 'INC-2', signal: d.signal })]);
    c.abort(new Error('c gave up'));
    d.abort(new Error('d gave up'));
    const fresh = await client.devices.runAntivirusScan(device.id, { comment: 'INC-2' });
    expect(fresh).toMatchObject({ type: 'runAntivirusScan', reused: false });
    expect((await both).map((o) => o.status === 'rejected' && (o.reason as Error).message)).toEqual(['c gave up', 'd gave up']);
    expect(actionRequests(tenant)).toHaveLength(2);
    // A caller already aborted is refused at once with its reason.
    const gone = AbortSignal.abort(new Error('already gone'));
    expect(await rejection(client.devices.release(device.id, { comment: 'INC-3', signal: gone }))).toMatchObject({ message: 'already gone' });
  });

  it('returns the pending action of the same type with reused: true instead of asking again', async () => {
    const { client, tenant } = fakeTenant(server);
    const device = await workstation(client);
    tenant.mde.nextActions('hang');
    const first = await client.devices.isolate(device.id, { comment: 'INC-1' });
    tenant.clock.advance(5 * MINUTE);
    const again = await client.devices.isolate(device.id, { comment: 'INC-1 again' });
    expect(again.reused).toBe(true);
    expect(again.id).toBe(first.id);
    expect(actionRequests(tenant)).toHaveLength(1);
    // Another type is another action.
    const scan = await client.devices.runAntivirusScan(device.id, { comment: 'INC-1' });
    expect(scan.reused).toBe(false);
    expect(actionRequests(tenant)).toHaveLength(2);
  });

  it('never passes off a pending action that does something else as the one asked for (another file, another scope)', async () => {
    const { client, tenant } = fakeTenant(server);
    const device = await workstation(client);
    tenant.mde.nextActions('hang', 'hang');
    const fileA = 'a'.repeat(40);
    const fileB = 'b'.repeat(40);
    const quarantineA = await client.devices.stopAndQuarantineFile(device.id, { sha1: fileA, comment: 'INC-1' });
    const quick = await client.devices.runAntivirusScan(device.id, { comment: 'INC-1', type: 'quick' });
    tenant.clock.advance(5 * MINUTE);
    // The service refuses a second quarantine or scan while one is pending: a typed error, not file A's action.
    const quarantineB = await rejection(client.devices.stopAndQuarantineFile(device.id, { sha1: fileB, comment: 'INC-1' }));
    expect(quarantineB).toBeInstanceOf(ActionInProgressError);
    const full = await rejection(client.devices.runAntivirusScan(device.id, { comment: 'INC-1', type: 'full' }));
    expect(full).toBeInstanceOf(ActionInProgressError);
    expect(actionRequests(tenant)).toHaveLength(4);
    // The same file and the same scope are the pending ones.
    const againA = await client.devices.stopAndQuarantineFile(device.id, { sha1: fileA.toUpperCase(), comment: 'INC-1' });
    expect(againA).toMatchObject({ id: quarantineA.id, reused: true });
    expect((await client.devices.runAntivirusScan(device.id, { comment: 'INC-1', type: 'quick' })).id).toBe(quick.id);
    expect(actionRequests(tenant)).toHaveLength(4);
  });

  it.each([
    ['with Machine.Read.All', undefined],
    ['with only the action permissions', ['Machine.StopAndQuarantine', 'Machine.Isolate']],
  ])('within the first minute (%s), a repeat the service answers with the pending action of another file or scope is ActionInProgressError carrying that action', async (_what, roles) => {
    const { client, tenant } = fakeTenant(server, roles ? { roles } : {});
    const id = firstWorkstationId(tenant);
    tenant.mde.nextActions('hang', 'hang');
    const fileA = 'a'.repeat(40);
    const quarantineA = await client.devices.stopAndQuarantineFile(id, { sha1: fileA, comment: 'INC-1' });
    const full = await client.devices.isolate(id, { comment: 'INC-1', type: 'full' });
    tenant.clock.advance(10_000);
    const quarantineB = await rejection(client.devices.stopAndQuarantineFile(id, { sha1: 'b'.repeat(40), comment: 'INC-1' }));
    expect(quarantineB).toBeInstanceOf(ActionInProgressError);
    expect((quarantineB as ActionInProgressError).pendingAction).toMatchObject({ id: quarantineA.id, type: 'stopAndQuarantineFile', fileSha1: fileA });
    expect((quarantineB as Error).message).toContain(`file ${'b'.repeat(40)}`);
    const selective = await rejection(client.devices.isolate(id, { comment: 'INC-1', type: 'selective' }));
    expect(selective).toBeInstanceOf(ActionInProgressError);
    expect((selective as ActionInProgressError).pendingAction).toMatchObject({ id: full.id, scope: 'Full' });
    // The service was asked, and answered 201 with the pending action: it started nothing new.
    expect(actionRequests(tenant).map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(tenant.mde.actions().map((a) => a['id'])).toEqual([quarantineA.id, full.id]);
    // The same file is the pending action, as the service's answer or the SDK's lookup.
    expect(await client.devices.stopAndQuarantineFile(id, { sha1: fileA, comment: 'INC-1' })).toMatchObject({ id: quarantineA.id });
  });

  it('returns the action the service started when its answer leaves the scope or file out (null), as it may', async () => {
    const { client, tenant } = fakeTenant(server, { roles: ISOLATE_ONLY });
    const id = firstWorkstationId(tenant);
    server.use(
      http.post(/\/api\/machines\/[^/]+\/isolate$/, () =>
        HttpResponse.json(
          {
            id: 'b89eb834-4578-496c-8be0-03f004061435',
            type: 'Isolate',
            scope: null,
            requestor: 'app',
            requestorComment: 'INC-1',
            status: 'Pending',
            machineId: id,
            computerDnsName: 'ws',
            creationDateTimeUtc: '2026-01-02T14:39:38.2262283Z',
            lastUpdateDateTimeUtc: '2026-01-02T14:39:38.2262283Z',
            relatedFileInfo: null,
          },
          { status: 201 },
        ),
      ),
    );
    const action = await client.devices.isolate(id, { comment: 'INC-1', type: 'full' });
    expect(action).toMatchObject({ id: 'b89eb834-4578-496c-8be0-03f004061435', type: 'isolate', scope: null, reused: false });
  });

  it('after the first minute, a refused repeat of another file carries the pending action the SDK found', async () => {
    const { client, tenant } = fakeTenant(server);
    const id = firstWorkstationId(tenant);
    tenant.mde.nextActions('hang');
    const quarantineA = await client.devices.stopAndQuarantineFile(id, { sha1: 'a'.repeat(40), comment: 'INC-1' });
    tenant.clock.advance(5 * MINUTE);
    const error = await rejection(client.devices.stopAndQuarantineFile(id, { sha1: 'b'.repeat(40), comment: 'INC-1' }));
    expect(error).toBeInstanceOf(ActionInProgressError);
    expect(error).toMatchObject({ status: 400, code: 'ActiveRequestAlreadyExists' });
    expect((error as ActionInProgressError).pendingAction?.id).toBe(quarantineA.id);
  });

  it("without Machine.Read.All a repeat the service refuses (400) is ActionInProgressError", async () => {
    const { client, tenant } = fakeTenant(server, { roles: ISOLATE_ONLY });
    const id = firstWorkstationId(tenant);
    tenant.mde.nextActions('hang');
    const first = await client.devices.isolate(id, { comment: 'INC-1' });
    expect(first.reused).toBe(false);
    tenant.clock.advance(5 * MINUTE);
    const error = await rejection(client.devices.isolate(id, { comment: 'INC-1' }));
    expect(error).toBeInstanceOf(ActionInProgressError);
    expect((error as ActionInProgressError).code).toBe('ActiveRequestAlreadyExists');
    expect((error as ActionInProgressError).pendingAction).toBeUndefined();
  });

  it('wait() throws ActionFailedError carrying the failed, timed-out or cancelled action', async () => {
    const { client, tenant } = fakeTenant(server);
    const device = await workstation(client);
    tenant.mde.nextActions('Failed', 'TimeOut');
    const failing = await client.devices.runAntivirusScan(device.id, { comment: 'c' });
    const timingOut = await client.devices.restrictAppExecution(device.id, { comment: 'c' });
    tenant.clock.advance(10 * MINUTE);
    const failed = await rejection(failing.wait({ intervalMs: 1 }));
    expect(failed).toBeInstanceOf(ActionFailedError);
    expect((failed as ActionFailedError).action).toMatchObject({ id: failing.id, status: 'failed' });
    expect((failed as ActionFailedError).action.error?.hresult).toBeTypeOf('number');
    expect(((await rejection(timingOut.wait({ intervalMs: 1 }))) as ActionFailedError).action.status).toBe('timedOut');

    const collect = await client.devices.collectInvestigationPackage(device.id, { comment: 'c' });
    const cancelled = await client.deviceActions.cancel(collect.id, { comment: 'not needed' });
    expect(cancelled.cancellation?.comment).toBe('not needed');
    expect(((await rejection(collect.wait({ intervalMs: 1 }))) as ActionFailedError).action.status).toBe('cancelled');
  });

  it('wait() gives up with TimeoutError after timeoutMs while the action hangs, and stops on abort', async () => {
    const { client, tenant } = fakeTenant(server);
    const device = await workstation(client);
    tenant.mde.nextActions('hang');
    const action = await client.devices.isolate(device.id, { comment: 'c' });
    tenant.clock.advance(10 * MINUTE);
    const error = await rejection(action.wait({ timeoutMs: 30, intervalMs: 5 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain(action.id);

    const controller = new AbortController();
    const reason = new Error('operator stopped waiting');
    const waiting = action.wait({ intervalMs: 60_000, signal: controller.signal });
    controller.abort(reason);
    expect(await rejection(waiting)).toBe(reason);
  });

  it('packageUri() tries again while the service answers 404, and returns the link once the collection is done', async () => {
    const { client, tenant } = fakeTenant(server, { client: { rateLimit: false } });
    const device = await workstation(client);
    const pkg = await client.devices.collectInvestigationPackage(device.id, { comment: 'c' });
    const uri = pkg.packageUri({ intervalMs: 5 });
    const notReady = () => tenant.requests.filter((r) => r.route === 'mde.packageUri' && r.status === 404).length;
    await expect.poll(notReady).toBeGreaterThanOrEqual(2);
    tenant.clock.advance(10 * MINUTE);
    expect(await uri).toMatch(/^https:\/\/.+\/safedownload\/WDATP_Investigation_Package\.zip\?token=/);
    const done = await pkg.wait({ intervalMs: 1 });
    expect(await done.packageUri()).toMatch(/^https:\/\//);
  });

  it('refuses selective isolation of a server with UnsupportedDeviceError, and an unknown device with DeviceNotFoundError', async () => {
    const { client } = fakeTenant(server);
    const serverDevice = (await client.devices.list().toArray()).find((d) => d.osPlatform?.startsWith('WindowsServer')) as Device;
    expect(await rejection(client.devices.isolate(serverDevice.id, { comment: 'c', type: 'selective' }))).toBeInstanceOf(UnsupportedDeviceError);
    expect(await rejection(client.devices.isolate('f'.repeat(40), { comment: 'c' }))).toBeInstanceOf(DeviceNotFoundError);
  });

  it('refuses a missing comment, a bad type and a bad SHA-1 before sending anything, as a rejection (never a synchronous throw)', async () => {
    const { client, tenant } = fakeTenant(server);
    const id = 'a'.repeat(40);
    expect(await rejection(client.devices.isolate(id, {} as never))).toMatchObject({ option: 'comment' });
    // Each call returns a promise that rejects: a caller's .catch() sees every refusal.
    const refusals = [
      client.devices.isolate(id, { comment: 'c', type: 'partial' as never }),
      client.devices.runAntivirusScan(id, { comment: 'c', type: 'deep' as never }),
      client.devices.stopAndQuarantineFile(id, { comment: 'c', sha1: 'b'.repeat(64) }),
    ];
    const errors = await Promise.all(refusals.map((call) => call.then(() => undefined, (error: unknown) => error)));
    expect(errors.map((error) => error instanceof InvalidArgumentError && error.option)).toEqual(['type', 'type', 'sha1']);
    expect((errors[2] as Error).message).toMatch(/SHA-1/);
    expect(tenant.requests.filter((r) => r.route.startsWith('mde.'))).toHaveLength(0);
  });

  it('DEVICE_TEXT_LIMITS are the limits the checks apply: at its limit an option is sent, one character more is refused naming it; the table cannot be changed', async () => {
    const { client, tenant } = fakeTenant(server);
    const { name, osPlatform, tag, deviceId, comment } = DEVICE_TEXT_LIMITS;
    const over = (option: string) => ({ option, message: expect.stringContaining(`at most ${DEVICE_TEXT_LIMITS[option as keyof typeof DEVICE_TEXT_LIMITS]} characters`) });
    expect(thrownBy(InvalidArgumentError, () => client.devices.list({ name: 'n'.repeat(name + 1) }))).toMatchObject(over('name'));
    expect(thrownBy(InvalidArgumentError, () => client.devices.list({ osPlatform: 'w'.repeat(osPlatform + 1) }))).toMatchObject(over('osPlatform'));
    expect(thrownBy(InvalidArgumentError, () => client.deviceActions.list({ deviceId: 'd'.repeat(deviceId + 1) }))).toMatchObject(over('deviceId'));
    expect(await rejection(client.devices.find({ name: 'n'.repeat(name + 1) }))).toMatchObject(over('name'));
    expect(await rejection(client.devices.find({ tag: 't'.repeat(tag + 1) }))).toMatchObject(over('tag'));
    expect(await rejection(client.devices.isolate('f'.repeat(40), { comment: 'c'.repeat(comment + 1) }))).toMatchObject(over('comment'));
    expect(await rejection(client.deviceActions.cancel('a1', { comment: 'c'.repeat(comment + 1) }))).toMatchObject(over('comment'));
    expect(tenant.requests.filter((r) => r.route.startsWith('mde.'))).toHaveLength(0);

    expect(await client.devices.list({ name: 'n'.repeat(name), osPlatform: 'w'.repeat(osPlatform) }).toArray()).toEqual([]);
    expect(await client.deviceActions.list({ deviceId: 'd'.repeat(deviceId) }).toArray()).toEqual([]);
    expect(await rejection(client.devices.find({ tag: 't'.repeat(tag) }))).toBeInstanceOf(DeviceNotFoundError);
    expect(await rejection(client.devices.isolate('f'.repeat(40), { comment: 'c'.repeat(comment) }))).toBeInstanceOf(DeviceNotFoundError);
    // A caller cannot loosen the checks by writing to the table.
    expect(Object.isFrozen(DEVICE_TEXT_LIMITS)).toBe(true);
    expect(() => Object.assign(DEVICE_TEXT_LIMITS, { comment: 1_000_000 })).toThrow(TypeError);
  });

  it('a missing permission names the Defender for Endpoint permission (WindowsDefenderATP Machine.Isolate)', async () => {
    const { client, tenant } = fakeTenant(server, { roles: ['Machine.Read.All'] });
    const id = firstWorkstationId(tenant);
    const error = await rejection(client.devices.isolate(id, { comment: 'c' }));
    expect(error).toBeInstanceOf(PermissionError);
    expect(error).toMatchObject({ requiredPermissions: ['Machine.Isolate'], permissionApi: 'WindowsDefenderATP' });
    expect((error as Error).message).toContain('Machine.Isolate');
    const required = await rejection(client.auth.requireRoles(['Machine.Isolate']));
    expect(required).toMatchObject({ requiredPermissions: ['Machine.Isolate'], permissionApi: 'WindowsDefenderATP' });
    await expect(client.auth.requireRoles(['Machine.Read.All'])).resolves.toMatchObject({ audience: 'https://api.securitycenter.microsoft.com' });
  });

  it('sends a token for the MDE audience, also on api: graph; a token for the Defender API audience gets 403', async () => {
    const { tenant } = fakeTenant(server);
    const graph = new DefenderClient({ credential: new TenantCredential(tenant), api: 'graph' });
    expect((await graph.devices.list().toArray()).length).toBe(40);
    const wrong = new DefenderClient({
      credential: new TenantCredential(tenant),
      cloud: {
        authorityHost: tenant.hosts.authorityHost,
        apiBaseUrl: tenant.hosts.defenderBaseUrl,
        scope: 'https://api.security.microsoft.com/.default',
        mdeScope: 'https://api.security.microsoft.com/.default',
      },
    });
    const error = await rejection(wrong.devices.list().toArray());
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).status).toBe(403);
    expect((error as Error).message).toContain('WindowsDefenderATP');
  });
});

describe('a custom cloud without cloud.mdeScope', () => {
  /** A fake tenant on a sovereign-style host of its own, and a client of it whose credential records every scope asked. */
  function sovereign(mdeScope?: string) {
    const host = 'https://api.defender.contoso-sovereign.test';
    const { tenant } = fakeTenant(server, { defenderBaseUrl: host });
    const credential = new TenantCredential(tenant);
    const scopes: string[] = [];
    const recording: TokenCredential = {
      getToken: (scope) => {
        scopes.push(String(scope));
        return credential.getToken(scope);
      },
    };
    const client = new DefenderClient({
      credential: recording,
      cloud: { authorityHost: tenant.hosts.authorityHost, apiBaseUrl: host, scope: 'https://api.security.microsoft.com/.default', ...(mdeScope ? { mdeScope } : {}) },
    });
    return { tenant, client, scopes, host };
  }

  it('constructs and reads incidents, but devices, deviceActions and indicators fail at their first call naming cloud.mdeScope; no MDE token is asked for or sent', async () => {
    const { tenant, client, scopes } = sovereign();
    expect((await client.incidents.list().toArray()).length).toBeGreaterThan(0);
    const calls: Array<() => Promise<unknown>> = [
      () => client.devices.list().toArray(),
      () => client.devices.get('a'.repeat(40)),
      () => client.devices.find({ name: 'ws-0042.contoso.com' }),
      () => client.devices.isolate('a'.repeat(40), { comment: 'INC-1' }),
      () => client.deviceActions.list().toArray(),
      () => client.deviceActions.get('0b0b0b0b-0000-4000-8000-000000000000'),
      () => client.indicators.list().toArray(),
      () => client.indicators.submit({ value: '203.0.113.7', type: 'ipAddress', action: 'block', title: 'INC-1' }),
      () => client.auth.requireRoles(['Machine.Isolate']),
    ];
    for (const call of calls) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ option: 'cloud.mdeScope' });
      expect((error as Error).message).toMatch(/cloud\.mdeScope/);
    }
    expect(tenant.requests.filter((r) => r.route.startsWith('mde.'))).toEqual([]);
    expect(new Set(scopes)).toEqual(new Set(['https://api.security.microsoft.com/.default']));
    expect(client.cloud.mdeScope).toBeUndefined();
  });

  it('with cloud.mdeScope sends the MDE calls, with a token of that scope only, to cloud.apiBaseUrl', async () => {
    const { tenant, client, scopes, host } = sovereign('https://api.securitycenter.microsoft.com/.default');
    expect((await client.devices.list().toArray()).length).toBe(40);
    const mde = tenant.requests.filter((r) => r.route.startsWith('mde.'));
    expect(mde.length).toBeGreaterThan(0);
    expect(mde.every((r) => new URL(r.url).origin === host)).toBe(true);
    expect(scopes).toEqual(['https://api.securitycenter.microsoft.com/.default']);
  });
});

describe('client.deviceActions', () => {
  it('lists actions by device, type and status, and gets one', async () => {
    const { client } = fakeTenant(server);
    const device = await workstation(client);
    const scan = await client.devices.runAntivirusScan(device.id, { comment: 'c' });
    await client.devices.isolate(device.id, { comment: 'c' });
    const scans = await client.deviceActions.list({ deviceId: device.id, type: 'runAntivirusScan' }).toArray();
    expect(scans.map((a) => a.id)).toEqual([scan.id]);
    expect(await client.deviceActions.list({ deviceId: device.id, status: ['succeeded'] }).toArray()).toEqual([]);
    expect((await client.deviceActions.list({ deviceId: device.id }).toArray()).length).toBe(2);
    expect((await client.deviceActions.get(scan.id)).type).toBe('runAntivirusScan');
  });

  it('checks each action on its own: one the model rejects goes to onInvalidItem, the others arrive', async () => {
    const { client, tenant } = fakeTenant(server);
    const device = await workstation(client);
    const good = (await client.devices.runAntivirusScan(device.id, { comment: 'c' })).raw;
    tenant.faults.add('mde.listActions', { status: 200, body: { value: [good, { ...good, id: 'broken', creationDateTimeUtc: 'yesterday' }] } });
    const invalid: unknown[] = [];
    const actions = await client.deviceActions.list({ onInvalidItem: (item) => void invalid.push(item) }).toArray();
    expect(actions.map((a) => a.id)).toEqual([good.id]);
    expect(invalid).toEqual([expect.objectContaining({ id: 'broken' })]);
    tenant.faults.add('mde.listActions', { status: 200, body: { value: [{ ...good, id: 'broken', creationDateTimeUtc: 'yesterday' }] } });
    expect(await rejection(client.deviceActions.list().toArray())).toMatchObject({ name: 'ResponseValidationError' });
  });

  it('refuses an unknown status or type naming the option', () => {
    const client = new DefenderClient({ credential: unusedCredential });
    expect(() => client.deviceActions.list({ status: 'done' as never })).toThrow(expect.objectContaining({ option: 'status' }));
    expect(() => client.deviceActions.list({ type: 'reboot' as never })).toThrow(expect.objectContaining({ option: 'type' }));
  });
});

/** A workstation of the kit's fleet, for an app that may not read devices. */
function firstWorkstationId(tenant: FakeTenant): string {
  const device = tenant.mde.fleet().find((d) => !d.server);
  if (!device) throw new Error('no workstation');
  return device.deviceId;
}

describe('response actions and the quotas', () => {
  it('paces device actions in the machineActions family: past its window the call fails unsent within the budget', async () => {
    const { client, tenant } = fakeTenant(server, {
      client: { maxRetryWaitMs: 0, rateLimit: { limits: { machineActions: [{ limit: 2, intervalMs: 60_000 }] } } },
    });
    const ids = tenant.mde.fleet().filter((d) => !d.server).map((d) => d.deviceId);
    // Each isolate is two machineActions calls: the look for a pending one, then the request.
    await client.devices.isolate(ids[0] as string, { comment: 'c' });
    const error = await rejection(client.devices.isolate(ids[1] as string, { comment: 'c' }));
    expect(error).toMatchObject({ name: 'RateLimitError', code: 'ClientRateLimited' });
    expect(actionRequests(tenant)).toHaveLength(1);
    // Device reads are another family: not held by it.
    expect((await client.devices.get(ids[1] as string)).id).toBe(ids[1]);
  });

  it("the kit answers past the documented quota with the service's 429, which the client surfaces as RateLimitError", async () => {
    const { client, tenant } = fakeTenant(server, { quotas: { 'mde.machines': [{ limit: 1, intervalMs: 60_000 }] }, client: { rateLimit: false, maxRetries: 0 } });
    const id = firstWorkstationId(tenant);
    await client.devices.get(id);
    const error = await rejection(client.devices.get(id));
    expect(error).toMatchObject({ name: 'RateLimitError', status: 429 });
    expect((error as Error).message).toContain('maximum allowed 1 per 00:01:00');
  });
});
