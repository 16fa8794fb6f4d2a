import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mediaFromBytes, publishContext } from '../../../test/publish-context.js';
import { DAILY_LIMIT_COOL_OFF_MS } from '../graph-errors.js';
import { MediaError, type MediaItem } from '../publishing.js';
import { type ProviderEndpoints, ProviderError } from '../types.js';
import {
  createInstagramPublisher,
  INSTAGRAM_CHILD_REUSE_MS,
  INSTAGRAM_MAX_STATUS_POLLS,
  INSTAGRAM_STATUS_POLL_INTERVAL_MS,
  type InstagramPublisherOptions,
} from './publish.js';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const IG_USER_ID = '17841405793187218';
const TOKEN = 'IGAAlonglivedTOKEN0123456789abcdefghijkl';
const VERSION = 'v25.0';
const MEDIA_ID = '18031234567890123';
const PERMALINK = 'https://www.instagram.com/p/DAbCdEfGhIj/';

// A fake deployment behind a path prefix, as configuration allows.
const API = 'http://127.0.0.1:9000/fake-ig';
const PREFIXED: ProviderEndpoints = {
  authorizeUrl: `${API}/oauth/authorize`,
  tokenUrl: `${API}/oauth/access_token`,
  apiUrl: `${API}/`,
  extra: { graphVersion: VERSION },
};
const REAL: ProviderEndpoints = {
  authorizeUrl: 'https://www.instagram.com/oauth/authorize',
  tokenUrl: 'https://api.instagram.com/oauth/access_token',
  apiUrl: 'https://graph.instagram.com',
  extra: { graphVersion: 'v26.0' },
};

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const publisher = (options: InstagramPublisherOptions = {}, endpoints = PREFIXED) =>
  createInstagramPublisher({ endpoints, now: () => NOW }, options);

const graphErrorBody = (code: number, subcode?: number, message = 'An error occurred') => ({
  error: {
    message,
    type: 'OAuthException',
    code,
    ...(subcode === undefined ? {} : { error_subcode: subcode }),
    fbtrace_id: 'A1b2C3d4E5f',
  },
});
const graphFailure = (status: number, code: number, subcode?: number) =>
  HttpResponse.json(graphErrorBody(code, subcode), { status });

interface Seen {
  method: string;
  url: URL;
  form: Record<string, string>;
  authorization: string | null;
  contentType: string | null;
}

type Reply = (seen: Seen) => Response | undefined;

/**
 * An Instagram Graph API that behaves like the real one (docs/providers.md, Instagram): containers
 * walk through the status scripts given for them, media_publish turns a FINISHED container into
 * PUBLISHED media. Every request is logged, in order, into `events` (which the context also logs into).
 */
class FakeInstagram {
  events: string[] = [];
  requests: Seen[] = [];
  /** Status scripts for the containers created next, in creation order; `FINISHED` when none is left. */
  scripts: string[][] = [];
  /** Each container's remaining statuses; the last one stays. */
  statuses = new Map<string, string[]>();
  quotaUsage = 3;
  replies: { media?: Reply; status?: Reply; publish?: Reply; permalink?: Reply; quota?: Reply } = {};
  private nextContainer = 1;

  constructor(
    readonly api = API,
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

  /** Presets a container an earlier attempt made. */
  container(id: string, ...statuses: string[]) {
    this.statuses.set(id, statuses);
  }

  private statusOf(id: string): string | undefined {
    const script = this.statuses.get(id);
    if (!script) return undefined;
    return script.length > 1 ? script.shift() : script[0];
  }

  get forms() {
    return this.requests.filter((r) => r.method === 'POST').map((r) => r.form);
  }

  handlers() {
    const base = `${this.api}/${this.version}`;
    return [
      http.get(`${base}/:user/content_publishing_limit`, async ({ request }) => {
        const seen = await this.record(request, 'quota');
        return (
          this.replies.quota?.(seen) ??
          HttpResponse.json({
            data: [{ quota_usage: this.quotaUsage, config: { quota_total: 50, quota_duration: 86400 } }],
          })
        );
      }),
      http.post(`${base}/:user/media`, async ({ request }) => {
        const id = `c${this.nextContainer}`;
        const seen = await this.record(request, `media:${id}`);
        const replaced = this.replies.media?.(seen);
        if (replaced) return replaced;
        this.nextContainer += 1;
        this.statuses.set(id, this.scripts.shift() ?? ['FINISHED']);
        return HttpResponse.json({ id });
      }),
      http.post(`${base}/:user/media_publish`, async ({ request }) => {
        const seen = await this.record(request, 'publish');
        const replaced = this.replies.publish?.(seen);
        if (replaced) return replaced;
        const id = seen.form.creation_id ?? '';
        if (this.statusOf(id) !== 'FINISHED') return graphFailure(400, 9007, 2207027);
        this.statuses.set(id, ['PUBLISHED']);
        return HttpResponse.json({ id: MEDIA_ID });
      }),
      http.get(`${base}/:node`, async ({ request, params }) => {
        const node = String(params.node);
        const fields = new URL(request.url).searchParams.get('fields');
        if (fields === 'permalink') {
          const seen = await this.record(request, 'permalink');
          return this.replies.permalink?.(seen) ?? HttpResponse.json({ permalink: PERMALINK, id: node });
        }
        const seen = await this.record(request, `status:${node}`);
        const replaced = this.replies.status?.(seen);
        if (replaced) return replaced;
        const status = this.statusOf(node);
        if (!status) return graphFailure(400, 100, 33);
        return HttpResponse.json({ status_code: status, id: node });
      }),
    ];
  }
}

/** A publish context that logs `save`, `beforeCreate` and `sleep` into the fake's event list. */
function context(
  fake: { events: string[] },
  content: { text?: string; media?: MediaItem[]; mediaType?: string } = {},
  checkpoint?: Record<string, unknown>,
) {
  const ctx = publishContext({
    tokens: { accessToken: TOKEN },
    account: { remoteAccountId: IG_USER_ID, remoteUsername: 'acme.bakery', accountType: 'business' },
    content: {
      text: content.text ?? 'Fresh bread #bakery',
      media: content.media ?? [image('loaf')],
      options: content.mediaType === undefined ? {} : { mediaType: content.mediaType },
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

function image(name: string, contentType = 'image/jpeg') {
  return mediaFromBytes(`https://cdn.example.com/${name}.jpg`, 'image', contentType, new Uint8Array([1, 2]));
}
const video = (name = 'clip') =>
  mediaFromBytes(`https://cdn.example.com/${name}.mp4`, 'video', 'video/mp4', new Uint8Array([3, 4]));

/** Every request carried the token as a Bearer header and nowhere in its URL or body. */
function expectTokenOnlyInHeader(fake: FakeInstagram) {
  expect(fake.requests.length).toBeGreaterThan(0);
  for (const seen of fake.requests) {
    expect(seen.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen.url.searchParams.has('access_token')).toBe(false);
    expect(seen.url.toString()).not.toContain(TOKEN);
    expect(Object.values(seen.form).join(' ')).not.toContain(TOKEN);
    if (seen.method === 'POST') expect(seen.contentType).toMatch(/^application\/x-www-form-urlencoded/);
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
  expect(failure.platform).toBe('instagram');
  expect(failure.message).not.toContain(TOKEN);
  return failure;
}

function setup() {
  const fake = new FakeInstagram();
  server.use(...fake.handlers());
  return fake;
}

const path = (seen: Seen) => `${seen.method} ${seen.url.pathname}${seen.url.search}`;

describe('instagram publish: single media', () => {
  it('creates an image container, waits for FINISHED, declares the create, publishes, reads the permalink', async () => {
    const fake = setup();
    const photo = image('loaf');
    const ctx = context(fake, { media: [photo] });

    const post = await publisher().publish(ctx);

    expect(post).toEqual({ externalId: MEDIA_ID, url: PERMALINK });
    expect(fake.requests.map(path)).toEqual([
      `GET /fake-ig/${VERSION}/${IG_USER_ID}/content_publishing_limit?fields=quota_usage%2Cconfig`,
      `POST /fake-ig/${VERSION}/${IG_USER_ID}/media`,
      `GET /fake-ig/${VERSION}/c1?fields=status_code`,
      `POST /fake-ig/${VERSION}/${IG_USER_ID}/media_publish`,
      `GET /fake-ig/${VERSION}/${MEDIA_ID}?fields=permalink`,
    ]);
    expect(fake.forms).toEqual([
      { image_url: 'https://cdn.example.com/loaf.jpg', caption: 'Fresh bread #bakery' },
      { creation_id: 'c1' },
    ]);
    expect(fake.events).toEqual([
      'quota',
      'media:c1',
      'save',
      'status:c1',
      'beforeCreate',
      'publish',
      'save',
      'permalink',
      'save',
    ]);
    expect(ctx.createCalls).toBe(1);
    expect(ctx.saved[0]).toEqual({ containerId: 'c1' });
    // The real media id is saved before the permalink is read, then completed.
    expect(ctx.saved[2]).toEqual({ containerId: 'c1', post: { externalId: MEDIA_ID, url: null } });
    expect(ctx.saved.at(-1)).toEqual({ containerId: 'c1', post });
    expect(ctx.sleeps).toEqual([]);
    // Instagram fetches the file itself: we never download it.
    expect(photo.opens).toBe(0);
    expectTokenOnlyInHeader(fake);
  });

  it('uses graph.instagram.com and the configured version by default', async () => {
    const fake = new FakeInstagram('https://graph.instagram.com', 'v26.0');
    server.use(...fake.handlers());
    await publisher({}, REAL).publish(context(fake));
    expect(fake.requests[1]!.url.toString()).toBe(`https://graph.instagram.com/v26.0/${IG_USER_ID}/media`);
    expect(fake.requests[3]!.url.toString()).toBe(
      `https://graph.instagram.com/v26.0/${IG_USER_ID}/media_publish`,
    );
  });

  it('makes one video a reel and polls its container while it is in progress', async () => {
    const fake = setup();
    fake.scripts = [['IN_PROGRESS', 'IN_PROGRESS', 'FINISHED']];
    const ctx = context(fake, { media: [video()] });

    await publisher().publish(ctx);

    expect(fake.forms[0]).toEqual({
      media_type: 'REELS',
      video_url: 'https://cdn.example.com/clip.mp4',
      caption: 'Fresh bread #bakery',
    });
    expect(fake.events.slice(1, 9)).toEqual([
      'media:c1',
      'save',
      'status:c1',
      'sleep',
      'status:c1',
      'sleep',
      'status:c1',
      'beforeCreate',
    ]);
    expect(ctx.sleeps).toEqual([INSTAGRAM_STATUS_POLL_INTERVAL_MS, INSTAGRAM_STATUS_POLL_INTERVAL_MS]);
  });

  it.each([
    ['an image', () => image('s'), { image_url: 'https://cdn.example.com/s.jpg' }],
    ['a video', () => video('s'), { video_url: 'https://cdn.example.com/s.mp4' }],
  ])('posts %s as a story, without a caption', async (_name, item, field) => {
    const fake = setup();
    await publisher().publish(context(fake, { media: [item()], mediaType: 'story' }));
    expect(fake.forms[0]).toEqual({ media_type: 'STORIES', ...field });
  });

  it('sends no caption when the text is empty', async () => {
    const fake = setup();
    await publisher().publish(context(fake, { text: '' }));
    expect(fake.forms[0]).toEqual({ image_url: 'https://cdn.example.com/loaf.jpg' });
  });

  it('returns a post already recorded in the checkpoint without any request', async () => {
    const fake = setup();
    const post = { externalId: MEDIA_ID, url: PERMALINK };
    const ctx = context(fake, {}, { containerId: 'c9', post });
    expect(await publisher().publish(ctx)).toEqual(post);
    expect(fake.events).toEqual([]);
    expect(ctx.createCalls).toBe(0);
  });
});

describe('instagram publish: carousel', () => {
  it('makes one container per item, each polled to FINISHED, then the carousel, then publishes it', async () => {
    const fake = setup();
    fake.scripts = [['FINISHED'], ['IN_PROGRESS', 'FINISHED'], ['FINISHED'], ['IN_PROGRESS', 'FINISHED']];
    const ctx = context(fake, { media: [image('a'), video('b'), image('c')] });

    const post = await publisher().publish(ctx);

    expect(post).toEqual({ externalId: MEDIA_ID, url: PERMALINK });
    expect(fake.forms).toEqual([
      { is_carousel_item: 'true', image_url: 'https://cdn.example.com/a.jpg' },
      { is_carousel_item: 'true', media_type: 'VIDEO', video_url: 'https://cdn.example.com/b.mp4' },
      { is_carousel_item: 'true', image_url: 'https://cdn.example.com/c.jpg' },
      { media_type: 'CAROUSEL', children: 'c1,c2,c3', caption: 'Fresh bread #bakery' },
      { creation_id: 'c4' },
    ]);
    expect(fake.events).toEqual([
      'quota',
      'media:c1',
      'save',
      'status:c1',
      'save',
      'media:c2',
      'save',
      'status:c2',
      'sleep',
      'status:c2',
      'save',
      'media:c3',
      'save',
      'status:c3',
      'save',
      'media:c4',
      'save',
      'status:c4',
      'sleep',
      'status:c4',
      'beforeCreate',
      'publish',
      'save',
      'permalink',
      'save',
    ]);
    const child = (n: number, url: string, finished: boolean) => ({
      url,
      containerId: `c${n}`,
      createdAt: NOW.toISOString(),
      finished,
    });
    // Each item is saved the moment it exists, then again once FINISHED.
    expect(ctx.saved[0]).toEqual({ children: [child(1, 'https://cdn.example.com/a.jpg', false)] });
    expect(ctx.saved[1]).toEqual({ children: [child(1, 'https://cdn.example.com/a.jpg', true)] });
    expect(ctx.saved[6]).toEqual({
      children: [
        child(1, 'https://cdn.example.com/a.jpg', true),
        child(2, 'https://cdn.example.com/b.mp4', true),
        child(3, 'https://cdn.example.com/c.jpg', true),
      ],
      containerId: 'c4',
    });
    expect(ctx.createCalls).toBe(1);
    expectTokenOnlyInHeader(fake);
  });

  it('reuses item containers of an earlier attempt, polling unfinished ones, recreating stale ones', async () => {
    const fake = setup();
    fake.container('old1', 'EXPIRED'); // finished: never read again
    fake.container('old2', 'IN_PROGRESS', 'FINISHED');
    const fresh = NOW.toISOString();
    const stale = new Date(NOW.getTime() - INSTAGRAM_CHILD_REUSE_MS - 1).toISOString();
    const checkpoint = {
      children: [
        { url: 'https://cdn.example.com/a.jpg', containerId: 'old1', createdAt: fresh, finished: true },
        { url: 'https://cdn.example.com/b.jpg', containerId: 'old2', createdAt: fresh, finished: false },
        { url: 'https://cdn.example.com/c.jpg', containerId: 'old3', createdAt: stale, finished: true },
      ],
    };
    const ctx = context(fake, { media: [image('a'), image('b'), image('c')] }, checkpoint);

    await publisher().publish(ctx);

    expect(fake.events.slice(0, 8)).toEqual([
      'quota',
      'status:old2',
      'sleep',
      'status:old2',
      'save',
      'media:c1',
      'save',
      'status:c1',
    ]);
    expect(fake.forms.slice(0, 2)).toEqual([
      { is_carousel_item: 'true', image_url: 'https://cdn.example.com/c.jpg' },
      { media_type: 'CAROUSEL', children: 'old1,old2,c1', caption: 'Fresh bread #bakery' },
    ]);
  });

  it('remakes an item container that expired', async () => {
    const fake = setup();
    fake.container('old1', 'EXPIRED');
    const checkpoint = {
      children: [
        {
          url: 'https://cdn.example.com/a.jpg',
          containerId: 'old1',
          createdAt: NOW.toISOString(),
          finished: false,
        },
      ],
    };
    await publisher().publish(context(fake, { media: [image('a'), image('b')] }, checkpoint));
    expect(fake.forms.slice(0, 3)).toEqual([
      { is_carousel_item: 'true', image_url: 'https://cdn.example.com/a.jpg' },
      { is_carousel_item: 'true', image_url: 'https://cdn.example.com/b.jpg' },
      { media_type: 'CAROUSEL', children: 'c1,c2', caption: 'Fresh bread #bakery' },
    ]);
  });

  it('fails with a MediaError naming the item Instagram could not process', async () => {
    const fake = setup();
    fake.scripts = [['FINISHED'], ['ERROR']];
    const ctx = context(fake, { media: [image('a'), image('b')] });
    const error = await rejection(publisher().publish(ctx));
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).message).toContain('https://cdn.example.com/b.jpg');
    expect(ctx.createCalls).toBe(0);
  });
});

describe('instagram publish: media rules', () => {
  it.each([
    ['no media', { media: [] }],
    ['a PNG image', { media: [image('p', 'image/png')] }],
    ['a PNG inside a carousel', { media: [image('a'), image('p', 'image/png')] }],
    ['an image post with a video', { media: [video()], mediaType: 'image' }],
    ['a reel with an image', { media: [image('a')], mediaType: 'reel' }],
    ['a carousel of one', { media: [image('a')], mediaType: 'carousel' }],
    ['a carousel of eleven', { media: Array.from({ length: 11 }, (_, i) => image(`p${i}`)) }],
    ['a story of two', { media: [image('a'), image('b')], mediaType: 'story' }],
    ['an image post of two', { media: [image('a'), image('b')], mediaType: 'image' }],
  ])('refuses %s before sending anything', async (_name, content) => {
    const fake = setup();
    const ctx = context(fake, content);
    const error = await rejection(publisher().publish(ctx));
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).platform).toBe('instagram');
    expect(fake.events).toEqual([]);
  });

  it('takes a JPEG announced with parameters and a carousel of ten', async () => {
    const fake = setup();
    const media = [
      image('first', 'image/jpeg; charset=binary'),
      ...Array.from({ length: 9 }, (_, i) => image(`p${i}`)),
    ];
    await publisher().publish(context(fake, { media }));
    expect(fake.forms.at(-2)).toMatchObject({
      media_type: 'CAROUSEL',
      children: 'c1,c2,c3,c4,c5,c6,c7,c8,c9,c10',
    });
  });
});

describe('instagram publish: containers across attempts', () => {
  it('gives up waiting after bounded polls with a retry, and the next attempt resumes that container', async () => {
    const fake = setup();
    fake.scripts = [['IN_PROGRESS']];
    const first = context(fake);

    const error = await providerFailure(
      publisher({ maxStatusPolls: 3, statusPollIntervalMs: 750 }).publish(first),
    );

    expect(error.classification.kind).toBe('retry');
    expect(error.providerCode).toBe('media_processing');
    expect(first.sleeps).toEqual([750, 750]);
    expect(fake.requests.filter((r) => r.url.pathname.endsWith('/c1'))).toHaveLength(3);
    expect(first.createCalls).toBe(0);
    expect(first.checkpoint).toEqual({ containerId: 'c1' });

    fake.container('c1', 'IN_PROGRESS', 'FINISHED');
    fake.events = [];
    const second = context(fake, {}, first.checkpoint);
    const post = await publisher().publish(second);

    expect(post.externalId).toBe(MEDIA_ID);
    expect(fake.events).toEqual([
      'status:c1',
      'quota',
      'sleep',
      'status:c1',
      'beforeCreate',
      'publish',
      'save',
      'permalink',
      'save',
    ]);
    expect(fake.forms.filter((form) => form.image_url)).toHaveLength(1);
  });

  it('polls a default bounded number of times', async () => {
    const fake = setup();
    fake.scripts = [['IN_PROGRESS']];
    const ctx = context(fake);
    await providerFailure(publisher().publish(ctx));
    expect(fake.requests.filter((r) => r.url.pathname.endsWith('/c1'))).toHaveLength(
      INSTAGRAM_MAX_STATUS_POLLS,
    );
    expect(ctx.sleeps).toHaveLength(INSTAGRAM_MAX_STATUS_POLLS - 1);
  });

  it('fails with a MediaError when the container ends in ERROR', async () => {
    const fake = setup();
    fake.scripts = [['IN_PROGRESS', 'ERROR']];
    const ctx = context(fake);
    const error = await rejection(publisher().publish(ctx));
    expect(error).toBeInstanceOf(MediaError);
    expect(ctx.createCalls).toBe(0);
    expect(fake.events).not.toContain('publish');
  });

  it('forgets an EXPIRED container and makes a new one', async () => {
    const fake = setup();
    fake.container('old', 'EXPIRED');
    const ctx = context(fake, {}, { containerId: 'old' });

    const post = await publisher().publish(ctx);

    expect(post.externalId).toBe(MEDIA_ID);
    expect(fake.events.slice(0, 5)).toEqual(['status:old', 'quota', 'save', 'media:c1', 'save']);
    expect(ctx.saved[0]).toEqual({});
    expect(fake.forms.at(-1)).toEqual({ creation_id: 'c1' });
  });

  it('forgets the items of an expired carousel with it', async () => {
    const fake = setup();
    fake.container('oldCarousel', 'EXPIRED');
    const checkpoint = {
      containerId: 'oldCarousel',
      children: [
        {
          url: 'https://cdn.example.com/a.jpg',
          containerId: 'old1',
          createdAt: NOW.toISOString(),
          finished: true,
        },
        {
          url: 'https://cdn.example.com/b.jpg',
          containerId: 'old2',
          createdAt: NOW.toISOString(),
          finished: true,
        },
      ],
    };
    await publisher().publish(context(fake, { media: [image('a'), image('b')] }, checkpoint));
    expect(fake.forms.slice(0, 3).map((form) => form.children ?? form.image_url)).toEqual([
      'https://cdn.example.com/a.jpg',
      'https://cdn.example.com/b.jpg',
      'c1,c2',
    ]);
  });

  it('never republishes a container that is already PUBLISHED', async () => {
    const fake = setup();
    fake.container('done', 'PUBLISHED');
    const ctx = context(fake, {}, { containerId: 'done' });

    const post = await publisher().publish(ctx);

    // The media id was lost with the answer: the container id stands in.
    expect(post).toEqual({ externalId: 'done', url: null });
    expect(fake.events).toEqual(['status:done', 'save']);
    expect(ctx.createCalls).toBe(0);
    expect(ctx.saved.at(-1)).toEqual({ containerId: 'done', post });
  });

  it('does not publish a container that turns PUBLISHED while it is being polled', async () => {
    const fake = setup();
    fake.container('busy', 'IN_PROGRESS', 'PUBLISHED');
    const ctx = context(fake, {}, { containerId: 'busy' });
    const post = await publisher().publish(ctx);
    expect(post).toEqual({ externalId: 'busy', url: null });
    expect(fake.events).not.toContain('publish');
    expect(ctx.createCalls).toBe(0);
  });

  it('after a lost media_publish answer, the next attempt finds the container PUBLISHED and stops', async () => {
    const fake = setup();
    fake.replies.publish = () => {
      fake.statuses.set('c1', ['PUBLISHED']);
      return HttpResponse.error();
    };
    const first = context(fake);

    const error = await providerFailure(publisher().publish(first));

    expect(error.outcomeUnknown).toBe(true);
    expect(first.createCalls).toBe(1);

    fake.replies.publish = () => expect.unreachable('a published container must not be published again');
    const second = context(fake, {}, first.checkpoint);
    expect(await publisher().publish(second)).toEqual({ externalId: 'c1', url: null });
    expect(second.createCalls).toBe(0);
  });

  it('propagates a failed read of the checkpointed container instead of guessing', async () => {
    const fake = setup();
    const ctx = context(fake, {}, { containerId: 'unknown-to-instagram' });
    const error = await providerFailure(publisher().publish(ctx));
    expect(error.classification.kind).toBe('permanent');
    expect(error.providerCode).toBe('100/33');
    expect(fake.events).toEqual(['status:unknown-to-instagram']);
  });
});

describe('instagram publish: permalink and quota', () => {
  it('publishes with a null URL when the permalink cannot be read', async () => {
    const fake = setup();
    fake.replies.permalink = () => graphFailure(500, 2);
    const ctx = context(fake);
    const post = await publisher().publish(ctx);
    expect(post).toEqual({ externalId: MEDIA_ID, url: null });
    expect(ctx.saved.at(-1)).toMatchObject({ post: { externalId: MEDIA_ID, url: null } });
  });

  it('stops before making anything when the publishing quota is used up', async () => {
    const fake = setup();
    fake.quotaUsage = 50;
    const ctx = context(fake);
    const error = await providerFailure(publisher().publish(ctx));
    expect(error.classification).toMatchObject({ kind: 'retry', retryAfterMs: DAILY_LIMIT_COOL_OFF_MS });
    expect(error.providerCode).toBe('publishing_quota');
    expect(fake.events).toEqual(['quota']);
  });

  it('goes on when the quota cannot be read: media_publish enforces the real limit', async () => {
    const fake = setup();
    fake.replies.quota = () => graphFailure(500, 1);
    const post = await publisher().publish(context(fake));
    expect(post.externalId).toBe(MEDIA_ID);
  });

  it('stops when the quota read says the grant is dead', async () => {
    const fake = setup();
    fake.replies.quota = () => graphFailure(400, 190, 460);
    const error = await providerFailure(publisher().publish(context(fake)));
    expect(error.classification.kind).toBe('reconnect');
    expect(fake.events).toEqual(['quota']);
  });
});

describe('instagram publish: errors', () => {
  it.each([
    ['190 dead token', 'reconnect', 400, 190, undefined],
    ['190/463 expired token', 'reconnect', 400, 190, 463],
    ['102 session', 'reconnect', 400, 102, undefined],
    ['10 permission', 'reconnect', 403, 10, undefined],
    ['200 permission', 'reconnect', 403, 200, undefined],
    ['1 unknown', 'retry', 500, 1, undefined],
    ['2 service', 'retry', 503, 2, undefined],
    ['4 app limit', 'retry', 400, 4, undefined],
    ['17 user limit', 'retry', 400, 17, undefined],
    ['32 page limit', 'retry', 400, 32, undefined],
    ['613 custom limit', 'retry', 400, 613, undefined],
    ['80002 instagram limit', 'retry', 400, 80002, undefined],
    ['2207042 daily limit', 'retry', 400, 9, 2207042],
    ['100 invalid parameter', 'permanent', 400, 100, undefined],
  ] as const)('classifies %s on media_publish as %s', async (_name, kind, status, code, subcode) => {
    const fake = setup();
    fake.replies.publish = () => graphFailure(status, code, subcode);
    const ctx = context(fake);
    const error = await providerFailure(publisher().publish(ctx));
    expect(error.classification.kind).toBe(kind);
    expect(error.providerCode).toBe(subcode === undefined ? `${code}` : `${code}/${subcode}`);
    expect(error.outcomeUnknown).toBe(false);
    if (subcode === 2207042)
      expect(error.classification).toMatchObject({ retryAfterMs: DAILY_LIMIT_COOL_OFF_MS });
    expect(ctx.createCalls).toBe(1);
    // The container stays in the checkpoint for the next attempt.
    expect(ctx.checkpoint).toEqual({ containerId: 'c1' });
  });

  it.each([2207003, 2207020, 2207009, 2207010, 2207001, 2207050])(
    'classifies subcode %i on container creation as permanent',
    async (subcode) => {
      const fake = setup();
      fake.replies.media = () => graphFailure(400, subcode === 2207050 ? 10 : -2, subcode);
      const ctx = context(fake);
      const error = await providerFailure(publisher().publish(ctx));
      expect(error.classification.kind).toBe('permanent');
      expect(error.providerCode).toMatch(new RegExp(`/${subcode}$`));
      expect(ctx.createCalls).toBe(0);
    },
  );

  it('retries "media not ready for publishing" (2207027) after a short wait', async () => {
    const fake = setup();
    fake.replies.publish = () => graphFailure(400, 9007, 2207027);
    const error = await providerFailure(publisher().publish(context(fake)));
    expect(error.classification).toMatchObject({ kind: 'retry', retryAfterMs: 60_000 });
    expect(error.outcomeUnknown).toBe(false);
  });

  it.each([
    ['a 504 from the gateway', () => HttpResponse.json(graphErrorBody(2), { status: 504 })],
    ['a 502 that is not a Graph error', () => new HttpResponse('<html>Bad Gateway</html>', { status: 502 })],
    ['a 200 without the media id', () => HttpResponse.json({})],
  ])('marks %s on media_publish as outcome unknown', async (_name, response) => {
    const fake = setup();
    fake.replies.publish = response;
    const error = await providerFailure(publisher().publish(context(fake)));
    expect(error.classification.kind).toBe('retry');
    expect(error.outcomeUnknown).toBe(true);
  });

  it('does not mark a gateway failure on container creation as outcome unknown: a container is no post', async () => {
    const fake = setup();
    fake.replies.media = () => new HttpResponse('Bad Gateway', { status: 502 });
    const error = await providerFailure(publisher().publish(context(fake)));
    expect(error.classification.kind).toBe('retry');
    expect(error.outcomeUnknown).toBe(false);
  });

  it('never repeats the token Instagram echoes back in a message', async () => {
    const fake = setup();
    fake.replies.media = () =>
      HttpResponse.json(graphErrorBody(190, undefined, `Invalid OAuth access token - ${TOKEN}`), {
        status: 400,
      });
    const error = await providerFailure(publisher().publish(context(fake)));
    expect(error.message).toContain('190');
    expect(error.message).not.toContain(TOKEN);
  });

  it('refuses a container answer without an id as permanent', async () => {
    const fake = setup();
    fake.replies.media = () => HttpResponse.json({ success: true });
    const error = await providerFailure(publisher().publish(context(fake)));
    expect(error.classification.kind).toBe('permanent');
    expect(error.providerCode).toBe('missing_container_id');
  });
});

describe('instagram recover', () => {
  const recoverWith = (checkpoint: Record<string, unknown>) => {
    const fake = setup();
    return { fake, ctx: context(fake, {}, checkpoint) };
  };

  it('reports the post the checkpoint recorded without asking', async () => {
    const post = { externalId: MEDIA_ID, url: PERMALINK };
    const { fake, ctx } = recoverWith({ containerId: 'c1', post });
    expect(await publisher().recover!(ctx)).toEqual({ outcome: 'published', post });
    expect(fake.events).toEqual([]);
  });

  it('is sure nothing was published without a container', async () => {
    const { fake, ctx } = recoverWith({});
    expect(await publisher().recover!(ctx)).toEqual({ outcome: 'not_published' });
    expect(fake.events).toEqual([]);
  });

  it('reports a PUBLISHED container as published, under the container id', async () => {
    const { fake, ctx } = recoverWith({ containerId: 'done' });
    fake.container('done', 'PUBLISHED');
    expect(await publisher().recover!(ctx)).toEqual({
      outcome: 'published',
      post: { externalId: 'done', url: null },
    });
    expect(fake.requests.map(path)).toEqual([`GET /fake-ig/${VERSION}/done?fields=status_code`]);
    expectTokenOnlyInHeader(fake);
  });

  it('reports a FINISHED container as not published: publishing it is safe', async () => {
    const { fake, ctx } = recoverWith({ containerId: 'ready' });
    fake.container('ready', 'FINISHED');
    expect(await publisher().recover!(ctx)).toEqual({ outcome: 'not_published' });
  });

  it.each(['IN_PROGRESS', 'ERROR', 'EXPIRED', 'SOMETHING_NEW'])(
    'cannot tell for a %s container',
    async (status) => {
      const { fake, ctx } = recoverWith({ containerId: 'x' });
      fake.container('x', status);
      expect(await publisher().recover!(ctx)).toEqual({ outcome: 'unknown' });
    },
  );

  it('cannot tell when the container status cannot be read', async () => {
    const { fake, ctx } = recoverWith({ containerId: 'x' });
    fake.replies.status = () => graphFailure(500, 2);
    expect(await publisher().recover!(ctx)).toEqual({ outcome: 'unknown' });
    expect(fake.events).toEqual(['status:x']);
  });
});
