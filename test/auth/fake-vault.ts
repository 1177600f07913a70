/**
 * A fake Azure Key Vault secrets endpoint for msw, with the challenge flow of
 * @azure/keyvault-secrets: a request without Authorization gets 401 + WWW-Authenticate; then the
 * bearer token is checked.
 */
import { http, HttpResponse, type HttpHandler } from 'msw';
import type { AccessToken, TokenCredential } from '../../src/types.js';

export interface VaultSecret {
  value: string;
  contentType?: string;
}

export interface VaultRequest {
  name: string;
  authorization: string | null;
  status: number;
}

/** A vault at https://{name}.vault.azure.net. */
export class FakeVault {
  readonly url: string;
  readonly requests: VaultRequest[] = [];
  readonly secrets = new Map<string, VaultSecret>();
  /** When set, authenticated reads get this 403 (RBAC or access-policy denial). */
  forbidden: { appId: string; objectId: string } | undefined;
  /** The bearer token the vault accepts. */
  readonly acceptedToken = 'vault-access-token-7f3a9c';

  constructor(
    readonly name: string,
    readonly tenantId: string,
  ) {
    this.url = `https://${name}.vault.azure.net`;
  }

  /** A bootstrap credential that gets {@link acceptedToken} for the vault scope, and records its calls. */
  credential(): TokenCredential & { calls: Array<{ scopes: string | string[]; tenantId: string | undefined }> } {
    const calls: Array<{ scopes: string | string[]; tenantId: string | undefined }> = [];
    const token = this.acceptedToken;
    class TestVaultCredential implements TokenCredential {
      calls = calls;
      async getToken(scopes: string | string[], options?: { tenantId?: string }): Promise<AccessToken> {
        calls.push({ scopes, tenantId: options?.tenantId });
        return { token, expiresOnTimestamp: Date.now() + 3600_000 };
      }
    }
    return new TestVaultCredential();
  }

  handlers(): HttpHandler[] {
    const handle = ({ request, params }: { request: Request; params: Record<string, string | readonly string[] | undefined> }) => {
      const name = String(params.name);
      const authorization = request.headers.get('authorization');
      const record: VaultRequest = { name, authorization, status: 200 };
      this.requests.push(record);
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        record.status = status;
        return HttpResponse.json(body as never, { status, headers: { 'x-ms-request-id': crypto.randomUUID(), ...headers } });
      };
      if (!new URL(request.url).searchParams.get('api-version')) {
        return reply(400, { error: { code: 'BadParameter', message: 'The request URI contains an invalid or missing api-version.' } });
      }
      if (!authorization) {
        return reply(
          401,
          { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
          { 'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${this.tenantId}", resource="https://vault.azure.net"` },
        );
      }
      if (authorization !== `Bearer ${this.acceptedToken}`) {
        return reply(401, { error: { code: 'Unauthorized', message: 'AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://management.azure.com/.' } });
      }
      if (this.forbidden) {
        const { appId, objectId } = this.forbidden;
        return reply(403, {
          error: {
            code: 'Forbidden',
            message:
              `The user, group or application 'appid=${appId};oid=${objectId};iss=https://sts.windows.net/${this.tenantId}/' does not have secrets get permission ` +
              `on key vault '${this.name};location=westeurope'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
            innererror: { code: 'AccessDenied' },
          },
        });
      }
      const secret = [...this.secrets].find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
      if (!secret) {
        return reply(404, {
          error: {
            code: 'SecretNotFound',
            message: `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
          },
        });
      }
      const now = Math.floor(Date.now() / 1000);
      return reply(200, {
        value: secret.value,
        id: `${this.url}/secrets/${name}/4387e9f3d6e14c459867679a90fd0f79`,
        ...(secret.contentType ? { contentType: secret.contentType } : {}),
        attributes: { enabled: true, created: now, updated: now, recoveryLevel: 'Recoverable+Purgeable' },
      });
    };
    return [http.get(`${this.url}/secrets/:name/:version?`, handle)];
  }
}
