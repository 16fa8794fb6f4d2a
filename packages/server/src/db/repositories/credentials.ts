import type { Db } from '../database.js';
import type { AppCredentialsTable } from '../schema.js';

export const listCredentialRows = (db: Db, appId: string) =>
  db.selectFrom('app_credentials').selectAll().where('app_id', '=', appId).execute();

export const findCredentialRow = (db: Db, appId: string, platform: string) =>
  db
    .selectFrom('app_credentials')
    .selectAll()
    .where('app_id', '=', appId)
    .where('platform', '=', platform)
    .executeTakeFirst();

/** Inserts or replaces the app's setting for one platform. */
export async function upsertCredentialRow(db: Db, row: AppCredentialsTable) {
  await db
    .insertInto('app_credentials')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['app_id', 'platform']).doUpdateSet({
        mode: row.mode,
        client_id: row.client_id,
        client_secret_enc: row.client_secret_enc,
        updated_at: row.updated_at,
      }),
    )
    .execute();
  return row;
}

export async function deleteCredentialRow(db: Db, appId: string, platform: string) {
  await db
    .deleteFrom('app_credentials')
    .where('app_id', '=', appId)
    .where('platform', '=', platform)
    .execute();
}
