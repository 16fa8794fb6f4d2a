import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';
import { deleteEndpoint } from '../../webhooks/endpoints.js';

/** `DELETE /v1/webhook-endpoints/:id`: the endpoint and its delivery log; nothing more is sent to it. */
export default defineRoute(
  'deleteWebhookEndpoint',
  routes.deleteWebhookEndpoint,
  async ({ params, auth, deps }) => {
    await deleteEndpoint(deps, auth.appId, params.id);
    return undefined;
  },
);
