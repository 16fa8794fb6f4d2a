import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources of the workspace packages, not their builds.
export default defineConfig({
  resolve: {
    alias: {
      '@mypostshare/contract': src('contract'),
      // Before the main entry, which would otherwise claim `@mypostshare/sdk/admin` as a subpath.
      '@mypostshare/sdk/admin': fileURLToPath(new URL('./packages/sdk/src/admin.ts', import.meta.url)),
      '@mypostshare/sdk': src('sdk'),
    },
  },
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      ...['contract', 'sdk', 'cli', 'server'].map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/{src,test}/**/*.test.ts`] },
      })),
      { extends: true, test: { name: 'examples', include: ['examples/*/{src,test}/**/*.test.ts'] } },
    ],
  },
});
