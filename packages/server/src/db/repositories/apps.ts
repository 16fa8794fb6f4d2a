import type { App } from '@mypostshare/contract';
import { newestFirst, toPage } from '../../http/pagination.js';
import type { Db } from '../database.js';
import type { AppsTable } from '../schema.js';

export const toApp = (row: AppsTable): App => ({
  id: row.id,
  name: row.name,
  sandbox: row.sandbox === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function insertApp(db: Db, app: { id: string; name: string; sandbox: boolean; now: string }) {
  const row: AppsTable = {
    id: app.id,
    name: app.name,
    sandbox: app.sandbox ? 1 : 0,
    created_at: app.now,
    updated_at: app.now,
  };
  await db.insertInto('apps').values(row).execute();
  return row;
}

export const findApp = (db: Db, id: string) =>
  db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();

export async function listApps(db: Db, page: { limit?: number; cursor?: string }) {
  const rows = await newestFirst(db.selectFrom('apps').selectAll(), 'apps', page).execute();
  return toPage(rows, page.limit);
}

export async function renameApp(db: Db, id: string, name: string, now: string) {
  return db
    .updateTable('apps')
    .set({ name, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the app; foreign keys cascade to everything it owns except the request log (no key on that hot table). */
export async function deleteApp(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('apps').where('id', '=', id).executeTakeFirst();
  if (result.numDeletedRows === 0n) return false;
  await db.deleteFrom('request_logs').where('app_id', '=', id).execute();
  return true;
}

export async function countApps(db: Db): Promise<number> {
  const row = await db
    .selectFrom('apps')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
