import { type Platform, type PlatformOptions, routes } from '@mypostshare/contract';
import { lockPostDeliveries } from '../../db/dialect.js';
import { findPost, loadPostView, type StoredMedia } from '../../db/repositories/posts.js';
import { ApiError, notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';
import {
  newDeliveries,
  requireLiveConnections,
  requireSchedulable,
  requireValidContent,
  storedMedia,
} from '../../publishing/posts.js';

/**
 * `PATCH /v1/posts/:id`: edits content, media, platforms or `scheduleAt` of a request that is
 * still scheduled. Fields left out are kept. The edited request is validated as a whole, like a
 * new one, and the change is atomic against the scheduler's claim.
 */
export default defineRoute('updatePost', routes.updatePost, async ({ params, body, auth, deps }) => {
  const post = await findPost(deps.db, auth.appId, params.id);
  if (!post) throw notFound('Post');
  if (post.status !== 'scheduled') {
    throw new ApiError('conflict', `Only a scheduled post can be edited; this one is ${post.status}`);
  }
  const media = JSON.parse(post.media) as StoredMedia;
  const merged = {
    content: body.content ?? post.content,
    title: body.title ?? post.title ?? undefined,
    platforms: body.platforms ?? (JSON.parse(post.platforms) as Platform[]),
    mediaUrl: body.mediaUrl ?? media.mediaUrl,
    mediaUrls: body.mediaUrls ?? media.mediaUrls,
    thumbnailUrl: body.thumbnailUrl ?? media.thumbnailUrl,
    platformOptions: body.platformOptions ?? (JSON.parse(post.platform_options) as PlatformOptions),
    metadata: body.metadata ?? (JSON.parse(post.metadata) as Record<string, unknown>),
  };
  const scheduleAt =
    body.scheduleAt !== undefined ? requireSchedulable(deps, body.scheduleAt) : post.schedule_at!;
  requireValidContent(merged);
  if (!post.end_user_id) throw notFound('End user');
  await requireLiveConnections(deps.db, post.end_user_id, merged.platforms);

  const now = deps.clock.now().toISOString();
  const updated = await deps.db.transaction().execute(async (trx) => {
    await lockPostDeliveries(trx, post.id);
    // Write first: the guarded UPDATE takes the write lock, so the scheduler cannot claim in between.
    const result = await trx
      .updateTable('posts')
      .set({
        content: merged.content,
        title: merged.title ?? null,
        platforms: JSON.stringify(merged.platforms),
        media: JSON.stringify(storedMedia(merged)),
        platform_options: JSON.stringify(merged.platformOptions ?? {}),
        metadata: JSON.stringify(merged.metadata),
        schedule_at: scheduleAt,
        effective_at: scheduleAt,
        updated_at: now,
      })
      .where('id', '=', post.id)
      .where('status', '=', 'scheduled')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    // Simplest correct edit of the queue: replace the (all still queued) deliveries.
    await trx.deleteFrom('post_deliveries').where('post_id', '=', post.id).execute();
    await trx
      .insertInto('post_deliveries')
      .values(
        newDeliveries(
          post.id,
          post.app_id,
          merged.platforms,
          post.sandbox === 1,
          { status: 'queued', next_attempt_at: scheduleAt, lease_owner: null, lease_until: null },
          now,
        ),
      )
      .execute();
    return true;
  });
  if (!updated)
    throw new ApiError('conflict', 'The post started publishing before the edit; it was not changed');
  return (await loadPostView(deps.db, auth.appId, post.id))!;
});
