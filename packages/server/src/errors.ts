import { ERROR_STATUS, type ErrorCode, type ErrorDetail } from '@mypostshare/contract';
import type { z } from 'zod';

/**
 * The one error type route code throws. The error middleware renders it as the uniform body
 * with the status the contract assigns to its code.
 */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} not found`);

/** The value at a path inside the request, to tell a missing field from a mistyped one. */
function valueAt(value: unknown, path: PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** Turns zod issues into `details`, one entry per offending field (unknown keys each get their own). */
export function issuesToDetails(issues: z.core.$ZodIssue[], prefix?: string, input?: unknown): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const join = (segments: PropertyKey[]) =>
    [prefix, ...segments.map(String)].filter((part) => part !== undefined && part !== '').join('.');
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        details.push({ field: join([...issue.path, key]), message: 'unknown field' });
      }
      continue;
    }
    const field = join(issue.path);
    const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
    const message = missing ? 'required' : issue.message;
    details.push({ field, message });
  }
  return details;
}

/**
 * Validates a value at the edge of a handler; a failure is a 400 `validation_error` naming every field.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = issuesToDetails(result.error.issues, where, value);
  const summary = details
    .slice(0, 3)
    .map((detail) => (detail.field ? `${detail.field}: ${detail.message}` : detail.message))
    .join('; ');
  throw new ApiError('validation_error', `Invalid request: ${summary}`, details);
}
