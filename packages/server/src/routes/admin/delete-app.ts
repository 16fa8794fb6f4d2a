import { routes } from '@mypostshare/contract';
import { deleteApp } from '../../db/repositories/apps.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';

export default defineRoute('deleteApp', routes.deleteApp, async ({ params, deps }) => {
  // Foreign keys cascade to keys, redirect URIs, credentials, end users and connections; the request
  // log has no foreign key, so flush what is buffered first and deleteApp removes it explicitly.
  await deps.requestLog.flush();
  if (!(await deleteApp(deps.db, params.appId))) throw notFound('App');
  return undefined;
});
