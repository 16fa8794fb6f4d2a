import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';
import { listDeliveriesPage } from '../../webhooks/endpoints.js';

/** `GET /v1/webhook-endpoints/:id/deliveries`: the endpoint's delivery log, newest first. */
export default defineRoute(
  'listWebhookDeliveries',
  routes.listWebhookDeliveries,
  ({ params, query, auth, deps, ctx }) => listDeliveriesPage(deps, auth.appId, params.id, query, ctx),
);
