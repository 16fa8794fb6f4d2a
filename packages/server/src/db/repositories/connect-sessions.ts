import type { ConnectErrorCode, ConnectSession, ConnectSessionStatus, Platform } from '@mypostshare/contract';
import type { Db } from '../database.js';
import type { ConnectSessionsTable } from '../schema.js';

/**
 * The status a client sees: a pending session past its expiry is `expired` even before anything
 * writes that down.
 */
export function effectiveStatus(row: ConnectSessionsTable, now: Date): ConnectSessionStatus {
  if (row.status === 'pending' && row.expires_at <= now.toISOString()) return 'expired';
  return row.status as ConnectSessionStatus;
}

export const toConnectSession = (
  row: ConnectSessionsTable,
  externalUserId: string,
  now: Date,
): ConnectSession => {
  const status = effectiveStatus(row, now);
  return {
    id: row.id,
    status,
    platform: row.platform as Platform,
    externalUserId,
    errorCode:
      (row.error_code as ConnectErrorCode | null) ?? (status === 'expired' ? 'session_expired' : null),
    updatedAt: row.updated_at,
  };
};

export async function insertConnectSession(db: Db, row: ConnectSessionsTable) {
  await db.insertInto('connect_sessions').values(row).execute();
  return row;
}

/** A session with its end user's external id and its app's name and sandbox flag, for pages and the callback. */
export const findConnectSessionWithContext = (db: Db, id: string) =>
  db
    .selectFrom('connect_sessions')
    .innerJoin('end_users', 'end_users.id', 'connect_sessions.end_user_id')
    .innerJoin('apps', 'apps.id', 'connect_sessions.app_id')
    .selectAll('connect_sessions')
    .select([
      'end_users.external_user_id as external_user_id',
      'apps.name as app_name',
      'apps.sandbox as sandbox',
    ])
    .where('connect_sessions.id', '=', id)
    .executeTakeFirst();

export type ConnectSessionWithContext = NonNullable<
  Awaited<ReturnType<typeof findConnectSessionWithContext>>
>;

/**
 * Binds the session to the first browser that starts it: succeeds when the session was never
 * started, or was started by this same browser (same binding hash). Atomic, so two browsers racing
 * cannot both win.
 */
export async function claimSessionForBrowser(
  db: Db,
  id: string,
  bindingHash: string,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('connect_sessions')
    .set({ started_at: now, binding_hash: bindingHash, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .where((eb) => eb.or([eb('binding_hash', 'is', null), eb('binding_hash', '=', bindingHash)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Fails a pending session; false when it had already ended (so the caller does not redirect twice). */
export async function failConnectSession(
  db: Db,
  id: string,
  errorCode: ConnectErrorCode,
  now: string,
): Promise<boolean> {
  const result = await db
    .updateTable('connect_sessions')
    .set({ status: 'failed', error_code: errorCode, pending_accounts_enc: null, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setPendingAccounts(db: Db, id: string, encrypted: string | null, now: string) {
  await db
    .updateTable('connect_sessions')
    .set({ pending_accounts_enc: encrypted, updated_at: now })
    .where('id', '=', id)
    .execute();
}
