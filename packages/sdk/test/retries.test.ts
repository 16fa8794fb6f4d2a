import { delay, HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  ConflictError,
  ConnectionError,
  InternalServerError,
  MyPostShareError,
  NotFoundError,
  RateLimitError,
  TimeoutError,
} from '../src/index.js';
import { errorBody, makeClient, mockApi, url } from './mock-api.js';

const { server, requests } = mockApi();

const END_USER = {
  id: '4ea64e37-6c19-43a0-8ef5-1a7e7e2b0b89',
  externalUserId: 'u',
  displayName: null,
  email: null,
  metadata: {},
  createdAt: '2026-03-21T08:00:00.000Z',
  updatedAt: '2026-03-21T08:00:00.000Z',
};

/** A handler that answers each request with the next response of the list, repeating the last one. */
function sequence(...responses: (() => Response)[]) {
  let index = 0;
  return () => {
    const next = responses[Math.min(index, responses.length - 1)];
    index += 1;
    if (!next) throw new Error('empty sequence');
    return next();
  };
}

const unavailable = (retryAfter?: string) => () =>
  HttpResponse.json(errorBody('service_unavailable', 'Try again'), {
    status: 503,
    headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
  });
const rateLimited = (retryAfter: string) => () =>
  HttpResponse.json(errorBody('rate_limited', 'Slow down'), {
    status: 429,
    headers: { 'retry-after': retryAfter },
  });
const ok = (body: typeof END_USER) => () => HttpResponse.json(body);

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

describe('retries', () => {
  it('retries a GET after a 500 with backoff, then succeeds', async () => {
    server.use(
      http.get(
        url('/v1/end-users/u'),
        sequence(() => HttpResponse.json(errorBody('internal_error', 'Oops'), { status: 500 }), ok(END_USER)),
      ),
    );
    const started = Date.now();
    await expect(makeClient().endUsers.retrieve('u')).resolves.toEqual(END_USER);
    expect(requests).toHaveLength(2);
    // First backoff is 0.5 s shortened by up to 25 % of jitter.
    expect(Date.now() - started).toBeGreaterThanOrEqual(370);
  });

  it('retries a 429 after the Retry-After the server asked for', async () => {
    server.use(http.get(url('/v1/end-users/u'), sequence(rateLimited('0'), ok(END_USER))));
    const started = Date.now();
    await expect(makeClient().endUsers.retrieve('u')).resolves.toEqual(END_USER);
    expect(requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('retries 408 and 502 on a DELETE', async () => {
    server.use(
      http.delete(
        url('/v1/end-users/u/connections/linkedin'),
        sequence(
          () =>
            HttpResponse.json(errorBody('internal_error', 'Timeout'), {
              status: 408,
              headers: { 'retry-after': '0' },
            }),
          () => new HttpResponse('Bad gateway', { status: 502, headers: { 'retry-after': '0' } }),
          () => new HttpResponse(null, { status: 204 }),
        ),
      ),
    );
    await expect(makeClient().endUsers.disconnect('u', 'linkedin')).resolves.toBeUndefined();
    expect(requests).toHaveLength(3);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    server.use(http.get(url('/v1/end-users/u'), unavailable('0')));
    const error = await failure(makeClient({ maxRetries: 3 }).endUsers.retrieve('u'));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(requests).toHaveLength(4);
  });

  it('makes a single attempt with maxRetries: 0 for the call', async () => {
    server.use(http.get(url('/v1/end-users/u'), unavailable('0')));
    await expect(makeClient().endUsers.retrieve('u', { maxRetries: 0 })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    expect(requests).toHaveLength(1);
  });

  it('does not retry client errors', async () => {
    server.use(
      http.get(url('/v1/end-users/u'), () =>
        HttpResponse.json(errorBody('not_found', 'No such end user'), { status: 404 }),
      ),
    );
    await expect(makeClient().endUsers.retrieve('u')).rejects.toBeInstanceOf(NotFoundError);
    expect(requests).toHaveLength(1);
  });

  it('does not wait for a Retry-After longer than a minute', async () => {
    server.use(http.get(url('/v1/end-users/u'), rateLimited('120')));
    const error = (await failure(makeClient().endUsers.retrieve('u'))) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfter).toBe(120);
    expect(requests).toHaveLength(1);
  });

  it('retries a network failure, then succeeds', async () => {
    server.use(
      http.get(
        url('/v1/end-users/u'),
        sequence(() => HttpResponse.error(), ok(END_USER)),
      ),
    );
    await expect(makeClient().endUsers.retrieve('u')).resolves.toEqual(END_USER);
    expect(requests).toHaveLength(2);
  });

  it('throws a ConnectionError when the network keeps failing', async () => {
    server.use(http.get(url('/v1/end-users/u'), () => HttpResponse.error()));
    const error = await failure(makeClient({ maxRetries: 1 }).endUsers.retrieve('u'));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect((error as ConnectionError).cause).toBeDefined();
    expect(requests).toHaveLength(2);
  });
});

describe('retries of POSTs', () => {
  it('sends the same generated Idempotency-Key on every retry', async () => {
    server.use(http.post(url('/v1/end-users'), sequence(unavailable('0'), rateLimited('0'), ok(END_USER))));
    await expect(makeClient().endUsers.upsert({ externalUserId: 'u' })).resolves.toEqual(END_USER);
    const keys = requests.map((request) => request.headers.get('idempotency-key'));
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
  });

  it('sends a caller-chosen Idempotency-Key on every retry', async () => {
    server.use(http.post(url('/v1/end-users'), sequence(unavailable('0'), ok(END_USER))));
    await makeClient().endUsers.upsert({ externalUserId: 'u' }, { idempotencyKey: 'mine-1' });
    expect(requests.map((request) => request.headers.get('idempotency-key'))).toEqual(['mine-1', 'mine-1']);
  });

  it('does not retry a POST sent with idempotencyKey: null', async () => {
    server.use(http.post(url('/v1/end-users'), sequence(unavailable('0'), ok(END_USER))));
    await expect(
      makeClient().endUsers.upsert({ externalUserId: 'u' }, { idempotencyKey: null }),
    ).rejects.toBeInstanceOf(InternalServerError);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.headers.get('idempotency-key')).toBeNull();
  });

  it('does not retry a POST without a key after a network failure either', async () => {
    server.use(
      http.post(
        url('/v1/end-users'),
        sequence(() => HttpResponse.error(), ok(END_USER)),
      ),
    );
    await expect(
      makeClient().endUsers.upsert({ externalUserId: 'u' }, { idempotencyKey: null }),
    ).rejects.toBeInstanceOf(ConnectionError);
    expect(requests).toHaveLength(1);
  });

  it('retries a 409 idempotency_key_in_progress, the echo of its own earlier attempt', async () => {
    server.use(
      http.post(
        url('/v1/end-users'),
        sequence(
          () =>
            HttpResponse.json(errorBody('idempotency_key_in_progress', 'Still running'), {
              status: 409,
              headers: { 'retry-after': '0' },
            }),
          ok(END_USER),
        ),
      ),
    );
    await expect(makeClient().endUsers.upsert({ externalUserId: 'u' })).resolves.toEqual(END_USER);
    expect(requests).toHaveLength(2);
  });

  it('does not retry any other 409', async () => {
    server.use(
      http.post(url('/v1/end-users'), () =>
        HttpResponse.json(errorBody('conflict', 'Conflict'), {
          status: 409,
          headers: { 'retry-after': '0' },
        }),
      ),
    );
    await expect(makeClient().endUsers.upsert({ externalUserId: 'u' })).rejects.toBeInstanceOf(ConflictError);
    expect(requests).toHaveLength(1);
  });
});

describe('retries of publishing', () => {
  const POST = {
    id: 'e3143cd2-fb9e-42cf-aa45-f7e711d4823d',
    mode: 'immediate',
    status: 'published',
    externalUserId: 'u',
    platformResults: [],
  };
  const PUBLISH = { externalUserId: 'u', content: 'Hello', platforms: ['linkedin' as const] };

  it('retries a publish that timed out with the same key, so the server replays instead of posting twice', async () => {
    let calls = 0;
    server.use(
      http.post(url('/v1/posts'), async () => {
        calls += 1;
        if (calls === 1) await delay(2_000);
        return HttpResponse.json(POST, { status: 201, headers: { 'idempotent-replayed': 'true' } });
      }),
    );
    await expect(makeClient({ timeout: 100 }).posts.publish(PUBLISH)).resolves.toEqual(POST);
    const keys = requests.map((request) => request.headers.get('idempotency-key'));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
  });

  it('does not retry a publish sent with idempotencyKey: null, even after a timeout', async () => {
    server.use(
      http.post(url('/v1/posts'), async () => {
        await delay(2_000);
        return HttpResponse.json(POST, { status: 201 });
      }),
    );
    await expect(
      makeClient({ timeout: 100 }).posts.publish(PUBLISH, { idempotencyKey: null }),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(requests).toHaveLength(1);
  });

  it('waits the Retry-After the server asked for rather than its own backoff', async () => {
    server.use(
      http.post(
        url('/v1/posts'),
        sequence(rateLimited('1'), () => HttpResponse.json(POST, { status: 201 })),
      ),
    );
    const started = Date.now();
    await makeClient().posts.publish(PUBLISH);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(2_000);
    expect(requests).toHaveLength(2);
  });

  it('retries a publish after a network failure and a 408', async () => {
    server.use(
      http.post(
        url('/v1/posts'),
        sequence(
          () => HttpResponse.error(),
          () =>
            HttpResponse.json(errorBody('internal_error', 'Timeout'), {
              status: 408,
              headers: { 'retry-after': '0' },
            }),
          () => HttpResponse.json(POST, { status: 201 }),
        ),
      ),
    );
    await expect(makeClient().posts.publish(PUBLISH)).resolves.toEqual(POST);
    expect(requests).toHaveLength(3);
  });
});

describe('timeouts', () => {
  it('throws a TimeoutError when no answer arrives in time', async () => {
    server.use(
      http.get(url('/v1/end-users/u'), async () => {
        await delay(2_000);
        return HttpResponse.json(END_USER);
      }),
    );
    const started = Date.now();
    const error = await failure(makeClient({ timeout: 50, maxRetries: 0 }).endUsers.retrieve('u'));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('takes the per-call timeout over the client one', async () => {
    server.use(
      http.get(url('/v1/end-users/u'), async () => {
        await delay(2_000);
        return HttpResponse.json(END_USER);
      }),
    );
    await expect(makeClient().endUsers.retrieve('u', { timeout: 50, maxRetries: 0 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
  });

  it('retries an attempt that timed out', async () => {
    // The first attempt hangs past the timeout; the retry answers at once.
    let calls = 0;
    server.use(
      http.get(url('/v1/end-users/u'), async () => {
        calls += 1;
        if (calls === 1) await delay(2_000);
        return HttpResponse.json(END_USER);
      }),
    );
    await expect(makeClient({ timeout: 100, maxRetries: 1 }).endUsers.retrieve('u')).resolves.toEqual(
      END_USER,
    );
    expect(requests).toHaveLength(2);
  });
});

describe('abort', () => {
  it('rejects with AbortError and sends nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(makeClient().endUsers.retrieve('u', { signal: controller.signal }));
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toBeInstanceOf(MyPostShareError);
    expect((error as AbortError).name).toBe('AbortError');
    expect(requests).toHaveLength(0);
  });

  it('aborts a request in flight and does not retry it', async () => {
    server.use(
      http.get(url('/v1/end-users/u'), async () => {
        await delay(2_000);
        return HttpResponse.json(END_USER);
      }),
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user gave up')), 50);
    const started = Date.now();
    const error = await failure(makeClient().endUsers.retrieve('u', { signal: controller.signal }));
    expect(error).toBeInstanceOf(AbortError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect((error as AbortError).cause).toEqual(new Error('user gave up'));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(requests).toHaveLength(1);
  });

  it('aborts the wait between retries', async () => {
    server.use(http.get(url('/v1/end-users/u'), unavailable('30')));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(makeClient().endUsers.retrieve('u', { signal: controller.signal })).rejects.toBeInstanceOf(
      AbortError,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(requests).toHaveLength(1);
  });
});
