import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/*
 * Global setup of the `server-postgres` vitest project. vitest.config.ts probes PostgreSQL once
 * (MPS_TEST_PG_REACHABLE); unreachable, the project's tests are skipped locally but the run fails
 * in CI (CI=true). Every test schema the harness hands out is listed in a registry file and dropped
 * at the end of the run, whatever the tests did.
 */
export default function setup(): () => Promise<void> {
  if (process.env.MPS_TEST_PG_REACHABLE === 'false') {
    if (process.env.CI === 'true') {
      throw new Error(
        'server-postgres: PostgreSQL is unreachable at MYPOSTSHARE_TEST_POSTGRES_URL ' +
          '(default postgres://postgres@127.0.0.1:5432/test); CI must run the PostgreSQL suite',
      );
    }
    return async () => {};
  }
  const registry = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mps-pg-')), 'schemas');
  fs.writeFileSync(registry, '');
  process.env.MPS_TEST_PG_REGISTRY = registry;
  return async () => {
    const schemas = [...new Set(fs.readFileSync(registry, 'utf8').split('\n').filter(Boolean))];
    fs.rmSync(path.dirname(registry), { recursive: true, force: true });
    if (schemas.length === 0) return;
    const client = new pg.Client({
      connectionString:
        process.env.MYPOSTSHARE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    });
    await client.connect();
    try {
      for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
    } finally {
      await client.end();
    }
  };
}
