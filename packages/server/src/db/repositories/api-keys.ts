import type { ApiKey } from '@mypostshare/contract';
import { newestFirst, toPage } from '../../http/pagination.js';
import type { Db } from '../database.js';
import { type MaybePromise, preparedFirstNow } from '../prepared.js';
import type { ApiKeysTable } from '../schema.js';

export const toApiKey = (row: ApiKeysTable): ApiKey => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  last4: row.last4,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

export async function insertApiKey(db: Db, row: ApiKeysTable) {
  await db.insertInto('api_keys').values(row).execute();
  return row;
}

export async function listApiKeys(db: Db, appId: string, page: { limit?: number; cursor?: string }) {
  const rows = await newestFirst(
    db.selectFrom('api_keys').selectAll().where('app_id', '=', appId),
    'api_keys',
    page,
  ).execute();
  return toPage(rows, page.limit);
}

/** Revokes a key of this app; false when there is no such key (or it belongs to another app). */
export async function revokeApiKey(db: Db, appId: string, keyId: string, now: string): Promise<boolean> {
  const key = await db
    .selectFrom('api_keys')
    .select(['id', 'revoked_at'])
    .where('id', '=', keyId)
    .where('app_id', '=', appId)
    .executeTakeFirst();
  if (!key) return false;
  if (!key.revoked_at) {
    await db.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', keyId).execute();
  }
  return true;
}

const liveKeyByHash = preparedFirstNow((db: Db, keyHash: string) =>
  db
    .selectFrom('api_keys')
    .innerJoin('apps', 'apps.id', 'api_keys.app_id')
    .select([
      'api_keys.id as keyId',
      'api_keys.prefix as prefix',
      'apps.id as appId',
      'apps.name as appName',
      'apps.sandbox as sandbox',
    ])
    .where('api_keys.key_hash', '=', keyHash)
    .where('api_keys.revoked_at', 'is', null),
);

/** A live key with its app, as the per-request lookup returns it. */
export interface LiveKey {
  keyId: string;
  prefix: string;
  appId: string;
  appName: string;
  sandbox: number;
}

/**
 * The live key with this hash, joined to its app: one indexed read per authenticated request,
 * answered synchronously on SQLite (a promise only while a transaction holds the connection).
 */
export function lookupLiveKeyByHash(db: Db, keyHash: string): MaybePromise<LiveKey | undefined> {
  return liveKeyByHash(db, keyHash);
}

/** The live key with this hash, joined to its app. */
export async function findLiveKeyByHash(db: Db, keyHash: string): Promise<LiveKey | undefined> {
  return liveKeyByHash(db, keyHash);
}
