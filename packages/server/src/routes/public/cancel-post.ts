import { routes } from '@mypostshare/contract';
import { lockPostDeliveries } from '../../db/dialect.js';
import { emitPostEvent, findPost, loadPostView } from '../../db/repositories/posts.js';
import { ApiError, notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';

/**
 * `DELETE /v1/posts/:id`: cancels a request that is still scheduled. Atomic against the scheduler:
 * its claim moves the post to `publishing` in the same transaction, so exactly one of the two wins.
 * Canceling an already canceled post answers it again (safe to retry).
 */
export default defineRoute('cancelPost', routes.cancelPost, async ({ params, auth, deps }) => {
  const post = await findPost(deps.db, auth.appId, params.id);
  if (!post) throw notFound('Post');
  const at = deps.clock.now();
  const now = at.toISOString();
  const canceled = await deps.db.transaction().execute(async (trx) => {
    await lockPostDeliveries(trx, post.id);
    const result = await trx
      .updateTable('posts')
      .set({ status: 'canceled', updated_at: now })
      .where('id', '=', post.id)
      .where('status', '=', 'scheduled')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await trx
      .updateTable('post_deliveries')
      .set({ status: 'canceled', updated_at: now })
      .where('post_id', '=', post.id)
      .where('status', '=', 'queued')
      .execute();
    // `post.canceled`, in the same transaction as the cancel: only the request that canceled emits it.
    await emitPostEvent(trx, post.id, at);
    return true;
  });
  if (!canceled) {
    const current = await findPost(deps.db, auth.appId, params.id);
    // Canceling twice is not an error: a client retrying after a lost answer gets the same result.
    if (current?.status === 'canceled') return (await loadPostView(deps.db, auth.appId, params.id))!;
    throw new ApiError(
      'conflict',
      `Only a scheduled post can be canceled; this one is ${current?.status ?? 'gone'}`,
    );
  }
  return (await loadPostView(deps.db, auth.appId, params.id))!;
});
