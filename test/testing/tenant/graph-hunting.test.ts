/*
 * The kit's Graph runHuntingQuery (src/testing/tenant/graph-hunting.ts): Graph's result shape, the
 * Timespan applied before the query, and KQL errors as Graph's 400.
 */
import { describe, expect, it } from 'vitest';
import { GRAPH, expectGraphError, hunter, json, send, serveGraph, writer } from '../../support/graph-api.js';
import { startServer } from '../../support/tenant.js';

const server = startServer();

describe("the kit's Graph API", () => {
  describe('runHuntingQuery', () => {
    const day = 86_400_000;
    const tables = () => {
      const now = Date.now();
      return {
        DeviceProcessEvents: [
          { Timestamp: new Date(now - 1 * day).toISOString(), DeviceName: 'ws-01', FileName: 'powershell.exe', ProcessId: 10 },
          { Timestamp: new Date(now - 10 * day).toISOString(), DeviceName: 'ws-02', FileName: 'cmd.exe', ProcessId: 11 },
          { Timestamp: new Date(now - 40 * day).toISOString(), DeviceName: 'ws-03', FileName: 'mimikatz.exe', ProcessId: 12 },
        ],
      };
    };
    const hunt = (body: unknown, headers = hunter) => send('POST', 'runHuntingQuery', body, headers);
    const devices = async (body: unknown) => (await json(await hunt(body))).results.map((row: { DeviceName: string }) => row.DeviceName).sort();

    it('answers Graph huntingQueryResults with schema and results', async () => {
      serveGraph(server, [], { huntingTables: tables() });
      const response = await hunt({ Query: 'DeviceProcessEvents | where FileName =~ "POWERSHELL.EXE" | project Timestamp, DeviceName, ProcessId' });
      expect(response.status).toBe(200);
      const body = await json(response);
      expect(Object.keys(body)).toEqual(['@odata.context', 'schema', 'results']);
      expect(body['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#microsoft.graph.security.huntingQueryResults`);
      expect(body.schema).toEqual([{ name: 'Timestamp', type: 'DateTime' }, { name: 'DeviceName', type: 'String' }, { name: 'ProcessId', type: 'Int64' }]);
      expect(body.results).toEqual([{ Timestamp: expect.stringMatching(/\.\d{7}Z$/), DeviceName: 'ws-01', ProcessId: 10 }]);
    });

    it('applies the Timespan to Timestamp before the query: 30 days by default, durations and intervals', async () => {
      serveGraph(server, [], { huntingTables: tables() });
      const query = 'DeviceProcessEvents';
      const now = Date.now();
      expect(await devices({ Query: query })).toEqual(['ws-01', 'ws-02']);
      expect(await devices({ Query: query, Timespan: 'P7D' })).toEqual(['ws-01']);
      expect(await devices({ Query: query, Timespan: 'P90D' })).toEqual(['ws-01', 'ws-02', 'ws-03']);
      const iso = (ms: number) => new Date(ms).toISOString();
      expect(await devices({ Query: query, Timespan: `${iso(now - 45 * day)}/${iso(now - 5 * day)}` })).toEqual(['ws-02', 'ws-03']);
      expect(await devices({ Query: query, Timespan: `P20D/${iso(now - 5 * day)}` })).toEqual(['ws-02']);
      expect(await devices({ Query: query, Timespan: `${iso(now - 41 * day)}/P2D` })).toEqual(['ws-03']);
      expect(await devices({ Query: query, Timespan: iso(now - 12 * day) })).toEqual(['ws-01', 'ws-02']);
      // the window applies before the query, so a query-wide count sees only it
      const counted = await json(await hunt({ Query: `${query} | count`, Timespan: 'P7D' }));
      expect(counted.results).toEqual([{ Count: 1 }]);
      const bad = await hunt({ Query: query, Timespan: 'last week' });
      expect(bad.status).toBe(400);
      expectGraphError(await json(bad), bad, 'BadRequest', /Timespan 'last week'/);
    });

    it('answers KQL errors with a Graph 400 carrying the KQL message', async () => {
      serveGraph(server, [], { huntingTables: tables() });
      const semantic = await hunt({ Query: 'DeviceProcessEvents | where IsInteetFacing == true' });
      expect(semantic.status).toBe(400);
      expectGraphError(await json(semantic), semantic, 'BadRequest', /Failed to resolve .*'IsInteetFacing'.*\. Fix semantic errors in your query\.$/);
      const syntax = await hunt({ Query: 'DeviceProcessEvents | wher x' });
      expect(syntax.status).toBe(400);
      expectGraphError(await json(syntax), syntax, 'BadRequest', /Query could not be parsed at 'wher'/);
      const table = await hunt({ Query: 'NoSuchTable | take 1' });
      expect((await json(table)).error.message).toMatch(/NoSuchTable/);
      expect((await hunt({ query: undefined })).status).toBe(400);
    });

    it('needs ThreatHunting.Read.All', async () => {
      serveGraph(server, [], { huntingTables: tables() });
      const response = await hunt({ Query: 'DeviceProcessEvents' }, writer);
      expect(response.status).toBe(403);
      expect((await json(response)).error.message).toBe(
        'Missing application roles. API required roles: ThreatHunting.Read.All, application roles: SecurityIncident.ReadWrite.All,SecurityAlert.ReadWrite.All.',
      );
    });
  });
});
