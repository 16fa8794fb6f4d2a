import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';
import { getEndpoint } from '../../webhooks/endpoints.js';

/** The admin mirror of the public route: the same operation on any app's endpoints (an unknown app is 404). */
export default defineRoute('getAppWebhookEndpoint', routes.getAppWebhookEndpoint, ({ params, deps }) =>
  getEndpoint(deps, params.appId, params.id),
);
