import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparingPool } from '../src/db/pg-prepared.js';
import { onPostgres, testPostgresUrl } from './harness.js';

// Named prepared statements on PostgreSQL (src/db/pg-prepared.ts), on one pooled connection so
// that what it prepared can be read back from pg_prepared_statements.
describe.skipIf(!onPostgres)('prepared statements on PostgreSQL', () => {
  const schema = `mps_prepared_${randomBytes(6).toString('hex')}`;
  let pool: pg.Pool;
  let db: Kysely<any>;
  /** A second connection, for schema changes made behind the pooled one's back. */
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: testPostgresUrl });
    await admin.connect();
    await admin.query(`create schema "${schema}"`);
    await admin.query(`create table "${schema}".notes (id int primary key, body text not null)`);
    await admin.query(`insert into "${schema}".notes values (1, 'one'), (2, 'two')`);
    pool = new pg.Pool({ connectionString: testPostgresUrl, max: 1 });
    db = new Kysely<any>({
      dialect: new PostgresDialect({
        pool: preparingPool(pool, { maxPerConnection: 3 }),
        onCreateConnection: async (connection) => {
          await connection.executeQuery(sql`set search_path to ${sql.id(schema)}`.compile(db));
        },
      }),
    });
  });

  afterAll(async () => {
    await db?.destroy();
    await admin?.query(`drop schema if exists "${schema}" cascade`);
    await admin?.end();
  });

  const preparedTexts = async () =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db)).rows.map(
      (row) => row.statement,
    );

  it('runs a query with parameters as a named statement, prepared once on its connection', async () => {
    for (const id of [1, 2, 1]) {
      const row = await db.selectFrom('notes').select('body').where('id', '=', id).executeTakeFirst();
      expect(row?.body).toBe(id === 1 ? 'one' : 'two');
    }
    const texts = await preparedTexts();
    expect(texts.filter((text) => text.includes('from "notes" where "id" = $1'))).toHaveLength(1);
  });

  it('leaves a query without parameters unnamed (several commands in one text still run)', async () => {
    await sql.raw(`select 1; select 2`).execute(db);
    expect((await preparedTexts()).some((text) => text.includes('select 2'))).toBe(false);
  });

  it('prepares the text again when a schema change invalidates its plan', async () => {
    const all = () => db.selectFrom('notes').selectAll().where('id', '=', 2).executeTakeFirstOrThrow();
    expect(await all()).toEqual({ id: 2, body: 'two' });
    // Another connection adds a column: the prepared `select *` plan no longer fits its result.
    await admin.query(`alter table "${schema}".notes add column tag text default 'new'`);
    expect(await all()).toEqual({ id: 2, body: 'two', tag: 'new' });
  });

  it('runs texts beyond the per-connection bound unnamed, and still answers', async () => {
    for (let n = 0; n < 6; n += 1) {
      const row = await sql<{ n: number }>`select ${n}::int + ${n}::int as n`.execute(db);
      expect(row.rows[0]?.n).toBe(n * 2);
      await sql`select ${n}::int as ${sql.id(`v${n}`)}`.execute(db);
    }
    expect((await preparedTexts()).length).toBeLessThanOrEqual(3);
  });
});
