import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { onPostgres } from './harness.js';

// The WAL checkpointer thread (src/db/database.ts) copies committed pages into the database file
// on its own, so that the WAL starts over instead of growing until the request thread's own
// checkpoint (at 10,000 pages) stops every request in flight to do it.
describe.skipIf(onPostgres)('the SQLite checkpointer thread', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-checkpointer-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lets the WAL start over between bursts of writes instead of growing', async () => {
    const file = path.join(dir, 'test.db');
    const handle = await openDatabase({ databaseUrl: file, dataDir: dir });
    await sql`create table filler (id integer primary key, body text not null)`.execute(handle.db);
    const body = 'x'.repeat(2000);
    /** One commit of about 250 pages: two stay below SQLite's own threshold (1,000) with no thread. */
    const burst = () =>
      handle.db.transaction().execute(async (trx) => {
        for (let row = 0; row < 500; row += 1) {
          await sql`insert into filler (body) values (${body})`.execute(trx);
        }
      });
    const walBytes = () => fs.statSync(`${file}-wal`).size;
    const settle = () => new Promise((resolve) => setTimeout(resolve, 600));
    await burst();
    await settle(); // the thread copies everything: the next commit starts the WAL over
    const afterFirst = walBytes();
    await burst();
    await settle();
    // Written from the start again, the WAL file has not grown by a second burst's pages.
    expect(walBytes()).toBeLessThan(afterFirst + 500 * 1024);
    await handle.close();
  });
});
