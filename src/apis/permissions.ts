/**
 * Which permissions belong to which wire API, and the advice given when a token holds the other
 * API's: the most common mistake when moving between `api: 'defender'` and `api: 'graph'`.
 *
 * @packageDocumentation
 */
import { DEFENDER_PERMISSION_API } from './defender/operations.js';
import { GRAPH_PERMISSION_API } from './graph/operations.js';
import { MDE_PERMISSION_API } from './mde/permission-api.js';
import type { WireApiName } from '../types.js';


/** Defender API (Microsoft Threat Protection) permission → its Microsoft Graph counterpart. */
export const DEFENDER_TO_GRAPH_PERMISSIONS: Readonly<Record<string, string>> = {
  'Incident.Read.All': 'SecurityIncident.Read.All',
  'Incident.ReadWrite.All': 'SecurityIncident.ReadWrite.All',
  'AdvancedHunting.Read.All': 'ThreatHunting.Read.All',
};

const GRAPH_TO_DEFENDER: Readonly<Record<string, string>> = {
  'SecurityIncident.Read.All': 'Incident.Read.All',
  'SecurityIncident.ReadWrite.All': 'Incident.ReadWrite.All',
  'SecurityAlert.Read.All': 'Incident.Read.All',
  'SecurityAlert.ReadWrite.All': 'Incident.ReadWrite.All',
  'ThreatHunting.Read.All': 'AdvancedHunting.Read.All',
};

const DEFENDER_ROLES = new Set(Object.keys(DEFENDER_TO_GRAPH_PERMISSIONS));
const GRAPH_ROLES = new Set(Object.keys(GRAPH_TO_DEFENDER));

/** The resource app whose permissions `api` checks. */
export const permissionApiOf = (api: WireApiName): string => (api === 'graph' ? GRAPH_PERMISSION_API : DEFENDER_PERMISSION_API);

/**
 * Advice for a 403 (or a failed `requireRoles`) when the token holds the other API's roles but
 * none of this API's: says which permissions were granted, which this client uses, and the two
 * ways out. `undefined` when the token's roles do not show that mix-up.
 */
export function crossApiAdvice(api: WireApiName, required: readonly string[], granted: readonly string[]): string | undefined {
  const own = api === 'graph' ? GRAPH_ROLES : DEFENDER_ROLES;
  const other = api === 'graph' ? DEFENDER_ROLES : GRAPH_ROLES;
  const needs = required.join(' or ');
  if (granted.length === 0) {
    // Entra puts only the token audience's roles in a token: an app granted the other API's
    // permissions gets a token with none at all here. The likeliest cause, named as such.
    const otherApi = api === 'graph' ? `the Defender API (${DEFENDER_PERMISSION_API})` : GRAPH_PERMISSION_API;
    const otherName = api === 'graph' ? 'defender' : 'graph';
    return (
      ` If you granted ${otherApi} permissions instead: a token for this API carries none of them. ` +
      `Grant ${permissionApiOf(api)} ${needs} and admin consent, or create the client with api: '${otherName}'.`
    );
  }
  if (granted.some((role) => own.has(role)) || !granted.some((role) => other.has(role))) return undefined;
  if (api === 'graph') {
    return (
      ` You granted the Defender API (${DEFENDER_PERMISSION_API}) permissions, but this client uses Microsoft Graph (api: 'graph'): ` +
      `grant the ${GRAPH_PERMISSION_API} application permission ${needs} and admin consent, or create the client with api: 'defender'.`
    );
  }
  const equivalents = [...new Set(required.map((role) => GRAPH_TO_DEFENDER[role] ?? role))];
  return (
    ` You granted Microsoft Graph permissions, but this client uses the Defender API (api: 'defender'): ` +
    `grant the ${DEFENDER_PERMISSION_API} application permission ${needs || equivalents.join(' or ')} and admin consent, or create the client with api: 'graph'.`
  );
}

/**
 * `names` in the vocabulary of `api`: a permission of the other API becomes its counterpart
 * (`Incident.Read.All` → `SecurityIncident.Read.All` on Graph, `SecurityAlert.Read.All` →
 * `Incident.Read.All` on the Defender API), so code that checks permissions moves between the
 * APIs unchanged. Other names are kept. Duplicates are dropped, order kept.
 */
export function toApiPermissions(api: WireApiName, names: readonly string[]): string[] {
  const table = api === 'graph' ? DEFENDER_TO_GRAPH_PERMISSIONS : GRAPH_TO_DEFENDER;
  return [...new Set(names.map((name) => table[name] ?? name))];
}

/** Whether a permission is one of the Defender for Endpoint API's (`Machine.*`, `Ti.*`), checked on its own token. */
export const isMdePermission = (name: string): boolean => /^(Machine|Ti)\./.test(name);

/**
 * Advice for a 403 from the Defender for Endpoint API: a token with none of its roles usually
 * means the permissions were granted on another app (Microsoft Threat Protection or Graph).
 */
export function mdeAdvice(granted: readonly string[]): string | undefined {
  if (granted.some(isMdePermission)) return undefined;
  return (
    ` Device actions and indicators are Defender for Endpoint API calls: grant the ${MDE_PERMISSION_API} application permission ` +
    `(under "APIs my organization uses") and admin consent; Microsoft Threat Protection and Microsoft Graph permissions do not apply.`
  );
}

/** The resource app of the Defender for Endpoint permissions. */
export { MDE_PERMISSION_API };
