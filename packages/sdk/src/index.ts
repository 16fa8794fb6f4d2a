/**
 * The typed client for the mypostshare API.
 *
 * @example
 * ```ts
 * import { MyPostShare, NotFoundError } from '@mypostshare/sdk';
 *
 * const client = new MyPostShare({ apiKey: process.env.MYPOSTSHARE_API_KEY });
 * await client.endUsers.upsert({ externalUserId: 'user_123', displayName: 'Alex Morgan' });
 * ```
 *
 * @packageDocumentation
 */

export type {
  ConnectErrorCode,
  Connection,
  ConnectionStatus,
  ConnectionSummary,
  ConnectSession,
  ConnectSessionStatus,
  CreateConnectSessionRequest,
  CreatedConnectSession,
  CreateWebhookEndpointRequest,
  DeliveryErrorCode,
  EndUser,
  EndUserWithSummary,
  ErrorCode,
  ErrorDetail,
  ListPostsQuery,
  ListWebhookDeliveriesQuery,
  PaginationQuery,
  Platform,
  PlatformInfo,
  PlatformOptions,
  PlatformResult,
  PlatformResultStatus,
  Post,
  PostListItem,
  PostStatus,
  PublishPostRequest,
  SchedulePostRequest,
  UpdatePostRequest,
  UpsertEndUserRequest,
  ValidatePostRequest,
  ValidatePostResponse,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointStatus,
  WebhookEndpointWithSecret,
  WebhookEvent,
  WebhookEventType,
} from '@mypostshare/contract';
export { DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, MyPostShare } from './client.js';
export {
  AbortError,
  APIError,
  type APIErrorCode,
  type APIErrorInit,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  InternalServerError,
  MyPostShareError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TimeoutError,
  UnprocessableEntityError,
  ValidationError,
} from './errors.js';
export type { ClientOptions, RequestOptions, WaitOptions } from './options.js';
export { Page, PagePromise } from './pagination.js';
export { ConnectSessions, DEFAULT_WAIT_TIMEOUT_MS } from './resources/connect-sessions.js';
export { EndUsers } from './resources/end-users.js';
export { Platforms } from './resources/platforms.js';
export { Posts } from './resources/posts.js';
export { WebhookEndpoints } from './resources/webhook-endpoints.js';
export {
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  type VerifyWebhookOptions,
  type WebhookHeaders,
  WebhookVerificationError,
  type WebhookVerificationFailure,
  webhooks,
} from './webhooks.js';
