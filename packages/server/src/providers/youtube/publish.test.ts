import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mediaFromBytes, publishContext } from '../../../test/publish-context.js';
import { MediaByteReader } from '../media-stream.js';
import { MediaError, type MediaItem } from '../publishing.js';
import { type ProviderEndpoints, ProviderError } from '../types.js';
import { createYouTubePublisher } from './publish.js';

// 12:00 UTC on 28 November is 04:00 PST: the daily quota resets in 20 hours.
const NOW = new Date('2026-11-28T12:00:00.000Z');
const KIB = 1024;
const CHUNK = 256 * KIB;

// A fake deployment behind a path prefix, as configuration allows.
const PREFIXED: ProviderEndpoints = {
  authorizeUrl: 'http://127.0.0.1:9000/fake-google/o/oauth2/v2/auth',
  tokenUrl: 'http://127.0.0.1:9000/fake-google/token',
  apiUrl: 'http://127.0.0.1:9000/fake-google/',
  extra: { uploadUrl: 'http://127.0.0.1:9000/fake-google/upload/' },
};
const REAL: ProviderEndpoints = {
  authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  apiUrl: 'https://www.googleapis.com',
  extra: { uploadUrl: 'https://www.googleapis.com/upload' },
};
const INSERT = 'http://127.0.0.1:9000/fake-google/upload/youtube/v3/videos';
const SESSION = `${INSERT}?uploadType=resumable&upload_id=session-1`;
const THUMBNAILS = 'http://127.0.0.1:9000/fake-google/upload/youtube/v3/thumbnails/set';

const ACCESS_TOKEN = 'ya29.yt-access-token-AAA';
const REFRESH_TOKEN = '1//yt-refresh-token-R1';
const VIDEO_ID = 'dQw4w9WgXcQ';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Bytes whose value depends on their position, so a shifted or repeated range shows. */
function patterned(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) bytes[i] = (i * 31 + (i >> 10)) % 251;
  return bytes;
}

/** Byte-for-byte equality without a slow element-wise deep comparison of large arrays. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.byteLength).toBe(expected.byteLength);
  expect(Buffer.compare(Buffer.from(actual), Buffer.from(expected))).toBe(0);
}

const publisher = (chunkBytes = CHUNK, endpoints = PREFIXED) =>
  createYouTubePublisher({ endpoints, now: () => NOW }, { chunkBytes });

interface Options {
  video?: MediaItem;
  title?: string | undefined;
  options?: Record<string, unknown>;
  thumbnail?: MediaItem;
  checkpoint?: Record<string, unknown>;
}

/** A publish context that also logs `beforeCreate` into the shared event list. */
function context(events: string[], options: Options = {}) {
  const { video, ...rest } = options;
  const title = 'title' in options ? options.title : 'Engines, explained';
  const ctx = publishContext({
    tokens: { accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN },
    account: { remoteAccountId: 'UC_channel', remoteUsername: '@ada', accountType: 'channel' },
    content: {
      text: 'How engines work.',
      title,
      media: video ? [video] : [],
      options: rest.options ?? {},
      thumbnail: rest.thumbnail,
    },
    ...(rest.checkpoint ? { checkpoint: rest.checkpoint } : {}),
  });
  const declare = ctx.beforeCreate;
  ctx.beforeCreate = async (checkpoint) => {
    events.push('beforeCreate');
    await declare(checkpoint);
  };
  return ctx;
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

interface Put {
  contentRange: string | null;
  size: number;
  authorization: string | null;
}

/**
 * An in-memory resumable upload session that follows Google's protocol: it appends what a PUT
 * carries at its current length, answers 308 with the kept range until it holds the declared
 * total, then 201 with the video resource. `keep` can make it keep fewer bytes than sent.
 */
class FakeSession {
  bytes: Uint8Array = new Uint8Array(0);
  puts: Put[] = [];
  done = false;
  keep: (putIndex: number, size: number) => number = (_index, size) => size;

  constructor(
    private readonly events: string[],
    readonly uri = SESSION,
  ) {}

  private partial() {
    const headers: Record<string, string> =
      this.bytes.byteLength > 0 ? { Range: `bytes=0-${this.bytes.byteLength - 1}` } : {};
    return new HttpResponse(null, { status: 308, headers });
  }

  private finished() {
    return HttpResponse.json(
      { kind: 'youtube#video', id: VIDEO_ID, snippet: { title: 'Engines, explained' } },
      { status: 201 },
    );
  }

  handler() {
    return http.put(this.uri.split('?')[0]!, async ({ request }) => {
      const body = new Uint8Array(await request.arrayBuffer());
      const contentRange = request.headers.get('content-range');
      this.puts.push({
        contentRange,
        size: body.byteLength,
        authorization: request.headers.get('authorization'),
      });
      const probe = /^bytes \*\/(\d+|\*)$/.exec(contentRange ?? '');
      if (probe) {
        this.events.push('probe');
        if (this.done) return this.finished();
        if (probe[1] !== '*' && Number(probe[1]) === this.bytes.byteLength && this.bytes.byteLength > 0) {
          this.done = true;
          return this.finished();
        }
        return this.partial();
      }
      this.events.push('put');
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange ?? '');
      if (
        !range ||
        Number(range[1]) !== this.bytes.byteLength ||
        Number(range[2]) - Number(range[1]) + 1 !== body.byteLength
      ) {
        return HttpResponse.json({ error: { code: 400, message: 'bad Content-Range' } }, { status: 400 });
      }
      const kept = this.keep(this.puts.length - 1, body.byteLength);
      const grown = new Uint8Array(this.bytes.byteLength + kept);
      grown.set(this.bytes);
      grown.set(body.subarray(0, kept), this.bytes.byteLength);
      this.bytes = grown;
      if (range[3] !== '*' && this.bytes.byteLength === Number(range[3])) {
        this.done = true;
        return this.finished();
      }
      return this.partial();
    });
  }
}

interface SessionStart {
  url: URL;
  headers: Headers;
  body: unknown;
}

/** The `videos.insert` resumable start: records the request and answers with the session URI. */
function sessionStart(events: string[], starts: SessionStart[], location = SESSION, url = INSERT) {
  return http.post(url, async ({ request }) => {
    events.push('session');
    starts.push({ url: new URL(request.url), headers: request.headers, body: await request.json() });
    return new HttpResponse(null, { status: 200, headers: { Location: location } });
  });
}

const contentRanges = (session: FakeSession) => session.puts.map((put) => put.contentRange);

describe('YouTube publish: resumable upload', () => {
  it('starts a session, declares the create, then PUTs 256 KiB chunks with exact ranges', async () => {
    const events: string[] = [];
    const starts: SessionStart[] = [];
    const session = new FakeSession(events);
    server.use(sessionStart(events, starts), session.handler());
    const bytes = patterned(700 * KIB);
    const video = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', bytes);
    const ctx = context(events, { video });

    const post = await publisher().publish(ctx);

    expect(post).toEqual({ externalId: VIDEO_ID, url: `https://www.youtube.com/watch?v=${VIDEO_ID}` });
    const [start] = starts;
    expect(start?.url.pathname).toBe('/fake-google/upload/youtube/v3/videos');
    expect(start?.url.searchParams.get('uploadType')).toBe('resumable');
    expect(start?.url.searchParams.get('part')).toBe('snippet,status');
    expect(start?.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(start?.headers.get('x-upload-content-length')).toBe(String(700 * KIB));
    expect(start?.headers.get('x-upload-content-type')).toBe('video/mp4');
    expect(start?.headers.get('content-type')).toMatch(/^application\/json/);
    expect(start?.body).toEqual({
      snippet: { title: 'Engines, explained', description: 'How engines work.' },
      status: { privacyStatus: 'public', selfDeclaredMadeForKids: false },
    });

    expect(contentRanges(session)).toEqual([
      'bytes 0-262143/716800',
      'bytes 262144-524287/716800',
      'bytes 524288-716799/716800',
    ]);
    expect(session.puts.map((put) => put.size)).toEqual([CHUNK, CHUNK, 700 * KIB - 2 * CHUNK]);
    expect(session.puts.every((put) => put.authorization === `Bearer ${ACCESS_TOKEN}`)).toBe(true);
    expectSameBytes(session.bytes, bytes);
    expect(video.opens).toBe(1);

    expect(events).toEqual(['session', 'beforeCreate', 'put', 'put', 'put']);
    expect(ctx.createCalls).toBe(1);
    expect(ctx.saved[0]).toEqual({ sessionUri: SESSION, total: 700 * KIB });
    // The finished video is remembered, so a later attempt cannot upload it twice.
    expect(ctx.saved.at(-1)).toEqual({ sessionUri: SESSION, total: 700 * KIB, post });
  });

  it('sends the request options: privacy, tags, made for kids', async () => {
    const events: string[] = [];
    const starts: SessionStart[] = [];
    const session = new FakeSession(events);
    server.use(sessionStart(events, starts), session.handler());
    const video = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', patterned(1000));
    const ctx = context(events, {
      video,
      options: { privacyStatus: 'unlisted', tags: ['engines', 'steam power'], madeForKids: true },
    });

    await publisher().publish(ctx);

    expect(starts[0]?.body).toEqual({
      snippet: {
        title: 'Engines, explained',
        description: 'How engines work.',
        tags: ['engines', 'steam power'],
      },
      status: { privacyStatus: 'unlisted', selfDeclaredMadeForKids: true },
    });
    expect(contentRanges(session)).toEqual(['bytes 0-999/1000']);
  });

  it("uses Google's real upload host by default", async () => {
    const events: string[] = [];
    const starts: SessionStart[] = [];
    const uri = 'https://www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&upload_id=real-1';
    const session = new FakeSession(events, uri);
    server.use(
      sessionStart(events, starts, uri, 'https://www.googleapis.com/upload/youtube/v3/videos'),
      session.handler(),
    );
    const bytes = patterned(300 * KIB);
    const video = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', bytes);

    await publisher(CHUNK, REAL).publish(context(events, { video }));

    expect(starts[0]?.url.href).toBe(
      'https://www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status',
    );
    expectSameBytes(session.bytes, bytes);
  });

  it('resends from the Range end + 1 when the session kept fewer bytes than were sent', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    // The second PUT keeps only 100 KiB of its 256 KiB.
    session.keep = (index, size) => (index === 1 ? 100 * KIB : size);
    server.use(sessionStart(events, []), session.handler());
    const bytes = patterned(700 * KIB);
    const video = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', bytes);

    const post = await publisher().publish(context(events, { video }));

    expect(post.externalId).toBe(VIDEO_ID);
    expect(contentRanges(session)).toEqual([
      'bytes 0-262143/716800',
      'bytes 262144-524287/716800',
      // 262144 + 102400 = 364544: a full chunk again from there, then the rest.
      'bytes 364544-626687/716800',
      'bytes 626688-716799/716800',
    ]);
    expect(session.puts.map((put) => put.size)).toEqual([CHUNK, CHUNK, CHUNK, 716800 - 626688]);
    expectSameBytes(session.bytes, bytes);
    // The resend came from memory, not from a second download.
    expect(video.opens).toBe(1);
  });

  it('resends the tail of the last chunk when the session kept only part of it', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    session.keep = (index, size) => (index === 1 ? 1000 : size);
    server.use(sessionStart(events, []), session.handler());
    const bytes = patterned(300 * KIB);
    const video = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', bytes);

    await publisher().publish(context(events, { video }));

    expect(contentRanges(session)).toEqual([
      'bytes 0-262143/307200',
      'bytes 262144-307199/307200',
      'bytes 263144-307199/307200',
    ]);
    expectSameBytes(session.bytes, bytes);
  });

  it('omits X-Upload-Content-Length for a video of unknown size and declares the total on the last chunk', async () => {
    const events: string[] = [];
    const starts: SessionStart[] = [];
    const session = new FakeSession(events);
    server.use(sessionStart(events, starts), session.handler());
    const bytes = patterned(700 * KIB);
    const video = unsized(mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', bytes));
    const ctx = context(events, { video });

    await publisher().publish(ctx);

    expect(starts[0]?.headers.has('x-upload-content-length')).toBe(false);
    expect(contentRanges(session)).toEqual([
      'bytes 0-262143/*',
      'bytes 262144-524287/*',
      'bytes 524288-716799/716800',
    ]);
    expectSameBytes(session.bytes, bytes);
    expect(ctx.saved[0]).toEqual({ sessionUri: SESSION, total: null });
  });

  it('declares the total on a full last chunk of a video of unknown size', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    server.use(sessionStart(events, []), session.handler());
    const bytes = patterned(2 * CHUNK);
    const video = unsized(mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', bytes));

    await publisher().publish(context(events, { video }));

    expect(contentRanges(session)).toEqual(['bytes 0-262143/*', 'bytes 262144-524287/524288']);
    expectSameBytes(session.bytes, bytes);
  });

  it('reads the video as it uploads, never much more than one chunk ahead', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    const readAhead: number[] = [];
    const piece = 64 * KIB;
    const total = 1024 * KIB;
    let produced = 0;
    server.use(
      // Observes how much of the file had been read when each chunk arrived (listed first, runs first).
      http.put(SESSION.split('?')[0]!, ({ request }) => {
        const match = /^bytes (\d+)-(\d+)/.exec(request.headers.get('content-range') ?? '');
        if (match) readAhead.push(produced - Number(match[2]) - 1);
        return undefined;
      }),
      sessionStart(events, []),
      session.handler(),
    );
    const video: MediaItem = {
      url: 'https://cdn.example.com/big.mp4',
      kind: 'video',
      contentType: 'video/mp4',
      size: total,
      async open() {
        const body = new ReadableStream<Uint8Array>(
          {
            pull(controller) {
              if (produced >= total) return controller.close();
              controller.enqueue(patterned(total).subarray(produced, produced + piece));
              produced += piece;
            },
          },
          { highWaterMark: 0 },
        );
        return { contentType: 'video/mp4', size: total, body };
      },
    };

    await publisher().publish(context(events, { video }));

    expect(session.puts).toHaveLength(4);
    expect(readAhead).toHaveLength(4);
    // At most one stream piece beyond the chunk in flight (read to learn whether more follows).
    for (const ahead of readAhead) expect(ahead).toBeLessThanOrEqual(piece);
    expectSameBytes(session.bytes, patterned(total));
  });
});

/** The same media item without a known size, as when the server announced no length. */
function unsized(item: MediaItem & { opens: number }) {
  const open = item.open.bind(item);
  return Object.assign(item, {
    size: undefined,
    async open() {
      const opened = await open();
      return { ...opened, size: undefined };
    },
  });
}

describe('YouTube publish: what it refuses', () => {
  const video = () => mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', patterned(10));

  it('refuses a video without a title as a permanent error, before any request', async () => {
    for (const title of [undefined, '  ']) {
      const ctx = context([], { video: video(), title });
      const error = await providerFailure(publisher().publish(ctx));
      expect(error.classification.kind).toBe('permanent');
      expect(error.providerCode).toBe('title_required');
      expect(error).not.toBeInstanceOf(MediaError);
      expect(ctx.createCalls).toBe(0);
    }
  });

  it('needs exactly one video', async () => {
    const image = mediaFromBytes('https://cdn.example.com/a.png', 'image', 'image/png', patterned(10));
    const cases: MediaItem[][] = [[], [image], [video(), video()]];
    for (const media of cases) {
      const ctx = context([]);
      ctx.content.media = media;
      const error = await rejection(publisher().publish(ctx));
      expect(error).toBeInstanceOf(MediaError);
      expect((error as MediaError).platform).toBe('youtube');
      expect(ctx.createCalls).toBe(0);
    }
  });

  it('refuses a video whose kind says video but whose type is not video/*', async () => {
    const odd = mediaFromBytes(
      'https://cdn.example.com/v.bin',
      'video',
      'application/octet-stream',
      patterned(10),
    );
    const error = await rejection(publisher().publish(context([], { video: odd })));
    expect(error).toBeInstanceOf(MediaError);
  });

  it('only accepts chunk sizes that are multiples of 256 KiB', () => {
    expect(() => publisher(100 * KIB)).toThrow(RangeError);
    expect(() => publisher(0)).toThrow(RangeError);
    expect(() => publisher(512 * KIB)).not.toThrow();
  });

  it('refuses a video shorter than its announced size', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    server.use(sessionStart(events, []), session.handler());
    const liar = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', patterned(300 * KIB));
    liar.size = 400 * KIB;
    const open = liar.open.bind(liar);
    liar.open = async () => ({ ...(await open()), size: 400 * KIB });

    const error = await rejection(publisher().publish(context(events, { video: liar })));

    expect(error).toBeInstanceOf(MediaError);
    expect((error as Error).message).toContain('shorter');
    expect(session.done).toBe(false);
  });

  it('refuses a video longer than its announced size before sending the last chunk', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    server.use(sessionStart(events, []), session.handler());
    const liar = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', patterned(300 * KIB));
    liar.size = 200 * KIB;
    const open = liar.open.bind(liar);
    liar.open = async () => ({ ...(await open()), size: 200 * KIB });

    const error = await rejection(publisher().publish(context(events, { video: liar })));

    expect(error).toBeInstanceOf(MediaError);
    expect((error as Error).message).toContain('longer');
    expect(session.puts).toHaveLength(0);
  });
});

describe('YouTube publish: resuming a session', () => {
  const bytes = patterned(700 * KIB);
  const video = () => mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', bytes);

  it('probes the saved session and uploads only what it does not hold yet', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    session.bytes = bytes.slice(0, CHUNK + 5000);
    // No session-start handler: starting a new session would be an unhandled request.
    server.use(session.handler());
    const item = video();
    const ctx = context(events, { video: item, checkpoint: { sessionUri: SESSION, total: 700 * KIB } });

    const post = await publisher().publish(ctx);

    expect(post.externalId).toBe(VIDEO_ID);
    expect(session.puts[0]).toEqual({
      contentRange: 'bytes */716800',
      size: 0,
      authorization: `Bearer ${ACCESS_TOKEN}`,
    });
    expect(contentRanges(session).slice(1)).toEqual([
      'bytes 267144-529287/716800',
      'bytes 529288-716799/716800',
    ]);
    expectSameBytes(session.bytes, bytes);
    expect(item.opens).toBe(1);
    // The resumed PUTs can complete the video: the attempt is declared in doubt before them.
    expect(events).toEqual(['probe', 'beforeCreate', 'put', 'put']);
    expect(ctx.saved[0]).toEqual({ sessionUri: SESSION, total: 700 * KIB });
  });

  it('returns the video when the probe finds the upload already complete', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    session.done = true;
    server.use(session.handler());
    const item = video();
    const ctx = context(events, { video: item, checkpoint: { sessionUri: SESSION, total: 700 * KIB } });

    const post = await publisher().publish(ctx);

    expect(post).toEqual({ externalId: VIDEO_ID, url: `https://www.youtube.com/watch?v=${VIDEO_ID}` });
    expect(events).toEqual(['probe']);
    expect(ctx.createCalls).toBe(0);
    expect(item.opens).toBe(0);
    expect(ctx.saved.at(-1)).toMatchObject({ post });
  });

  it('starts a new session when the saved one is gone', async () => {
    const events: string[] = [];
    const starts: SessionStart[] = [];
    const fresh = `${INSERT}?uploadType=resumable&upload_id=session-2`;
    const session = new FakeSession(events, fresh);
    server.use(
      http.put(INSERT, ({ request }) => {
        if (new URL(request.url).searchParams.get('upload_id') !== 'session-1') return undefined;
        events.push('probe-gone');
        return new HttpResponse(null, { status: 404 });
      }),
      sessionStart(events, starts, fresh),
      session.handler(),
    );
    const ctx = context(events, { video: video(), checkpoint: { sessionUri: SESSION, total: 700 * KIB } });

    await publisher().publish(ctx);

    expect(events).toEqual(['probe-gone', 'session', 'beforeCreate', 'put', 'put', 'put']);
    expect(ctx.saved[0]).toEqual({ sessionUri: fresh, total: 700 * KIB });
    expectSameBytes(session.bytes, bytes);
  });

  it('returns a video already recorded in the checkpoint without calling YouTube', async () => {
    const post = { externalId: VIDEO_ID, url: `https://www.youtube.com/watch?v=${VIDEO_ID}` };
    const ctx = context([], { video: video(), checkpoint: { sessionUri: SESSION, total: 10, post } });
    expect(await publisher().publish(ctx)).toEqual(post);
    expect(ctx.createCalls).toBe(0);
  });

  it('fails with retry when the session expires mid-upload, keeping the checkpoint', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    server.use(
      sessionStart(events, []),
      http.put(INSERT, ({ request }) =>
        request.headers.get('content-range')?.startsWith('bytes 262144-')
          ? new HttpResponse(null, { status: 410 })
          : undefined,
      ),
      session.handler(),
    );
    const ctx = context(events, { video: video() });

    const error = await providerFailure(publisher().publish(ctx));

    expect(error.classification.kind).toBe('retry');
    expect(error.providerCode).toBe('session_expired');
    expect(ctx.checkpoint).toEqual({ sessionUri: SESSION, total: 700 * KIB });
  });

  it('gives up with retry when the session keeps no new bytes', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    session.keep = (index, size) => (index === 0 ? size : 0);
    server.use(sessionStart(events, []), session.handler());

    const error = await providerFailure(publisher().publish(context(events, { video: video() })));

    expect(error.classification.kind).toBe('retry');
    expect(error.providerCode).toBe('upload_stalled');
    expect(contentRanges(session)).toEqual([
      'bytes 0-262143/716800',
      'bytes 262144-524287/716800',
      'bytes 262144-524287/716800',
      'bytes 262144-524287/716800',
    ]);
  });
});

describe('YouTube recover', () => {
  const video = mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', patterned(10));
  const recover = (checkpoint: Record<string, unknown>) =>
    publisher().recover!(context([], { video, checkpoint }));

  it('trusts a post recorded in the checkpoint', async () => {
    const post = { externalId: VIDEO_ID, url: `https://www.youtube.com/watch?v=${VIDEO_ID}` };
    expect(await recover({ post })).toEqual({ outcome: 'published', post });
  });

  it('knows nothing was uploaded without a session', async () => {
    expect(await recover({})).toEqual({ outcome: 'not_published' });
  });

  it('reports the video when the probe finds the upload complete', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    session.done = true;
    server.use(session.handler());
    expect(await recover({ sessionUri: SESSION, total: 10 })).toEqual({
      outcome: 'published',
      post: { externalId: VIDEO_ID, url: `https://www.youtube.com/watch?v=${VIDEO_ID}` },
    });
    expect(contentRanges(session)).toEqual(['bytes */10']);
  });

  it('reports not published for an incomplete session', async () => {
    const session = new FakeSession([]);
    session.bytes = patterned(4);
    server.use(session.handler());
    expect(await recover({ sessionUri: SESSION, total: 10 })).toEqual({ outcome: 'not_published' });
  });

  it('probes with * as the total when the size was unknown', async () => {
    const session = new FakeSession([]);
    server.use(session.handler());
    expect(await recover({ sessionUri: SESSION, total: null })).toEqual({ outcome: 'not_published' });
    expect(contentRanges(session)).toEqual(['bytes */*']);
  });

  it('reports not published for a session that is gone', async () => {
    server.use(http.put(INSERT, () => new HttpResponse(null, { status: 404 })));
    expect(await recover({ sessionUri: SESSION, total: 10 })).toEqual({ outcome: 'not_published' });
  });

  it('reports unknown when the probe fails', async () => {
    server.use(
      http.put(INSERT, () => HttpResponse.json({ error: { code: 503, message: 'x' } }, { status: 503 })),
    );
    expect(await recover({ sessionUri: SESSION, total: 10 })).toEqual({ outcome: 'unknown' });
    server.use(http.put(INSERT, () => HttpResponse.error()));
    expect(await recover({ sessionUri: SESSION, total: 10 })).toEqual({ outcome: 'unknown' });
  });
});

describe('YouTube thumbnail', () => {
  const png = patterned(5000);
  const thumbnail = () => mediaFromBytes('https://cdn.example.com/t.png', 'image', 'image/png', png);
  const video = () => mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', patterned(1000));

  it('sets the thumbnail after the video is created', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    const seen: Array<{ url: URL; type: string | null; auth: string | null; body: Uint8Array }> = [];
    server.use(
      sessionStart(events, []),
      session.handler(),
      http.post(THUMBNAILS, async ({ request }) => {
        events.push('thumbnail');
        seen.push({
          url: new URL(request.url),
          type: request.headers.get('content-type'),
          auth: request.headers.get('authorization'),
          body: new Uint8Array(await request.arrayBuffer()),
        });
        return HttpResponse.json({ items: [{ default: { url: 'https://i.ytimg.com/x.jpg' } }] });
      }),
    );

    await publisher().publish(context(events, { video: video(), thumbnail: thumbnail() }));

    expect(events).toEqual(['session', 'beforeCreate', 'put', 'thumbnail']);
    expect(seen[0]?.url.searchParams.get('videoId')).toBe(VIDEO_ID);
    expect(seen[0]?.type).toBe('image/png');
    expect(seen[0]?.auth).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(seen[0]?.body).toEqual(png);
  });

  it('publishes the video even when the thumbnail is refused', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    let asked = 0;
    server.use(
      sessionStart(events, []),
      session.handler(),
      http.post(THUMBNAILS, () => {
        asked += 1;
        return HttpResponse.json(
          { error: { code: 403, message: 'forbidden', errors: [{ reason: 'forbidden' }] } },
          { status: 403 },
        );
      }),
    );

    const post = await publisher().publish(context(events, { video: video(), thumbnail: thumbnail() }));

    expect(asked).toBe(1);
    expect(post.externalId).toBe(VIDEO_ID);
  });

  it('skips a thumbnail above 2 MB instead of sending it', async () => {
    const events: string[] = [];
    const session = new FakeSession(events);
    server.use(sessionStart(events, []), session.handler());
    const big = mediaFromBytes(
      'https://cdn.example.com/t.png',
      'image',
      'image/png',
      patterned(2 * 1024 * KIB + 1),
    );

    // No thumbnails handler: a request would be unhandled and the event list would show it.
    const post = await publisher().publish(context(events, { video: video(), thumbnail: big }));

    expect(post.externalId).toBe(VIDEO_ID);
    expect(events).toEqual(['session', 'beforeCreate', 'put']);
  });
});

describe('YouTube publish errors', () => {
  const video = () => mediaFromBytes('https://cdn.example.com/v.mp4', 'video', 'video/mp4', patterned(1000));
  const googleError = (status: number, reason: string, message = 'The request failed.') => ({
    error: { code: status, message, errors: [{ domain: 'youtube.video', reason, message }] },
  });

  async function startFails(status: number, body: object, headers: Record<string, string> = {}) {
    server.use(http.post(INSERT, () => HttpResponse.json(body, { status, headers })));
    const ctx = context([], { video: video() });
    const error = await providerFailure(publisher().publish(ctx));
    // Nothing was uploaded, so the attempt never became in doubt.
    expect(ctx.createCalls).toBe(0);
    return error;
  }

  it('classifies 401 as reconnect', async () => {
    const error = await startFails(401, googleError(401, 'authError', 'Invalid Credentials'));
    expect(error.classification.kind).toBe('reconnect');
  });

  it('waits for the Pacific midnight quota reset on quotaExceeded', async () => {
    const error = await startFails(403, googleError(403, 'quotaExceeded'));
    expect(error.classification).toMatchObject({ kind: 'retry', retryAfterMs: 20 * 3_600_000 });
    expect(error.providerCode).toBe('quotaExceeded');
  });

  it('retries rate limits, the upload limit and 5xx', async () => {
    const cases: Array<[number, string]> = [
      [403, 'rateLimitExceeded'],
      [403, 'userRateLimitExceeded'],
      [400, 'uploadLimitExceeded'],
      [500, 'backendError'],
      [503, 'backendError'],
    ];
    for (const [status, reason] of cases) {
      const error = await startFails(status, googleError(status, reason));
      expect(error.classification.kind, reason).toBe('retry');
    }
  });

  it('treats invalid metadata, missing media, a missing channel and other 4xx as permanent', async () => {
    const cases: Array<[number, string]> = [
      [400, 'invalidTitle'],
      [400, 'invalidDescription'],
      [400, 'invalidTags'],
      [400, 'mediaBodyRequired'],
      [401, 'youtubeSignupRequired'],
      [403, 'forbidden'],
      [400, 'badRequest'],
    ];
    for (const [status, reason] of cases) {
      const error = await startFails(status, googleError(status, reason));
      expect(error.classification.kind, reason).toBe('permanent');
      expect(error.providerCode).toBe(reason);
    }
  });

  it('never repeats the tokens in its messages', async () => {
    const error = await startFails(
      400,
      googleError(400, 'badRequest', `bad token ${ACCESS_TOKEN} / ${REFRESH_TOKEN}`),
    );
    expect(error.message).toContain('badRequest');
  });

  it('treats a session start without Location as permanent', async () => {
    server.use(http.post(INSERT, () => new HttpResponse(null, { status: 200 })));
    const error = await providerFailure(publisher().publish(context([], { video: video() })));
    expect(error.classification.kind).toBe('permanent');
    expect(error.providerCode).toBe('missing_session_uri');
  });

  it('classifies a failed chunk PUT with the API rules', async () => {
    const events: string[] = [];
    server.use(
      sessionStart(events, []),
      http.put(INSERT, () => HttpResponse.json(googleError(503, 'backendError'), { status: 503 })),
    );
    const ctx = context(events, { video: video() });
    const error = await providerFailure(publisher().publish(ctx));
    expect(error.classification.kind).toBe('retry');
    expect(ctx.createCalls).toBe(1);
  });

  it('keeps the bearer token away from a session URI on another host', async () => {
    const events: string[] = [];
    const foreign = 'https://uploads.example.net/session?upload_id=s';
    const session = new FakeSession(events, foreign);
    server.use(sessionStart(events, [], foreign), session.handler());

    await publisher().publish(context(events, { video: video() }));

    expect(session.puts).toHaveLength(1);
    expect(session.puts[0]?.authorization).toBeNull();
  });
});

describe('MediaByteReader', () => {
  const stream = (pieces: number[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        let at = 0;
        for (const size of pieces) {
          controller.enqueue(patterned(at + size).subarray(at));
          at += size;
        }
        controller.close();
      },
    });

  it('reads exact pieces across stream boundaries, then a short last one', async () => {
    const reader = new MediaByteReader(stream([3, 5, 2]));
    expect(await reader.read(4)).toEqual(patterned(4));
    expect(await reader.skip(2)).toBe(2);
    expect(await reader.hasMore()).toBe(true);
    expect(await reader.read(10)).toEqual(patterned(10).subarray(6));
    expect(await reader.hasMore()).toBe(false);
    expect(await reader.read(1)).toHaveLength(0);
  });
});
