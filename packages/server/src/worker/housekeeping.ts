import type { AppDeps } from '../app.js';
import { reconcilePostStatuses } from '../db/repositories/posts.js';
import { purgeIdempotencyKeys } from '../services/idempotency.js';
import { refreshExpiringConnections } from '../services/token-refresh.js';

/** Consumed or expired OAuth states are kept a day for investigation, then deleted. */
const STATE_RETENTION_MS = 24 * 3600_000;

/**
 * One pass of background upkeep, with no timers of its own (croner calls it; tests call it with a
 * moved clock): refresh tokens nearing expiry, write down expired connect sessions, delete old
 * OAuth states and idempotency keys, and bring lagging post statuses up to date.
 */
export async function runHousekeeping(deps: AppDeps) {
  const now = deps.clock.now();
  const tokens = await refreshExpiringConnections(deps);
  const expiredSessions = await deps.db
    .updateTable('connect_sessions')
    .set({
      status: 'expired',
      error_code: 'session_expired',
      pending_accounts_enc: null,
      updated_at: now.toISOString(),
    })
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now.toISOString())
    .executeTakeFirst();
  const cutoff = new Date(now.getTime() - STATE_RETENTION_MS).toISOString();
  await deps.db.deleteFrom('oauth_states').where('expires_at', '<', cutoff).execute();
  await purgeIdempotencyKeys(deps);
  const reconciledPosts = await reconcilePostStatuses(deps.db, now);
  return { ...tokens, expiredSessions: Number(expiredSessions.numUpdatedRows), reconciledPosts };
}
