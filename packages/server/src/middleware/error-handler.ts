import { randomUUID } from 'node:crypto';
import type { ErrorBody, ErrorCode } from '@mypostshare/contract';
import type { Middleware } from 'koa';
import { ApiError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AppState } from '../types.js';

// A caller-supplied request id is echoed only if it is short and plain, so it cannot inject into logs.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

// randomUUID draws from a pre-filled entropy cache: cheaper per call than randomBytes.
const newRequestId = () => `req_${randomUUID().replaceAll('-', '')}`;

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

/**
 * Runs just inside the access log (middleware/access-log.ts, the outermost middleware, which writes
 * the one line per request): assigns the request id and renders every error as the uniform body.
 * Unknown failures are logged and become a bare 500 with nothing internal in it.
 */
export function errorHandler(logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const requestId = ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : newRequestId();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ApiError('not_found', `No route for ${ctx.method} ${ctx.path}`);
      }
    } catch (caught) {
      const error = caught as Error & { status?: number; expose?: boolean };
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
  };
}
