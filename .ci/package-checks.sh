#!/usr/bin/env bash
# Checks the package as users get it; run after `npm run build` (dist/ must be current).
# Every check must find nothing:
#   1. publint --strict on the packed tarball (package.json, exports, files);
#   2. @arethetypeswrong/cli on the packed tarball: every entry (".", "./testing", "./testing/msw")
#      (and "./redis") resolves to the right types under node10, node16 (from CJS and from ESM) and bundler;
#   3. a consumer type-check: a fresh project installs the tarball and type-checks code that uses
#      each entry with the repository's TypeScript, `strict`, `exactOptionalPropertyTypes: true` and
#      `skipLibCheck: false` (so the published .d.ts files themselves are checked) and
#      `esModuleInterop` (tsc --init's default; zod's own .d.cts need it under node10), under
#      `module: node16` from ESM (.mts) and from CJS (.cts), `moduleResolution: bundler`, and
#      `moduleResolution: node10` (typesVersions); first without msw (m365-defender and
#      m365-defender/testing must type-check without it), then with msw 3 for
#      m365-defender/testing/msw (CJS under module node20, bundler and node16 ESM: see below);
#   4. npm run docs: the typedoc API reference with warnings as errors.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
[ -f dist/index.d.ts ] || { echo "dist/ is missing: run npm run build first"; exit 1; }

tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "== packed $(basename "$tarball")"

echo "== publint --strict"
node_modules/.bin/publint run "$tarball" --strict

echo "== @arethetypeswrong/cli"
node_modules/.bin/attw "$tarball" --profile strict --no-emoji --no-color

echo "== consumer type-check (node16 ESM, node16 CJS, bundler, node10; exactOptionalPropertyTypes, skipLibCheck false)"
consumer="$work/consumer"
mkdir -p "$consumer"
cd "$consumer"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "$tarball"
tsc="$root/node_modules/typescript/bin/tsc"
echo "typescript $(node "$tsc" --version), types of node from $root/node_modules/@types"

# The same code for every mode; the .cts copy is compiled as CommonJS (its imports become require()).
cat > main.ts <<'TS'
import {
  DefenderClient,
  InvalidArgumentError,
  kql,
  type CertificateSource,
  type CredentialEnvironment,
  type DefenderClientOptions,
  type Incident,
  type KeyVaultLocation,
  type QuotaFamily,
  type RateLimitInfo,
  type WireApiName,
} from 'm365-defender';
import { createFakeTenant, type FakeTenant, type PemKeyPair, type SimulatorOptions } from 'm365-defender/testing';

const tenant: FakeTenant = createFakeTenant({ seed: 1, incidents: 3 });
const options: DefenderClientOptions = {
  credential: tenant.credential(),
  rateLimit: { onRateLimit: (info: RateLimitInfo) => void info.family },
};
const client = new DefenderClient(options);
const api: WireApiName = client.api;
const family: QuotaFamily = 'hunting';
const certificate: CertificateSource = { path: '/etc/app/cert.pem' };
const vault: KeyVaultLocation = { vaultUrl: 'https://contoso-kv.vault.azure.net', secretName: 'defender' };
const env: CredentialEnvironment = { AZURE_TENANT_ID: 'contoso.onmicrosoft.com' };
const ca: PemKeyPair | undefined = ({} as SimulatorOptions).ca;

export async function use(): Promise<unknown[]> {
  const incidents: Incident[] = await client.incidents.list({ status: 'active' }).toArray({ limit: 5 });
  const { rows } = await client.advancedHunting.run(kql`DeviceProcessEvents | where FileName == ${'x'} | take 1`);
  for await (const row of client.advancedHunting.stream(kql`DeviceInfo | take 1`)) rows.push(row);
  const error: unknown = new Error();
  return [incidents, rows, api, family, certificate, vault, env, ca, error instanceof InvalidArgumentError && error.option];
}
TS
# m365-defender/redis type-checks without redis or ioredis installed (its client type is a shape).
cat > redis.ts <<'TS'
import { CheckpointUnavailableError, DefenderClient, type CheckpointStore, type Lease, type QuotaStore } from 'm365-defender';
import { RedisCheckpointStore, RedisLease, RedisQuotaStore, type RedisClientLike } from 'm365-defender/redis';

export function stores(redis: RedisClientLike): [QuotaStore, CheckpointStore, Lease, DefenderClient] {
  const quota = new RedisQuotaStore(redis, { keyPrefix: 'app:', commandTimeoutMs: 2_000 });
  const client = new DefenderClient({ credential: { tenantId: 't', clientId: 'c', clientSecret: 's' }, rateLimit: { store: quota, storeTimeoutMs: 500 } });
  const error: unknown = new Error();
  void (error instanceof CheckpointUnavailableError && error.key);
  return [quota, new RedisCheckpointStore(redis), new RedisLease(redis), client];
}
TS
cat > msw.ts <<'TS'
import type { HttpHandler } from 'msw';
import { createFakeTenant } from 'm365-defender/testing';
import { handlers } from 'm365-defender/testing/msw';

export const mswHandlers: HttpHandler[] = handlers(createFakeTenant({ seed: 2 }));
TS
for name in main msw redis; do cp "$name.ts" "$name.mts"; cp "$name.ts" "$name.cts"; done

# tsconfig.<mode>.json: compilerOptions for the mode, then the files to check.
write_config() { # mode module moduleResolution ext files...
  local mode="$1" module="$2" resolution="$3" ext="$4"
  shift 4
  local files=""
  for f in "$@"; do files="$files${files:+, }\"$f.$ext\""; done
  cat > "tsconfig.$mode.json" <<JSON
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "$module",
    "moduleResolution": "$resolution",
    "lib": [$lib],
    "typeRoots": ["$root/node_modules/@types"],
    "types": ["node"],
    "strict": true,
    "exactOptionalPropertyTypes": true,
    "noUncheckedIndexedAccess": true,
    "skipLibCheck": false,
    "esModuleInterop": true,
    "noEmit": true
  },
  "files": [$files]
}
JSON
}
check() { # label files...
  local label="$1"
  shift
  for spec in "${modes[@]}"; do
    read -r mode module resolution ext <<<"$spec"
    write_config "$mode" "$module" "$resolution" "$ext" "$@"
    node "$tsc" -p "tsconfig.$mode.json" || { echo "consumer type-check failed: $mode, $label"; exit 1; }
    echo "ok: $mode, $label"
  done
}
lib='"ES2023"'
modes=("node16-esm node16 node16 mts" "node16-cjs node16 node16 cts" "bundler esnext bundler ts" "node10 commonjs node10 ts")
check "m365-defender, m365-defender/testing and m365-defender/redis, msw, redis and ioredis not installed" main redis
[ ! -d node_modules/redis ] && [ ! -d node_modules/ioredis ] || { echo "redis or ioredis was installed with the package: they must stay optional peers"; exit 1; }
[ ! -d node_modules/msw ] || { echo "msw was installed with the package: it must stay an optional peer"; exit 1; }
msw_version="$(node -p "require('$root/node_modules/msw/package.json').version")"
npm install --no-audit --no-fund --silent "msw@$msw_version"
# msw's own types use the Fetch and WebSocket types of lib "DOM" (msw's documented requirement).
lib='"ES2023", "DOM"'
# msw 3 is ESM only: CommonJS code reaches it through require(esm) (Node 22.12+), which TypeScript
# models under module node20, not node16 (there TS1479 refuses any require of msw 3, ours or the user's).
# No node10 run here: msw 3's own .d.ts files import subpaths that only node16 and bundler resolve.
modes=("node16-esm node16 node16 mts" "node20-cjs node20 node16 cts" "bundler esnext bundler ts")
check "with m365-defender/testing/msw and msw $msw_version" main msw

echo "== npm run docs (typedoc, warnings are errors)"
cd "$root"
npm run docs --silent
echo "== package checks passed"
