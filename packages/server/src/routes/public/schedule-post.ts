import { randomUUID } from 'node:crypto';
import { routes } from '@mypostshare/contract';
import { findEndUser } from '../../db/repositories/end-users.js';
import { findPostByIdempotencyKey, insertPost, listDeliveries, toPost } from '../../db/repositories/posts.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';
import {
  idempotencyKeyOf,
  newDeliveries,
  newPostRow,
  requireLiveConnections,
  requireSchedulable,
  requireValidContent,
} from '../../publishing/posts.js';

/**
 * `POST /v1/posts/scheduled`: stores the request and one queued delivery per platform, due at
 * `scheduleAt`. The scheduler (worker role) publishes it; nothing about it lives only in memory.
 */
export default defineRoute('schedulePost', routes.schedulePost, async ({ body, auth, deps, ctx }) => {
  const scheduleAt = requireSchedulable(deps, body.scheduleAt);
  requireValidContent(body);
  const endUser = await findEndUser(deps.db, auth.appId, body.externalUserId);
  if (!endUser) throw notFound('End user');
  const idempotencyKey = idempotencyKeyOf(ctx);
  if (idempotencyKey) {
    const existing = await findPostByIdempotencyKey(deps.db, auth.appId, idempotencyKey);
    if (existing) return toPost(existing, await listDeliveries(deps.db, existing.id));
  }
  await requireLiveConnections(deps.db, endUser.id, body.platforms);

  const now = deps.clock.now().toISOString();
  const id = randomUUID();
  const deliveries = newDeliveries(
    id,
    auth.appId,
    body.platforms,
    auth.sandbox,
    { status: 'queued', next_attempt_at: scheduleAt, lease_owner: null, lease_until: null },
    now,
  );
  const post = newPostRow({
    id,
    appId: auth.appId,
    endUserId: endUser.id,
    sandbox: auth.sandbox,
    idempotencyKey,
    body,
    mode: 'scheduled',
    status: 'scheduled',
    scheduleAt,
    now,
  });
  await insertPost(deps.db, post, deliveries);
  return toPost(post, deliveries);
});
