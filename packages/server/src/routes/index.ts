import type { ServerRoute } from '../http/define-route.js';
import addRedirectUri from './admin/add-redirect-uri.js';
import createApiKey from './admin/create-api-key.js';
import createApp from './admin/create-app.js';
import deleteApp from './admin/delete-app.js';
import getApp from './admin/get-app.js';
import listApiKeys from './admin/list-api-keys.js';
import listAppEndUsers from './admin/list-app-end-users.js';
import listApps from './admin/list-apps.js';
import listCredentials from './admin/list-credentials.js';
import listRedirectUris from './admin/list-redirect-uris.js';
import listRequestLogs from './admin/list-request-logs.js';
import removeRedirectUri from './admin/remove-redirect-uri.js';
import resetCredentials from './admin/reset-credentials.js';
import revokeApiKey from './admin/revoke-api-key.js';
import setCredentials from './admin/set-credentials.js';
import updateApp from './admin/update-app.js';
import healthz from './ops/healthz.js';
import readyz from './ops/readyz.js';
import cancelPost from './public/cancel-post.js';
import createConnectSession from './public/create-connect-session.js';
import deleteEndUser from './public/delete-end-user.js';
import disconnectPlatform from './public/disconnect-platform.js';
import getConnectSession from './public/get-connect-session.js';
import getEndUser from './public/get-end-user.js';
import getPost from './public/get-post.js';
import listEndUserConnections from './public/list-end-user-connections.js';
import listPlatforms from './public/list-platforms.js';
import listPosts from './public/list-posts.js';
import publishPost from './public/publish-post.js';
import retryPost from './public/retry-post.js';
import schedulePost from './public/schedule-post.js';
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
];
