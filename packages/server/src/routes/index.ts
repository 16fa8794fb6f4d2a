import type { ServerRoute } from '../http/define-route.js';
import addRedirectUri from './admin/add-redirect-uri.js';
import createApiKey from './admin/create-api-key.js';
import createApp from './admin/create-app.js';
import createAppWebhookEndpoint from './admin/create-app-webhook-endpoint.js';
import deleteApp from './admin/delete-app.js';
import deleteAppWebhookEndpoint from './admin/delete-app-webhook-endpoint.js';
import getApp from './admin/get-app.js';
import getAppWebhookEndpoint from './admin/get-app-webhook-endpoint.js';
import listApiKeys from './admin/list-api-keys.js';
import listAppEndUsers from './admin/list-app-end-users.js';
import listAppWebhookDeliveries from './admin/list-app-webhook-deliveries.js';
import listAppWebhookEndpoints from './admin/list-app-webhook-endpoints.js';
import listApps from './admin/list-apps.js';
import listCredentials from './admin/list-credentials.js';
import listRedirectUris from './admin/list-redirect-uris.js';
import listRequestLogs from './admin/list-request-logs.js';
import removeRedirectUri from './admin/remove-redirect-uri.js';
import resetCredentials from './admin/reset-credentials.js';
import retryAppWebhookDelivery from './admin/retry-app-webhook-delivery.js';
import revokeApiKey from './admin/revoke-api-key.js';
import rotateAppWebhookSecret from './admin/rotate-app-webhook-secret.js';
import setCredentials from './admin/set-credentials.js';
import testAppWebhookEndpoint from './admin/test-app-webhook-endpoint.js';
import updateApp from './admin/update-app.js';
import healthz from './ops/healthz.js';
import readyz from './ops/readyz.js';
import cancelPost from './public/cancel-post.js';
import createConnectSession from './public/create-connect-session.js';
import createWebhookEndpoint from './public/create-webhook-endpoint.js';
import deleteEndUser from './public/delete-end-user.js';
import deleteWebhookEndpoint from './public/delete-webhook-endpoint.js';
import disconnectPlatform from './public/disconnect-platform.js';
import getConnectSession from './public/get-connect-session.js';
import getEndUser from './public/get-end-user.js';
import getPost from './public/get-post.js';
import getWebhookEndpoint from './public/get-webhook-endpoint.js';
import listEndUserConnections from './public/list-end-user-connections.js';
import listPlatforms from './public/list-platforms.js';
import listPosts from './public/list-posts.js';
import listWebhookDeliveries from './public/list-webhook-deliveries.js';
import listWebhookEndpoints from './public/list-webhook-endpoints.js';
import publishPost from './public/publish-post.js';
import retryPost from './public/retry-post.js';
import retryWebhookDelivery from './public/retry-webhook-delivery.js';
import rotateWebhookSecret from './public/rotate-webhook-secret.js';
import schedulePost from './public/schedule-post.js';
import testWebhookEndpoint from './public/test-webhook-endpoint.js';
import updatePost from './public/update-post.js';
import upsertEndUser from './public/upsert-end-user.js';
import validatePost from './public/validate-post.js';

/** Unauthenticated operational endpoints. */
export const opsRoutes: ServerRoute[] = [healthz, readyz];

/** `/api/v1`: authenticated by an app API key. */
export const publicRoutes: ServerRoute[] = [
  upsertEndUser,
  getEndUser,
  listEndUserConnections,
  disconnectPlatform,
  deleteEndUser,
  createConnectSession,
  getConnectSession,
  // Literal paths before `/posts/:id`, so `validate` and `scheduled` are never taken for an id.
  validatePost,
  schedulePost,
  publishPost,
  listPosts,
  getPost,
  updatePost,
  cancelPost,
  retryPost,
  listPlatforms,
  createWebhookEndpoint,
  listWebhookEndpoints,
  getWebhookEndpoint,
  deleteWebhookEndpoint,
  rotateWebhookSecret,
  testWebhookEndpoint,
  listWebhookDeliveries,
  retryWebhookDelivery,
];

/** `/admin/v1`: authenticated by the admin token. */
export const adminRoutes: ServerRoute[] = [
  createApp,
  listApps,
  getApp,
  updateApp,
  deleteApp,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  addRedirectUri,
  listRedirectUris,
  removeRedirectUri,
  setCredentials,
  listCredentials,
  resetCredentials,
  listRequestLogs,
  listAppEndUsers,
  createAppWebhookEndpoint,
  listAppWebhookEndpoints,
  getAppWebhookEndpoint,
  deleteAppWebhookEndpoint,
  rotateAppWebhookSecret,
  testAppWebhookEndpoint,
  listAppWebhookDeliveries,
  retryAppWebhookDelivery,
];
