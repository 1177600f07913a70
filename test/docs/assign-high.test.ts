import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DefenderClient } from 'm365-defender';
import { createFakeTenant } from 'm365-defender/testing';
import { handlers } from 'm365-defender/testing/msw';
import { assignHighSeverity } from './assign-high.js';

const tenant = createFakeTenant({ seed: 42, incidents: 60 });
const server = setupServer(...handlers(tenant));
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

it('assigns the unowned active high-severity incidents, through a 503', async () => {
  const client = new DefenderClient({ credential: tenant.credential() });
  const unowned = [...tenant.incidents.values()].filter((i) => i.status === 'Active' && i.severity === 'High' && !i.assignedTo);
  expect(unowned.length).toBeGreaterThan(0);
  tenant.faults.add('defender.listIncidents', { status: 503 }); // the SDK retries it
  expect(await assignHighSeverity(client, 'soc@contoso.com')).toBe(unowned.length);
  expect(unowned.every((i) => tenant.incidents.get(i.incidentId)?.assignedTo === 'soc@contoso.com')).toBe(true);
});
