import { routes } from '@mypostshare/contract';
import { toPostListItem } from '../../db/repositories/posts.js';
import { defineRoute } from '../../http/define-route.js';
import { newestFirst, setNextLink, toPage } from '../../http/pagination.js';

/**
 * `GET /v1/posts`: the app's requests, newest first, filtered by end user, status, platform and
 * an inclusive `dateFrom`/`dateTo` window on the effective time (`scheduleAt` for scheduled
 * requests, `createdAt` otherwise).
 */
export default defineRoute('listPosts', routes.listPosts, async ({ query, auth, deps, ctx }) => {
  let select = deps.db.selectFrom('posts').selectAll('posts').where('posts.app_id', '=', auth.appId);
  if (query.externalUserId !== undefined)
    select = select.where('posts.external_user_id', '=', query.externalUserId);
  if (query.status !== undefined) select = select.where('posts.status', '=', query.status);
  if (query.platform !== undefined) {
    const platform = query.platform;
    select = select.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('post_deliveries')
          .select('post_deliveries.id')
          .whereRef('post_deliveries.post_id', '=', 'posts.id')
          .where('post_deliveries.platform', '=', platform),
      ),
    );
  }
  // Timestamps are stored as toISOString() text, so bounds must be normalised the same way to compare.
  if (query.dateFrom !== undefined) {
    select = select.where('posts.effective_at', '>=', new Date(query.dateFrom).toISOString());
  }
  if (query.dateTo !== undefined) {
    select = select.where('posts.effective_at', '<=', new Date(query.dateTo).toISOString());
  }
  const page = toPage(await newestFirst(select, 'posts', query).execute(), query.limit);
  setNextLink(ctx, deps.config.publicUrl, page.nextCursor);
  return page.rows.map(toPostListItem);
});
