import { DEFAULT_PAGE_SIZE, routes } from '@mypostshare/contract';
import { listPostRows, toPostListItem } from '../../db/repositories/posts.js';
import { defineRoute } from '../../http/define-route.js';
import { decodeCursor, setNextLink, toPage } from '../../http/pagination.js';

/**
 * `GET /v1/posts`: the app's requests, newest first, filtered by end user, status, platform and
 * an inclusive `dateFrom`/`dateTo` window on the effective time (`scheduleAt` for scheduled
 * requests, `createdAt` otherwise).
 */
export default defineRoute('listPosts', routes.listPosts, async ({ query, auth, deps, ctx }) => {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const rows = await listPostRows(
    deps.db,
    auth.appId,
    {
      externalUserId: query.externalUserId,
      status: query.status,
      platform: query.platform,
      // Timestamps are stored as toISOString() text, so bounds must be normalised the same way to compare.
      effectiveFrom: query.dateFrom === undefined ? undefined : new Date(query.dateFrom).toISOString(),
      effectiveTo: query.dateTo === undefined ? undefined : new Date(query.dateTo).toISOString(),
    },
    decodeCursor(query.cursor),
    // One row more than the page tells toPage whether a next page exists, without a count.
    limit + 1,
  );
  const page = toPage(rows, limit);
  setNextLink(ctx, deps.config.publicUrl, page.nextCursor);
  return page.rows.map(toPostListItem);
});
