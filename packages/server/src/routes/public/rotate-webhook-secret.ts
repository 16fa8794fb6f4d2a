import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';
import { rotateEndpointSecret } from '../../webhooks/endpoints.js';

/** `POST /v1/webhook-endpoints/:id/rotate-secret`: a new secret (shown once); the old one signs too for 24 h. */
export default defineRoute('rotateWebhookSecret', routes.rotateWebhookSecret, ({ params, auth, deps }) =>
  rotateEndpointSecret(deps, auth.appId, params.id),
);
