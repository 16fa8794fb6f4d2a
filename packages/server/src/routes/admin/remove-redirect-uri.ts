import { routes } from '@mypostshare/contract';
import { deleteRedirectUri } from '../../db/repositories/redirect-uris.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';

export default defineRoute('removeRedirectUri', routes.removeRedirectUri, async ({ params, deps }) => {
  if (!(await deleteRedirectUri(deps.db, params.appId, params.id))) throw notFound('Redirect URI');
  return undefined;
});
