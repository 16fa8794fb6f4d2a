import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mediaFromBytes, publishContext } from '../../../test/publish-context.js';
import { MediaError, type MediaItem } from '../publishing.js';
import { type ProviderEndpoints, ProviderError } from '../types.js';
import { createTwitterPublisher, TWITTER_MEDIA_REUSE_MS } from './publish.js';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const KIB = 1024;
const MB = 1024 * KIB;

// A fake deployment behind a path prefix, as configuration allows.
const PREFIXED: ProviderEndpoints = {
  authorizeUrl: 'http://127.0.0.1:9000/fake-x/i/oauth2/authorize',
  tokenUrl: 'http://127.0.0.1:9000/fake-x/2/oauth2/token',
  apiUrl: 'http://127.0.0.1:9000/fake-x/',
  extra: {},
};
const REAL: ProviderEndpoints = {
  authorizeUrl: 'https://x.com/i/oauth2/authorize',
  tokenUrl: 'https://api.x.com/2/oauth2/token',
  apiUrl: 'https://api.x.com',
  extra: {},
};
const API = 'http://127.0.0.1:9000/fake-x';
const TWEETS = `${API}/2/tweets`;
const UPLOAD = `${API}/2/media/upload`;

const ACCESS_TOKEN = 'x-access-token-AAA';
const REFRESH_TOKEN = 'x-refresh-token-R1';
const TWEET_ID = '1861234567890123456';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Bytes whose value depends on their position, so a shifted or repeated range shows. */
function patterned(length: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) bytes[i] = (i * 31 + seed) % 251;
  return bytes;
}

function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.byteLength).toBe(expected.byteLength);
  expect(Buffer.compare(Buffer.from(actual), Buffer.from(expected))).toBe(0);
}

const publisher = (options: { chunkBytes?: number; maxStatusPolls?: number } = {}, endpoints = PREFIXED) =>
  createTwitterPublisher({ endpoints, now: () => NOW }, options);

/** A media item that claims any size (the limits are checked before a byte is read). */
function claimed(url: string, kind: 'image' | 'video', contentType: string, size: number): MediaItem {
  return {
    url,
    kind,
    contentType,
    size,
    open: () => expect.unreachable('oversized media must not be opened'),
  };
}

/** The same media item without a known size, as when the server announced no length. */
function unsized(item: MediaItem & { opens: number }) {
  const open = item.open.bind(item);
  return Object.assign(item, {
    size: undefined,
    async open() {
      return { ...(await open()), size: undefined };
    },
  });
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
  expect(failure.message).not.toContain(ACCESS_TOKEN);
  expect(failure.message).not.toContain(REFRESH_TOKEN);
  return failure;
}

interface SimpleUpload {
  category: string | File | null;
  type: string;
  bytes: Uint8Array;
  authorization: string | null;
}
interface Append {
  mediaId: string;
  segment: string | File | null;
  bytes: Uint8Array;
}

/**
 * An X API v2 fake that records what it is sent, in order, in `events`. Video processing walks
 * through `statuses` (one per STATUS read) after the finalize answer's `finalizeInfo`.
 */
class FakeX {
  events: string[] = [];
  uploads: SimpleUpload[] = [];
  initializes: unknown[] = [];
  appends: Append[] = [];
  statusQueries: URLSearchParams[] = [];
  tweets: Array<{ body: unknown; headers: Headers }> = [];
  finalizeInfo: object | undefined = { state: 'pending', check_after_secs: 2 };
  statuses: object[] = [{ state: 'succeeded', progress_percent: 100 }];
  private nextImage = 1;

  handlers() {
    return [
      http.post(UPLOAD, async ({ request }) => {
        const form = await request.formData();
        const media = form.get('media') as File;
        const id = `img-${this.nextImage++}`;
        this.events.push(`upload:${id}`);
        this.uploads.push({
          category: form.get('media_category'),
          type: media.type,
          bytes: new Uint8Array(await media.arrayBuffer()),
          authorization: request.headers.get('authorization'),
        });
        return HttpResponse.json({ data: { id, media_key: `3_${id}`, size: media.size } });
      }),
      http.post(`${UPLOAD}/initialize`, async ({ request }) => {
        this.events.push('initialize');
        this.initializes.push(await request.json());
        return HttpResponse.json({ data: { id: 'vid-1', media_key: '7_vid-1', expires_after_secs: 86_400 } });
      }),
      http.post(`${UPLOAD}/:id/append`, async ({ request, params }) => {
        const form = await request.formData();
        const media = form.get('media') as File;
        this.events.push(`append:${form.get('segment_index')}`);
        this.appends.push({
          mediaId: String(params.id),
          segment: form.get('segment_index'),
          bytes: new Uint8Array(await media.arrayBuffer()),
        });
        return HttpResponse.json({ data: { expires_at: 1_764_400_000 } });
      }),
      http.post(`${UPLOAD}/:id/finalize`, ({ params }) => {
        this.events.push(`finalize:${params.id}`);
        return HttpResponse.json({
          data: {
            id: params.id,
            media_key: `7_${params.id}`,
            ...(this.finalizeInfo ? { processing_info: this.finalizeInfo } : {}),
          },
        });
      }),
      http.get(UPLOAD, ({ request }) => {
        const query = new URL(request.url).searchParams;
        this.events.push('status');
        this.statusQueries.push(query);
        const info = this.statuses.shift() ?? { state: 'in_progress', check_after_secs: 1 };
        return HttpResponse.json({ data: { id: query.get('media_id'), processing_info: info } });
      }),
      http.post(TWEETS, async ({ request }) => {
        this.events.push('tweet');
        this.tweets.push({ body: await request.json(), headers: request.headers });
        return HttpResponse.json({ data: { id: TWEET_ID, text: 'Hello world' } }, { status: 201 });
      }),
    ];
  }
}

/** A publish context that also logs `beforeCreate` into the fake's event list. */
function context(
  fake: { events: string[] },
  content: { text?: string; media?: MediaItem[] } = {},
  rest: { checkpoint?: Record<string, unknown>; username?: string | null } = {},
) {
  const ctx = publishContext({
    tokens: { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN },
    account: {
      remoteAccountId: '2244994945',
      remoteUsername: rest.username === undefined ? 'devperson' : rest.username,
      accountType: 'person',
    },
    content: { text: content.text ?? 'Hello world', media: content.media ?? [], options: {} },
    ...(rest.checkpoint ? { checkpoint: rest.checkpoint } : {}),
  });
  const declare = ctx.beforeCreate;
  ctx.beforeCreate = async (checkpoint) => {
    fake.events.push('beforeCreate');
    await declare(checkpoint);
  };
  return ctx;
}

const image = (name: string, bytes = patterned(2000, name.length)) =>
  mediaFromBytes(`https://cdn.example.com/${name}.png`, 'image', 'image/png', bytes);

describe('X publish: text', () => {
  it('posts the text to /2/tweets under the prefixed base, declaring the create just before', async () => {
    const fake = new FakeX();
    server.use(...fake.handlers());
    const ctx = context(fake);

    const post = await publisher().publish(ctx);

    expect(post).toEqual({ externalId: TWEET_ID, url: `https://x.com/devperson/status/${TWEET_ID}` });
    expect(fake.tweets[0]?.body).toEqual({ text: 'Hello world' });
    expect(fake.tweets[0]?.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(fake.tweets[0]?.headers.get('content-type')).toBe('application/json');
    expect(fake.events).toEqual(['beforeCreate', 'tweet']);
    expect(ctx.createCalls).toBe(1);
    expect(ctx.saved.at(-1)).toMatchObject({ post });
  });

  it("uses X's real API host by default", async () => {
    let url: string | undefined;
    server.use(
      http.post('https://api.x.com/2/tweets', ({ request }) => {
        url = request.url;
        return HttpResponse.json({ data: { id: TWEET_ID, text: 'Hello world' } }, { status: 201 });
      }),
    );
    await publisher({}, REAL).publish(context({ events: [] }));
    expect(url).toBe('https://api.x.com/2/tweets');
  });

  it('links through /i/web/status when the account has no username', async () => {
    const fake = new FakeX();
    server.use(...fake.handlers());
    const post = await publisher().publish(context(fake, {}, { username: null }));
    expect(post.url).toBe(`https://x.com/i/web/status/${TWEET_ID}`);
  });

  it('returns a tweet already recorded in the checkpoint without posting again', async () => {
    const fake = new FakeX();
    const post = { externalId: TWEET_ID, url: `https://x.com/devperson/status/${TWEET_ID}` };
    // No handlers: any request would be unhandled.
    const ctx = context(fake, {}, { checkpoint: { post } });
    expect(await publisher().publish(ctx)).toEqual(post);
    expect(ctx.createCalls).toBe(0);
    expect(fake.events).toEqual([]);
  });
});

describe('X publish: images and GIFs', () => {
  it('uploads each image as multipart tweet_image, saves the ids, then names them in order', async () => {
    const fake = new FakeX();
    server.use(...fake.handlers());
    const first = image('a');
    const second = image('b', patterned(3000, 7));
    const ctx = context(fake, { media: [first, second] });

    await publisher().publish(ctx);

    expect(fake.uploads.map((upload) => upload.category)).toEqual(['tweet_image', 'tweet_image']);
    expect(fake.uploads.map((upload) => upload.type)).toEqual(['image/png', 'image/png']);
    expect(fake.uploads.every((upload) => upload.authorization === `Bearer ${ACCESS_TOKEN}`)).toBe(true);
    expectSameBytes(fake.uploads[0]!.bytes, patterned(2000, 1));
    expectSameBytes(fake.uploads[1]!.bytes, patterned(3000, 7));
    expect(fake.tweets[0]?.body).toEqual({ text: 'Hello world', media: { media_ids: ['img-1', 'img-2'] } });
    expect(fake.events).toEqual(['upload:img-1', 'upload:img-2', 'beforeCreate', 'tweet']);
    const uploadedAt = NOW.toISOString();
    expect(ctx.saved[0]).toEqual({
      media: [{ url: first.url, mediaId: 'img-1', uploadedAt, processed: true }],
    });
    expect(ctx.saved[1]).toEqual({
      media: [
        { url: first.url, mediaId: 'img-1', uploadedAt, processed: true },
        { url: second.url, mediaId: 'img-2', uploadedAt, processed: true },
      ],
    });
  });

  it('uploads a GIF as tweet_gif', async () => {
    const fake = new FakeX();
    server.use(...fake.handlers());
    const gif = mediaFromBytes('https://cdn.example.com/a.gif', 'image', 'image/gif', patterned(4000));
    await publisher().publish(context(fake, { media: [gif] }));
    expect(fake.uploads[0]?.category).toBe('tweet_gif');
    expect(fake.uploads[0]?.type).toBe('image/gif');
  });

  it('sends no text field for a media-only tweet', async () => {
    const fake = new FakeX();
    server.use(...fake.handlers());
    await publisher().publish(context(fake, { text: '', media: [image('a')] }));
    expect(fake.tweets[0]?.body).toEqual({ media: { media_ids: ['img-1'] } });
  });

  it('reuses media ids younger than 12 hours and uploads the rest', async () => {
    const fake = new FakeX();
    server.use(...fake.handlers());
    const first = image('a');
    const second = image('b');
    const uploadedAt = new Date(NOW.getTime() - 60 * 60 * 1000).toISOString();
    const ctx = context(
      fake,
      { media: [first, second] },
      { checkpoint: { media: [{ url: first.url, mediaId: 'old-1', uploadedAt, processed: true }] } },
    );

    await publisher().publish(ctx);

    expect(first.opens).toBe(0);
    expect(fake.uploads).toHaveLength(1);
    expect(fake.tweets[0]?.body).toMatchObject({ media: { media_ids: ['old-1', 'img-1'] } });
  });

  it('uploads again when the saved id is too old or belongs to another file', async () => {
    const fake = new FakeX();
    server.use(...fake.handlers());
    const first = image('a');
    const second = image('b');
    const stale = new Date(NOW.getTime() - TWITTER_MEDIA_REUSE_MS - 1000).toISOString();
    const recent = NOW.toISOString();
    const ctx = context(
      fake,
      { media: [first, second] },
      {
        checkpoint: {
          media: [
            { url: first.url, mediaId: 'stale-1', uploadedAt: stale, processed: true },
            {
              url: 'https://cdn.example.com/other.png',
              mediaId: 'other-2',
              uploadedAt: recent,
              processed: true,
            },
          ],
        },
      },
    );

    await publisher().publish(ctx);

    expect(fake.uploads).toHaveLength(2);
    expect(fake.tweets[0]?.body).toMatchObject({ media: { media_ids: ['img-1', 'img-2'] } });
    expect(ctx.saved.at(-1)).toMatchObject({
      media: [{ mediaId: 'img-1', uploadedAt: recent }, { mediaId: 'img-2' }],
    });
  });
});

describe('X publish: video', () => {
  it('initializes, appends chunk by chunk, finalizes, waits for processing, then tweets', async () => {
    const fake = new FakeX();
    fake.statuses = [
      { state: 'in_progress', check_after_secs: 3, progress_percent: 40 },
      { state: 'succeeded', progress_percent: 100 },
    ];
    server.use(...fake.handlers());
    const bytes = patterned(250 * KIB);
    const video = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', bytes);
    const ctx = context(fake, { media: [video] });

    const post = await publisher({ chunkBytes: 100 * KIB }).publish(ctx);

    expect(post.externalId).toBe(TWEET_ID);
    expect(fake.initializes).toEqual([
      { media_type: 'video/mp4', total_bytes: 250 * KIB, media_category: 'tweet_video' },
    ]);
    expect(fake.appends.map((append) => [append.mediaId, append.segment, append.bytes.byteLength])).toEqual([
      ['vid-1', '0', 100 * KIB],
      ['vid-1', '1', 100 * KIB],
      ['vid-1', '2', 50 * KIB],
    ]);
    const joined = Buffer.concat(fake.appends.map((append) => append.bytes));
    expectSameBytes(joined, bytes);
    expect(fake.statusQueries.map((query) => [query.get('command'), query.get('media_id')])).toEqual([
      ['STATUS', 'vid-1'],
      ['STATUS', 'vid-1'],
    ]);
    // check_after_secs of the finalize answer, then of the first STATUS answer.
    expect(ctx.sleeps).toEqual([2000, 3000]);
    expect(fake.events).toEqual([
      'initialize',
      'append:0',
      'append:1',
      'append:2',
      'finalize:vid-1',
      'status',
      'status',
      'beforeCreate',
      'tweet',
    ]);
    expect(fake.tweets[0]?.body).toEqual({ text: 'Hello world', media: { media_ids: ['vid-1'] } });
    expect(video.opens).toBe(1);
    // Saved unprocessed right after finalize, then processed.
    expect(ctx.saved[0]).toMatchObject({ media: [{ mediaId: 'vid-1', processed: false }] });
    expect(ctx.saved[1]).toMatchObject({ media: [{ mediaId: 'vid-1', processed: true }] });
  });

  it('tweets at once when finalize reports no processing', async () => {
    const fake = new FakeX();
    fake.finalizeInfo = undefined;
    server.use(...fake.handlers());
    const video = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', patterned(1000));
    const ctx = context(fake, { media: [video] });
    await publisher().publish(ctx);
    expect(fake.events).toEqual(['initialize', 'append:0', 'finalize:vid-1', 'beforeCreate', 'tweet']);
    expect(ctx.sleeps).toEqual([]);
  });

  it('counts a video of unknown size in a first pass instead of holding it in memory', async () => {
    const fake = new FakeX();
    server.use(...fake.handlers());
    const bytes = patterned(150 * KIB);
    const video = unsized(mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', bytes));

    await publisher({ chunkBytes: 64 * KIB }).publish(context(fake, { media: [video] }));

    expect(fake.initializes).toEqual([
      { media_type: 'video/mp4', total_bytes: 150 * KIB, media_category: 'tweet_video' },
    ]);
    expect(video.opens).toBe(2);
    expectSameBytes(Buffer.concat(fake.appends.map((append) => append.bytes)), bytes);
  });

  it('fails the media when X cannot process the video', async () => {
    const fake = new FakeX();
    fake.statuses = [
      { state: 'failed', error: { code: 1, name: 'InvalidMedia', message: 'Unsupported video format' } },
    ];
    server.use(...fake.handlers());
    const video = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', patterned(1000));
    const ctx = context(fake, { media: [video] });

    const error = await rejection(publisher().publish(ctx));

    expect(error).toBeInstanceOf(MediaError);
    expect((error as Error).message).toContain('Unsupported video format');
    expect(ctx.createCalls).toBe(0);
    expect(fake.tweets).toHaveLength(0);
  });

  it('gives up with retry after the polls it is allowed, and the next attempt resumes polling', async () => {
    const fake = new FakeX();
    fake.statuses = [
      { state: 'in_progress', check_after_secs: 1 },
      { state: 'in_progress', check_after_secs: 1 },
    ];
    server.use(...fake.handlers());
    const video = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', patterned(1000));
    const first = context(fake, { media: [video] });

    const error = await providerFailure(publisher({ maxStatusPolls: 2 }).publish(first));

    expect(error.classification.kind).toBe('retry');
    expect(error.providerCode).toBe('media_processing');
    expect(first.createCalls).toBe(0);
    expect(first.sleeps).toEqual([2000, 1000]);
    expect(first.checkpoint).toMatchObject({ media: [{ mediaId: 'vid-1', processed: false }] });

    fake.events = [];
    fake.statuses = [{ state: 'succeeded' }];
    const second = context(fake, { media: [video] }, { checkpoint: first.checkpoint });
    await publisher({ maxStatusPolls: 2 }).publish(second);

    expect(fake.events).toEqual(['status', 'beforeCreate', 'tweet']);
    expect(video.opens).toBe(1);
    expect(fake.tweets[0]?.body).toMatchObject({ media: { media_ids: ['vid-1'] } });
  });

  it('uploads the video again when X no longer knows the saved, unprocessed id', async () => {
    const fake = new FakeX();
    fake.finalizeInfo = undefined;
    server.use(
      http.get(UPLOAD, ({ request }) => {
        if (new URL(request.url).searchParams.get('media_id') !== 'lost-1') return undefined;
        fake.events.push('status:lost-1');
        return HttpResponse.json(
          { title: 'Invalid Request', detail: 'media_id not found', type: 'about:blank', status: 400 },
          { status: 400 },
        );
      }),
      ...fake.handlers(),
    );
    const video = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', patterned(1000));
    const uploadedAt = new Date(NOW.getTime() - 60_000).toISOString();
    const ctx = context(
      fake,
      { media: [video] },
      { checkpoint: { media: [{ url: video.url, mediaId: 'lost-1', uploadedAt, processed: false }] } },
    );

    await publisher().publish(ctx);

    expect(fake.events).toEqual([
      'status:lost-1',
      'initialize',
      'append:0',
      'finalize:vid-1',
      'beforeCreate',
      'tweet',
    ]);
    expect(fake.tweets[0]?.body).toMatchObject({ media: { media_ids: ['vid-1'] } });
  });

  it('refuses a video longer than its announced size before finalizing', async () => {
    const fake = new FakeX();
    server.use(...fake.handlers());
    const video = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', patterned(3000));
    video.size = 2000;
    const open = video.open.bind(video);
    video.open = async () => ({ ...(await open()), size: 2000 });

    const error = await rejection(publisher().publish(context(fake, { media: [video] })));

    expect(error).toBeInstanceOf(MediaError);
    expect(fake.events).not.toContain('finalize:vid-1');
  });
});

describe('X publish: media rules', () => {
  const video = () => mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', patterned(10));
  const gif = (name: string) =>
    mediaFromBytes(`https://cdn.example.com/${name}.gif`, 'image', 'image/gif', patterned(10));

  it('refuses more than four images, or a GIF or video with anything else', async () => {
    const cases: MediaItem[][] = [
      ['a', 'b', 'c', 'd', 'e'].map((name) => image(name)),
      [image('a'), video()],
      [gif('a'), gif('b')],
      [gif('a'), image('b')],
      [video(), video()],
    ];
    for (const media of cases) {
      const fake = new FakeX();
      // No handlers: the rules are checked before anything is uploaded.
      const ctx = context(fake, { media });
      const error = await rejection(publisher().publish(ctx));
      expect(error).toBeInstanceOf(MediaError);
      expect((error as MediaError).platform).toBe('twitter');
      expect(ctx.createCalls).toBe(0);
    }
  });

  it('refuses files above the size limits before opening them', async () => {
    const cases = [
      claimed('https://cdn.example.com/big.png', 'image', 'image/png', 5 * MB + 1),
      claimed('https://cdn.example.com/big.gif', 'image', 'image/gif', 15 * MB + 1),
      claimed('https://cdn.example.com/big.mp4', 'video', 'video/mp4', 512 * MB + 1),
    ];
    for (const item of cases) {
      const error = await rejection(publisher().publish(context({ events: [] }, { media: [item] })));
      expect(error, item.url).toBeInstanceOf(MediaError);
    }
  });

  it('accepts a GIF larger than the image limit', async () => {
    const fake = new FakeX();
    server.use(...fake.handlers());
    const big = mediaFromBytes('https://cdn.example.com/big.gif', 'image', 'image/gif', patterned(6 * MB));
    await publisher().publish(context(fake, { media: [big] }));
    expect(fake.uploads[0]?.bytes.byteLength).toBe(6 * MB);
  });

  it('stops reading an image of unknown size once it passes the limit', async () => {
    const big = unsized(
      mediaFromBytes('https://cdn.example.com/big.png', 'image', 'image/png', patterned(5 * MB + 10)),
    );
    // No handlers: the image must be refused before it is sent.
    const error = await rejection(publisher().publish(context({ events: [] }, { media: [big] })));
    expect(error).toBeInstanceOf(MediaError);
    expect((error as Error).message).toContain('5 MB');
  });
});

describe('X publish errors', () => {
  const problem = (status: number, title: string, detail: string, type = 'about:blank') => ({
    title,
    detail,
    type,
    status,
  });
  const reset = Math.floor(NOW.getTime() / 1000) + 900;

  async function tweetFails(status: number, body: object, headers: Record<string, string> = {}) {
    server.use(http.post(TWEETS, () => HttpResponse.json(body, { status, headers })));
    const ctx = context({ events: [] });
    const error = await providerFailure(publisher().publish(ctx));
    expect(ctx.createCalls).toBe(1);
    return error;
  }

  it('classifies 401 as reconnect', async () => {
    const error = await tweetFails(401, problem(401, 'Unauthorized', 'Unauthorized'));
    expect(error.classification.kind).toBe('reconnect');
  });

  it('classifies duplicate content and forbidden as permanent', async () => {
    const error = await tweetFails(
      403,
      problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.'),
    );
    expect(error.classification.kind).toBe('permanent');
    expect(error.message).toContain('duplicate content');
  });

  it('retries a 429 once x-rate-limit-reset has passed', async () => {
    const error = await tweetFails(429, problem(429, 'Too Many Requests', 'Too Many Requests'), {
      'x-rate-limit-reset': String(reset),
    });
    expect(error.classification).toEqual({
      kind: 'retry',
      message: expect.any(String),
      retryAfterMs: 900_000,
    });
  });

  it('retries usage-capped and 5xx', async () => {
    const capped = await tweetFails(429, {
      title: 'UsageCapExceeded',
      detail: 'Usage cap exceeded: Monthly product cap',
      type: 'https://api.twitter.com/2/problems/usage-capped',
    });
    expect(capped.classification.kind).toBe('retry');
    expect(capped.providerCode).toBe('usage-capped');
    for (const status of [500, 503]) {
      const error = await tweetFails(status, problem(status, 'Service Unavailable', 'Service Unavailable'));
      expect(error.classification.kind).toBe('retry');
      expect(error.outcomeUnknown).toBe(false);
    }
  });

  it('treats other 4xx as permanent', async () => {
    const error = await tweetFails(
      400,
      problem(400, 'Invalid Request', 'One or more parameters to your request was invalid.'),
    );
    expect(error.classification.kind).toBe('permanent');
  });

  it('marks a gateway timeout and an answer without an id as outcome unknown', async () => {
    const timeout = await tweetFails(504, problem(504, 'Gateway Timeout', 'Gateway Timeout'));
    expect(timeout.classification.kind).toBe('retry');
    expect(timeout.outcomeUnknown).toBe(true);

    const missing = await tweetFails(201, { data: {} });
    expect(missing.outcomeUnknown).toBe(true);
    expect(missing.providerCode).toBe('missing_tweet_id');
  });

  it('never repeats the tokens in its messages', async () => {
    const error = await tweetFails(
      400,
      problem(400, 'Invalid Request', `token ${ACCESS_TOKEN} and ${REFRESH_TOKEN} are wrong`),
    );
    expect(error.message).toContain('Invalid Request');
  });

  it('classifies a failed media upload without declaring the create', async () => {
    server.use(
      http.post(UPLOAD, () =>
        HttpResponse.json(problem(429, 'Too Many Requests', 'Too Many Requests'), {
          status: 429,
          headers: { 'x-rate-limit-reset': String(reset) },
        }),
      ),
    );
    const ctx = context({ events: [] }, { media: [image('a')] });
    const error = await providerFailure(publisher().publish(ctx));
    expect(error.classification).toMatchObject({ kind: 'retry', retryAfterMs: 900_000 });
    expect(ctx.createCalls).toBe(0);
  });
});

describe('X recover', () => {
  it('trusts a tweet recorded in the checkpoint', async () => {
    const post = { externalId: TWEET_ID, url: `https://x.com/devperson/status/${TWEET_ID}` };
    const ctx = context({ events: [] }, {}, { checkpoint: { post } });
    expect(await publisher().recover!(ctx)).toEqual({ outcome: 'published', post });
  });

  it('cannot tell otherwise', async () => {
    const ctx = context({ events: [] }, {}, { checkpoint: { media: [] } });
    expect(await publisher().recover!(ctx)).toEqual({ outcome: 'unknown' });
  });
});
