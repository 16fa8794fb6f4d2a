import { routes } from '@mypostshare/contract';
import { listApps, toApp } from '../../db/repositories/apps.js';
import { defineRoute } from '../../http/define-route.js';
import { setNextLink } from '../../http/pagination.js';

export default defineRoute('listApps', routes.listApps, async ({ query, deps, ctx }) => {
  const page = await listApps(deps.db, query);
  setNextLink(ctx, deps.config.publicUrl, page.nextCursor);
  return page.rows.map(toApp);
});
