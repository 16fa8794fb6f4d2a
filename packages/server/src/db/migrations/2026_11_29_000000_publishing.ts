import type { Kysely } from 'kysely';

// Frozen in time: posts (publish requests) and their per-platform deliveries, which are also the
// scheduler's queue. Imports nothing from the application; types both SQLite and PostgreSQL accept.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('posts')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    // Kept (set to null) when the end user is erased, so the app's history stays countable.
    .addColumn('end_user_id', 'text', (col) => col.references('end_users.id').onDelete('set null'))
    .addColumn('external_user_id', 'text', (col) => col.notNull())
    .addColumn('mode', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('platforms', 'text', (col) => col.notNull())
    .addColumn('content', 'text', (col) => col.notNull())
    .addColumn('title', 'text')
    .addColumn('media', 'text', (col) => col.notNull())
    .addColumn('platform_options', 'text', (col) => col.notNull())
    .addColumn('metadata', 'text', (col) => col.notNull())
    .addColumn('schedule_at', 'text')
    // scheduleAt for scheduled requests, createdAt otherwise: what dateFrom/dateTo filter on.
    .addColumn('effective_at', 'text', (col) => col.notNull())
    .addColumn('sandbox', 'integer', (col) => col.notNull())
    // The Idempotency-Key the request came with: a retry after a crash finds this post instead of
    // creating (and publishing) a second one.
    .addColumn('idempotency_key', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('posts_idempotency_key_unique')
    .on('posts')
    .columns(['app_id', 'idempotency_key'])
    .unique()
    .execute();
  await db.schema
    .createIndex('posts_app_created_idx')
    .on('posts')
    .columns(['app_id', 'created_at', 'id'])
    .execute();
  // Housekeeping finds requests whose status lags their deliveries (a crash between the two writes).
  await db.schema.createIndex('posts_status_idx').on('posts').columns(['status', 'updated_at']).execute();
  await db.schema
    .createIndex('posts_app_user_idx')
    .on('posts')
    .columns(['app_id', 'external_user_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('post_deliveries')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('post_id', 'text', (col) => col.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('app_id', 'text', (col) => col.notNull())
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('sandbox', 'integer', (col) => col.notNull())
    // The scheduler's concurrency pool: `sandbox` for every sandbox app, else the platform.
    .addColumn('pool', 'text', (col) => col.notNull())
    // queued | publishing | retrying | published | failed | canceled
    .addColumn('status', 'text', (col) => col.notNull())
    // null, or `attempting` from just before the create call until its outcome is stored.
    .addColumn('phase', 'text')
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('checkpoint', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('external_id', 'text')
    .addColumn('url', 'text')
    .addColumn('published_at', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('post_deliveries_post_platform_unique', ['post_id', 'platform'])
    .execute();
  // The scheduler's claims, one pool and one status at a time, so each is an index range read in
  // order and stops at its LIMIT however large the backlog.
  await db.schema
    .createIndex('post_deliveries_due_idx')
    .on('post_deliveries')
    .columns(['pool', 'status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('post_deliveries_lease_idx')
    .on('post_deliveries')
    .columns(['pool', 'status', 'lease_until'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('post_deliveries').ifExists().execute();
  await db.schema.dropTable('posts').ifExists().execute();
}
