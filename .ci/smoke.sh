#!/usr/bin/env bash
# Packs the package, installs the tarball into a fresh project, and checks that both
# import() and require() work, construct a client, and do not load @azure/identity.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)"
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "./$tarball"

cat > check.mjs <<'JS'
import { register } from 'node:module';
const loaded = [];
// Record every module resolved after this point, to prove @azure/identity is loaded lazily.
register('data:text/javascript,' + encodeURIComponent(`
  export async function resolve(specifier, context, next) {
    if (specifier.includes('@azure/identity') || specifier.includes('@azure/keyvault')) console.error('LOADED ' + specifier);
    return next(specifier, context);
  }`));
const sdk = await import('m365-defender');
const client = new sdk.DefenderClient({ credential: { tenantId: 'contoso.onmicrosoft.com', clientId: '00000000-0000-0000-0000-000000000001', clientSecret: 'x' } });
if (typeof client.incidents.list !== 'function') throw new Error('ESM: client.incidents.list missing');
if (!(sdk.kql`T | where A == ${'x'}`.text.includes('"x"'))) throw new Error('ESM: kql broken');
console.log('ESM import ok, version', sdk.SDK_VERSION);
JS
cat > check.cjs <<'JS'
const sdk = require('m365-defender');
const client = new sdk.DefenderClient({ credential: { tenantId: 'contoso.onmicrosoft.com', clientId: '00000000-0000-0000-0000-000000000001', clientSecret: 'x' } });
if (typeof client.advancedHunting.run !== 'function') throw new Error('CJS: client.advancedHunting.run missing');
const heavy = Object.keys(require.cache).filter((k) => k.includes('@azure'));
if (heavy.length) throw new Error('CJS: require loaded @azure packages eagerly: ' + heavy.join(', '));
try { new sdk.DefenderClient({ credential: { tenantId: 'contoso.onmicrosoft.com', clientId: '' , clientSecret: 'x'} }); throw new Error('no error'); }
catch (e) { if (!(e instanceof sdk.CredentialError)) throw e; }
console.log('CJS require ok, version', sdk.SDK_VERSION);
JS
# m365-defender/redis loads without redis or ioredis installed (the user brings the client), its
# errors are the SDK's own classes, and the main entry never loads it.
cat > redis.mjs <<'JS'
const sdk = await import('m365-defender');
const { RedisCheckpointStore } = await import('m365-defender/redis');
try { new RedisCheckpointStore({}); throw new Error('no error'); }
catch (e) { if (!(e instanceof sdk.InvalidArgumentError) || e.option !== 'client') throw e; }
const store = new RedisCheckpointStore({ isReady: false, eval() {}, evalSha() {} });
const error = await store.get('feed').then(() => new Error('no error'), (e) => e);
if (!(error instanceof sdk.CheckpointUnavailableError)) throw error;
console.log('ESM m365-defender/redis ok');
JS
cat > redis.cjs <<'JS'
const sdk = require('m365-defender');
const loaded = () => Object.keys(require.cache).filter((k) => k.includes('dist/redis'));
if (loaded().length) throw new Error('CJS: the main entry loaded m365-defender/redis: ' + loaded().join(', '));
const { RedisLease } = require('m365-defender/redis');
try { new RedisLease(42); throw new Error('no error'); }
catch (e) { if (!(e instanceof sdk.InvalidArgumentError)) throw e; }
console.log('CJS m365-defender/redis ok');
JS
node redis.mjs
node redis.cjs
if grep -q "redis" "$(node -p "require.resolve('m365-defender')")"; then echo "the main entry mentions redis"; exit 1; fi

node check.mjs 2> esm-stderr.txt || { cat esm-stderr.txt; exit 1; }
if grep -q LOADED esm-stderr.txt; then echo "ESM import loaded Azure packages eagerly:"; cat esm-stderr.txt; exit 1; fi
node check.cjs

# m365-defender/testing loads without msw (not installed yet here), in both module systems, and its
# errors are the SDK's own classes (not a bundled copy), so instanceof holds across the two entries.
# Then m365-defender/testing/msw with msw 2 and 3 (its optional peer, ^2 || ^3).
cat > testing.mjs <<'JS'
const sdk = await import('m365-defender');
const testing = await import('m365-defender/testing');
try { testing.createFakeTenant({ seeed: 1 }); throw new Error('no error'); }
catch (e) { if (!(e instanceof sdk.InvalidArgumentError) || e.option !== 'seeed') throw e; }
const tenant = testing.createFakeTenant({ seed: 3, incidents: 4, huntingRows: 10 });
if (tenant.incidents.size !== 4 || 'handlers' in testing) throw new Error('ESM testing: fake tenant broken');
console.log('ESM m365-defender/testing ok');
JS
cat > testing.cjs <<'JS'
const sdk = require('m365-defender');
const testing = require('m365-defender/testing');
try { testing.createFakeTenant({ seeed: 1 }); throw new Error('no error'); }
catch (e) { if (!(e instanceof sdk.InvalidArgumentError)) throw e; }
console.log('CJS m365-defender/testing ok');
JS
[ ! -d node_modules/msw ] || { echo "msw is installed already: the no-msw check would prove nothing"; exit 1; }
echo "without msw:"
node testing.mjs
node testing.cjs
cat > testing-msw.mjs <<'JS'
const { createFakeTenant } = await import('m365-defender/testing');
const { handlers } = await import('m365-defender/testing/msw');
const { setupServer } = await import('msw/node');
const { DefenderClient } = await import('m365-defender');
const tenant = createFakeTenant({ seed: 3, incidents: 4, huntingRows: 10 });
const server = setupServer(...handlers(tenant));
server.listen();
const client = new DefenderClient({ credential: tenant.credential() });
const incidents = await client.incidents.list().toArray();
server.close();
if (incidents.length !== 4) throw new Error(`ESM testing/msw: listed ${incidents.length} incidents, expected 4`);
console.log('ESM m365-defender/testing/msw ok: 4 incidents through msw');
JS
cat > testing-msw.cjs <<'JS'
const { handlers } = require('m365-defender/testing/msw');
const { createFakeTenant } = require('m365-defender/testing');
if (handlers(createFakeTenant({ seed: 3, incidents: 1, huntingRows: 1 })).length < 1) throw new Error('CJS testing/msw: no handlers');
console.log('CJS m365-defender/testing/msw ok');
JS
for msw in msw@2.15.0 msw@3; do
  npm install --no-audit --no-fund --silent "$msw"
  echo "with $(node -p "'msw@' + require('msw/package.json').version"):"
  node testing-msw.mjs
  node testing-msw.cjs
done

# The m365d bin from the tarball: --version, then a simulator that a fresh node process (trusting
# its CA through the printed NODE_EXTRA_CA_CERTS) reaches over TLS, stopped with SIGTERM.
version="$(npx --no-install m365d --version)"
expected="$(node -p "require('m365-defender/package.json').version")"
[ "$version" = "$expected" ] || { echo "m365d --version printed '$version', expected '$expected'"; exit 1; }
# The bin itself, not through npx: a background job of a script ignores SIGINT, so stop it with SIGTERM.
./node_modules/.bin/m365d sim --quiet --incidents 5 --rows 200 --save-env sim.env > sim.out 2> sim.err &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [ -s sim.env ] && break; sleep 0.1; done
[ -s sim.env ] || { echo "m365d sim printed no environment"; cat sim.err; kill "$sim_pid"; exit 1; }
( set -a; . ./sim.env; set +a
  node --input-type=module -e '
    const state = await (await fetch(`${process.env.DEFENDER_API_BASE_URL}/_sim/state`)).json();
    if (state.incidents !== 5) throw new Error(`simulator state: ${JSON.stringify(state)}`);
    console.log("m365d sim ok:", state.origin, state.incidents, "incidents");' ) || { kill "$sim_pid"; exit 1; }
# The README's commands for a project that installed the package: npx m365d …, and the quickstart
# (the same code as examples/quickstart.ts) as node quickstart.mjs, against that simulator.
npx --no-install m365d --help > help.txt
grep -q '^  token ' help.txt || { echo "npx m365d --help lists no token command:"; cat help.txt; kill "$sim_pid"; exit 1; }
tail -n +2 "$root/examples/quickstart.ts" > quickstart.mjs
( set -a; . ./sim.env; set +a
  npx --no-install m365d token --require Incident.Read.All AdvancedHunting.Read.All --json > token.json
  npx --no-install m365d incidents list --limit 3 > incidents.ndjson
  [ "$(wc -l < incidents.ndjson)" -eq 3 ] || { echo "m365d incidents list --limit 3: $(wc -l < incidents.ndjson) lines"; exit 1; }
  npx --no-install m365d hunt "DeviceProcessEvents | take 5" --output csv --quiet > rows.csv
  [ "$(wc -l < rows.csv)" -eq 6 ] || { echo "m365d hunt --output csv: $(wc -l < rows.csv) lines, expected 6"; cat rows.csv; exit 1; }
  node quickstart.mjs > quickstart.out 2> quickstart.err || { cat quickstart.err; exit 1; }
  echo "npx m365d token, incidents list, hunt to CSV and node quickstart.mjs ok" ) || { kill "$sim_pid"; exit 1; }
kill -TERM "$sim_pid"
wait "$sim_pid" || { echo "m365d sim did not exit 0 on SIGTERM"; cat sim.err; exit 1; }
echo "m365d sim stopped cleanly"
