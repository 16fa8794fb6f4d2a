import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';
import { retryDeliveryNow } from '../../webhooks/endpoints.js';

/** `POST /v1/webhook-endpoints/:id/deliveries/:deliveryId/retry`: one attempt now. */
export default defineRoute('retryWebhookDelivery', routes.retryWebhookDelivery, ({ params, auth, deps }) =>
  retryDeliveryNow(deps, auth.appId, params.id, params.deliveryId),
);
