import * as z from 'zod';
import {
  AdminEndUser,
  ApiKey,
  ApiKeyPathParams,
  App,
  AppPathParams,
  CreateApiKeyRequest,
  CreateAppRequest,
  CreatedApiKey,
  CreateRedirectUriRequest,
  Credentials,
  CredentialsPathParams,
  Health,
  ListLogsQuery,
  Readiness,
  RedirectUri,
  RedirectUriPathParams,
  RequestLogEntry,
  SetCredentialsRequest,
  UpdateAppRequest,
} from './admin.js';
import { PaginationQuery } from './common.js';
import {
  ConnectSession,
  ConnectSessionPathParams,
  CreateConnectSessionRequest,
  CreatedConnectSession,
} from './connect-sessions.js';
import {
  Connection,
  ConnectionPathParams,
  EndUser,
  EndUserPathParams,
  EndUserWithSummary,
  UpsertEndUserRequest,
} from './end-users.js';
import {
  ListPostsQuery,
  PlatformInfo,
  Post,
  PostListItem,
  PostPathParams,
  PublishPostRequest,
  SchedulePostRequest,
  UpdatePostRequest,
  ValidatePostRequest,
  ValidatePostResponse,
} from './posts.js';
import {
  AppWebhookDeliveryPathParams,
  AppWebhookEndpointPathParams,
  CreateWebhookEndpointRequest,
  ListWebhookDeliveriesQuery,
  WebhookDelivery,
  WebhookDeliveryPathParams,
  WebhookEndpoint,
  WebhookEndpointPathParams,
  WebhookEndpointWithSecret,
} from './webhooks.js';

/** Who may call a route. */
export type RouteAuth = 'apiKey' | 'admin' | 'none';

/**
 * One HTTP operation of the API. The server validates with these schemas, the SDK types its
 * methods with them, and the OpenAPI document is generated from them.
 */
export interface RouteDefinition {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Full path from the origin, with `:name` parameters (Koa style). */
  path: string;
  summary: string;
  tag: string;
  auth: RouteAuth;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status code of success and its body schema (`null` for an empty body). */
  success: { status: number; description: string; schema: z.ZodType | null; list?: boolean };
  /** Other statuses worth documenting beyond the ones every route can answer. */
  errors?: number[];
  /** Takes an `Idempotency-Key` header. */
  idempotent?: boolean;
}

const route = <T extends RouteDefinition>(definition: T): T => definition;

/**
 * Every route of the public API (`/api/v1`), the admin API (`/admin/v1`) and the unauthenticated
 * operational endpoints, keyed by operation id.
 *
 * @example
 * ```ts
 * import { routes } from '@mypostshare/contract';
 * routes.upsertEndUser.body.parse({ externalUserId: 'user_123' });
 * ```
 */
export const routes = {
  // Operational
  healthz: route({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process is up',
    tag: 'Operations',
    auth: 'none',
    success: { status: 200, description: 'Alive', schema: Health },
  }),
  readyz: route({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: the database answers',
    tag: 'Operations',
    auth: 'none',
    success: { status: 200, description: 'Ready', schema: Readiness },
    errors: [503],
  }),

  // Public API: end users
  upsertEndUser: route({
    method: 'post',
    path: '/api/v1/end-users',
    summary: 'Create or upsert end user',
    tag: 'End users',
    auth: 'apiKey',
    body: UpsertEndUserRequest,
    success: { status: 200, description: 'Upserted', schema: EndUser },
    idempotent: true,
  }),
  getEndUser: route({
    method: 'get',
    path: '/api/v1/end-users/:externalUserId',
    summary: 'Get end user',
    tag: 'End users',
    auth: 'apiKey',
    params: EndUserPathParams,
    success: { status: 200, description: 'Retrieved', schema: EndUserWithSummary },
    errors: [404],
  }),
  listEndUserConnections: route({
    method: 'get',
    path: '/api/v1/end-users/:externalUserId/connections',
    summary: 'List end user connections',
    tag: 'End users',
    auth: 'apiKey',
    params: EndUserPathParams,
    success: { status: 200, description: 'Retrieved', schema: z.array(Connection) },
    errors: [404],
  }),
  disconnectPlatform: route({
    method: 'delete',
    path: '/api/v1/end-users/:externalUserId/connections/:platform',
    summary: 'Disconnect a platform',
    tag: 'End users',
    auth: 'apiKey',
    params: ConnectionPathParams,
    success: { status: 204, description: 'Deleted', schema: null },
    errors: [404],
  }),

  deleteEndUser: route({
    method: 'delete',
    path: '/api/v1/end-users/:externalUserId',
    summary: 'Erase an end user: revoke and delete their connections and personal data',
    tag: 'End users',
    auth: 'apiKey',
    params: EndUserPathParams,
    success: { status: 204, description: 'Erased', schema: null },
    errors: [404],
  }),

  // Public API: connect sessions
  createConnectSession: route({
    method: 'post',
    path: '/api/v1/connect-sessions',
    summary: 'Create connect session',
    tag: 'Connect sessions',
    auth: 'apiKey',
    body: CreateConnectSessionRequest,
    success: { status: 201, description: 'Created', schema: CreatedConnectSession },
    errors: [404, 422],
    idempotent: true,
  }),
  getConnectSession: route({
    method: 'get',
    path: '/api/v1/connect-sessions/:id',
    summary: 'Get connect session status',
    tag: 'Connect sessions',
    auth: 'apiKey',
    params: ConnectSessionPathParams,
    success: { status: 200, description: 'Retrieved', schema: ConnectSession },
    errors: [404],
  }),

  // Public API: posts
  publishPost: route({
    method: 'post',
    path: '/api/v1/posts',
    summary: 'Publish immediately',
    tag: 'Posts',
    auth: 'apiKey',
    body: PublishPostRequest,
    success: { status: 201, description: 'Created', schema: Post },
    errors: [404, 422],
    idempotent: true,
  }),
  schedulePost: route({
    method: 'post',
    path: '/api/v1/posts/scheduled',
    summary: 'Schedule a post',
    tag: 'Posts',
    auth: 'apiKey',
    body: SchedulePostRequest,
    success: { status: 201, description: 'Scheduled', schema: Post },
    errors: [404, 422],
    idempotent: true,
  }),
  getPost: route({
    method: 'get',
    path: '/api/v1/posts/:id',
    summary: 'Get post request',
    tag: 'Posts',
    auth: 'apiKey',
    params: PostPathParams,
    success: { status: 200, description: 'Retrieved', schema: Post },
    errors: [404],
  }),
  listPosts: route({
    method: 'get',
    path: '/api/v1/posts',
    summary: 'List post requests',
    tag: 'Posts',
    auth: 'apiKey',
    query: ListPostsQuery,
    success: { status: 200, description: 'Retrieved', schema: z.array(PostListItem), list: true },
  }),
  cancelPost: route({
    method: 'delete',
    path: '/api/v1/posts/:id',
    summary: 'Cancel a scheduled post request',
    tag: 'Posts',
    auth: 'apiKey',
    params: PostPathParams,
    success: { status: 200, description: 'Canceled', schema: Post },
    errors: [404, 409],
  }),
  updatePost: route({
    method: 'patch',
    path: '/api/v1/posts/:id',
    summary: 'Edit a scheduled post request',
    tag: 'Posts',
    auth: 'apiKey',
    params: PostPathParams,
    body: UpdatePostRequest,
    success: { status: 200, description: 'Updated', schema: Post },
    errors: [404, 409, 422],
  }),
  retryPost: route({
    method: 'post',
    path: '/api/v1/posts/:id/retry',
    summary: 'Retry the failed platforms of a post request',
    tag: 'Posts',
    auth: 'apiKey',
    params: PostPathParams,
    success: { status: 200, description: 'Retrying', schema: Post },
    errors: [404, 409],
    idempotent: true,
  }),
  validatePost: route({
    method: 'post',
    path: '/api/v1/posts/validate',
    summary: 'Dry-run validation of a post',
    tag: 'Posts',
    auth: 'apiKey',
    body: ValidatePostRequest,
    success: { status: 200, description: 'Validated', schema: ValidatePostResponse },
    idempotent: true,
  }),
  listPlatforms: route({
    method: 'get',
    path: '/api/v1/platforms',
    summary: 'Platform limits and capabilities',
    tag: 'Platforms',
    auth: 'apiKey',
    success: { status: 200, description: 'Retrieved', schema: z.array(PlatformInfo) },
  }),

  // Public API: webhook endpoints. Creation and rotation answer with a secret, which is never
  // stored in plaintext, so they take no Idempotency-Key (the stored replay would hold it).
  createWebhookEndpoint: route({
    method: 'post',
    path: '/api/v1/webhook-endpoints',
    summary: 'Register a webhook endpoint (its secret is shown once)',
    tag: 'Webhooks',
    auth: 'apiKey',
    body: CreateWebhookEndpointRequest,
    success: { status: 201, description: 'Created', schema: WebhookEndpointWithSecret },
  }),
  listWebhookEndpoints: route({
    method: 'get',
    path: '/api/v1/webhook-endpoints',
    summary: 'List webhook endpoints',
    tag: 'Webhooks',
    auth: 'apiKey',
    query: PaginationQuery,
    success: { status: 200, description: 'Retrieved', schema: z.array(WebhookEndpoint), list: true },
  }),
  getWebhookEndpoint: route({
    method: 'get',
    path: '/api/v1/webhook-endpoints/:id',
    summary: 'Get a webhook endpoint',
    tag: 'Webhooks',
    auth: 'apiKey',
    params: WebhookEndpointPathParams,
    success: { status: 200, description: 'Retrieved', schema: WebhookEndpoint },
    errors: [404],
  }),
  deleteWebhookEndpoint: route({
    method: 'delete',
    path: '/api/v1/webhook-endpoints/:id',
    summary: 'Delete a webhook endpoint and its delivery log',
    tag: 'Webhooks',
    auth: 'apiKey',
    params: WebhookEndpointPathParams,
    success: { status: 204, description: 'Deleted', schema: null },
    errors: [404],
  }),
  rotateWebhookSecret: route({
    method: 'post',
    path: '/api/v1/webhook-endpoints/:id/rotate-secret',
    summary: 'Rotate the signing secret (the old one keeps signing for 24 hours)',
    tag: 'Webhooks',
    auth: 'apiKey',
    params: WebhookEndpointPathParams,
    success: { status: 200, description: 'Rotated', schema: WebhookEndpointWithSecret },
    errors: [404],
  }),
  testWebhookEndpoint: route({
    method: 'post',
    path: '/api/v1/webhook-endpoints/:id/test',
    summary: 'Send a test-only `webhook.test` event now and answer with the attempt',
    tag: 'Webhooks',
    auth: 'apiKey',
    params: WebhookEndpointPathParams,
    success: { status: 201, description: 'Attempted', schema: WebhookDelivery },
    errors: [404],
    idempotent: true,
  }),
  listWebhookDeliveries: route({
    method: 'get',
    path: '/api/v1/webhook-endpoints/:id/deliveries',
    summary: "An endpoint's delivery log, newest first",
    tag: 'Webhooks',
    auth: 'apiKey',
    params: WebhookEndpointPathParams,
    query: ListWebhookDeliveriesQuery,
    success: { status: 200, description: 'Retrieved', schema: z.array(WebhookDelivery), list: true },
    errors: [404],
  }),
  retryWebhookDelivery: route({
    method: 'post',
    path: '/api/v1/webhook-endpoints/:id/deliveries/:deliveryId/retry',
    summary: 'Attempt a delivery again now',
    tag: 'Webhooks',
    auth: 'apiKey',
    params: WebhookDeliveryPathParams,
    success: { status: 200, description: 'Attempted', schema: WebhookDelivery },
    errors: [404, 409],
    idempotent: true,
  }),

  // Admin API: apps
  createApp: route({
    method: 'post',
    path: '/admin/v1/apps',
    summary: 'Create an app',
    tag: 'Admin: apps',
    auth: 'admin',
    body: CreateAppRequest,
    success: { status: 201, description: 'Created', schema: App },
  }),
  listApps: route({
    method: 'get',
    path: '/admin/v1/apps',
    summary: 'List apps',
    tag: 'Admin: apps',
    auth: 'admin',
    query: PaginationQuery,
    success: { status: 200, description: 'Retrieved', schema: z.array(App), list: true },
  }),
  getApp: route({
    method: 'get',
    path: '/admin/v1/apps/:appId',
    summary: 'Get an app',
    tag: 'Admin: apps',
    auth: 'admin',
    params: AppPathParams,
    success: { status: 200, description: 'Retrieved', schema: App },
    errors: [404],
  }),
  updateApp: route({
    method: 'patch',
    path: '/admin/v1/apps/:appId',
    summary: 'Rename an app',
    tag: 'Admin: apps',
    auth: 'admin',
    params: AppPathParams,
    body: UpdateAppRequest,
    success: { status: 200, description: 'Updated', schema: App },
    errors: [404],
  }),
  deleteApp: route({
    method: 'delete',
    path: '/admin/v1/apps/:appId',
    summary: 'Delete an app and everything it owns',
    tag: 'Admin: apps',
    auth: 'admin',
    params: AppPathParams,
    success: { status: 204, description: 'Deleted', schema: null },
    errors: [404],
  }),

  // Admin API: API keys
  createApiKey: route({
    method: 'post',
    path: '/admin/v1/apps/:appId/api-keys',
    summary: 'Issue an API key (shown once)',
    tag: 'Admin: API keys',
    auth: 'admin',
    params: AppPathParams,
    body: CreateApiKeyRequest,
    success: { status: 201, description: 'Created', schema: CreatedApiKey },
    errors: [404],
  }),
  listApiKeys: route({
    method: 'get',
    path: '/admin/v1/apps/:appId/api-keys',
    summary: 'List API keys',
    tag: 'Admin: API keys',
    auth: 'admin',
    params: AppPathParams,
    query: PaginationQuery,
    success: { status: 200, description: 'Retrieved', schema: z.array(ApiKey), list: true },
    errors: [404],
  }),
  revokeApiKey: route({
    method: 'delete',
    path: '/admin/v1/apps/:appId/api-keys/:keyId',
    summary: 'Revoke an API key',
    tag: 'Admin: API keys',
    auth: 'admin',
    params: ApiKeyPathParams,
    success: { status: 204, description: 'Revoked', schema: null },
    errors: [404],
  }),

  // Admin API: redirect URIs
  addRedirectUri: route({
    method: 'post',
    path: '/admin/v1/apps/:appId/redirect-uris',
    summary: 'Allowlist a redirect URI',
    tag: 'Admin: redirect URIs',
    auth: 'admin',
    params: AppPathParams,
    body: CreateRedirectUriRequest,
    success: { status: 201, description: 'Created', schema: RedirectUri },
    errors: [404, 409],
  }),
  listRedirectUris: route({
    method: 'get',
    path: '/admin/v1/apps/:appId/redirect-uris',
    summary: 'List allowlisted redirect URIs',
    tag: 'Admin: redirect URIs',
    auth: 'admin',
    params: AppPathParams,
    query: PaginationQuery,
    success: { status: 200, description: 'Retrieved', schema: z.array(RedirectUri), list: true },
    errors: [404],
  }),
  removeRedirectUri: route({
    method: 'delete',
    path: '/admin/v1/apps/:appId/redirect-uris/:id',
    summary: 'Remove an allowlisted redirect URI',
    tag: 'Admin: redirect URIs',
    auth: 'admin',
    params: RedirectUriPathParams,
    success: { status: 204, description: 'Deleted', schema: null },
    errors: [404],
  }),

  // Admin API: credentials
  setCredentials: route({
    method: 'put',
    path: '/admin/v1/apps/:appId/credentials/:platform',
    summary: 'Set a platform to custom or managed credentials',
    tag: 'Admin: credentials',
    auth: 'admin',
    params: CredentialsPathParams,
    body: SetCredentialsRequest,
    success: { status: 200, description: 'Saved', schema: Credentials },
    errors: [404],
  }),
  listCredentials: route({
    method: 'get',
    path: '/admin/v1/apps/:appId/credentials',
    summary: 'Every platform with its mode and the callback URL to register',
    tag: 'Admin: credentials',
    auth: 'admin',
    params: AppPathParams,
    success: { status: 200, description: 'Retrieved', schema: z.array(Credentials) },
    errors: [404],
  }),
  resetCredentials: route({
    method: 'delete',
    path: '/admin/v1/apps/:appId/credentials/:platform',
    summary: 'Return a platform to managed credentials',
    tag: 'Admin: credentials',
    auth: 'admin',
    params: CredentialsPathParams,
    success: { status: 204, description: 'Reset', schema: null },
    errors: [404],
  }),

  // Admin API: observability
  listRequestLogs: route({
    method: 'get',
    path: '/admin/v1/apps/:appId/logs',
    summary: "The app's request log, newest first",
    tag: 'Admin: logs',
    auth: 'admin',
    params: AppPathParams,
    query: ListLogsQuery,
    success: { status: 200, description: 'Retrieved', schema: z.array(RequestLogEntry), list: true },
    errors: [404],
  }),
  listAppEndUsers: route({
    method: 'get',
    path: '/admin/v1/apps/:appId/end-users',
    summary: "The app's end-user inventory",
    tag: 'Admin: end users',
    auth: 'admin',
    params: AppPathParams,
    query: PaginationQuery,
    success: { status: 200, description: 'Retrieved', schema: z.array(AdminEndUser), list: true },
    errors: [404],
  }),
  // Admin API: webhook endpoints (the public routes, for any app)
  createAppWebhookEndpoint: route({
    method: 'post',
    path: '/admin/v1/apps/:appId/webhook-endpoints',
    summary: 'Register a webhook endpoint for an app (its secret is shown once)',
    tag: 'Admin: webhooks',
    auth: 'admin',
    params: AppPathParams,
    body: CreateWebhookEndpointRequest,
    success: { status: 201, description: 'Created', schema: WebhookEndpointWithSecret },
    errors: [404],
  }),
  listAppWebhookEndpoints: route({
    method: 'get',
    path: '/admin/v1/apps/:appId/webhook-endpoints',
    summary: "An app's webhook endpoints",
    tag: 'Admin: webhooks',
    auth: 'admin',
    params: AppPathParams,
    query: PaginationQuery,
    success: { status: 200, description: 'Retrieved', schema: z.array(WebhookEndpoint), list: true },
    errors: [404],
  }),
  getAppWebhookEndpoint: route({
    method: 'get',
    path: '/admin/v1/apps/:appId/webhook-endpoints/:id',
    summary: "Get one of an app's webhook endpoints",
    tag: 'Admin: webhooks',
    auth: 'admin',
    params: AppWebhookEndpointPathParams,
    success: { status: 200, description: 'Retrieved', schema: WebhookEndpoint },
    errors: [404],
  }),
  deleteAppWebhookEndpoint: route({
    method: 'delete',
    path: '/admin/v1/apps/:appId/webhook-endpoints/:id',
    summary: "Delete one of an app's webhook endpoints",
    tag: 'Admin: webhooks',
    auth: 'admin',
    params: AppWebhookEndpointPathParams,
    success: { status: 204, description: 'Deleted', schema: null },
    errors: [404],
  }),
  rotateAppWebhookSecret: route({
    method: 'post',
    path: '/admin/v1/apps/:appId/webhook-endpoints/:id/rotate-secret',
    summary: 'Rotate the signing secret (the old one keeps signing for 24 hours)',
    tag: 'Admin: webhooks',
    auth: 'admin',
    params: AppWebhookEndpointPathParams,
    success: { status: 200, description: 'Rotated', schema: WebhookEndpointWithSecret },
    errors: [404],
  }),
  testAppWebhookEndpoint: route({
    method: 'post',
    path: '/admin/v1/apps/:appId/webhook-endpoints/:id/test',
    summary: 'Send a test-only `webhook.test` event now and answer with the attempt',
    tag: 'Admin: webhooks',
    auth: 'admin',
    params: AppWebhookEndpointPathParams,
    success: { status: 201, description: 'Attempted', schema: WebhookDelivery },
    errors: [404],
  }),
  listAppWebhookDeliveries: route({
    method: 'get',
    path: '/admin/v1/apps/:appId/webhook-endpoints/:id/deliveries',
    summary: "An endpoint's delivery log, newest first",
    tag: 'Admin: webhooks',
    auth: 'admin',
    params: AppWebhookEndpointPathParams,
    query: ListWebhookDeliveriesQuery,
    success: { status: 200, description: 'Retrieved', schema: z.array(WebhookDelivery), list: true },
    errors: [404],
  }),
  retryAppWebhookDelivery: route({
    method: 'post',
    path: '/admin/v1/apps/:appId/webhook-endpoints/:id/deliveries/:deliveryId/retry',
    summary: 'Attempt a delivery again now',
    tag: 'Admin: webhooks',
    auth: 'admin',
    params: AppWebhookDeliveryPathParams,
    success: { status: 200, description: 'Attempted', schema: WebhookDelivery },
    errors: [404, 409],
  }),
} as const;

/** An operation id: a key of {@link routes}. */
export type OperationId = keyof typeof routes;
