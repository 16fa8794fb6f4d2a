import { routes } from '@mypostshare/contract';
import { nowIso } from '../../clock.js';
import { renameApp, toApp } from '../../db/repositories/apps.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';

export default defineRoute('updateApp', routes.updateApp, async ({ params, body, deps }) => {
  const row = await renameApp(deps.db, params.appId, body.name, nowIso(deps.clock));
  if (!row) throw notFound('App');
  return toApp(row);
});
