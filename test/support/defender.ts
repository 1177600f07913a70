/*
 * An in-memory fake of the legacy Defender API (reference §2–§4) as msw handlers:
 * incidents list/get/PATCH and advanced hunting, with token, role and quota-style failures.
 * A thin msw wrapper over the fake tenant's {@link DefenderApi}; it accepts tokens signed with the
 * shared test key (`makeAccessToken`, `FakeEntra`).
 */
import type { HttpHandler } from 'msw';
import { handlers } from '../../src/testing/msw.js';
import { DefenderApi, type DefenderApiOptions } from '../../src/testing/tenant/defender-api.js';

export { seedIncidents } from '../../src/testing/data/seed-incidents.js';
export type { DefenderRoute, InjectedResponse, RecordedRequest } from '../../src/testing/tenant/defender-api.js';
export type { LegacyAlertWire, LegacyCommentWire, LegacyDeviceWire, LegacyEntityWire, LegacyIncidentWire } from '../../src/testing/tenant/legacy-wire.js';

/** Options of {@link FakeDefender}. */
export type FakeDefenderOptions = Omit<DefenderApiOptions, 'now'>;

/**
 * In-memory fake of the legacy Defender API (`/api/incidents`, `/api/advancedhunting/run`) for msw.
 * Checks the bearer token's signature, `aud`, `tid`, `exp` and `roles` like the service does, answers
 * with the service's wire shapes and error bodies, and records every request it handles.
 */
export class FakeDefender extends DefenderApi {
  constructor(options: FakeDefenderOptions) {
    super(options);
  }

  /** The msw handlers; requests to other paths on the origin fall through to later handlers. */
  handlers(): HttpHandler[] {
    return handlers(this);
  }
}
