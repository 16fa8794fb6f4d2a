import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  APIError,
  ConflictError,
  InternalServerError,
  UnprocessableEntityError,
  ValidationError,
} from '../src/index.js';
import { errorBody, makeClient, mockApi, url } from './mock-api.js';

const { server, requests } = mockApi();

const POST_ID = '40bb5e88-4868-4336-af0c-f18dd7a5eb45';
const POST = {
  id: POST_ID,
  mode: 'scheduled',
  status: 'scheduled',
  externalUserId: 'user_123',
  scheduleAt: '2030-01-01T09:30:00.000Z',
  platformResults: [],
  platforms: ['linkedin'],
  content: 'Later',
  metadata: {},
  createdAt: '2026-03-21T08:00:00.000Z',
  updatedAt: '2026-03-21T08:00:00.000Z',
};
const PUBLISH = { externalUserId: 'user_123', content: 'Hello', platforms: ['linkedin' as const] };

/** Captures the JSON body of each request a handler sees. */
function bodies() {
  const seen: unknown[] = [];
  return {
    seen,
    record: async (request: Request) => {
      const text = await request.text();
      seen.push(text ? JSON.parse(text) : undefined);
    },
  };
}

describe('posts.publish', () => {
  it('sends every optional field the contract allows', async () => {
    const { seen, record } = bodies();
    server.use(
      http.post(url('/v1/posts'), async ({ request }) => {
        await record(request);
        return HttpResponse.json({ ...POST, mode: 'immediate', status: 'published' }, { status: 201 });
      }),
    );
    const params = {
      ...PUBLISH,
      platforms: ['instagram' as const, 'youtube' as const],
      title: 'Launch',
      mediaUrl: 'https://cdn.example.com/clip.mp4',
      mediaUrls: ['https://cdn.example.com/a.jpg'],
      thumbnailUrl: 'https://cdn.example.com/thumb.jpg',
      metadata: { campaign: 'launch' },
      platformOptions: {
        instagram: { mediaType: 'reel' as const },
        youtube: { privacyStatus: 'unlisted' as const, tags: ['launch'], madeForKids: false },
      },
    };
    const post = await makeClient().posts.publish(params);
    expect(post.status).toBe('published');
    expect(seen).toEqual([params]);
  });

  it('surfaces content rules as UnprocessableEntityError with the details', async () => {
    const details = [{ field: 'content', message: 'Too long', platform: 'twitter', rule: 'max_length' }];
    server.use(
      http.post(url('/v1/posts'), () =>
        HttpResponse.json(
          {
            error: {
              code: 'content_invalid',
              message: 'Content breaks twitter rules',
              details,
              requestId: 'r1',
            },
          },
          { status: 422 },
        ),
      ),
    );
    const error = await makeClient()
      .posts.publish({ ...PUBLISH, platforms: ['twitter'] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect((error as UnprocessableEntityError).code).toBe('content_invalid');
    expect((error as UnprocessableEntityError).details).toEqual(details);
    expect(requests).toHaveLength(1);
  });
});

describe('posts.list', () => {
  it('sends every filter as a query parameter', async () => {
    server.use(http.get(url('/v1/posts'), () => HttpResponse.json([])));
    await makeClient().posts.list({
      externalUserId: 'user 1',
      status: 'partially_published',
      platform: 'youtube',
      dateFrom: '2026-03-01T00:00:00.000Z',
      dateTo: '2026-03-31T23:59:59.999Z',
      limit: 10,
    });
    const query = new URL(requests[0]?.url ?? '').searchParams;
    expect(Object.fromEntries(query)).toEqual({
      externalUserId: 'user 1',
      status: 'partially_published',
      platform: 'youtube',
      dateFrom: '2026-03-01T00:00:00.000Z',
      dateTo: '2026-03-31T23:59:59.999Z',
      limit: '10',
    });
  });

  it('sends no query at all without filters', async () => {
    server.use(http.get(url('/v1/posts'), () => HttpResponse.json([])));
    const page = await makeClient().posts.list();
    expect(page.data).toEqual([]);
    expect(requests[0]?.url).toBe(url('/v1/posts'));
  });
});

describe('posts.cancel, update, retry, validate', () => {
  it('cancel sends a DELETE and resolves with the canceled post', async () => {
    server.use(
      http.delete(url(`/v1/posts/${POST_ID}`), () => HttpResponse.json({ ...POST, status: 'canceled' })),
    );
    const post = await makeClient().posts.cancel(POST_ID);
    expect(post.status).toBe('canceled');
    expect(requests.map((request) => request.method)).toEqual(['DELETE']);
  });

  it('cancel of a post already publishing is a ConflictError', async () => {
    server.use(
      http.delete(url(`/v1/posts/${POST_ID}`), () =>
        HttpResponse.json(errorBody('conflict', 'Only a scheduled post can be canceled'), { status: 409 }),
      ),
    );
    await expect(makeClient().posts.cancel(POST_ID)).rejects.toBeInstanceOf(ConflictError);
    expect(requests).toHaveLength(1);
  });

  it('update sends a PATCH with the changes, without an Idempotency-Key', async () => {
    const { seen, record } = bodies();
    server.use(
      http.patch(url(`/v1/posts/${POST_ID}`), async ({ request }) => {
        await record(request);
        return HttpResponse.json({ ...POST, content: 'Edited' });
      }),
    );
    const post = await makeClient().posts.update(POST_ID, {
      content: 'Edited',
      scheduleAt: '2030-02-01T09:30:00.000Z',
    });
    expect(post.content).toBe('Edited');
    expect(seen).toEqual([{ content: 'Edited', scheduleAt: '2030-02-01T09:30:00.000Z' }]);
    expect(requests[0]?.headers.get('idempotency-key')).toBeNull();
  });

  it('update is not retried: a PATCH is not idempotent in general', async () => {
    server.use(
      http.patch(url(`/v1/posts/${POST_ID}`), () =>
        HttpResponse.json(errorBody('service_unavailable', 'Down'), {
          status: 503,
          headers: { 'retry-after': '0' },
        }),
      ),
    );
    await expect(makeClient().posts.update(POST_ID, { content: 'x' })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    expect(requests).toHaveLength(1);
  });

  it('retry POSTs with no body and an Idempotency-Key', async () => {
    server.use(
      http.post(url(`/v1/posts/${POST_ID}/retry`), () =>
        HttpResponse.json({ ...POST, status: 'publishing' }),
      ),
    );
    const post = await makeClient().posts.retry(POST_ID, { idempotencyKey: 'retry-1' });
    expect(post.status).toBe('publishing');
    expect(requests[0]?.headers.get('idempotency-key')).toBe('retry-1');
    expect(requests[0]?.headers.get('content-type')).toBeNull();
  });

  it('validate sends the body and returns the per-platform verdict', async () => {
    const verdict = {
      valid: false,
      platforms: [
        { platform: 'twitter', errors: [{ rule: 'max_length', message: 'Over 280' }], warnings: [] },
      ],
    };
    server.use(http.post(url('/v1/posts/validate'), () => HttpResponse.json(verdict)));
    const result = await makeClient().posts.validate({
      ...PUBLISH,
      platforms: ['twitter'],
      scheduleAt: '2030-01-01T00:00:00.000Z',
    });
    expect(result).toEqual(verdict);
  });
});

describe('platforms.list', () => {
  it('returns every platform as an array', async () => {
    const platforms = [
      {
        platform: 'twitter',
        name: 'X',
        maxTextLength: 280,
        textLengthUnit: 'weighted_characters',
        requiresMedia: false,
        requiresTitle: false,
        supportsTitle: false,
        maxTitleLength: null,
        mediaTypes: ['image/jpeg'],
        maxMediaCount: 4,
        options: ['content'],
      },
    ];
    server.use(http.get(url('/v1/platforms'), () => HttpResponse.json(platforms)));
    expect(await makeClient().platforms.list()).toEqual(platforms);
  });
});

describe('client-side validation of posts', () => {
  const client = makeClient();
  const cases: [string, () => PromiseLike<unknown>, string][] = [
    ['no platforms', () => client.posts.publish({ ...PUBLISH, platforms: [] }), 'platforms'],
    [
      'an unknown platform',
      () => client.posts.publish({ ...PUBLISH, platforms: ['myspace' as never] }),
      'platforms.0',
    ],
    [
      'a repeated platform',
      () => client.posts.publish({ ...PUBLISH, platforms: ['twitter', 'twitter'] }),
      'platforms',
    ],
    ['missing content', () => client.posts.publish({ ...PUBLISH, content: undefined as never }), 'content'],
    [
      'a media URL that is not http(s)',
      () => client.posts.publish({ ...PUBLISH, mediaUrl: 'ftp://x/y' }),
      'mediaUrl',
    ],
    ['an unknown field', () => client.posts.publish({ ...PUBLISH, colour: 'red' } as never), ''],
    [
      'a malformed scheduleAt',
      () => client.posts.schedule({ ...PUBLISH, scheduleAt: 'tomorrow' }),
      'scheduleAt',
    ],
    ['a missing scheduleAt', () => client.posts.schedule(PUBLISH as never), 'scheduleAt'],
    ['a post id that is not a UUID', () => client.posts.retrieve('post_1'), 'id'],
    ['an empty post id to cancel', () => client.posts.cancel(''), 'id'],
    ['an unknown status filter', () => client.posts.list({ status: 'done' as never }), 'status'],
    ['a page size over 200', () => client.posts.list({ limit: 500 }), 'limit'],
    ['a malformed date filter', () => client.posts.list({ dateFrom: '01/03/2026' }), 'dateFrom'],
    ['a bad field in an update', () => client.posts.update(POST_ID, { platforms: [] }), 'platforms'],
    [
      'a connect session for an unknown platform',
      () =>
        client.connectSessions.create({
          externalUserId: 'u',
          platform: 'myspace' as never,
          redirectUri: 'https://x.test/cb',
        }),
      'platform',
    ],
    [
      'a display colour that is not #rrggbb',
      () =>
        client.connectSessions.create({
          externalUserId: 'u',
          platform: 'twitter',
          redirectUri: 'https://x.test/cb',
          display: { accentColor: 'blue' },
        }),
      'display.accentColor',
    ],
    ['a connect session id that is not a UUID', () => client.connectSessions.retrieve('abc'), 'id'],
  ];

  it.each(cases)('rejects %s with a ValidationError and sends nothing', async (_name, call, field) => {
    const error = await Promise.resolve(call()).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).not.toBeInstanceOf(APIError);
    expect((error as ValidationError).details.map((detail) => detail.field)).toContain(field);
    expect((error as ValidationError).message).toMatch(/^Invalid request: /);
    expect(requests).toHaveLength(0);
  });
});
