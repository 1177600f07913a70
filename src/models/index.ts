/**
 * The SDK's public model: incidents, alerts, evidence and hunting results in Microsoft Graph's
 * vocabulary, their zod schemas, and the checks run on caller input.
 *
 * @packageDocumentation
 */
export * from './enums.js';
export * from './evidence.js';
export * from './incident.js';
export * from './hunting.js';
export * from './incident-options.js';
