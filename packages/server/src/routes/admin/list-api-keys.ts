import { routes } from '@mypostshare/contract';
import { listApiKeys, toApiKey } from '../../db/repositories/api-keys.js';
import { defineRoute } from '../../http/define-route.js';
import { setNextLink } from '../../http/pagination.js';
import { requireApp } from './require-app.js';

export default defineRoute('listApiKeys', routes.listApiKeys, async ({ params, query, deps, ctx }) => {
  await requireApp(deps, params.appId);
  const page = await listApiKeys(deps.db, params.appId, query);
  setNextLink(ctx, deps.config.publicUrl, page.nextCursor);
  return page.rows.map(toApiKey);
});
