import type { AppDeps } from '../app.js';
import { reconcilePostStatuses } from '../db/repositories/posts.js';
import { purgeIdempotencyKeys } from '../services/idempotency.js';
import { refreshExpiringConnections } from '../services/token-refresh.js';
import {
  expireConnectSessions,
  purgeWebhookEvents,
  warnExpiringConnections,
} from '../webhooks/housekeeping.js';

/** Consumed or expired OAuth states are kept a day for investigation, then deleted. */
const STATE_RETENTION_MS = 24 * 3600_000;

/**
 * One pass of background upkeep, with no timers of its own (croner calls it; tests call it with a
 * moved clock): refresh tokens nearing expiry, warn (webhook) about unrefreshable ones expiring
 * within a week, write down expired connect sessions, delete old OAuth states, idempotency keys and
 * webhook events, and bring lagging post statuses up to date.
 */
export async function runHousekeeping(deps: AppDeps) {
  const now = deps.clock.now();
  const tokens = await refreshExpiringConnections(deps);
  const expiringConnections = await warnExpiringConnections(deps, now);
  const expiredSessions = await expireConnectSessions(deps, now);
  const cutoff = new Date(now.getTime() - STATE_RETENTION_MS).toISOString();
  await deps.db.deleteFrom('oauth_states').where('expires_at', '<', cutoff).execute();
  await purgeIdempotencyKeys(deps);
  const reconciledPosts = await reconcilePostStatuses(deps.db, now);
  await purgeWebhookEvents(deps, now);
  return { ...tokens, expiringConnections, expiredSessions, reconciledPosts };
}
