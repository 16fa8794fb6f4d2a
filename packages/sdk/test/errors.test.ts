import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  MyPostShareError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from '../src/index.js';
import { errorBody, makeClient, mockApi, url } from './mock-api.js';

const { server, requests } = mockApi();

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

describe('error classes', () => {
  const cases: [number, string, typeof APIError][] = [
    [400, 'validation_error', BadRequestError],
    [401, 'unauthorized', AuthenticationError],
    [403, 'forbidden', PermissionDeniedError],
    [404, 'not_found', NotFoundError],
    [409, 'conflict', ConflictError],
    [422, 'content_invalid', UnprocessableEntityError],
    [429, 'rate_limited', RateLimitError],
    [500, 'internal_error', InternalServerError],
    [503, 'service_unavailable', InternalServerError],
    [405, 'method_not_allowed', APIError],
  ];

  it.each(cases)(
    'maps %i %s to its class with every field of the error body',
    async (status, code, ErrorClass) => {
      server.use(
        http.get(url('/v1/end-users/user_123'), () =>
          HttpResponse.json(errorBody(code, `the server says ${code}`, 'req_abc'), {
            status,
            headers: { 'x-request-id': 'req_abc', 'x-extra': 'kept' },
          }),
        ),
      );
      const error = await failure(makeClient().endUsers.retrieve('user_123', { maxRetries: 0 }));

      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toBeInstanceOf(APIError);
      expect(error).toBeInstanceOf(MyPostShareError);
      expect(error).toBeInstanceOf(Error);
      const apiError = error as APIError;
      expect(apiError.constructor).toBe(ErrorClass);
      expect(apiError.name).toBe(ErrorClass.name);
      expect(apiError.status).toBe(status);
      expect(apiError.code).toBe(code);
      expect(apiError.message).toBe(`the server says ${code}`);
      expect(apiError.requestId).toBe('req_abc');
      expect(apiError.headers.get('x-extra')).toBe('kept');
      expect(requests).toHaveLength(1);
    },
  );

  it('carries the details of a validation error', async () => {
    const details = [{ field: 'email', message: 'Invalid email address' }];
    server.use(
      http.post(url('/v1/end-users'), () =>
        HttpResponse.json(
          { error: { code: 'validation_error', message: 'Invalid request', details, requestId: 'req_1' } },
          { status: 400 },
        ),
      ),
    );
    const error = (await failure(makeClient().endUsers.upsert({ externalUserId: 'u' }))) as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.details).toEqual(details);
  });

  it('reads retryAfter in seconds from the Retry-After header of a 429', async () => {
    server.use(
      http.get(url('/v1/end-users/u'), () =>
        HttpResponse.json(errorBody('rate_limited', 'Slow down'), {
          status: 429,
          headers: { 'retry-after': '7' },
        }),
      ),
    );
    const error = (await failure(makeClient().endUsers.retrieve('u', { maxRetries: 0 }))) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfter).toBe(7);
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    server.use(
      http.get(url('/v1/end-users/u'), () =>
        HttpResponse.json(errorBody('rate_limited', 'Slow down'), {
          status: 429,
          headers: { 'retry-after': at },
        }),
      ),
    );
    const error = (await failure(makeClient().endUsers.retrieve('u', { maxRetries: 0 }))) as RateLimitError;
    expect(error.retryAfter).toBeGreaterThan(25);
    expect(error.retryAfter).toBeLessThanOrEqual(30);
  });

  it('leaves retryAfter undefined when the header is absent', async () => {
    server.use(
      http.get(url('/v1/end-users/u'), () =>
        HttpResponse.json(errorBody('rate_limited', 'Slow'), { status: 429 }),
      ),
    );
    const error = (await failure(makeClient().endUsers.retrieve('u', { maxRetries: 0 }))) as RateLimitError;
    expect(error.retryAfter).toBeUndefined();
  });

  it('still gives a typed error when a proxy answers with HTML', async () => {
    server.use(
      http.get(
        url('/v1/end-users/u'),
        () =>
          new HttpResponse('<html>Bad Gateway</html>', {
            status: 502,
            headers: { 'content-type': 'text/html', 'x-request-id': 'req_from_header' },
          }),
      ),
    );
    const error = (await failure(
      makeClient().endUsers.retrieve('u', { maxRetries: 0 }),
    )) as InternalServerError;
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.status).toBe(502);
    expect(error.code).toBeUndefined();
    expect(error.message).toMatch(/502/);
    expect(error.requestId).toBe('req_from_header');
  });

  it('rejects a success body that is not JSON with a MyPostShareError', async () => {
    server.use(http.get(url('/v1/end-users/u'), () => new HttpResponse('not json', { status: 200 })));
    const error = await failure(makeClient().endUsers.retrieve('u'));
    expect(error).toBeInstanceOf(MyPostShareError);
    expect(error).not.toBeInstanceOf(APIError);
    expect(requests).toHaveLength(1);
  });
});
