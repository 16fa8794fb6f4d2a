import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';
import { sendTestEvent } from '../../webhooks/endpoints.js';

/** `POST /v1/webhook-endpoints/:id/test`: sends a test-only `webhook.test` event now; answers with the attempt. */
export default defineRoute('testWebhookEndpoint', routes.testWebhookEndpoint, ({ params, auth, deps }) =>
  sendTestEvent(deps, auth.appId, params.id),
);
