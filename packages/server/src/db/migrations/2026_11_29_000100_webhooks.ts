import type { Kysely } from 'kysely';

// Frozen in time: webhook endpoints, the event outbox and its per-endpoint deliveries (also the
// webhook dispatcher's queue), and the connection column that makes `connection.expiring` fire once
// per expiry. Imports nothing from the application; types both SQLite and PostgreSQL accept.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    // JSON array of event types, or null for every type (including ones added later).
    .addColumn('events', 'text')
    // active | failing | disabled
    .addColumn('status', 'text', (col) => col.notNull())
    // The signing secret, encrypted (bound to the row).
    .addColumn('secret_enc', 'text', (col) => col.notNull())
    // Rotated-out secrets that still sign: encrypted JSON `[{secret, expiresAt}]`, or null.
    .addColumn('previous_secrets_enc', 'text')
    // When the last of those stops signing (so listing needs no decryption).
    .addColumn('previous_secrets_until', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_endpoints_app_idx')
    .on('webhook_endpoints')
    .columns(['app_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('webhook_events')
    // `msg_...`: sent as `webhook-id` on every attempt.
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('type', 'text', (col) => col.notNull())
    // The exact body that is signed and sent, so every retry sends the same bytes.
    .addColumn('payload', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_events_created_idx')
    .on('webhook_events')
    .column('created_at')
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('event_id', 'text', (col) => col.notNull().references('webhook_events.id').onDelete('cascade'))
    .addColumn('endpoint_id', 'text', (col) =>
      col.notNull().references('webhook_endpoints.id').onDelete('cascade'),
    )
    .addColumn('app_id', 'text', (col) => col.notNull())
    // pending | delivering | succeeded | failed
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    // 1 while a manual attempt (test event, retry of a finished delivery) runs: no automatic retries follow.
    .addColumn('manual', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_attempt_at', 'text')
    .addColumn('response_status', 'integer')
    .addColumn('duration_ms', 'integer')
    .addColumn('error', 'text')
    // At most the first 1 KB of the latest response body.
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('webhook_deliveries_event_endpoint_unique', ['event_id', 'endpoint_id'])
    .execute();
  // The dispatcher's claims: due deliveries per endpoint, and leases that lapsed (a dead worker's).
  await db.schema
    .createIndex('webhook_deliveries_due_idx')
    .on('webhook_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_endpoint_due_idx')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_lease_idx')
    .on('webhook_deliveries')
    .columns(['status', 'lease_until'])
    .execute();
  // The delivery log of an endpoint, newest first.
  await db.schema
    .createIndex('webhook_deliveries_log_idx')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'created_at', 'id'])
    .execute();

  // The expiry a `connection.expiring` event was sent for: once per expiry, again after a reconnect.
  await db.schema.alterTable('connections').addColumn('expiry_warned_for', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('connections').dropColumn('expiry_warned_for').execute();
  await db.schema.dropTable('webhook_deliveries').ifExists().execute();
  await db.schema.dropTable('webhook_events').ifExists().execute();
  await db.schema.dropTable('webhook_endpoints').ifExists().execute();
}
