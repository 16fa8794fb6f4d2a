import { randomUUID } from 'node:crypto';
import { routes } from '@mypostshare/contract';
import { findEndUser } from '../../db/repositories/end-users.js';
import {
  findPostByIdempotencyKey,
  insertPost,
  listDeliveries,
  loadPostView,
  toPost,
} from '../../db/repositories/posts.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';
import {
  dispatchAndWait,
  idempotencyKeyOf,
  newDeliveries,
  newPostRow,
  requireLiveConnections,
  requireValidContent,
} from '../../publishing/posts.js';

/**
 * `POST /v1/posts`: publish now. Attempts every platform concurrently and answers 201 once each
 * has an outcome or MYPOSTSHARE_PUBLISH_WAIT_SECONDS has passed (the rest continue in the background).
 */
export default defineRoute('publishPost', routes.publishPost, async ({ body, auth, deps, ctx }) => {
  requireValidContent(body);
  const endUser = await findEndUser(deps.db, auth.appId, body.externalUserId);
  if (!endUser) throw notFound('End user');
  const idempotencyKey = idempotencyKeyOf(ctx);
  if (idempotencyKey) {
    // A retry after a crash between storing the post and storing the response: same post, never a second one.
    const existing = await findPostByIdempotencyKey(deps.db, auth.appId, idempotencyKey);
    if (existing) return toPost(existing, await listDeliveries(deps.db, existing.id));
  }
  await requireLiveConnections(deps.db, endUser.id, body.platforms);

  const now = deps.clock.now();
  const id = randomUUID();
  const deliveries = newDeliveries(
    id,
    auth.appId,
    body.platforms,
    auth.sandbox,
    {
      // Claimed by this process from the start: if it dies, the lease lapses and a worker recovers them.
      status: 'publishing',
      next_attempt_at: now.toISOString(),
      lease_owner: deps.publishing.owner,
      lease_until: new Date(now.getTime() + deps.config.publishing.leaseMs).toISOString(),
      // Counted now, so the attempt starts without another commit (see InsertedDelivery).
      attempts: 1,
    },
    now.toISOString(),
  );
  const post = newPostRow({
    id,
    appId: auth.appId,
    endUserId: endUser.id,
    sandbox: auth.sandbox,
    idempotencyKey,
    body,
    mode: 'immediate',
    status: 'publishing',
    scheduleAt: null,
    now: now.toISOString(),
  });
  await insertPost(deps.db, post, deliveries);
  await dispatchAndWait(
    deps,
    deliveries.map((delivery) => ({ delivery, post })),
    deps.config.publishing.waitMs,
  );
  return (await loadPostView(deps.db, auth.appId, id))!;
});
