import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';
import { listEndpointsPage } from '../../webhooks/endpoints.js';
import { requireApp } from './require-app.js';

/** The admin mirror of the public route: the same operation on any app's endpoints (an unknown app is 404). */
export default defineRoute(
  'listAppWebhookEndpoints',
  routes.listAppWebhookEndpoints,
  async ({ params, query, deps, ctx }) => {
    await requireApp(deps, params.appId);
    return listEndpointsPage(deps, params.appId, query, ctx);
  },
);
