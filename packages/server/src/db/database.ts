import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';
import { migrationProvider } from './migrations/index.js';
import { attachRawSqlite } from './prepared.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: 'sqlite';
  /** The SQLite file, for operators and tests (`:memory:` never: we always use a real file). */
  filename: string;
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

/** Resolves `MYPOSTSHARE_DATABASE_URL` (or its default) to a SQLite file path. */
export function resolveSqliteFile(databaseUrl: string | undefined, dataDir: string): string {
  if (!databaseUrl) return path.join(dataDir, 'mypostshare.db');
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new Error('MYPOSTSHARE_DATABASE_URL: PostgreSQL is not supported by this version yet; use SQLite');
  }
  const file = databaseUrl.replace(/^sqlite:(\/\/)?/i, '');
  if (file === '' || file === ':memory:') throw new Error('MYPOSTSHARE_DATABASE_URL: needs a file path');
  return path.resolve(file);
}

/** Opens the SQLite database (WAL, foreign keys on) and runs pending migrations. */
export async function openDatabase(options: {
  databaseUrl: string | undefined;
  dataDir: string;
}): Promise<DatabaseHandle> {
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
  return { db, dialect: 'sqlite', filename, close: () => db.destroy() };
}

/** Runs every pending migration; throws with the failing migration's name. */
export async function migrate(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`);
  }
}
