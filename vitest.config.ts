import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// One suite for the whole repo; workspace packages resolve to their sources, so tests never
// need a build except the end-to-end ones, which run the built services behind nginx.
export default defineConfig({
  resolve: {
    alias: {
      // Subpaths first: a string alias also matches '<alias>/…'.
      '@flux/shared/constants': src('./packages/shared/src/constants.ts'),
      '@flux/shared/registry': src('./packages/shared/src/registry.ts'),
      '@flux/shared': src('./packages/shared/src/index.ts'),
      '@flux/server-kit': src('./packages/server-kit/src/index.ts'),
      '@flux/migrations': src('./migrations/src/index.ts'),
      '@flux/auth/app': src('./services/auth/src/app.ts'),
    },
  },
  test: {
    include: ['{packages,services,migrations,apps,test}/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
