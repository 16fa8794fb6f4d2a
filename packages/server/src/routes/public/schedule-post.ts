import { randomUUID } from 'node:crypto';
import { routes } from '@mypostshare/contract';
import { findEndUser } from '../../db/repositories/end-users.js';
import { findPostByIdempotencyKey, insertPost, listDeliveries, toPost } from '../../db/repositories/posts.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';
import {
  idempotencyKeyOf,
  newDeliveries,
  requireLiveConnections,
  requireSchedulable,
  requireValidContent,
  storedMedia,
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
  const post = {
    id,
    app_id: auth.appId,
    end_user_id: endUser.id,
    external_user_id: body.externalUserId,
    mode: 'scheduled',
    status: 'scheduled',
    platforms: JSON.stringify(body.platforms),
    content: body.content,
    title: body.title ?? null,
    media: JSON.stringify(storedMedia(body)),
    platform_options: JSON.stringify(body.platformOptions ?? {}),
    metadata: JSON.stringify(body.metadata ?? {}),
    schedule_at: scheduleAt,
    effective_at: scheduleAt,
    sandbox: auth.sandbox ? 1 : 0,
    idempotency_key: idempotencyKey,
    created_at: now,
    updated_at: now,
  };
  await insertPost(deps.db, post, deliveries);
  return toPost(post, deliveries);
});
