import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: { index: 'src/index.ts' },
  dts: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
};

export default defineConfig([
  // ESM: ky stays an ordinary dependency.
  { ...shared, format: ['esm'] },
  // CJS: ky is ESM-only, so it is bundled; otherwise require() callers would get
  // "import_ky.default.get is not a function".
  { ...shared, format: ['cjs'], noExternal: ['ky'] },
]);
