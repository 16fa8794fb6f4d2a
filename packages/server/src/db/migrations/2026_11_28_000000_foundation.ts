import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Frozen in time: this migration must keep producing the same schema forever, so it imports
// nothing from the application and uses only types both SQLite and PostgreSQL accept.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('apps')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('sandbox', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('apps_created_idx').on('apps').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('name', 'text')
    .addColumn('prefix', 'text', (col) => col.notNull())
    .addColumn('last4', 'text', (col) => col.notNull())
    .addColumn('key_hash', 'text', (col) => col.notNull().unique())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_keys_app_idx').on('api_keys').columns(['app_id', 'created_at']).execute();

  await db.schema
    .createTable('redirect_uris')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('uri', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('redirect_uris_app_uri_unique', ['app_id', 'uri'])
    .execute();

  await db.schema
    .createTable('app_credentials')
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('mode', 'text', (col) => col.notNull())
    .addColumn('client_id', 'text')
    .addColumn('client_secret_enc', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('app_credentials_pk', ['app_id', 'platform'])
    .execute();

  await db.schema
    .createTable('end_users')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('external_user_id', 'text', (col) => col.notNull())
    .addColumn('display_name', 'text')
    .addColumn('email', 'text')
    .addColumn('metadata', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('end_users_app_external_unique', ['app_id', 'external_user_id'])
    .execute();
  await db.schema
    .createIndex('end_users_app_created_idx')
    .on('end_users')
    .columns(['app_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('connections')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('app_id', 'text', (col) => col.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('end_user_id', 'text', (col) => col.notNull().references('end_users.id').onDelete('cascade'))
    .addColumn('platform', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('remote_account_id', 'text', (col) => col.notNull())
    .addColumn('remote_username', 'text')
    .addColumn('account_type', 'text')
    .addColumn('display_name', 'text')
    .addColumn('scopes', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('access_token_enc', 'text')
    .addColumn('refresh_token_enc', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('refresh_expires_at', 'text')
    .addColumn('credential_mode', 'text', (col) => col.notNull())
    .addColumn('credential_client_id', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('connections_user_platform_unique', ['end_user_id', 'platform'])
    .execute();

  // The request log is written on every API request and read newest first per app, so its
  // primary key is the read order itself: on SQLite a WITHOUT ROWID table keeps the rows in that
  // one B-tree (a third of the write cost of a rowid table with two indexes). No foreign key on
  // this hot path: deleting an app deletes its log rows explicitly.
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('request_logs')
    .addColumn('id', 'text', (col) => col.notNull())
    .addColumn('app_id', 'text', (col) => col.notNull())
    .addColumn('method', 'text', (col) => col.notNull())
    .addColumn('path', 'text', (col) => col.notNull())
    .addColumn('status', 'integer', (col) => col.notNull())
    .addColumn('duration_ms', 'real', (col) => col.notNull())
    .addColumn('request_id', 'text', (col) => col.notNull())
    .addColumn('key_prefix', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('request_logs_pk', ['app_id', 'created_at', 'id'])
    .$call((builder) => (sqlite ? builder.modifyEnd(sql`without rowid`) : builder))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'request_logs',
    'connections',
    'end_users',
    'app_credentials',
    'redirect_uris',
    'api_keys',
    'apps',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
