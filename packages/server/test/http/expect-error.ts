import { expect } from 'vitest';
import type { TestServer } from '../harness.js';

type Response = Awaited<ReturnType<TestServer['request']>>;

/**
 * Asserts the uniform error body of DESIGN.md: exactly `{error: {code, message, details?, requestId}}`,
 * JSON, with the request id of the `X-Request-Id` header. Returns the `error` object.
 */
export function expectError(response: Response, status: number, code: string) {
  expect({ status: response.status, body: response.body }).toMatchObject({
    status,
    body: { error: { code } },
  });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(response.body)).toEqual(['error']);
  const error = response.body.error as {
    code: string;
    message: string;
    details?: unknown;
    requestId: string;
  };
  for (const key of Object.keys(error)) expect(['code', 'message', 'details', 'requestId']).toContain(key);
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
  expect(error.requestId).toMatch(/^\S{8,128}$/);
  expect(response.headers.get('x-request-id')).toBe(error.requestId);
  return error as {
    code: string;
    message: string;
    details?: { field: string; message: string }[];
    requestId: string;
  };
}

/** The distinct fields named in a validation error's `details`, sorted. */
export const detailFields = (error: { details?: { field: string }[] }) =>
  [...new Set((error.details ?? []).map((detail) => detail.field))].sort();

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
