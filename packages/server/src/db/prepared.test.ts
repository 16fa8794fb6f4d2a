import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachRawSqlite, sqliteGroupCommit } from './prepared.js';

interface Schema {
  notes: { id: number; body: string };
}

const insertNote = (db: Kysely<Schema>, id: number, body: string) =>
  db.insertInto('notes').values({ id, body });
const countNotes = (db: Kysely<Schema>) => db.selectFrom('notes').select((eb) => eb.fn.countAll().as('n'));

describe('sqliteGroupCommit', () => {
  let dir: string;
  let file: string;
  let sqlite: BetterSqlite3.Database;
  let db: Kysely<Schema>;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-group-commit-'));
    file = path.join(dir, 'test.db');
    sqlite = new BetterSqlite3(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
    attachRawSqlite(db, sqlite);
  });

  afterEach(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What another connection sees: only what has been committed. */
  const committedIds = () => {
    const reader = new BetterSqlite3(file, { readonly: true });
    try {
      return (reader.prepare('SELECT id FROM notes ORDER BY id').all() as Array<{ id: number }>).map(
        (row) => row.id,
      );
    } finally {
      reader.close();
    }
  };

  it('commits the works queued in one turn together, and settles each only once committed', async () => {
    // Outer transactions only: a nested call (a work's SAVEPOINT) starts while one is open.
    const outer = vi.fn();
    const transaction = sqlite.transaction.bind(sqlite);
    vi.spyOn(sqlite, 'transaction').mockImplementation((fn) => {
      if (!sqlite.inTransaction) outer();
      return transaction(fn);
    });
    const settled = Array.from({ length: 10 }, (_, index) =>
      sqliteGroupCommit(db, (run) => {
        run(insertNote, index + 1, `note ${index + 1}`);
        return index + 1;
      })!.then((value) => ({ value, committed: committedIds() })),
    );
    expect(committedIds()).toEqual([]); // queued, not yet written
    const results = await Promise.all(settled);
    expect(results.map((result) => result.value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const result of results) expect(result.committed).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(outer).toHaveBeenCalledTimes(1);
  });

  it('rolls back only the work that threw; the rest of its group lands', async () => {
    const results = await Promise.allSettled([
      sqliteGroupCommit(db, (run) => run(insertNote, 1, 'first')),
      sqliteGroupCommit(db, (run) => {
        run(insertNote, 2, 'half-written');
        run(insertNote, 1, 'duplicate id'); // fails: the note above must go with it
      }),
      sqliteGroupCommit(db, (run) => run(insertNote, 3, 'third')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(committedIds()).toEqual([1, 3]);
  });

  it('rejects a lone work that throws and writes nothing of it', async () => {
    await expect(
      sqliteGroupCommit(db, (run) => {
        run(insertNote, 7, 'written, then undone');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(committedIds()).toEqual([]);
  });

  it('waits for an open Kysely transaction instead of joining it', async () => {
    let queued: Promise<unknown> | undefined;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values({ id: 1, body: 'rolled back' }).execute();
        queued = sqliteGroupCommit(db, (run) => run(insertNote, 2, 'its own commit'));
        // Let the group's turn come while this transaction is still open.
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await queued;
    expect(committedIds()).toEqual([2]);
    expect(Number((await countNotes(db).executeTakeFirstOrThrow()).n)).toBe(1);
  });

  it('is not used inside a Kysely transaction: the caller takes its portable path', async () => {
    await db.transaction().execute(async (trx) => {
      expect(sqliteGroupCommit(trx, (run) => run(insertNote, 1, 'x'))).toBeUndefined();
    });
  });
});
