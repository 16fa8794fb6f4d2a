import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources of the workspace packages, not their builds.
export default defineConfig({
  resolve: {
    alias: {
      '@mypostshare/contract': src('contract'),
      '@mypostshare/sdk': src('sdk'),
    },
  },
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: ['contract', 'sdk', 'cli', 'server'].map((name) => ({
      extends: true,
      test: { name, include: [`packages/${name}/{src,test}/**/*.test.ts`] },
    })),
  },
});
