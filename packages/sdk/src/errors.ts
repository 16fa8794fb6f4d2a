import type { ErrorCode, ErrorDetail } from '@mypostshare/contract';
import { parseRetryAfter } from './internal/retry.js';

/**
 * The base class of every error the SDK throws, so one `instanceof` check catches them all.
 *
 * @example
 * ```ts
 * try {
 *   await client.endUsers.retrieve('user_123');
 * } catch (error) {
 *   if (error instanceof MyPostShareError) console.error(error.message);
 * }
 * ```
 */
export class MyPostShareError extends Error {
  override readonly name: string = 'MyPostShareError';
}

/**
 * The fields an {@link APIError} is built from.
 *
 * @example
 * ```ts
 * const error = new NotFoundError({
 *   status: 404, code: 'not_found', message: 'End user not found', requestId: 'req_1', headers: new Headers(),
 * });
 * ```
 */
export interface APIErrorInit {
  status: number;
  code: APIErrorCode | undefined;
  message: string;
  requestId: string | undefined;
  headers: Headers;
  details?: ErrorDetail[] | undefined;
}

/**
 * An error code from the contract's closed list, or any other string a newer server might send.
 *
 * @example
 * ```ts
 * const code: APIErrorCode = 'not_found';
 * ```
 */
export type APIErrorCode = ErrorCode | (string & Record<never, never>);

/**
 * The server answered with an error status. Subclasses name the common statuses; this class is
 * thrown as-is for the others (405, 413, 415...).
 *
 * @example
 * ```ts
 * try {
 *   await client.endUsers.upsert({ externalUserId: 'user_123' });
 * } catch (error) {
 *   if (error instanceof APIError) console.error(error.status, error.code, error.requestId);
 * }
 * ```
 */
export class APIError extends MyPostShareError {
  override readonly name: string = 'APIError';
  /** The HTTP status code. */
  readonly status: number;
  /** The machine-readable code of the error body, e.g. `not_found`; undefined if the body had none. */
  readonly code: APIErrorCode | undefined;
  /** The request id to quote to support, from the body or the `X-Request-Id` header. */
  readonly requestId: string | undefined;
  /** The response headers. */
  readonly headers: Headers;
  /** One entry per offending field, for `validation_error` and `content_invalid`. */
  readonly details: ErrorDetail[] | undefined;

  constructor(init: APIErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.headers = init.headers;
    this.details = init.details;
  }
}

/**
 * 400: the server rejected the request (`validation_error`, `invalid_json`, `redirect_uri_not_allowed`).
 *
 * @example
 * ```ts
 * if (error instanceof BadRequestError) console.error(error.details);
 * ```
 */
export class BadRequestError extends APIError {
  override readonly name: string = 'BadRequestError';
}

/**
 * 401: the API key is missing, unknown or revoked.
 *
 * @example
 * ```ts
 * if (error instanceof AuthenticationError) console.error('check MYPOSTSHARE_API_KEY');
 * ```
 */
export class AuthenticationError extends APIError {
  override readonly name: string = 'AuthenticationError';
}

/**
 * 403: the key is valid but may not do this.
 *
 * @example
 * ```ts
 * if (error instanceof PermissionDeniedError) console.error(error.message);
 * ```
 */
export class PermissionDeniedError extends APIError {
  override readonly name: string = 'PermissionDeniedError';
}

/**
 * 404: no such resource in this app.
 *
 * @example
 * ```ts
 * const user = await client.endUsers.retrieve('user_123').catch((error) => {
 *   if (error instanceof NotFoundError) return null;
 *   throw error;
 * });
 * ```
 */
export class NotFoundError extends APIError {
  override readonly name: string = 'NotFoundError';
}

/**
 * 409: the request conflicts with the current state (e.g. `idempotency_key_in_progress`).
 *
 * @example
 * ```ts
 * if (error instanceof ConflictError) console.error(error.code);
 * ```
 */
export class ConflictError extends APIError {
  override readonly name: string = 'ConflictError';
}

/**
 * 422: well-formed but refused (`content_invalid`, `platform_not_connected`, `idempotency_key_reused`...).
 *
 * @example
 * ```ts
 * if (error instanceof UnprocessableEntityError) console.error(error.code, error.details);
 * ```
 */
export class UnprocessableEntityError extends APIError {
  override readonly name: string = 'UnprocessableEntityError';
}

/**
 * 429: too many requests. The SDK already retried (unless told not to); `retryAfter` says how long
 * the server asked to wait.
 *
 * @example
 * ```ts
 * if (error instanceof RateLimitError) await sleep((error.retryAfter ?? 1) * 1000);
 * ```
 */
export class RateLimitError extends APIError {
  override readonly name: string = 'RateLimitError';
  /** Seconds to wait before retrying, from the `Retry-After` header; undefined when absent. */
  readonly retryAfter: number | undefined;

  constructor(init: APIErrorInit) {
    super(init);
    const ms = parseRetryAfter(init.headers);
    this.retryAfter = ms === undefined ? undefined : ms / 1000;
  }
}

/**
 * Any 5xx: the server failed. The SDK already retried (unless told not to).
 *
 * @example
 * ```ts
 * if (error instanceof InternalServerError) console.error('quote this id to support:', error.requestId);
 * ```
 */
export class InternalServerError extends APIError {
  override readonly name: string = 'InternalServerError';
}

/**
 * The server could not be reached, or the connection broke before an answer arrived.
 * The original failure is in `cause`.
 *
 * @example
 * ```ts
 * if (error instanceof ConnectionError) console.error('network problem:', error.cause);
 * ```
 */
export class ConnectionError extends MyPostShareError {
  override readonly name: string = 'ConnectionError';
}

/**
 * No complete answer arrived within the `timeout` (per attempt, in milliseconds).
 * A `ConnectionError`, so a single check catches both.
 *
 * @example
 * ```ts
 * await client.endUsers.retrieve('user_123', { timeout: 5_000 }).catch((error) => {
 *   if (error instanceof TimeoutError) console.error('the API took more than 5 s');
 *   throw error;
 * });
 * ```
 */
export class TimeoutError extends ConnectionError {
  override readonly name: string = 'TimeoutError';
}

/**
 * The caller's `signal` aborted the request. Its `name` is `'AbortError'`, like the platform's own,
 * and the signal's reason is in `cause`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 1_000);
 * await client.endUsers.retrieve('user_123', { signal: controller.signal });
 * ```
 */
export class AbortError extends MyPostShareError {
  override readonly name: string = 'AbortError';
}

/**
 * The SDK refused the arguments before sending anything: they break the contract's schema.
 * Not an `APIError`: no request reached the network.
 *
 * @example
 * ```ts
 * try {
 *   await client.endUsers.upsert({ externalUserId: '' });
 * } catch (error) {
 *   if (error instanceof ValidationError) console.error(error.details); // [{ field: 'externalUserId', ... }]
 * }
 * ```
 */
export class ValidationError extends MyPostShareError {
  override readonly name: string = 'ValidationError';
  /** One entry per offending field (dotted path, empty for the value as a whole). */
  readonly details: ErrorDetail[];

  constructor(details: ErrorDetail[]) {
    const summary = details.map((detail) =>
      detail.field ? `${detail.field}: ${detail.message}` : detail.message,
    );
    super(`Invalid request: ${summary.join('; ')}`);
    this.details = details;
  }
}

const STATUS_CLASSES: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrorDetail(value: unknown): value is ErrorDetail {
  return isRecord(value) && typeof value.field === 'string' && typeof value.message === 'string';
}

/**
 * Builds the right `APIError` subclass from an error response. Tolerates bodies that are not the
 * contract's (a proxy's HTML 502, an empty body) so the caller always gets a typed error.
 * @internal
 */
export function makeAPIError(status: number, headers: Headers, bodyText: string): APIError {
  let body: unknown;
  try {
    body = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    body = undefined;
  }
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = typeof error?.code === 'string' ? error.code : undefined;
  const message =
    typeof error?.message === 'string' && error.message
      ? error.message
      : `The server answered ${status} without an error body`;
  const requestId =
    typeof error?.requestId === 'string' ? error.requestId : (headers.get('x-request-id') ?? undefined);
  const details = Array.isArray(error?.details) ? error.details.filter(isErrorDetail) : undefined;
  const init: APIErrorInit = { status, code, message, requestId, headers, details };
  const ErrorClass = status >= 500 ? InternalServerError : (STATUS_CLASSES[status] ?? APIError);
  return new ErrorClass(init);
}
