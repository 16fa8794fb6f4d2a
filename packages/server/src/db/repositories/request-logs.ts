import type { RequestLogEntry } from '@mypostshare/contract';
import { newestFirst, toPage } from '../../http/pagination.js';
import type { Db } from '../database.js';
import type { RequestLogsTable } from '../schema.js';

export const toRequestLogEntry = (row: RequestLogsTable): RequestLogEntry => ({
  id: row.id,
  method: row.method,
  path: row.path,
  status: row.status,
  durationMs: row.duration_ms,
  requestId: row.request_id,
  keyPrefix: row.key_prefix,
  createdAt: row.created_at,
});

/** Writes a batch in one transaction; one statement per row keeps it under SQLite's variable limit. */
export async function insertRequestLogs(db: Db, rows: RequestLogsTable[]): Promise<void> {
  if (rows.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (let start = 0; start < rows.length; start += 100) {
      await trx
        .insertInto('request_logs')
        .values(rows.slice(start, start + 100))
        .execute();
    }
  });
}

export async function listRequestLogs(
  db: Db,
  appId: string,
  page: { limit?: number; cursor?: string; since?: string },
) {
  let query = db.selectFrom('request_logs').selectAll().where('app_id', '=', appId);
  // Stored times are `toISOString()` text; compare like with like, or a `since` written without
  // milliseconds or with an offset would compare wrongly as text.
  if (page.since) query = query.where('created_at', '>=', new Date(page.since).toISOString());
  const rows = await newestFirst(query, 'request_logs', page).execute();
  return toPage(rows, page.limit);
}
