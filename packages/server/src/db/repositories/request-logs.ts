import type { RequestLogEntry } from '@mypostshare/contract';
import { sql } from 'kysely';
import { newestFirst, toPage } from '../../http/pagination.js';
import type { Db } from '../database.js';
import { runBatchOnSqlite } from '../prepared.js';
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

/**
 * The columns of an entry in the order the request-log buffer queues their values (and the
 * inserts below bind them): id, app_id, method, path, status, duration_ms, request_id, key_prefix,
 * created_at.
 */
export const REQUEST_LOG_ARITY = 9;
/** Rows per multi-row insert when writing a batch on SQLite (9 × 32 parameters, far under its limits). */
const ROWS_PER_INSERT = 32;

/** Rows of `REQUEST_LOG_ARITY` values each, back as row objects (the portable path). */
function toRows(values: readonly unknown[]): RequestLogsTable[] {
  const rows: RequestLogsTable[] = [];
  for (let at = 0; at < values.length; at += REQUEST_LOG_ARITY) {
    rows.push({
      id: values[at] as string,
      app_id: values[at + 1] as string,
      method: values[at + 2] as string,
      path: values[at + 3] as string,
      status: values[at + 4] as number,
      duration_ms: values[at + 5] as number,
      request_id: values[at + 6] as string,
      key_prefix: values[at + 7] as string | null,
      created_at: values[at + 8] as string,
    });
  }
  return rows;
}

/** As many rows in one insert as `values` holds (the statement is compiled once per row count). */
const insertRows = (db: Db, ...values: unknown[]) => db.insertInto('request_logs').values(toRows(values));

/**
 * Writes a batch, given as its rows' values one after the other (`REQUEST_LOG_ARITY` per row), in
 * one transaction: on SQLite as prepared statements of 32 rows (and one row for the rest), cheap
 * enough to keep up with thousands of requests a second; elsewhere as multi-row inserts of 100
 * rows, under the database's parameter limits.
 */
export async function insertRequestLogs(db: Db, values: readonly unknown[]): Promise<void> {
  if (values.length === 0) return;
  if (runBatchOnSqlite(db, insertRows, values, REQUEST_LOG_ARITY, ROWS_PER_INSERT)) return;
  const rows = toRows(values);
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

/**
 * Replaces an erased end user's id in the paths of the app's request log with `[erased]`, in both
 * the percent-encoded form clients send and the raw one, matching whole path segments only (so
 * erasing `user_1` leaves `user_12` alone).
 */
export async function scrubRequestLogPaths(db: Db, appId: string, externalUserId: string): Promise<void> {
  for (const form of new Set([encodeURIComponent(externalUserId), externalUserId])) {
    const segment = `/end-users/${form}`;
    const pattern = `%${segment.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    const rows = await db
      .selectFrom('request_logs')
      .select(['app_id', 'created_at', 'id', 'path'])
      .where('app_id', '=', appId)
      .where(sql<boolean>`path like ${pattern} escape '\\'`)
      .execute();
    for (const row of rows) {
      const scrubbed = scrubPath(row.path, form);
      if (scrubbed === row.path) continue;
      await db
        .updateTable('request_logs')
        .set({ path: scrubbed })
        .where('app_id', '=', row.app_id)
        .where('created_at', '=', row.created_at)
        .where('id', '=', row.id)
        .execute();
    }
  }
}

/** `/api/v1/end-users/<id>[/...]` with `<id>` replaced by `[erased]` when it is that whole segment. */
export function scrubPath(path: string, encodedId: string): string {
  const segment = `/end-users/${encodedId}`;
  const at = path.indexOf(segment);
  if (at === -1) return path;
  const after = path.slice(at + segment.length);
  if (after !== '' && !after.startsWith('/')) return path;
  return `${path.slice(0, at)}/end-users/[erased]${after}`;
}
