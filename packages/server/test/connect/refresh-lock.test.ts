import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionsTable } from '../../src/db/schema.js';
import { ConnectionExpiredError, refreshConnection } from '../../src/services/token-refresh.js';
import { onPostgres, startTestServer, type TestServer, testPostgresUrl } from '../harness.js';

/*
 * Token refresh is single-flight across processes on PostgreSQL (services/token-refresh.ts): a
 * refresh runs under pg_advisory_xact_lock(namespace, hashtext(connection id)). Another database
 * session (standing for another process) holding that lock holds the refresh back until it lets go.
 * SQLite has one process per file, and the in-process single-flight alone.
 */

const REFRESH_LOCK_NAMESPACE = 0x6d707372;

describe.skipIf(!onPostgres)('token refresh across processes (PostgreSQL advisory lock)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('waits while another session refreshes the same connection, and not for another connection', async () => {
    const other = new pg.Client({ connectionString: testPostgresUrl });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('select pg_advisory_xact_lock($1, hashtext($2))', [
        REFRESH_LOCK_NAMESPACE,
        'conn_locked',
      ]);
      const stub = (id: string) => ({ id }) as unknown as ConnectionsTable;
      let settled = false;
      const held = refreshConnection(server.started.app.deps, stub('conn_locked')).finally(() => {
        settled = true;
      });
      held.catch(() => {});
      // Another connection's refresh is not held back (it finds no such connection at once).
      await expect(refreshConnection(server.started.app.deps, stub('conn_free'))).rejects.toBeInstanceOf(
        ConnectionExpiredError,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(settled, 'the refresh ran while another process held its lock').toBe(false);
      await other.query('commit');
      await expect(held).rejects.toBeInstanceOf(ConnectionExpiredError);
    } finally {
      await other.end();
    }
  });
});
