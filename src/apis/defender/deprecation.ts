/**
 * The one deprecation warning the SDK emits: the Defender API's advanced-hunting endpoint is
 * being retired (reference §5.10). Once per process, as Node does for its own deprecations.
 *
 * @packageDocumentation
 */

/** The stable code of the legacy-hunting warning, for `process.on('warning')` filters and `--no-deprecation`. */
export const LEGACY_HUNTING_DEPRECATION_CODE = 'M365D_DEP_LEGACY_HUNTING';

let warned = false;

/** Emits the legacy-hunting `DeprecationWarning` the first time it is called in this process. */
export function warnLegacyHuntingOnce(): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    'The Defender API advanced-hunting endpoint (POST /api/advancedhunting/run) is being retired: retirement began in ' +
      'January 2026 and is reported to end on 31 January 2027. Move to Microsoft Graph with one option: ' +
      "new DefenderClient({ api: 'graph', … }) and grant the Microsoft Graph permission ThreatHunting.Read.All. " +
      'Silence this warning with silenceDeprecationWarnings: true.',
    { type: 'DeprecationWarning', code: LEGACY_HUNTING_DEPRECATION_CODE },
  );
}
