import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// The server suite runs twice: on SQLite (`server`) and on PostgreSQL (`server-postgres`). PostgreSQL is
// probed once here; unreachable, that project's tests are skipped, and fail in CI
// (packages/server/test/postgres-setup.ts).
const postgresUrl = new URL(
  process.env.MYPOSTSHARE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
);
const postgresReachable = await new Promise<boolean>((resolve) => {
  const socket = net.connect(Number(postgresUrl.port || 5432), postgresUrl.hostname);
  const done = (ok: boolean) => {
    socket.destroy();
    resolve(ok);
  };
  socket.setTimeout(2000, () => done(false));
  socket.once('connect', () => done(true));
  socket.once('error', () => done(false));
});
process.env.MPS_TEST_PG_REACHABLE = String(postgresReachable);
if (!postgresReachable && process.env.CI !== 'true') {
  console.warn(`server-postgres: no PostgreSQL at ${postgresUrl.host}; its tests are skipped`);
}

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
      {
        extends: true,
        test: {
          name: 'server-postgres',
          include: ['packages/server/test/**/*.test.ts'],
          // Nothing database-specific there (the browser UI; start-up and banner), and slow: SQLite only.
          exclude: ['packages/server/test/e2e/**', 'packages/server/test/main-process.test.ts'],
          env: { MYPOSTSHARE_TEST_DATABASE: 'postgres' },
          globalSetup: ['packages/server/test/postgres-setup.ts'],
          // Skipped (not failed) when PostgreSQL is unreachable outside CI: no test name matches.
          ...(postgresReachable || process.env.CI === 'true' ? {} : { testNamePattern: /^(?!)/ }),
        },
      },
      { extends: true, test: { name: 'examples', include: ['examples/*/{src,test}/**/*.test.ts'] } },
    ],
  },
});
