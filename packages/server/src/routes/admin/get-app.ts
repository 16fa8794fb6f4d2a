import { routes } from '@mypostshare/contract';
import { toApp } from '../../db/repositories/apps.js';
import { defineRoute } from '../../http/define-route.js';
import { requireApp } from './require-app.js';

export default defineRoute('getApp', routes.getApp, async ({ params, deps }) =>
  toApp(await requireApp(deps, params.appId)),
);
