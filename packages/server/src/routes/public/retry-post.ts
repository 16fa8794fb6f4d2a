import { type Platform, routes } from '@mypostshare/contract';
import { findPost, listDeliveries, loadPostView } from '../../db/repositories/posts.js';
import { ApiError, notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';
import { dispatchAndWait, requireLiveConnections } from '../../publishing/posts.js';

/**
 * `POST /v1/posts/:id/retry`: publishes the failed platforms of a finished request again (the
 * published ones are left alone). Answers at once with the platforms `publishing`; poll the post
 * (or use webhooks) for the outcome.
 */
export default defineRoute('retryPost', routes.retryPost, async ({ params, auth, deps }) => {
  const post = await findPost(deps.db, auth.appId, params.id);
  if (!post) throw notFound('Post');
  const failed = (await listDeliveries(deps.db, post.id)).filter((delivery) => delivery.status === 'failed');
  if ((post.status !== 'failed' && post.status !== 'partially_published') || failed.length === 0) {
    throw new ApiError('conflict', `Only failed platforms can be retried; this post is ${post.status}`);
  }
  if (!post.end_user_id) throw notFound('End user');
  await requireLiveConnections(
    deps.db,
    post.end_user_id,
    failed.map((delivery) => delivery.platform as Platform),
  );
  const now = deps.clock.now();
  const claimed = await deps.db.transaction().execute(async (trx) => {
    const rows = await trx
      .updateTable('post_deliveries')
      .set({
        status: 'publishing',
        // A fresh round of attempts; the checkpoint stays so uploads already done are reused.
        attempts: 0,
        phase: null,
        error_code: null,
        error_message: null,
        next_attempt_at: now.toISOString(),
        lease_owner: deps.publishing.owner,
        lease_until: new Date(now.getTime() + deps.config.publishing.leaseMs).toISOString(),
        updated_at: now.toISOString(),
      })
      .where('post_id', '=', post.id)
      .where('status', '=', 'failed')
      .returning('id')
      .execute();
    if (rows.length > 0) {
      await trx
        .updateTable('posts')
        .set({ status: 'publishing', updated_at: now.toISOString() })
        .where('id', '=', post.id)
        .execute();
    }
    return rows.map((row) => row.id);
  });
  if (claimed.length === 0) throw new ApiError('conflict', 'Another retry of this post is already running');
  await dispatchAndWait(deps, claimed, 0);
  return (await loadPostView(deps.db, auth.appId, post.id))!;
});
