import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
} from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations/index.js';
import { attachRawSqlite } from './prepared.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: 'sqlite' | 'postgres';
  /**
   * The SQLite file, for operators and tests (`:memory:` never: we always use a real file).
   * Empty on PostgreSQL.
   */
  filename: string;
  /** Where the data lives, for the start-up banner: the SQLite file, or the PostgreSQL URL without its password. */
  label: string;
  /** The PostgreSQL schema in use (the connection's default when none was chosen); undefined on SQLite. */
  schema?: string;
  close(): Promise<void>;
}

/**
 * Kysely's SQLite driver prepares every statement anew, which costs 15–20 % on small reads.
 * better-sqlite3 statements are reusable, so we keep them by SQL text.
 * Safe because Kysely runs one query at a time on its single connection and we never stream.
 */
function withStatementCache(database: BetterSqlite3.Database, capacity = 500): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sqlText: string): SqliteStatement {
      let statement = cache.get(sqlText);
      if (!statement) {
        // Queries come from a fixed set of code paths, so the cache stays small; the bound only
        // guards against a pathological caller.
        if (cache.size >= capacity) cache.clear();
        statement = database.prepare(sqlText);
        cache.set(sqlText, statement);
      }
      return statement as unknown as SqliteStatement;
    },
  };
}

export const isPostgresUrl = (databaseUrl: string | undefined): boolean =>
  databaseUrl !== undefined && /^postgres(ql)?:\/\//i.test(databaseUrl);

/** Resolves `MYPOSTSHARE_DATABASE_URL` (or its default) to a SQLite file path. */
export function resolveSqliteFile(databaseUrl: string | undefined, dataDir: string): string {
  if (!databaseUrl) return path.join(dataDir, 'mypostshare.db');
  if (isPostgresUrl(databaseUrl))
    throw new Error('MYPOSTSHARE_DATABASE_URL: a PostgreSQL URL is not a SQLite file');
  const file = databaseUrl.replace(/^sqlite:(\/\/)?/i, '');
  if (file === '' || file === ':memory:') throw new Error('MYPOSTSHARE_DATABASE_URL: needs a file path');
  return path.resolve(file);
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Splits a `postgres://` URL into what pg connects with and the schema to use: `?schema=name` in
 * the URL, else `schema` (MYPOSTSHARE_DATABASE_SCHEMA), else none (the server's search_path).
 */
export function parsePostgresUrl(
  databaseUrl: string,
  schema?: string,
): { connectionString: string; schema: string | undefined; label: string } {
  const url = new URL(databaseUrl);
  const chosen = url.searchParams.get('schema') || schema || undefined;
  url.searchParams.delete('schema');
  if (chosen !== undefined && !SCHEMA_NAME.test(chosen)) {
    throw new Error('MYPOSTSHARE_DATABASE_URL: schema must be letters, digits and underscores (at most 63)');
  }
  const connectionString = url.toString();
  if (url.password) url.password = '***';
  return { connectionString, schema: chosen, label: url.toString() + (chosen ? ` (schema ${chosen})` : '') };
}

// PostgreSQL sends bigint (count(*), sum of integers) and numeric as strings; every such value we
// read fits a double, and SQLite hands them over as numbers, so both dialects agree.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  },
};

/**
 * Opens a pooled PostgreSQL database (pg) and runs pending migrations. With a schema, every pooled
 * connection sets `search_path` to it (created if missing), so several installations (or test
 * runs) can share one database.
 */
async function openPostgres(options: {
  databaseUrl: string;
  schema?: string | undefined;
  poolSize?: number | undefined;
}): Promise<DatabaseHandle> {
  const { connectionString, schema, label } = parsePostgresUrl(options.databaseUrl, options.schema);
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    types: pgTypes as pg.CustomTypesConfig,
  });
  // An idle pooled connection that the server drops must not crash the process.
  pool.on('error', () => {});
  const quoted = schema ? `"${schema}"` : undefined;
  if (quoted) {
    // Before any pooled connection sets its search_path to it. Concurrent starters may race: the
    // loser's duplicate error is harmless.
    try {
      await pool.query(`create schema if not exists ${quoted}`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== '23505' && code !== '42P06') throw error;
    }
  }
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool,
      ...(quoted
        ? {
            onCreateConnection: async (connection) => {
              await connection.executeQuery(CompiledQuery.raw(`set search_path to ${quoted}`));
            },
          }
        : {}),
    }),
  });
  try {
    await migrate(db, schema);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect: 'postgres', filename: '', label, schema, close: () => db.destroy() };
}

/**
 * Opens the database `MYPOSTSHARE_DATABASE_URL` names and runs pending migrations: SQLite (WAL,
 * foreign keys on) by default, PostgreSQL for a `postgres://` or `postgresql://` URL.
 */
export async function openDatabase(options: {
  databaseUrl: string | undefined;
  dataDir: string;
  /** PostgreSQL only: the schema when the URL names none (MYPOSTSHARE_DATABASE_SCHEMA). */
  schema?: string | undefined;
  /** PostgreSQL only: pooled connections per process (MYPOSTSHARE_DATABASE_POOL_SIZE, default 10). */
  poolSize?: number | undefined;
}): Promise<DatabaseHandle> {
  if (options.databaseUrl && isPostgresUrl(options.databaseUrl)) {
    return openPostgres({
      databaseUrl: options.databaseUrl,
      schema: options.schema,
      poolSize: options.poolSize,
    });
  }
  const filename = resolveSqliteFile(options.databaseUrl, options.dataDir);
  fs.mkdirSync(path.dirname(filename), { recursive: true, mode: 0o700 });
  const sqlite = new BetterSqlite3(filename);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes under WAL; only a power loss can drop the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  attachRawSqlite(db, sqlite);
  await migrate(db);
  const checkpointer = startCheckpointer(filename, sqlite);
  return {
    db,
    dialect: 'sqlite',
    filename,
    label: filename,
    async close() {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

/**
 * How often the checkpointer thread moves committed WAL frames into the database file: often while
 * there are writes, so that the request thread's own checkpoint (below) finds little left to copy
 * (at 250 ms it found thousands of pages under an insert per request, and stalled every request in
 * flight for 15–30 ms while it copied them: the POST bench's p99 went from 2.4x the baseline's to
 * 1.2x); seldom on a quiet database.
 */
const CHECKPOINT_BUSY_INTERVAL_MS = 25;
const CHECKPOINT_IDLE_INTERVAL_MS = 250;
/**
 * The request thread's own automatic checkpoint, kept as a safety net: it runs when the WAL reaches
 * this many pages (about 40 MB). Under sustained writes the WAL only starts over once a checkpoint
 * has caught up with the last commit, so this one still runs now and then, but by then the
 * checkpointer thread has copied nearly every page and it has little left to do.
 */
const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

// Runs in the checkpointer thread (CommonJS, evaluated from this string: no separate file to ship).
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
let timer;
let lastLog = -1;
const checkpoint = () => {
  let busy = false;
  try {
    // { log: frames in the WAL, checkpointed: how many of them are in the database file }. Writes
    // are coming in while the WAL changes between two ticks or is not all copied yet.
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    busy = result.log !== lastLog || result.checkpointed < result.log;
    lastLog = result.log;
  } catch {
    // Busy (another process is checkpointing) or a transient error: the next tick tries again.
  }
  timer = setTimeout(checkpoint, busy ? workerData.busyIntervalMs : workerData.idleIntervalMs);
};
timer = setTimeout(checkpoint, workerData.idleIntervalMs);
parentPort.on('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints the WAL from a thread of its own. SQLite otherwise checkpoints inside whichever
 * commit pushes the WAL past 1000 pages, on the request thread, copying pages and waiting for two
 * fsyncs while every request in flight waits too; with an insert per request that is several
 * times a second. A passive checkpoint blocks neither readers nor writers, so running it here costs
 * the request thread nothing. Durability is unchanged (synchronous = NORMAL either way). If the
 * thread cannot start or dies, the request thread's own automatic checkpoint takes over again.
 */
function startCheckpointer(filename: string, sqlite: BetterSqlite3.Database): { stop(): Promise<void> } {
  let worker: Worker;
  try {
    worker = new Worker(CHECKPOINTER_SOURCE, {
      eval: true,
      workerData: {
        filename,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        busyIntervalMs: CHECKPOINT_BUSY_INTERVAL_MS,
        idleIntervalMs: CHECKPOINT_IDLE_INTERVAL_MS,
      },
    });
  } catch {
    return { stop: async () => {} };
  }
  sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  // Never keeps the process alive; a shutdown closes the database explicitly.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => {
    // Back to checkpointing on the request thread, as SQLite does by default.
    if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
  });
  return {
    async stop() {
      worker.postMessage('stop');
      await exited;
    },
  };
}

/**
 * Runs every pending migration; throws with the failing migration's name. On PostgreSQL with a
 * schema, the migrations' own bookkeeping tables live in that schema too.
 */
export async function migrate(db: Kysely<any>, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`);
  }
}
