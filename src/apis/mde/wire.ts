/**
 * zod schemas of what the Defender for Endpoint API sends (reference mde-actions.md §2.4, §3.2,
 * §4.2, §6): lenient like the Defender API's (enums are any string, optional fields may be `null`
 * or missing, unknown fields allowed), checking the type of each field the public model exposes.
 *
 * @packageDocumentation
 */
import * as z from 'zod';
import { dateTime, integer, optionalDateTime, str, strings } from '../shared/wire.js';

/** A machine (`/api/machines`). */
export const machineSchema = z.object({
  id: z.string().min(1),
  computerDnsName: str,
  firstSeen: optionalDateTime,
  lastSeen: optionalDateTime,
  osPlatform: str,
  version: z.union([z.string(), z.number()]).nullish(),
  osBuild: integer,
  lastIpAddress: str,
  lastExternalIpAddress: str,
  healthStatus: str,
  onboardingStatus: str,
  rbacGroupId: z.union([z.string(), z.number()]).nullish(),
  rbacGroupName: str,
  riskScore: str,
  exposureLevel: str,
  aadDeviceId: str,
  machineTags: strings,
});

/** A machine action (`/api/machineactions`). The list samples spell the update time `lastUpdateTimeUtc`. */
export const machineActionSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  scope: str,
  requestor: str,
  requestorComment: str,
  status: z.string(),
  machineId: z.string(),
  computerDnsName: str,
  creationDateTimeUtc: dateTime,
  lastUpdateDateTimeUtc: optionalDateTime,
  lastUpdateTimeUtc: optionalDateTime,
  cancellationRequestor: str,
  cancellationComment: str,
  cancellationDateTimeUtc: optionalDateTime,
  errorHResult: z.number().int().nullish(),
  relatedFileInfo: z.object({ fileIdentifier: str, fileIdentifierType: str }).nullish(),
});

/** An indicator (`/api/indicators`). */
export const indicatorSchema = z.object({
  id: z.union([z.string().min(1), z.number().int()]),
  indicatorValue: z.string(),
  indicatorType: z.string(),
  action: z.string(),
  title: str,
  description: str,
  severity: str,
  recommendedActions: str,
  application: str,
  expirationTime: optionalDateTime,
  creationTimeDateTimeUtc: optionalDateTime,
  lastUpdateTime: optionalDateTime,
  createdBy: str,
  rbacGroupNames: strings,
  generateAlert: z.union([z.boolean(), z.string()]).nullish(),
});

/** One result of `/api/indicators/import`: a 200 can hold failed items. */
export const importResultSchema = z.object({
  id: z.union([z.string(), z.number()]).nullish(),
  indicator: str,
  isFailed: z.boolean(),
  failureReason: str,
});

/** The body of `/api/indicators/import`: one result per indicator sent, in order. */
export const importResultListSchema = z.object({ value: z.array(importResultSchema) });

/** The body of `getPackageUri`: the link, which the doc sample wraps in quotes. */
export const packageUriSchema = z.object({ value: z.string().min(1) });

/** A machine as sent. */
export type MachineWire = z.output<typeof machineSchema> & Record<string, unknown>;
/** A machine action as sent. */
export type MachineActionWire = z.output<typeof machineActionSchema> & Record<string, unknown>;
/** An indicator as sent. */
export type IndicatorWire = z.output<typeof indicatorSchema> & Record<string, unknown>;
