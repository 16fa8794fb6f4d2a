import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mediaFromBytes, publishContext } from '../../../test/publish-context.js';
import { POSTING_TOO_FAST_COOL_OFF_MS } from '../graph-errors.js';
import { MediaError, type MediaItem } from '../publishing.js';
import { type ProviderEndpoints, ProviderError } from '../types.js';
import {
  createFacebookPublisher,
  FACEBOOK_MAX_VIDEO_STATUS_POLLS,
  FACEBOOK_VIDEO_POLL_INTERVAL_MS,
  type FacebookPublisherOptions,
} from './publish.js';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const PAGE_ID = '104857600000001';
const PAGE_TOKEN = 'EAApagetokenABCDEFGHIJKLMNOPQRSTUVWXYZ0123';
const VERSION = 'v25.0';

// A fake deployment behind a path prefix, with its own video host, as configuration allows.
const API = 'http://127.0.0.1:9000/fake-graph';
const VIDEO_API = 'http://127.0.0.1:9001/fake-video';
const PREFIXED: ProviderEndpoints = {
  authorizeUrl: `${API}/${VERSION}/dialog/oauth`,
  tokenUrl: `${API}/${VERSION}/oauth/access_token`,
  apiUrl: `${API}/`,
  extra: { graphVersion: VERSION, videoApiUrl: `${VIDEO_API}/` },
};
const REAL: ProviderEndpoints = {
  authorizeUrl: 'https://www.facebook.com/v26.0/dialog/oauth',
  tokenUrl: 'https://graph.facebook.com/v26.0/oauth/access_token',
  apiUrl: 'https://graph.facebook.com',
  extra: { graphVersion: 'v26.0' },
};

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const publisher = (options: FacebookPublisherOptions = {}, endpoints = PREFIXED) =>
  createFacebookPublisher({ endpoints, now: () => NOW }, options);

const graphErrorBody = (code: number, subcode?: number, message = 'An error occurred') => ({
  error: {
    message,
    type: 'OAuthException',
    code,
    ...(subcode === undefined ? {} : { error_subcode: subcode }),
    fbtrace_id: 'A1b2C3d4E5f',
  },
});
const graphFailure = (status: number, code: number, subcode?: number, headers?: Record<string, string>) =>
  HttpResponse.json(graphErrorBody(code, subcode), { status, ...(headers ? { headers } : {}) });

interface Seen {
  method: string;
  url: URL;
  form: Record<string, string>;
  authorization: string | null;
  contentType: string | null;
}

type Reply = (seen: Seen) => Response | undefined;

/**
 * A Graph API for one Page that behaves like the real one (docs/providers.md, Facebook Pages) and
 * records every request, in order, into `events` (which the context also logs into).
 */
class FakeFacebook {
  events: string[] = [];
  requests: Seen[] = [];
  /** Answers to `GET /{video-id}?fields=status`, one per read; `ready` once they run out. */
  videoStatuses: Array<object | Response> = [];
  /** Per-endpoint replacements of the normal answer. */
  replies: { feed?: Reply; photos?: Reply; videos?: Reply; status?: Reply } = {};
  private nextPhoto = 1;

  constructor(
    readonly api = API,
    readonly videoApi = VIDEO_API,
    readonly version = VERSION,
  ) {}

  private async record(request: Request, label: string): Promise<Seen> {
    const url = new URL(request.url);
    const body = request.method === 'GET' ? '' : await request.text();
    const seen: Seen = {
      method: request.method,
      url,
      form: Object.fromEntries(new URLSearchParams(body)),
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
    };
    this.requests.push(seen);
    this.events.push(label);
    return seen;
  }

  handlers() {
    const base = `${this.api}/${this.version}`;
    return [
      http.post(`${base}/:page/feed`, async ({ request, params }) => {
        const seen = await this.record(request, 'feed');
        return this.replies.feed?.(seen) ?? HttpResponse.json({ id: `${params.page}_900001` });
      }),
      http.post(`${base}/:page/photos`, async ({ request, params }) => {
        const seen = await this.record(request, 'photos');
        const replaced = this.replies.photos?.(seen);
        if (replaced) return replaced;
        if (seen.form.published === 'false') return HttpResponse.json({ id: `photo${this.nextPhoto++}` });
        return HttpResponse.json({ id: 'photo500', post_id: `${params.page}_900002` });
      }),
      http.post(`${this.videoApi}/${this.version}/:page/videos`, async ({ request }) => {
        const seen = await this.record(request, 'videos');
        return this.replies.videos?.(seen) ?? HttpResponse.json({ id: 'video777' });
      }),
      http.get(`${base}/:node`, async ({ request, params }) => {
        const seen = await this.record(request, `status:${params.node}`);
        const replaced = this.replies.status?.(seen);
        if (replaced) return replaced;
        const next = this.videoStatuses.shift() ?? { video_status: 'ready', processing_progress: 100 };
        if (next instanceof Response) return next;
        return HttpResponse.json({ status: next, id: params.node });
      }),
    ];
  }
}

/** A publish context that logs `save`, `beforeCreate` and `sleep` into the fake's event list. */
function context(
  fake: { events: string[] },
  content: { text?: string; title?: string; media?: MediaItem[] } = {},
  checkpoint?: Record<string, unknown>,
) {
  const ctx = publishContext({
    tokens: { accessToken: PAGE_TOKEN },
    account: { remoteAccountId: PAGE_ID, remoteUsername: 'Acme Bakery', accountType: 'page' },
    content: {
      text: content.text ?? 'Fresh bread today',
      ...(content.title === undefined ? {} : { title: content.title }),
      media: content.media ?? [],
      options: {},
    },
    ...(checkpoint ? { checkpoint } : {}),
  });
  const { save, beforeCreate, sleep } = ctx;
  ctx.save = async (value) => {
    fake.events.push('save');
    await save(value);
  };
  ctx.beforeCreate = async (value) => {
    fake.events.push('beforeCreate');
    await beforeCreate(value);
  };
  ctx.sleep = async (ms) => {
    fake.events.push('sleep');
    await sleep(ms);
  };
  return ctx;
}

const image = (name: string) =>
  mediaFromBytes(`https://cdn.example.com/${name}.jpg`, 'image', 'image/jpeg', new Uint8Array([1, 2, 3]));
const video = (name = 'clip') =>
  mediaFromBytes(`https://cdn.example.com/${name}.mp4`, 'video', 'video/mp4', new Uint8Array([4, 5, 6]));

/** Every request carried the page token as a Bearer header and nowhere in its URL. */
function expectTokenOnlyInHeader(fake: FakeFacebook) {
  expect(fake.requests.length).toBeGreaterThan(0);
  for (const seen of fake.requests) {
    expect(seen.authorization).toBe(`Bearer ${PAGE_TOKEN}`);
    expect(seen.url.searchParams.has('access_token')).toBe(false);
    expect(seen.url.toString()).not.toContain(PAGE_TOKEN);
    expect(Object.values(seen.form).join(' ')).not.toContain(PAGE_TOKEN);
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

async function providerFailure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ProviderError);
  const failure = error as ProviderError;
  expect(failure.platform).toBe('facebook');
  expect(failure.message).not.toContain(PAGE_TOKEN);
  return failure;
}

function setup() {
  const fake = new FakeFacebook();
  server.use(...fake.handlers());
  return fake;
}

describe('facebook publish: text', () => {
  it('posts the message to /{page-id}/feed under the prefixed base, declaring the create just before', async () => {
    const fake = setup();
    const ctx = context(fake);

    const post = await publisher().publish(ctx);

    expect(post).toEqual({
      externalId: `${PAGE_ID}_900001`,
      url: `https://www.facebook.com/${PAGE_ID}_900001`,
    });
    expect(fake.requests).toHaveLength(1);
    const [feed] = fake.requests;
    expect(feed!.method).toBe('POST');
    expect(feed!.url.pathname).toBe(`/fake-graph/${VERSION}/${PAGE_ID}/feed`);
    expect(feed!.url.search).toBe('');
    expect(feed!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(feed!.form).toEqual({ message: 'Fresh bread today' });
    expect(fake.events).toEqual(['beforeCreate', 'feed', 'save']);
    expect(ctx.createCalls).toBe(1);
    expect(ctx.saved.at(-1)).toEqual({ post });
    expectTokenOnlyInHeader(fake);
  });

  it("uses Graph's real host and version when configured so", async () => {
    const fake = new FakeFacebook('https://graph.facebook.com', 'https://graph-video.facebook.com', 'v26.0');
    server.use(...fake.handlers());
    await publisher({}, REAL).publish(context(fake));
    expect(fake.requests[0]!.url.toString()).toBe(`https://graph.facebook.com/v26.0/${PAGE_ID}/feed`);
  });

  it('returns a post already recorded in the checkpoint without posting again', async () => {
    const fake = setup();
    const post = { externalId: `${PAGE_ID}_1`, url: `https://www.facebook.com/${PAGE_ID}_1` };
    const ctx = context(fake, {}, { post });
    expect(await publisher().publish(ctx)).toEqual(post);
    expect(ctx.createCalls).toBe(0);
    expect(fake.events).toEqual([]);
  });
});

describe('facebook publish: photos', () => {
  it('posts one photo by URL to /{page-id}/photos and links the feed story (post_id)', async () => {
    const fake = setup();
    const photo = image('loaf');
    const ctx = context(fake, { media: [photo] });

    const post = await publisher().publish(ctx);

    expect(post).toEqual({
      externalId: `${PAGE_ID}_900002`,
      url: `https://www.facebook.com/${PAGE_ID}_900002`,
    });
    const [request] = fake.requests;
    expect(request!.url.pathname).toBe(`/fake-graph/${VERSION}/${PAGE_ID}/photos`);
    expect(request!.form).toEqual({ url: 'https://cdn.example.com/loaf.jpg', message: 'Fresh bread today' });
    expect(fake.events).toEqual(['beforeCreate', 'photos', 'save']);
    expect(ctx.createCalls).toBe(1);
    // Facebook fetches the file itself: we never download it.
    expect(photo.opens).toBe(0);
    expectTokenOnlyInHeader(fake);
  });

  it('falls back to the photo id when Facebook returns no post_id, and sends no empty message', async () => {
    const fake = setup();
    fake.replies.photos = () => HttpResponse.json({ id: '555000111' });
    const post = await publisher().publish(context(fake, { text: '  ', media: [image('a')] }));
    expect(post).toEqual({ externalId: '555000111', url: 'https://www.facebook.com/555000111' });
    expect(fake.requests[0]!.form).toEqual({ url: 'https://cdn.example.com/a.jpg' });
  });

  it('uploads several photos unpublished, saves each id, then attaches them to one feed post', async () => {
    const fake = setup();
    const ctx = context(fake, { media: [image('a'), image('b'), image('c')] });

    const post = await publisher().publish(ctx);

    expect(post.externalId).toBe(`${PAGE_ID}_900001`);
    expect(fake.events).toEqual([
      'photos',
      'save',
      'photos',
      'save',
      'photos',
      'save',
      'beforeCreate',
      'feed',
      'save',
    ]);
    expect(fake.requests.slice(0, 3).map((r) => r.form)).toEqual(
      ['a', 'b', 'c'].map((name) => ({ url: `https://cdn.example.com/${name}.jpg`, published: 'false' })),
    );
    const feed = fake.requests[3]!;
    expect(feed.url.pathname).toBe(`/fake-graph/${VERSION}/${PAGE_ID}/feed`);
    expect(feed.form).toEqual({
      message: 'Fresh bread today',
      'attached_media[0]': '{"media_fbid":"photo1"}',
      'attached_media[1]': '{"media_fbid":"photo2"}',
      'attached_media[2]': '{"media_fbid":"photo3"}',
    });
    expect(ctx.saved[0]).toEqual({ photos: [{ url: 'https://cdn.example.com/a.jpg', photoId: 'photo1' }] });
    // The checkpoint declared before the create names every attached photo.
    expect(ctx.saved[3]).toEqual({
      photos: [
        { url: 'https://cdn.example.com/a.jpg', photoId: 'photo1' },
        { url: 'https://cdn.example.com/b.jpg', photoId: 'photo2' },
        { url: 'https://cdn.example.com/c.jpg', photoId: 'photo3' },
      ],
    });
    expect(ctx.createCalls).toBe(1);
    expectTokenOnlyInHeader(fake);
  });

  it('reuses photos an earlier attempt uploaded and uploads only the rest', async () => {
    const fake = setup();
    const checkpoint = {
      photos: [
        { url: 'https://cdn.example.com/a.jpg', photoId: 'old1' },
        // Another file at this position: not reusable.
        { url: 'https://cdn.example.com/other.jpg', photoId: 'old2' },
      ],
    };
    const ctx = context(fake, { media: [image('a'), image('b')] }, checkpoint);

    await publisher().publish(ctx);

    expect(fake.events).toEqual(['photos', 'save', 'beforeCreate', 'feed', 'save']);
    expect(fake.requests[0]!.form.url).toBe('https://cdn.example.com/b.jpg');
    expect(fake.requests[1]!.form).toMatchObject({
      'attached_media[0]': '{"media_fbid":"old1"}',
      'attached_media[1]': '{"media_fbid":"photo1"}',
    });
  });

  it('keeps the uploaded photos when a later upload fails, and never declares the create', async () => {
    const fake = setup();
    fake.replies.photos = (seen) =>
      seen.form.url?.endsWith('/b.jpg')
        ? graphFailure(400, 4, undefined, { 'Retry-After': '120' })
        : undefined;
    const ctx = context(fake, { media: [image('a'), image('b')] });

    const error = await providerFailure(publisher().publish(ctx));

    expect(error.classification).toEqual({
      kind: 'retry',
      message: expect.any(String),
      retryAfterMs: 120_000,
    });
    expect(ctx.createCalls).toBe(0);
    expect(ctx.checkpoint).toEqual({ photos: [{ url: 'https://cdn.example.com/a.jpg', photoId: 'photo1' }] });
  });

  it('refuses an uploaded photo answer without an id as permanent', async () => {
    const fake = setup();
    fake.replies.photos = () => HttpResponse.json({ success: true });
    const ctx = context(fake, { media: [image('a'), image('b')] });
    const error = await providerFailure(publisher().publish(ctx));
    expect(error.classification.kind).toBe('permanent');
    expect(error.providerCode).toBe('missing_photo_id');
    expect(ctx.createCalls).toBe(0);
  });
});

describe('facebook publish: video', () => {
  it('creates the video on the video host, saves its id at once, then polls until ready', async () => {
    const fake = setup();
    fake.videoStatuses = [{ video_status: 'processing' }, { video_status: 'processing' }];
    const clip = video();
    const ctx = context(fake, { text: 'Watch this', title: 'Our bakery', media: [clip] });

    const post = await publisher().publish(ctx);

    expect(post).toEqual({
      externalId: 'video777',
      url: `https://www.facebook.com/${PAGE_ID}/videos/video777`,
    });
    const [create, ...polls] = fake.requests;
    expect(create!.url.toString()).toBe(`${VIDEO_API}/${VERSION}/${PAGE_ID}/videos`);
    expect(create!.form).toEqual({
      file_url: 'https://cdn.example.com/clip.mp4',
      description: 'Watch this',
      title: 'Our bakery',
    });
    expect(polls.map((p) => `${p.method} ${p.url.pathname}${p.url.search}`)).toEqual(
      Array(3).fill(`GET /fake-graph/${VERSION}/video777?fields=status`),
    );
    expect(fake.events).toEqual([
      'beforeCreate',
      'videos',
      'save',
      'status:video777',
      'sleep',
      'status:video777',
      'sleep',
      'status:video777',
      'save',
    ]);
    expect(ctx.sleeps).toEqual([FACEBOOK_VIDEO_POLL_INTERVAL_MS, FACEBOOK_VIDEO_POLL_INTERVAL_MS]);
    expect(ctx.saved[1]).toEqual({ videoId: 'video777' });
    expect(ctx.saved.at(-1)).toEqual({ videoId: 'video777', post });
    expect(ctx.createCalls).toBe(1);
    expect(clip.opens).toBe(0);
    expectTokenOnlyInHeader(fake);
  });

  it('uses graph-video.facebook.com when no video host is configured', async () => {
    const fake = new FakeFacebook('https://graph.facebook.com', 'https://graph-video.facebook.com', 'v26.0');
    server.use(...fake.handlers());
    const endpoints = { ...REAL, extra: { graphVersion: 'v26.0' } };
    await publisher({}, endpoints).publish(context(fake, { media: [video()] }));
    expect(fake.requests.map((r) => r.url.toString())).toEqual([
      `https://graph-video.facebook.com/v26.0/${PAGE_ID}/videos`,
      'https://graph.facebook.com/v26.0/video777?fields=status',
    ]);
    // No title given: none sent.
    expect(fake.requests[0]!.form).not.toHaveProperty('title');
  });

  it('fails with a MediaError when Facebook cannot process the video, keeping the video id', async () => {
    const fake = setup();
    fake.videoStatuses = [
      { video_status: 'processing' },
      {
        video_status: 'error',
        processing_phase: {
          status: 'error',
          errors: [{ code: 1363008, message: 'Video format not supported' }],
        },
      },
    ];
    const ctx = context(fake, { media: [video()] });
    const error = await rejection(publisher().publish(ctx));
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).message).toContain('Video format not supported');
    expect(ctx.checkpoint).toEqual({ videoId: 'video777' });
  });

  it('returns the video after a bounded number of polls: it exists and Facebook publishes it when ready', async () => {
    const fake = setup();
    fake.videoStatuses = Array(10).fill({ video_status: 'processing' });
    const ctx = context(fake, { media: [video()] });

    const post = await publisher({ maxVideoStatusPolls: 4, videoPollIntervalMs: 2500 }).publish(ctx);

    expect(post.externalId).toBe('video777');
    expect(fake.requests.filter((r) => r.method === 'GET')).toHaveLength(4);
    expect(ctx.sleeps).toEqual([2500, 2500, 2500]);
    expect(ctx.saved.at(-1)).toMatchObject({ post });
  });

  it('polls a default bounded number of times', async () => {
    const fake = setup();
    fake.videoStatuses = Array(FACEBOOK_MAX_VIDEO_STATUS_POLLS + 5).fill({ video_status: 'processing' });
    await publisher().publish(context(fake, { media: [video()] }));
    expect(fake.requests.filter((r) => r.method === 'GET')).toHaveLength(FACEBOOK_MAX_VIDEO_STATUS_POLLS);
  });

  it('keeps polling through transient status errors and stops watching on a permanent one', async () => {
    const fake = setup();
    fake.videoStatuses = [
      graphFailure(500, 2),
      { video_status: 'processing' },
      graphFailure(400, 100),
      { video_status: 'error' },
    ];
    const ctx = context(fake, { media: [video()] });
    const post = await publisher().publish(ctx);
    // The permanent read failure ended the watch before the `error` status was ever read.
    expect(post.externalId).toBe('video777');
    expect(fake.requests.filter((r) => r.method === 'GET')).toHaveLength(3);
    expect(fake.videoStatuses).toHaveLength(1);
  });

  it('resumes polling a video an earlier attempt created, without creating another', async () => {
    const fake = setup();
    fake.videoStatuses = [{ video_status: 'processing' }, { video_status: 'ready' }];
    const ctx = context(fake, { media: [video()] }, { videoId: 'video123' });

    const post = await publisher().publish(ctx);

    expect(post).toEqual({
      externalId: 'video123',
      url: `https://www.facebook.com/${PAGE_ID}/videos/video123`,
    });
    expect(fake.events).toEqual(['status:video123', 'sleep', 'status:video123', 'save']);
    expect(ctx.createCalls).toBe(0);
  });
});

describe('facebook publish: media rules', () => {
  it.each([
    ['a video with an image', () => [video(), image('a')]],
    ['two videos', () => [video('one'), video('two')]],
    ['eleven photos', () => Array.from({ length: 11 }, (_, i) => image(`p${i}`))],
  ])('refuses %s before sending anything', async (_name, media) => {
    const fake = setup();
    const ctx = context(fake, { media: media() });
    const error = await rejection(publisher().publish(ctx));
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).platform).toBe('facebook');
    expect(fake.events).toEqual([]);
    expect(ctx.createCalls).toBe(0);
  });

  it('takes ten photos', async () => {
    const fake = setup();
    const media = Array.from({ length: 10 }, (_, i) => image(`p${i}`));
    await publisher().publish(context(fake, { media }));
    expect(fake.requests.at(-1)!.form).toHaveProperty('attached_media[9]', '{"media_fbid":"photo10"}');
  });
});

describe('facebook publish: errors', () => {
  const failFeed = (response: () => Response) => {
    const fake = setup();
    fake.replies.feed = response;
    return fake;
  };

  it.each([
    ['190/460 password changed', 'reconnect', 400, 190, 460],
    ['190/463 expired', 'reconnect', 401, 190, 463],
    ['102 session', 'reconnect', 400, 102, undefined],
    ['10 permission', 'reconnect', 403, 10, undefined],
    ['200 permission', 'reconnect', 403, 200, undefined],
    ['1 unknown', 'retry', 500, 1, undefined],
    ['2 service', 'retry', 503, 2, undefined],
    ['4 app limit', 'retry', 400, 4, undefined],
    ['17 user limit', 'retry', 400, 17, undefined],
    ['32 page limit', 'retry', 400, 32, undefined],
    ['613 custom limit', 'retry', 400, 613, undefined],
    ['80001 pages limit', 'retry', 400, 80001, undefined],
    ['80002 instagram limit', 'retry', 400, 80002, undefined],
    ['100 invalid parameter', 'permanent', 400, 100, undefined],
    ['506 duplicate post', 'permanent', 400, 506, undefined],
  ] as const)('classifies %s as %s', async (_name, kind, status, code, subcode) => {
    failFeed(() => graphFailure(status, code, subcode));
    const ctx = context({ events: [] });
    const error = await providerFailure(publisher().publish(ctx));
    expect(error.classification.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.providerCode).toBe(subcode === undefined ? `${code}` : `${code}/${subcode}`);
    // Graph itself refused: the post does not exist.
    expect(error.outcomeUnknown).toBe(false);
    expect(ctx.createCalls).toBe(1);
  });

  it('takes the retry hint from X-Business-Use-Case-Usage', async () => {
    const usage = JSON.stringify({ [PAGE_ID]: [{ type: 'pages', estimated_time_to_regain_access: 12 }] });
    failFeed(() => graphFailure(400, 80001, undefined, { 'X-Business-Use-Case-Usage': usage }));
    const error = await providerFailure(publisher().publish(context({ events: [] })));
    expect(error.classification).toMatchObject({ kind: 'retry', retryAfterMs: 12 * 60_000 });
  });

  it('waits a long cool-off after "posting too fast" (368 / 1390008)', async () => {
    failFeed(() => graphFailure(400, 368, 1390008));
    const error = await providerFailure(publisher().publish(context({ events: [] })));
    expect(error.classification).toMatchObject({ kind: 'retry', retryAfterMs: POSTING_TOO_FAST_COOL_OFF_MS });
  });

  it('never repeats the token Graph echoes back in a message', async () => {
    failFeed(() =>
      HttpResponse.json(
        graphErrorBody(190, 460, `Error validating access token: ${PAGE_TOKEN} has been invalidated`),
        { status: 400 },
      ),
    );
    const error = await providerFailure(publisher().publish(context({ events: [] })));
    expect(error.message).toContain('190/460');
    expect(error.message).not.toContain(PAGE_TOKEN);
  });

  it.each([
    ['a 504 from the gateway', () => HttpResponse.json(graphErrorBody(2), { status: 504 })],
    ['a 502 that is not a Graph error', () => new HttpResponse('<html>Bad Gateway</html>', { status: 502 })],
  ])('marks %s on the create call as outcome unknown', async (_name, response) => {
    failFeed(response);
    const error = await providerFailure(publisher().publish(context({ events: [] })));
    expect(error.classification.kind).toBe('retry');
    expect(error.outcomeUnknown).toBe(true);
  });

  it('marks a network failure on the create call as outcome unknown', async () => {
    failFeed(() => HttpResponse.error());
    const error = await providerFailure(publisher().publish(context({ events: [] })));
    expect(error.classification.kind).toBe('retry');
    expect(error.outcomeUnknown).toBe(true);
  });

  it.each([
    ['an answer without an id', () => HttpResponse.json({ success: true })],
    ['an answer that is not JSON', () => new HttpResponse('OK', { status: 200 })],
  ])('treats %s to the create call as outcome unknown', async (_name, response) => {
    failFeed(response);
    const error = await providerFailure(publisher().publish(context({ events: [] })));
    expect(error.providerCode).toBe('missing_post_id');
    expect(error.outcomeUnknown).toBe(true);
  });

  it('treats an error body inside a 200 as a failure', async () => {
    failFeed(() => HttpResponse.json(graphErrorBody(190), { status: 200 }));
    const error = await providerFailure(publisher().publish(context({ events: [] })));
    expect(error.classification.kind).toBe('reconnect');
  });

  it('classifies a refused video create and a refused single photo like a feed post', async () => {
    const fake = setup();
    fake.replies.videos = () => graphFailure(403, 200);
    fake.replies.photos = () => graphFailure(400, 324);
    const videoError = await providerFailure(publisher().publish(context(fake, { media: [video()] })));
    expect(videoError.classification.kind).toBe('reconnect');
    const photoError = await providerFailure(publisher().publish(context(fake, { media: [image('a')] })));
    expect(photoError.classification.kind).toBe('permanent');
    expect(photoError.providerCode).toBe('324');
  });
});

describe('facebook recover', () => {
  it('reports the post the checkpoint recorded', async () => {
    const post = { externalId: `${PAGE_ID}_5`, url: `https://www.facebook.com/${PAGE_ID}_5` };
    const ctx = publishContext({ account: { remoteAccountId: PAGE_ID }, checkpoint: { post } });
    expect(await publisher().recover!(ctx)).toEqual({ outcome: 'published', post });
  });

  it('reports a created video as published: Facebook made it the moment it answered with its id', async () => {
    const ctx = publishContext({ account: { remoteAccountId: PAGE_ID }, checkpoint: { videoId: 'video9' } });
    expect(await publisher().recover!(ctx)).toEqual({
      outcome: 'published',
      post: { externalId: 'video9', url: `https://www.facebook.com/${PAGE_ID}/videos/video9` },
    });
  });

  it('cannot tell whether a feed or photo post landed', async () => {
    const photosOnly = { photos: [{ url: 'https://cdn.example.com/a.jpg', photoId: 'p1' }] };
    for (const checkpoint of [{}, photosOnly, { videoId: '' }]) {
      const ctx = publishContext({ account: { remoteAccountId: PAGE_ID }, checkpoint });
      expect(await publisher().recover!(ctx)).toEqual({ outcome: 'unknown' });
    }
  });
});
