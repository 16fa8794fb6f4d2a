import { routes } from '@mypostshare/contract';
import { listRequestLogs, toRequestLogEntry } from '../../db/repositories/request-logs.js';
import { defineRoute } from '../../http/define-route.js';
import { setNextLink } from '../../http/pagination.js';
import { requireApp } from './require-app.js';

export default defineRoute(
  'listRequestLogs',
  routes.listRequestLogs,
  async ({ params, query, deps, ctx }) => {
    await requireApp(deps, params.appId);
    const page = await listRequestLogs(deps.db, params.appId, query);
    setNextLink(ctx, deps.config.publicUrl, page.nextCursor);
    return page.rows.map(toRequestLogEntry);
  },
);
