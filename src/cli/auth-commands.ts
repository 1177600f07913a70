/**
 * `m365d token` (who the app is and which permissions its token holds: the guide's "validate the
 * token" step) and `m365d consent-url` (the partner admin-consent link).
 * @packageDocumentation
 */
import type { Command } from 'commander';
import { adminConsentUrl, PermissionError, type AdminConsentUrlOptions } from '../index.js';
import { clientFor, type ConnectionFlags } from './config.js';
import { EXIT, UsageError } from './exit.js';
import { withConnection, withOutput } from './flags.js';
import { outputOptions, writeRecord } from './output.js';
import { terminalLine } from './terminal.js';

interface TokenFlags extends ConnectionFlags {
  require?: string[];
  json?: boolean;
  output?: string;
  csvSafe?: boolean;
}

/** Registers `token`. */
export function registerToken(program: Command, setStatus: (status: number) => void): void {
  withOutput(withConnection(program.command('token')))
    .description("get a token the way the client does and show its tenant, app, audience, roles and expiry")
    .option('--require <roles...>', 'permissions the token must hold; exit status 4 when one is missing')
    .option('--json', 'the same as --output json')
    .addHelpText('after', `
Example:
  m365d token --require Incident.ReadWrite.All AdvancedHunting.Read.All
  m365d token --api graph --json`)
    .action(async (flags: TokenFlags) => {
      const client = await clientFor(flags);
      const info = await client.auth.inspect();
      let missing: readonly string[] = [];
      let advice = '';
      if (flags.require !== undefined && flags.require.length > 0) {
        try {
          await client.auth.requireRoles(flags.require);
        } catch (error) {
          if (!(error instanceof PermissionError)) throw error;
          missing = error.requiredPermissions;
          advice = error.message;
        }
      }
      const record = {
        tenantId: info.tenantId,
        appId: info.appId,
        audience: info.audience,
        roles: info.roles,
        expiresOn: info.expiresOn,
        ...(flags.require ? { required: flags.require, missing } : {}),
      };
      await writeRecord(record, outputOptions(flags.json ? { ...flags, output: 'json' } : flags), process.stdout);
      if (missing.length > 0) {
        if (flags.quiet !== true) process.stderr.write(`m365d: ${terminalLine(advice)}\n`);
        setStatus(EXIT.permission);
      }
    });
}

interface ConsentFlags {
  clientId?: string;
  tenant?: string;
  redirectUri?: string;
  state?: string;
  cloud?: string;
}

/** Registers `consent-url`. */
export function registerConsentUrl(program: Command): void {
  program
    .command('consent-url')
    .description("print the admin-consent link a customer's administrator opens to grant a multi-tenant app its permissions")
    .option('--client-id <id>', 'the app (client) id (default: AZURE_CLIENT_ID)')
    .option('--tenant <tenant>', "the customer's tenant id or domain (default: organizations)")
    .option('--redirect-uri <url>', 'where Entra ID sends the administrator afterwards (registered on the app)')
    .option('--state <value>', 'an opaque value returned to the redirect URI')
    .option('--cloud <cloud>', 'national cloud: public, gcc, gcc-high, dod (default: DEFENDER_CLOUD, else AZURE_AUTHORITY_HOST, else public)')
    .addHelpText('after', `
Example:
  m365d consent-url --client-id 11111111-2222-3333-4444-555555555555 --tenant contoso.onmicrosoft.com --redirect-uri https://app.example.com/consented`)
    .action((flags: ConsentFlags) => {
      const clientId = flags.clientId ?? process.env.AZURE_CLIENT_ID?.trim();
      if (!clientId) throw new UsageError('consent-url needs --client-id (or AZURE_CLIENT_ID).');
      const options: AdminConsentUrlOptions = { clientId };
      if (flags.tenant !== undefined) options.tenant = flags.tenant;
      if (flags.redirectUri !== undefined) options.redirectUri = flags.redirectUri;
      if (flags.state !== undefined) options.state = flags.state;
      const cloud = flags.cloud ?? process.env.DEFENDER_CLOUD?.trim();
      const host = process.env.AZURE_AUTHORITY_HOST?.trim();
      if (cloud) options.cloud = cloud as NonNullable<AdminConsentUrlOptions['cloud']>;
      else if (host) options.authorityHost = host;
      process.stdout.write(`${adminConsentUrl(options)}\n`);
    });
}
