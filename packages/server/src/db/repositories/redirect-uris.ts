import type { RedirectUri } from '@mypostshare/contract';
import { newestFirst, toPage } from '../../http/pagination.js';
import type { Db } from '../database.js';
import type { RedirectUrisTable } from '../schema.js';

export const toRedirectUri = (row: RedirectUrisTable): RedirectUri => ({
  id: row.id,
  uri: row.uri,
  createdAt: row.created_at,
});

export const findRedirectUriByValue = (db: Db, appId: string, uri: string) =>
  db
    .selectFrom('redirect_uris')
    .selectAll()
    .where('app_id', '=', appId)
    .where('uri', '=', uri)
    .executeTakeFirst();

/** Inserts the URI; false when the app already has it (the unique key decides, so races are safe). */
export async function insertRedirectUri(db: Db, row: RedirectUrisTable): Promise<boolean> {
  const result = await db
    .insertInto('redirect_uris')
    .values(row)
    .onConflict((oc) => oc.columns(['app_id', 'uri']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function listRedirectUris(db: Db, appId: string, page: { limit?: number; cursor?: string }) {
  const rows = await newestFirst(
    db.selectFrom('redirect_uris').selectAll().where('app_id', '=', appId),
    'redirect_uris',
    page,
  ).execute();
  return toPage(rows, page.limit);
}

export async function deleteRedirectUri(db: Db, appId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('redirect_uris')
    .where('app_id', '=', appId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
