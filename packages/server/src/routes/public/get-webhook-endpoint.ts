import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';
import { getEndpoint } from '../../webhooks/endpoints.js';

/** `GET /v1/webhook-endpoints/:id`. */
export default defineRoute('getWebhookEndpoint', routes.getWebhookEndpoint, ({ params, auth, deps }) =>
  getEndpoint(deps, auth.appId, params.id),
);
