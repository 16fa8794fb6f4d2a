import { routes } from '@mypostshare/contract';
import { defineRoute } from '../../http/define-route.js';
import { createWebhookEndpoint } from '../../webhooks/endpoints.js';

/** `POST /v1/webhook-endpoints`: registers an endpoint; the answer carries its secret, this once. */
export default defineRoute('createWebhookEndpoint', routes.createWebhookEndpoint, ({ body, auth, deps }) =>
  createWebhookEndpoint(deps, auth.appId, body),
);
