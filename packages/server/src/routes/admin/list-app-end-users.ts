import { routes } from '@mypostshare/contract';
import { listEndUsersWithSummary, toSummary } from '../../db/repositories/end-users.js';
import { defineRoute } from '../../http/define-route.js';
import { setNextLink } from '../../http/pagination.js';
import { requireApp } from './require-app.js';

export default defineRoute(
  'listAppEndUsers',
  routes.listAppEndUsers,
  async ({ params, query, deps, ctx }) => {
    await requireApp(deps, params.appId);
    const page = await listEndUsersWithSummary(deps.db, params.appId, query);
    setNextLink(ctx, deps.config.publicUrl, page.nextCursor);
    return page.rows.map((row) => ({
      id: row.id,
      externalUserId: row.external_user_id,
      displayName: row.display_name,
      email: row.email,
      connectionSummary: toSummary(row),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  },
);
