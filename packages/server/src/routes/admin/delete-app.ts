import { routes } from '@mypostshare/contract';
import { deleteApp } from '../../db/repositories/apps.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';

export default defineRoute('deleteApp', routes.deleteApp, async ({ params, deps }) => {
  // Foreign keys cascade: keys, redirect URIs, credentials, end users, connections and logs go with it.
  if (!(await deleteApp(deps.db, params.appId))) throw notFound('App');
  return undefined;
});
