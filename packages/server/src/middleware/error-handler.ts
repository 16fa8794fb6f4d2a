import { randomBytes } from 'node:crypto';
import type { ErrorBody, ErrorCode } from '@mypostshare/contract';
import type { Context } from 'koa';
import { ApiError } from '../errors.js';
import { requestHeader } from '../http/headers.js';
import type { Logger } from '../logger.js';
import type { AppState } from '../types.js';

// A caller-supplied request id is echoed only if it is short and plain, so it cannot inject into logs.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

// 96 random bits per id, drawn from a pool refilled 256 ids at a time: one CSPRNG call per 256
// requests instead of one each (the same `req_` + base64url form main.ts gives refused requests).
const ID_BYTES = 12;
let idPool = Buffer.alloc(0);
let idPoolOffset = 0;
export function newRequestId(): string {
  if (idPoolOffset + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * 256);
    idPoolOffset = 0;
  }
  const id = idPool.toString('base64url', idPoolOffset, idPoolOffset + ID_BYTES);
  idPoolOffset += ID_BYTES;
  return `req_${id}`;
}

/** Maps errors thrown by Koa itself (body parsing, `ctx.throw`) onto the contract's codes. */
function fromHttpStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'validation_error';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    default:
      return 'internal_error';
  }
}

/** The methods of the routes whose path matched this request (set by @koa/router). */
function allowedMethods(matched: unknown): string[] {
  const layers = Array.isArray(matched) ? (matched as { methods?: unknown }[]) : [];
  const methods = new Set<string>();
  for (const layer of layers) {
    if (Array.isArray(layer.methods)) for (const method of layer.methods) methods.add(String(method));
  }
  return [...methods];
}

type ErrorContext = Context & { state: AppState };

/**
 * Takes the caller's X-Request-Id when it is short and plain, or makes a new one; records it in
 * `ctx.state.requestId` and the response header.
 */
export function assignRequestId(ctx: ErrorContext): string {
  const incoming = requestHeader(ctx, 'x-request-id');
  const requestId = ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : newRequestId();
  ctx.state.requestId = requestId;
  // Runs first thing, before anything is sent: straight on the response.
  ctx.res.setHeader('X-Request-Id', requestId);
  return requestId;
}

/** The 404 for a request nothing answered. */
export const noRoute = (ctx: Pick<Context, 'method' | 'path'>) =>
  new ApiError('not_found', `No route for ${ctx.method} ${ctx.path}`);

/**
 * Renders any error as the uniform body with this request's id. Unknown failures are logged and
 * become a bare 500 with nothing internal in it.
 */
export function renderError(ctx: ErrorContext, caught: unknown, logger: Logger): void {
  const requestId = ctx.state.requestId;
  // Anything thrown that is not an object (a string, say) is an unknown failure like any other.
  const error = (
    typeof caught === 'object' && caught !== null ? caught : new Error(String(caught))
  ) as Error & {
    status?: number;
    expose?: boolean;
  };
  let apiError: ApiError;
  if (error instanceof ApiError) {
    apiError = error;
  } else if (typeof error.status === 'number' && error.status < 500 && error.expose) {
    apiError = new ApiError(fromHttpStatus(error.status), error.message);
  } else {
    logger.error(
      { requestId, err: { name: error.name, message: error.message, stack: error.stack } },
      'unhandled error',
    );
    apiError = new ApiError(
      'internal_error',
      'Something went wrong on our side. Quote the request id if you contact support.',
    );
  }
  const body: ErrorBody = {
    error: {
      code: apiError.code,
      message: apiError.message,
      ...(apiError.details ? { details: apiError.details } : {}),
      requestId,
    },
  };
  ctx.status = apiError.status;
  ctx.body = body;
  for (const [name, value] of Object.entries(apiError.headers ?? {})) ctx.set(name, value);
  if (apiError.code === 'method_not_allowed' && !ctx.response.get('Allow')) {
    // RFC 9110 §15.5.6: a 405 lists the methods the path does accept. The router throws
    // without setting it, but leaves the layers that matched the path in `ctx.matched`.
    const allowed = allowedMethods(Reflect.get(ctx, 'matched'));
    if (allowed.length > 0) ctx.set('Allow', allowed.join(', '));
  }
}
