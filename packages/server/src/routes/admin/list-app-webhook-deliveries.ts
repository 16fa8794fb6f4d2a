import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';
import { listDeliveriesPage } from '../../webhooks/endpoints.js';

/** The admin mirror of the public route: the same operation on any app's endpoints (an unknown app is 404). */
export default defineRoute(
  'listAppWebhookDeliveries',
  routes.listAppWebhookDeliveries,
  ({ params, query, deps, ctx }) => listDeliveriesPage(deps, params.appId, params.id, query, ctx),
);
