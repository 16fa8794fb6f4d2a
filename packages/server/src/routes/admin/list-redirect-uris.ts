import { routes } from '@mypostshare/contract';
import { listRedirectUris, toRedirectUri } from '../../db/repositories/redirect-uris.js';
import { defineRoute } from '../../http/define-route.js';
import { setNextLink } from '../../http/pagination.js';
import { requireApp } from './require-app.js';

export default defineRoute(
  'listRedirectUris',
  routes.listRedirectUris,
  async ({ params, query, deps, ctx }) => {
    await requireApp(deps, params.appId);
    const page = await listRedirectUris(deps.db, params.appId, query);
    setNextLink(ctx, deps.config.publicUrl, page.nextCursor);
    return page.rows.map(toRedirectUri);
  },
);
