import { defineConfig, type Options } from 'tsup';

/**
 * The test kit and the command line throw the SDK's own error classes: take them from the
 * package (`m365-defender`, resolved to this package's own build at run time) instead of
 * bundling a second copy, so `instanceof InvalidArgumentError` holds across the two entries.
 */
const sdkErrorsFromPackage: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'sdk-errors-from-package',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/errors\.js$/ }, (args) =>
      /[\\/]src[\\/](testing|sim)[\\/]/.test(args.importer) ? { path: 'm365-defender', external: true } : undefined,
    );
    // The command line is a client of the public package: it loads the SDK's own build.
    build.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) =>
      /[\\/]src[\\/]cli[\\/]/.test(args.importer) ? { path: 'm365-defender', external: true } : undefined,
    );
  },
};

const shared: Options = {
  // stripInternal: an `@internal` constructor or member stays out of the published types (they
  // would pull internal modules' types into every user's type-check).
  dts: { compilerOptions: { stripInternal: true } },
  sourcemap: true,
  target: 'node22',
  platform: 'node',
};

/**
 * m365-defender/redis takes the error classes, and everything else of the SDK it uses, from the
 * package itself (every `errors.js` it reaches, whoever imports it): its errors are then the
 * SDK's own classes, so `instanceof CheckpointError` holds across the two entries.
 */
const errorsFromPackage: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'errors-from-package',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/errors\.js$/ }, () => ({ path: 'm365-defender', external: true }));
  },
};

// The main entry is what every user loads: whitespace and syntax minified (identifiers kept, so
// stack traces stay readable; source maps map back to src/).
const entry: Options = { ...shared, entry: { index: 'src/index.ts' }, minifyWhitespace: true, minifySyntax: true };

// Each entry is its own build, so that the main entry never shares chunks with (or grows from)
// the test kit or the simulator.
export default defineConfig([
  // ESM: ky stays an ordinary dependency. Splitting turns each lazy import() into a chunk loaded on
  // first use: the built-in credentials (Key Vault, certificate, Entra error mapping) on the first
  // getToken, the Graph adapter with its schemas and mappers on the first call of an api: 'graph'
  // client, the stream() body reader on the first stream. Code a lazy chunk shares with the entry
  // goes to chunks the entry imports statically (counted by bench figure 5).
  { ...entry, format: ['esm'], splitting: true },
  // CJS: ky is ESM-only, so it is bundled; otherwise require() callers would get
  // "import_ky.default.get is not a function".
  // The lazy import()s stay lazy (evaluated on first use) but inline: CJS has no chunks.
  { ...entry, format: ['cjs'], noExternal: ['ky'] },
  // m365-defender/testing: the fake tenant and the simulator; it never loads msw.
  { ...shared, entry: { 'testing/index': 'src/testing/index.ts' }, format: ['esm'], external: ['msw'], esbuildPlugins: [sdkErrorsFromPackage] },
  { ...shared, entry: { 'testing/index': 'src/testing/index.ts' }, format: ['cjs'], external: ['msw'], noExternal: ['ky'], esbuildPlugins: [sdkErrorsFromPackage] },
  // m365-defender/testing/msw: the msw handlers, apart so that m365-defender/testing loads without msw.
  { ...shared, entry: { 'testing/msw': 'src/testing/msw.ts' }, format: ['esm', 'cjs'], external: ['msw'] },
  // m365-defender/redis: the Redis stores; the user's client is passed in, never imported.
  { ...shared, entry: { 'redis/index': 'src/redis/index.ts' }, format: ['esm', 'cjs'], external: ['redis', 'ioredis'], esbuildPlugins: [errorsFromPackage] },
  // The m365d command line (ESM only): the SDK from the package itself; `m365d sim` (the test kit,
  // node-forge) is a chunk loaded only by that command.
  { ...shared, entry: { cli: 'src/cli/main.ts' }, format: ['esm'], splitting: true, dts: false, banner: { js: '#!/usr/bin/env node' }, esbuildPlugins: [sdkErrorsFromPackage] },
]);
