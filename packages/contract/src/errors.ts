import * as z from 'zod';

/**
 * The closed list of error codes any route can answer with, and the HTTP status of each.
 * Adding a code is a contract change: the SDK and the OpenAPI document derive from this map.
 *
 * @example
 * ```ts
 * ERROR_STATUS.not_found; // 404
 * ```
 */
export const ERROR_STATUS = {
  validation_error: 400,
  invalid_json: 400,
  redirect_uri_not_allowed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_key_in_progress: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  content_invalid: 422,
  media_invalid: 422,
  platform_not_connected: 422,
  platform_not_configured: 422,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const satisfies Record<string, number>;

/** Every error code, in contract order. */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/**
 * An error code such as `not_found` or `validation_error`.
 *
 * @example
 * ```ts
 * ErrorCode.parse('rate_limited');
 * ```
 */
export const ErrorCode = z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS]);
export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * One problem with a request: the field it concerns (a dotted path, empty for the whole body)
 * and what is wrong with it.
 */
export const ErrorDetail = z
  .object({
    field: z.string().describe('Dotted path of the offending field; empty for the request as a whole.'),
    message: z.string(),
    platform: z.string().optional().describe('The platform whose rule was broken, for content errors.'),
    rule: z.string().optional().describe('The rule that was broken, for content errors.'),
  })
  .meta({ id: 'ErrorDetail' });
export type ErrorDetail = z.infer<typeof ErrorDetail>;

/**
 * The uniform error body every route answers with when something goes wrong.
 *
 * @example
 * ```ts
 * ErrorBody.parse({ error: { code: 'not_found', message: 'No such end user', requestId: 'req_1' } });
 * ```
 */
export const ErrorBody = z
  .object({
    error: z.object({
      code: ErrorCode,
      message: z.string(),
      details: z.array(ErrorDetail).optional(),
      requestId: z.string(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;
