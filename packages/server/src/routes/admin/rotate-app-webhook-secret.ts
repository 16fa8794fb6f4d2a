import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';
import { rotateEndpointSecret } from '../../webhooks/endpoints.js';

/** The admin mirror of the public route: the same operation on any app's endpoints (an unknown app is 404). */
export default defineRoute('rotateAppWebhookSecret', routes.rotateAppWebhookSecret, ({ params, deps }) =>
  rotateEndpointSecret(deps, params.appId, params.id),
);
