import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { type Bootstrapped, bootstrap } from '../src/bootstrap.js';
import type { Clock } from '../src/clock.js';
import { loadConfig } from '../src/env.js';
import { createLoggers } from '../src/logger.js';

/**
 * The database the tests run on: SQLite by default, PostgreSQL with
 * `MYPOSTSHARE_TEST_DATABASE=postgres` (the `server-postgres` vitest project). On PostgreSQL each
 * data directory gets its own schema (`mps_test_<hash of the directory>`), so a restart on the same
 * data directory finds the same data, and parallel test files never see each other's rows.
 */
export const onPostgres = process.env.MYPOSTSHARE_TEST_DATABASE === 'postgres';
export const testPostgresUrl =
  process.env.MYPOSTSHARE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The PostgreSQL schema that holds a data directory's database in the postgres test project. */
export function testSchemaFor(dataDir: string): string {
  return `mps_test_${createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 20)}`;
}

/**
 * The environment that points a server (in this process or a child) with this data directory at
 * the test database: nothing on SQLite (the file in the data directory), else its own schema.
 * Schemas handed out here are dropped when the vitest run ends (test/postgres-setup.ts), or by
 * the test server that owns its data directory when it closes.
 */
export function testDatabaseEnv(dataDir: string): Record<string, string> {
  if (!onPostgres) return {};
  const schema = testSchemaFor(dataDir);
  const registry = process.env.MPS_TEST_PG_REGISTRY;
  if (registry) fs.appendFileSync(registry, `${schema}\n`);
  return {
    MYPOSTSHARE_DATABASE_URL: `${testPostgresUrl}?schema=${schema}`,
    MYPOSTSHARE_DATABASE_POOL_SIZE: '4',
  };
}

/** Drops a test schema and everything in it (PostgreSQL test project only). */
export async function dropTestSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

export interface TestServer {
  baseUrl: string;
  adminToken: string;
  dataDir: string;
  /** The SQLite file; empty on PostgreSQL (see {@link onPostgres}). */
  dbFile: string;
  started: Bootstrapped;
  /** Every log line the server wrote, for leak checks. */
  logs: string[];
  /** The first-run sandbox app's key. */
  sandboxKey: string;
  /** Calls the server over real HTTP and parses the JSON body (undefined when empty). */
  request(
    method: string,
    route: string,
    options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  admin(
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Headers; body: any }>;
  /** Creates an app through the admin API and issues it a key. */
  createApp(options?: {
    name?: string;
    sandbox?: boolean;
  }): Promise<{ appId: string; key: string; keyId: string }>;
  close(): Promise<void>;
}

/**
 * Starts the real server (the same bootstrap as main.ts) on a fresh SQLite file in a temp
 * directory (or a fresh PostgreSQL schema, see {@link onPostgres}), listening on an ephemeral port. With `dataDir`, it starts on that directory instead
 * (a restart on the same data), which `close` then leaves in place for the caller to remove.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { clock?: Clock; dataDir?: string } = {},
): Promise<TestServer> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mps-test-'));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const databaseEnv = env.MYPOSTSHARE_DATABASE_URL ? {} : testDatabaseEnv(dataDir);
  const config = loadConfig({
    MYPOSTSHARE_DATA_DIR: dataDir,
    MYPOSTSHARE_LOG_LEVEL: 'trace',
    PORT: '0',
    ...databaseEnv,
    ...env,
  });
  const started = await bootstrap(config, createLoggers(config.logLevel, sink), options.clock);
  const server = http.createServer(started.app.koa.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  // The public URL decides callback URLs and Link headers; point it at the real port.
  started.app.deps.config.publicUrl = env.MYPOSTSHARE_PUBLIC_URL ?? baseUrl;
  const adminToken =
    env.MYPOSTSHARE_ADMIN_TOKEN ?? fs.readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();

  const request: TestServer['request'] = async (method, route, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(`${baseUrl}${route}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };

  const testServer: TestServer = {
    baseUrl,
    adminToken,
    dataDir,
    dbFile: started.database.filename,
    started,
    logs,
    sandboxKey: started.banner.sandbox?.apiKey ?? '',
    request,
    admin: (method, route, body) => request(method, route, { token: adminToken, body }),
    async createApp({ name = 'Test app', sandbox = false } = {}) {
      const app = await request('POST', '/admin/v1/apps', { token: adminToken, body: { name, sandbox } });
      if (app.status !== 201) throw new Error(`createApp failed: ${app.status} ${app.text}`);
      const key = await request('POST', `/admin/v1/apps/${app.body.id}/api-keys`, {
        token: adminToken,
        body: {},
      });
      if (key.status !== 201) throw new Error(`createApiKey failed: ${key.status} ${key.text}`);
      return { appId: app.body.id, key: key.body.key, keyId: key.body.id };
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await started.close();
      if (ownsDataDir) {
        fs.rmSync(dataDir, { recursive: true, force: true });
        if (databaseEnv.MYPOSTSHARE_DATABASE_URL) await dropTestSchema(testSchemaFor(dataDir));
      }
    },
  };
  return testServer;
}

/**
 * Everything the server stored, as one searchable text, for at-rest leak checks. SQLite: the
 * database file and its WAL and journal (when present), read as latin1, so even freed pages are
 * searched. PostgreSQL: every row of every table in the test schema as JSON (live rows only: the
 * server's files are not ours to read).
 */
export async function readStoredText(server: TestServer): Promise<string> {
  const { database } = server.started;
  if (database.dialect === 'sqlite') {
    let text = fs.readFileSync(database.filename).toString('latin1');
    for (const suffix of ['-wal', '-journal']) {
      const file = `${database.filename}${suffix}`;
      if (fs.existsSync(file)) text += fs.readFileSync(file).toString('latin1');
    }
    return text;
  }
  const db = database.db as unknown as Kysely<any>;
  const tables = await db
    .selectFrom('information_schema.tables')
    .select('table_name')
    .where('table_schema', '=', database.schema!)
    .execute();
  let text = '';
  for (const { table_name } of tables) {
    text += JSON.stringify(await db.selectFrom(table_name).selectAll().execute());
  }
  return text;
}

/** Waits until `check` passes or the timeout lapses (for eventually-visible effects like log flushes). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
