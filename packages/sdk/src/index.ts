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
  Connection,
  ConnectionStatus,
  ConnectionSummary,
  EndUser,
  EndUserWithSummary,
  ErrorCode,
  ErrorDetail,
  Platform,
  UpsertEndUserRequest,
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
export type { ClientOptions, RequestOptions } from './options.js';
export { EndUsers } from './resources/end-users.js';
