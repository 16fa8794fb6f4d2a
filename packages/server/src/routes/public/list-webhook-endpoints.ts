import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';
import { listEndpointsPage } from '../../webhooks/endpoints.js';

/** `GET /v1/webhook-endpoints`: the app's endpoints, newest first. */
export default defineRoute(
  'listWebhookEndpoints',
  routes.listWebhookEndpoints,
  ({ query, auth, deps, ctx }) => listEndpointsPage(deps, auth.appId, query, ctx),
);
