import type { AppDeps } from '../app.js';
import { connectionEventData, connectSessionEventData, emitWebhookEvent } from './events.js';

/*
 * The housekeeping pass's webhook work: the state changes it makes (sessions expiring unused,
 * tokens about to lapse) emit their events in the same transaction, and old events are purged.
 */

/** `connection.expiring` goes out this long before an unrefreshable token expires. */
export const EXPIRING_NOTICE_MS = 7 * 24 * 3600_000;
/** Events (and their delivery log) are kept this long; retries end after about a day. */
export const EVENT_RETENTION_MS = 30 * 24 * 3600_000;
const BATCH = 500;

/**
 * Writes down pending connect sessions past their expiry as `expired`, each with a
 * `connect_session.failed` event (`status: 'expired'`, `errorCode: 'session_expired'`). Returns how many.
 */
export async function expireConnectSessions(deps: AppDeps, now: Date): Promise<number> {
  const nowIso = now.toISOString();
  return deps.db.transaction().execute(async (trx) => {
    const expired = await trx
      .updateTable('connect_sessions')
      .set({
        status: 'expired',
        error_code: 'session_expired',
        pending_accounts_enc: null,
        updated_at: nowIso,
      })
      .where('status', '=', 'pending')
      .where('expires_at', '<=', nowIso)
      .returning(['id', 'app_id', 'end_user_id', 'platform'])
      .execute();
    if (expired.length === 0) return 0;
    for (let index = 0; index < expired.length; index += BATCH) {
      const batch = expired.slice(index, index + BATCH);
      const users = await trx
        .selectFrom('end_users')
        .select(['id', 'external_user_id'])
        .where(
          'id',
          'in',
          batch.map((session) => session.end_user_id),
        )
        .execute();
      const externalIds = new Map(users.map((user) => [user.id, user.external_user_id]));
      for (const session of batch) {
        await emitWebhookEvent(trx, {
          appId: session.app_id,
          type: 'connect_session.failed',
          data: connectSessionEventData(
            { ...session, external_user_id: externalIds.get(session.end_user_id) ?? '[erased]' },
            { status: 'expired', errorCode: 'session_expired' },
          ),
          now,
        });
      }
    }
    return expired.length;
  });
}

/**
 * Emits `connection.expiring` for live connections whose token cannot be refreshed (no refresh
 * token, as with LinkedIn's 60-day tokens) and expires within {@link EXPIRING_NOTICE_MS}: once per
 * expiry, recorded in `expiry_warned_for` by the same transaction (a reconnect brings a new expiry
 * and clears it). Returns how many were warned about.
 */
export async function warnExpiringConnections(deps: AppDeps, now: Date): Promise<number> {
  const nowIso = now.toISOString();
  const horizon = new Date(now.getTime() + EXPIRING_NOTICE_MS).toISOString();
  const due = await deps.db
    .selectFrom('connections')
    .select(['id', 'expires_at'])
    .where('status', '=', 'connected')
    .where('refresh_token_enc', 'is', null)
    .where('expires_at', 'is not', null)
    .where('expires_at', '>', nowIso)
    .where('expires_at', '<=', horizon)
    .where((eb) =>
      eb.or([eb('expiry_warned_for', 'is', null), eb('expiry_warned_for', '!=', eb.ref('expires_at'))]),
    )
    .orderBy('expires_at')
    .limit(BATCH)
    .execute();
  let warned = 0;
  for (const candidate of due) {
    const emitted = await deps.db.transaction().execute(async (trx) => {
      const [connection] = await trx
        .updateTable('connections')
        .set({ expiry_warned_for: candidate.expires_at })
        .where('id', '=', candidate.id)
        .where('status', '=', 'connected')
        .where('refresh_token_enc', 'is', null)
        .where('expires_at', '=', candidate.expires_at)
        .where((eb) =>
          eb.or([eb('expiry_warned_for', 'is', null), eb('expiry_warned_for', '!=', candidate.expires_at)]),
        )
        .returningAll()
        .execute();
      if (!connection) return false;
      await emitWebhookEvent(trx, {
        appId: connection.app_id,
        type: 'connection.expiring',
        data: await connectionEventData(trx, connection),
        now,
      });
      return true;
    });
    if (emitted) warned += 1;
  }
  return warned;
}

/** Deletes events older than {@link EVENT_RETENTION_MS} with their deliveries. */
export async function purgeWebhookEvents(deps: AppDeps, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - EVENT_RETENTION_MS).toISOString();
  // Deliveries first: the cascade is not relied upon (foreign keys may be off on other engines).
  const old = deps.db.selectFrom('webhook_events').select('id').where('created_at', '<', cutoff);
  await deps.db.deleteFrom('webhook_deliveries').where('event_id', 'in', old).execute();
  await deps.db.deleteFrom('webhook_events').where('created_at', '<', cutoff).execute();
}
