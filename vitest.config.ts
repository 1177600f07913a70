import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Examples import the package by name; in tests that name is the source.
    alias: [
      { find: /^m365-defender\/testing\/msw$/, replacement: fileURLToPath(new URL('./src/testing/msw.ts', import.meta.url)) },
      { find: /^m365-defender\/redis$/, replacement: fileURLToPath(new URL('./src/redis/index.ts', import.meta.url)) },
      { find: /^m365-defender\/testing$/, replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)) },
      { find: /^m365-defender$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    environment: 'node',
    testTimeout: 20_000,
    restoreMocks: true,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/e2e/**'] },
      },
      {
        // Real sockets and TLS against the local simulator; the CA is made in global setup.
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
