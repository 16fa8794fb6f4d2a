import type { Kysely } from 'kysely';

// Frozen in time: connect sessions, OAuth states and idempotency keys for the hosted OAuth flow.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('connect_sessions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('end_user_id', 'text', (col) => col.notNull().references('end_users.id').onDelete('cascade'))
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('redirect_uri', 'text', (col) => col.notNull())
    .addColumn('display', 'text')
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('error_code', 'text')
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('started_at', 'text')
    .addColumn('binding_hash', 'text')
    .addColumn('connection_id', 'text')
    .addColumn('pending_accounts_enc', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('connect_sessions_app_idx')
    .on('connect_sessions')
    .columns(['app_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('oauth_states')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('state_hash', 'text', (col) => col.notNull().unique())
    .addColumn('session_id', 'text', (col) =>
      col.notNull().references('connect_sessions.id').onDelete('cascade'),
    )
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('credential_mode', 'text', (col) => col.notNull())
    .addColumn('client_id', 'text', (col) => col.notNull())
    .addColumn('client_secret_enc', 'text', (col) => col.notNull())
    .addColumn('code_verifier_enc', 'text', (col) => col.notNull())
    .addColumn('callback_url', 'text', (col) => col.notNull())
    .addColumn('binding_hash', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('consumed_at', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('idempotency_key', 'text', (col) => col.notNull())
    .addColumn('fingerprint', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('locked_until', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['app_id', 'idempotency_key'])
    .execute();
  await db.schema
    .createIndex('idempotency_keys_created_idx')
    .on('idempotency_keys')
    .column('created_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['idempotency_keys', 'oauth_states', 'connect_sessions']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
