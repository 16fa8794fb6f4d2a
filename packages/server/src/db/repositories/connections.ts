import type { Connection, ConnectionStatus, Platform } from '@mypostshare/contract';
import type { Db } from '../database.js';
import type { ConnectionsTable } from '../schema.js';

/** The API shape of a connection: never a token. */
export const toConnection = (row: ConnectionsTable): Connection => ({
  id: row.id,
  platform: row.platform as Platform,
  status: row.status as ConnectionStatus,
  remoteAccountId: row.remote_account_id,
  remoteUsername: row.remote_username,
  accountType: row.account_type,
  displayName: row.display_name,
  scopes: JSON.parse(row.scopes) as string[],
  expiresAt: row.expires_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const listConnectionsOfEndUser = (db: Db, endUserId: string) =>
  db
    .selectFrom('connections')
    .selectAll()
    .where('end_user_id', '=', endUserId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();

/**
 * Inserts the end user's connection for a platform or updates it in place (one connection per
 * end user and platform).
 */
export async function upsertConnection(db: Db, row: ConnectionsTable): Promise<ConnectionsTable> {
  const {
    id: _id,
    created_at: _createdAt,
    app_id: _appId,
    end_user_id: _endUserId,
    platform: _platform,
    ...changes
  } = row;
  return db
    .insertInto('connections')
    .values(row)
    .onConflict((oc) => oc.columns(['end_user_id', 'platform']).doUpdateSet(changes))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes the end user's connection for a platform and returns it (for revocation), if there was one. */
export async function deleteConnection(db: Db, endUserId: string, platform: Platform) {
  return db
    .deleteFrom('connections')
    .where('end_user_id', '=', endUserId)
    .where('platform', '=', platform)
    .returningAll()
    .executeTakeFirst();
}
