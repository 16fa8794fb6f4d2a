import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';
import { createWebhookEndpoint } from '../../webhooks/endpoints.js';
import { requireApp } from './require-app.js';

/** The admin mirror of the public route: the same operation on any app's endpoints (an unknown app is 404). */
export default defineRoute(
  'createAppWebhookEndpoint',
  routes.createAppWebhookEndpoint,
  async ({ params, body, deps }) => {
    await requireApp(deps, params.appId);
    return createWebhookEndpoint(deps, params.appId, body);
  },
);
