import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mediaFromBytes, publishContext, type RecordingContext } from '../../../test/publish-context.js';
import { MediaError, type MediaItem } from '../publishing.js';
import { type ErrorClass, type ProviderEndpoints, ProviderError } from '../types.js';
import {
  createLinkedInPublisher,
  escapeLittleText,
  LINKEDIN_VIDEO_MAX_POLLS,
  LINKEDIN_VIDEO_POLL_INTERVAL_MS,
} from './publish.js';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const TOKEN = 'li-access-token-SECRET-9f8e7d';

const ENDPOINTS: ProviderEndpoints = {
  authorizeUrl: 'https://www.linkedin.com/oauth/v2/authorization',
  tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
  apiUrl: 'https://api.linkedin.com',
  extra: { linkedinVersion: '202601' },
};
const PREFIXED: ProviderEndpoints = {
  authorizeUrl: 'http://127.0.0.1:9000/fake-linkedin/oauth/v2/authorization',
  tokenUrl: 'http://127.0.0.1:9000/fake-linkedin/oauth/v2/accessToken',
  apiUrl: 'http://127.0.0.1:9000/fake-linkedin/',
  extra: { linkedinVersion: '202511' },
};
const API = 'https://api.linkedin.com';
const UPLOADS = 'https://www.linkedin.com/dms-uploads';
const AUTHOR = 'urn:li:person:acct_1';
const POST_URN = 'urn:li:share:7391234567890123456';
const VIDEO_URN = 'urn:li:video:C5505AQH-oV1qvnFtKA';

const publisher = (endpoints: ProviderEndpoints = ENDPOINTS) =>
  createLinkedInPublisher({ endpoints, now: () => NOW });

const context = (overrides: Parameters<typeof publishContext>[0] = {}) =>
  publishContext({ ...overrides, tokens: { accessToken: TOKEN, ...overrides.tokens } });

interface Call {
  url: URL;
  method: string;
  headers: Headers;
  bytes: Uint8Array;
}
const calls: Call[] = [];
/** The order in which requests and `beforeCreate` happened. */
const events: string[] = [];

async function seen(request: Request): Promise<Call> {
  const call = {
    url: new URL(request.url),
    method: request.method,
    headers: request.headers,
    bytes: new Uint8Array(await request.clone().arrayBuffer()),
  };
  calls.push(call);
  events.push(`${call.method} ${call.url.pathname}`);
  return call;
}
const json = (call: Call | undefined): unknown => JSON.parse(new TextDecoder().decode(call?.bytes));
const callsTo = (method: string, pathname: string) =>
  calls.filter((call) => call.method === method && call.url.pathname === pathname);

/** Records `beforeCreate` in `events` so tests can check it runs right before the create call. */
function tracked(ctx: RecordingContext): RecordingContext {
  const beforeCreate = ctx.beforeCreate;
  ctx.beforeCreate = async (checkpoint) => {
    events.push('beforeCreate');
    await beforeCreate(checkpoint);
  };
  return ctx;
}

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  calls.length = 0;
  events.length = 0;
});
afterAll(() => server.close());

const created = (urn: string | null = POST_URN, base = API) =>
  http.post(`${base}/rest/posts`, async ({ request }) => {
    await seen(request);
    return new HttpResponse(null, { status: 201, headers: urn ? { 'x-restli-id': urn } : {} });
  });

/** Images initializeUpload: hands out `urn:li:image:img-N` and an upload URL on `uploadBase`. */
function imageUploads(uploadBase = UPLOADS, firstNumber = 1) {
  let issued = firstNumber - 1;
  return [
    http.post(`${API}/rest/images`, async ({ request }) => {
      const call = await seen(request);
      expect(call.url.searchParams.get('action')).toBe('initializeUpload');
      issued += 1;
      return HttpResponse.json({
        value: {
          uploadUrlExpiresAt: 1_764_000_000_000,
          uploadUrl: `${uploadBase}/img-${issued}?ca=vector_feedshare&ut=signed`,
          image: `urn:li:image:img-${issued}`,
        },
      });
    }),
    http.put(`${uploadBase}/:name`, async ({ request }) => {
      await seen(request);
      return new HttpResponse(null, { status: 201 });
    }),
  ];
}

const bytes = (length: number, seed = 1) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) % 256);
const image = (name: string, type = 'image/jpeg', length = 64, seed = 1) =>
  mediaFromBytes(`https://cdn.example.com/${name}`, 'image', type, bytes(length, seed));

/** Awaits a rejection and checks that nothing in it reveals the access token. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (caught: unknown) => caught,
  );
  expect(String((error as Error).message)).not.toContain(TOKEN);
  if (error instanceof ProviderError) expect(error.classification.message).not.toContain(TOKEN);
  return error;
}
async function providerFailure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}
async function mediaFailure(promise: Promise<unknown>): Promise<MediaError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(MediaError);
  return error as MediaError;
}

const DISTRIBUTION = {
  feedDistribution: 'MAIN_FEED',
  targetEntities: [],
  thirdPartyDistributionChannels: [],
};

describe('escapeLittleText', () => {
  it('backslash-escapes every reserved character', () => {
    expect(escapeLittleText('|{}@[]()<>#*_~')).toBe('\\|\\{\\}\\@\\[\\]\\(\\)\\<\\>\\#\\*\\_\\~');
  });

  it('escapes a backslash once, and never escapes the backslashes it adds', () => {
    expect(escapeLittleText('a\\b')).toBe('a\\\\b');
    expect(escapeLittleText('\\#')).toBe('\\\\\\#');
    expect(escapeLittleText('\\\\')).toBe('\\\\\\\\');
  });

  it('leaves ordinary text, punctuation, newlines and emoji alone', () => {
    const text = 'Hello, world! Ready? 50% off: "yes" — it\'s $5 & more.\nNext line 🚀 é';
    expect(escapeLittleText(text)).toBe(text);
  });
});

describe('LinkedIn text post', () => {
  it('posts the documented body with headers and reads the id from x-restli-id', async () => {
    server.use(created());
    const ctx = context({ content: { text: 'Launch @team (v2) #news a_b*c~ [x]{y}<z>|\\ done' } });
    const post = await publisher().publish(ctx);

    expect(post).toEqual({ externalId: POST_URN, url: `https://www.linkedin.com/feed/update/${POST_URN}` });
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url.href).toBe(`${API}/rest/posts`);
    expect(call?.method).toBe('POST');
    expect(call?.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(call?.headers.get('linkedin-version')).toBe('202601');
    expect(call?.headers.get('x-restli-protocol-version')).toBe('2.0.0');
    expect(call?.headers.get('content-type')).toBe('application/json');
    expect(json(call)).toEqual({
      author: AUTHOR,
      commentary: 'Launch \\@team \\(v2\\) \\#news a\\_b\\*c\\~ \\[x\\]\\{y\\}\\<z\\>\\|\\\\ done',
      visibility: 'PUBLIC',
      distribution: DISTRIBUTION,
      lifecycleState: 'PUBLISHED',
      isReshareDisabledByAuthor: false,
    });
    expect(ctx.createCalls).toBe(1);
    // The created post is kept so that recover() can name it after a crash.
    expect(ctx.checkpoint).toEqual({ post });
  });

  it('works against a base URL with a path prefix and the configured LinkedIn-Version', async () => {
    server.use(created(POST_URN, 'http://127.0.0.1:9000/fake-linkedin'));
    const post = await publisher(PREFIXED).publish(context());
    expect(post.externalId).toBe(POST_URN);
    expect(calls.map((call) => call.url.pathname)).toEqual(['/fake-linkedin/rest/posts']);
    expect(calls[0]?.headers.get('linkedin-version')).toBe('202511');
  });

  it('uses the visibility option', async () => {
    server.use(created());
    await publisher().publish(context({ content: { options: { visibility: 'CONNECTIONS' } } }));
    expect(json(calls[0])).toMatchObject({ visibility: 'CONNECTIONS' });
  });

  it('falls back to PUBLIC for an unknown visibility', async () => {
    server.use(created());
    await publisher().publish(context({ content: { options: { visibility: 'EVERYONE' } } }));
    expect(json(calls[0])).toMatchObject({ visibility: 'PUBLIC' });
  });

  it('posts as an organization when the account is one', async () => {
    server.use(created('urn:li:ugcPost:123'));
    const post = await publisher().publish(
      context({ account: { remoteAccountId: '5515715', accountType: 'organization' } }),
    );
    expect(json(calls[0])).toMatchObject({ author: 'urn:li:organization:5515715' });
    expect(post.url).toBe('https://www.linkedin.com/feed/update/urn:li:ugcPost:123');
  });

  it('does not post again when the checkpoint already holds the created post', async () => {
    const saved = { externalId: POST_URN, url: `https://www.linkedin.com/feed/update/${POST_URN}` };
    const ctx = context({ checkpoint: { post: saved } });
    expect(await publisher().publish(ctx)).toEqual(saved);
    expect(calls).toHaveLength(0);
    expect(ctx.createCalls).toBe(0);
  });
});

describe('LinkedIn image posts', () => {
  it('uploads one image and posts it as content.media', async () => {
    server.use(...imageUploads(), created());
    const photo = image('photo.jpg', 'image/jpeg', 300);
    const ctx = tracked(context({ content: { text: 'Pic', media: [photo] } }));
    const post = await publisher().publish(ctx);

    expect(post.externalId).toBe(POST_URN);
    const [init] = callsTo('POST', '/rest/images');
    expect(init?.url.search).toBe('?action=initializeUpload');
    expect(init?.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(init?.headers.get('linkedin-version')).toBe('202601');
    expect(init?.headers.get('x-restli-protocol-version')).toBe('2.0.0');
    expect(json(init)).toEqual({ initializeUploadRequest: { owner: AUTHOR } });

    const [upload] = callsTo('PUT', '/dms-uploads/img-1');
    expect(upload?.url.searchParams.get('ut')).toBe('signed');
    expect(upload?.bytes).toEqual(bytes(300));
    expect(upload?.headers.get('content-type')).toBe('image/jpeg');
    expect(upload?.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);

    expect(json(callsTo('POST', '/rest/posts')[0])).toEqual({
      author: AUTHOR,
      commentary: 'Pic',
      visibility: 'PUBLIC',
      distribution: DISTRIBUTION,
      content: { media: { id: 'urn:li:image:img-1' } },
      lifecycleState: 'PUBLISHED',
      isReshareDisabledByAuthor: false,
    });
    expect(photo.opens).toBe(1);
    expect(events).toEqual([
      'POST /rest/images',
      'PUT /dms-uploads/img-1',
      'beforeCreate',
      'POST /rest/posts',
    ]);
    expect(ctx.createCalls).toBe(1);
  });

  it('uploads several images in order and posts them as content.multiImage', async () => {
    server.use(...imageUploads(), created());
    const media = [
      image('a.png', 'image/png', 10, 1),
      image('b.gif', 'image/gif', 20, 2),
      image('c.jpg', 'image/jpeg; charset=binary', 30, 3),
    ];
    const ctx = tracked(context({ content: { media } }));
    await publisher().publish(ctx);

    expect(callsTo('POST', '/rest/images')).toHaveLength(3);
    expect(callsTo('PUT', '/dms-uploads/img-1')[0]?.bytes).toEqual(bytes(10, 1));
    expect(callsTo('PUT', '/dms-uploads/img-2')[0]?.bytes).toEqual(bytes(20, 2));
    expect(callsTo('PUT', '/dms-uploads/img-3')[0]?.bytes).toEqual(bytes(30, 3));
    expect(callsTo('PUT', '/dms-uploads/img-3')[0]?.headers.get('content-type')).toBe('image/jpeg');
    expect(json(callsTo('POST', '/rest/posts')[0])).toMatchObject({
      content: {
        multiImage: {
          images: [{ id: 'urn:li:image:img-1' }, { id: 'urn:li:image:img-2' }, { id: 'urn:li:image:img-3' }],
        },
      },
    });
    // Each upload is saved as soon as it is done; the create call comes last.
    expect(ctx.saved[0]).toEqual({ images: [{ url: media[0]!.url, urn: 'urn:li:image:img-1' }] });
    expect(events.slice(-2)).toEqual(['beforeCreate', 'POST /rest/posts']);
    expect(events.filter((event) => event === 'beforeCreate')).toHaveLength(1);
  });

  it('does not send the access token to an upload host that is not LinkedIn', async () => {
    server.use(...imageUploads('https://uploads.example.net/li'), created());
    await publisher().publish(context({ content: { media: [image('a.png', 'image/png')] } }));
    const [upload] = callsTo('PUT', '/li/img-1');
    expect(upload?.bytes).toEqual(bytes(64));
    expect(upload?.headers.get('authorization')).toBeNull();
  });

  it('refuses more than 20 images before calling LinkedIn', async () => {
    const media = Array.from({ length: 21 }, (_, i) => image(`${i}.jpg`));
    const ctx = context({ content: { media } });
    const error = await mediaFailure(publisher().publish(ctx));
    expect(error.platform).toBe('linkedin');
    expect(error.message).toMatch(/at most 20 images/);
    expect(calls).toHaveLength(0);
    expect(ctx.createCalls).toBe(0);
  });

  it('refuses an image type LinkedIn does not take', async () => {
    const ctx = context({ content: { media: [image('ok.jpg'), image('pic.webp', 'image/webp')] } });
    const error = await mediaFailure(publisher().publish(ctx));
    expect(error.message).toContain('image/webp');
    expect(calls).toHaveLength(0);
  });

  it('reuses images uploaded by an earlier attempt', async () => {
    server.use(...imageUploads(), created());
    const first = image('first.jpg');
    const second = image('second.png', 'image/png', 40, 7);
    const ctx = context({
      content: { media: [first, second] },
      checkpoint: { images: [{ url: first.url, urn: 'urn:li:image:from-before' }] },
    });
    await publisher().publish(ctx);

    expect(first.opens).toBe(0);
    expect(second.opens).toBe(1);
    expect(callsTo('POST', '/rest/images')).toHaveLength(1);
    expect(callsTo('PUT', '/dms-uploads/img-1')[0]?.bytes).toEqual(bytes(40, 7));
    expect(json(callsTo('POST', '/rest/posts')[0])).toMatchObject({
      content: { multiImage: { images: [{ id: 'urn:li:image:from-before' }, { id: 'urn:li:image:img-1' }] } },
    });
  });

  it('keeps the images of a failed attempt so the next one resumes after them', async () => {
    let uploads = 0;
    server.use(
      // Listed first so that it wins over the generic upload handler.
      http.put(`${UPLOADS}/img-2`, async ({ request }) => {
        await seen(request);
        uploads += 1;
        return HttpResponse.json({ status: 500, message: 'Internal Server Error' }, { status: 500 });
      }),
      ...imageUploads(),
    );
    const media = [image('one.jpg', 'image/jpeg', 16, 1), image('two.jpg', 'image/jpeg', 16, 2)];
    const ctx = context({ content: { media } });
    const error = await providerFailure(publisher().publish(ctx));
    expect(error.classification.kind).toBe('retry');
    expect(uploads).toBe(1);
    expect(ctx.createCalls).toBe(0);
    expect(ctx.checkpoint).toEqual({ images: [{ url: media[0]!.url, urn: 'urn:li:image:img-1' }] });

    // The next attempt starts from the saved checkpoint and uploads only the second image.
    server.resetHandlers();
    server.use(...imageUploads(UPLOADS, 2), created());
    calls.length = 0;
    const retry = context({ content: { media }, checkpoint: ctx.checkpoint });
    await publisher().publish(retry);
    expect(callsTo('POST', '/rest/images')).toHaveLength(1);
    expect(media[0]!.opens).toBe(1);
    expect(media[1]!.opens).toBe(2);
    expect(json(callsTo('POST', '/rest/posts')[0])).toMatchObject({
      content: { multiImage: { images: [{ id: 'urn:li:image:img-1' }, { id: 'urn:li:image:img-2' }] } },
    });
  });

  it('does not declare the create call when an upload step fails', async () => {
    server.use(
      http.post(`${API}/rest/images`, () =>
        HttpResponse.json(
          { status: 401, serviceErrorCode: 65601, code: 'REVOKED_ACCESS_TOKEN', message: 'Token revoked' },
          { status: 401 },
        ),
      ),
    );
    const ctx = context({ content: { media: [image('a.jpg')] } });
    const error = await providerFailure(publisher().publish(ctx));
    expect(error.classification.kind).toBe('reconnect');
    expect(ctx.createCalls).toBe(0);
  });
});

/** A video served in `chunkSize` pieces, pulled only when read, counting the bytes handed out. */
function streamedVideo(
  content: Uint8Array,
  chunkSize: number,
  { size }: { size: number | undefined } = { size: content.byteLength },
) {
  const item: MediaItem & { pulled: number } = {
    url: 'https://cdn.example.com/clip.mp4',
    kind: 'video',
    contentType: 'video/mp4',
    size,
    pulled: 0,
    async open() {
      let offset = 0;
      item.pulled = 0;
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (offset >= content.byteLength) {
              controller.close();
              return;
            }
            const chunk = content.slice(offset, offset + chunkSize);
            offset += chunk.byteLength;
            item.pulled = offset;
            controller.enqueue(chunk);
          },
        },
        { highWaterMark: 0 },
      );
      return { contentType: 'video/mp4', size, body };
    },
  };
  return item;
}

const VIDEO = bytes(40, 5);

/** The Videos API: two upload ranges, parts answered with ETags, `statuses` returned by the polls. */
function videoApi(statuses: string[], options: { onPart?: (name: string) => void } = {}) {
  let polls = 0;
  return [
    http.post(`${API}/rest/videos`, async ({ request }) => {
      const call = await seen(request);
      const action = call.url.searchParams.get('action');
      if (action === 'initializeUpload') {
        return HttpResponse.json({
          value: {
            uploadUrlsExpireAt: 1_764_000_000_000,
            video: VIDEO_URN,
            uploadInstructions: [
              { uploadUrl: `${UPLOADS}/video/part-1?ut=a`, firstByte: 0, lastByte: 15 },
              { uploadUrl: `${UPLOADS}/video/part-2?ut=b`, firstByte: 16, lastByte: 39 },
            ],
            uploadToken: 'upload-token-xyz',
          },
        });
      }
      expect(action).toBe('finalizeUpload');
      return new HttpResponse(null, { status: 200 });
    }),
    http.put(`${UPLOADS}/video/:part`, async ({ request, params }) => {
      await seen(request);
      options.onPart?.(String(params.part));
      return new HttpResponse(null, { status: 200, headers: { ETag: `etag-${String(params.part)}` } });
    }),
    http.get(`${API}/rest/videos/*`, async ({ request }) => {
      await seen(request);
      const status = statuses[Math.min(polls, statuses.length - 1)];
      polls += 1;
      return HttpResponse.json({ id: VIDEO_URN, owner: AUTHOR, status });
    }),
  ];
}
const encodedVideoPath = `/rest/videos/${encodeURIComponent(VIDEO_URN)}`;

describe('LinkedIn video posts', () => {
  it('uploads the byte ranges, finalizes with the ETags, waits until AVAILABLE, then posts', async () => {
    const video = streamedVideo(VIDEO, 7);
    const pulledAtPart: Record<string, number> = {};
    server.use(
      ...videoApi(['PROCESSING', 'PROCESSING', 'AVAILABLE'], {
        onPart: (name) => {
          pulledAtPart[name] = video.pulled;
        },
      }),
      created('urn:li:ugcPost:999'),
    );
    const ctx = tracked(context({ content: { text: 'Watch', title: 'Our demo', media: [video] } }));
    const post = await publisher().publish(ctx);

    expect(post).toEqual({
      externalId: 'urn:li:ugcPost:999',
      url: 'https://www.linkedin.com/feed/update/urn:li:ugcPost:999',
    });
    const [init, finalize] = callsTo('POST', '/rest/videos');
    expect(init?.url.search).toBe('?action=initializeUpload');
    expect(init?.headers.get('linkedin-version')).toBe('202601');
    expect(json(init)).toEqual({
      initializeUploadRequest: {
        owner: AUTHOR,
        fileSizeBytes: 40,
        uploadCaptions: false,
        uploadThumbnail: false,
      },
    });
    const part1 = callsTo('PUT', '/dms-uploads/video/part-1')[0];
    const part2 = callsTo('PUT', '/dms-uploads/video/part-2')[0];
    expect(part1?.bytes).toEqual(VIDEO.slice(0, 16));
    expect(part2?.bytes).toEqual(VIDEO.slice(16, 40));
    expect(part1?.headers.get('content-type')).toBe('application/octet-stream');
    // The first range left before the rest of the file was read: the video is never held whole.
    expect(pulledAtPart['part-1']).toBeLessThan(VIDEO.byteLength);
    expect(pulledAtPart['part-2']).toBe(VIDEO.byteLength);

    expect(finalize?.url.search).toBe('?action=finalizeUpload');
    expect(json(finalize)).toEqual({
      finalizeUploadRequest: {
        video: VIDEO_URN,
        uploadToken: 'upload-token-xyz',
        uploadedPartIds: ['etag-part-1', 'etag-part-2'],
      },
    });
    const polls = calls.filter((call) => call.method === 'GET');
    expect(polls).toHaveLength(3);
    expect(polls[0]?.url.pathname).toBe(encodedVideoPath);
    expect(polls[0]?.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(ctx.sleeps).toEqual([LINKEDIN_VIDEO_POLL_INTERVAL_MS, LINKEDIN_VIDEO_POLL_INTERVAL_MS]);

    expect(json(callsTo('POST', '/rest/posts')[0])).toMatchObject({
      commentary: 'Watch',
      content: { media: { id: VIDEO_URN, title: 'Our demo' } },
    });
    expect(ctx.saved[0]).toEqual({ video: { url: video.url, urn: VIDEO_URN } });
    expect(events).toEqual([
      'POST /rest/videos',
      'PUT /dms-uploads/video/part-1',
      'PUT /dms-uploads/video/part-2',
      'POST /rest/videos',
      `GET ${encodedVideoPath}`,
      `GET ${encodedVideoPath}`,
      `GET ${encodedVideoPath}`,
      'beforeCreate',
      'POST /rest/posts',
    ]);
    expect(ctx.createCalls).toBe(1);
  });

  it('posts a video without a title as content.media with the id only', async () => {
    server.use(...videoApi(['AVAILABLE']), created());
    await publisher().publish(context({ content: { media: [streamedVideo(VIDEO, 40)] } }));
    expect(json(callsTo('POST', '/rest/posts')[0])).toMatchObject({ content: { media: { id: VIDEO_URN } } });
    expect(json(callsTo('POST', '/rest/posts')[0])).not.toHaveProperty('content.media.title');
  });

  it('fails with a MediaError when LinkedIn cannot process the video', async () => {
    server.use(...videoApi(['PROCESSING', 'PROCESSING_FAILED']));
    const ctx = context({ content: { media: [streamedVideo(VIDEO, 8)] } });
    const error = await mediaFailure(publisher().publish(ctx));
    expect(error.message).toMatch(/could not process the video/);
    expect(ctx.createCalls).toBe(0);
    expect(callsTo('POST', '/rest/posts')).toHaveLength(0);
  });

  it('gives up after a bounded number of polls with a retry error, keeping the video for later', async () => {
    server.use(...videoApi(['PROCESSING']));
    const ctx = context({ content: { media: [streamedVideo(VIDEO, 8)] } });
    const error = await providerFailure(publisher().publish(ctx));
    expect(error.classification.kind).toBe('retry');
    expect(error.providerCode).toBe('video_processing');
    expect(calls.filter((call) => call.method === 'GET')).toHaveLength(LINKEDIN_VIDEO_MAX_POLLS);
    expect(ctx.sleeps).toHaveLength(LINKEDIN_VIDEO_MAX_POLLS - 1);
    expect(ctx.createCalls).toBe(0);
    expect(ctx.checkpoint).toEqual({ video: { url: 'https://cdn.example.com/clip.mp4', urn: VIDEO_URN } });
  });

  it('resumes from a checkpointed video without uploading it again', async () => {
    server.use(...videoApi(['AVAILABLE']), created());
    const video = streamedVideo(VIDEO, 8);
    let opened = 0;
    const open = video.open;
    video.open = () => {
      opened += 1;
      return open();
    };
    await publisher().publish(
      context({ content: { media: [video] }, checkpoint: { video: { url: video.url, urn: VIDEO_URN } } }),
    );
    expect(opened).toBe(0);
    expect(events).toEqual([`GET ${encodedVideoPath}`, 'POST /rest/posts']);
  });

  it('refuses a video whose size is unknown', async () => {
    const error = await mediaFailure(
      publisher().publish(context({ content: { media: [streamedVideo(VIDEO, 8, { size: undefined })] } })),
    );
    expect(error.message).toMatch(/size/);
    expect(calls).toHaveLength(0);
  });

  it('refuses a video mixed with images', async () => {
    const error = await mediaFailure(
      publisher().publish(context({ content: { media: [streamedVideo(VIDEO, 8), image('a.jpg')] } })),
    );
    expect(error.message).toMatch(/one video/);
    expect(calls).toHaveLength(0);
  });

  it('refuses a video shorter than its announced size before finalizing', async () => {
    server.use(...videoApi(['AVAILABLE']));
    const short = streamedVideo(VIDEO.slice(0, 30), 8, { size: 40 });
    const ctx = context({ content: { media: [short] } });
    const error = await mediaFailure(publisher().publish(ctx));
    expect(error.message).toMatch(/shorter/);
    expect(calls.filter((call) => call.url.search === '?action=finalizeUpload')).toHaveLength(0);
    expect(ctx.createCalls).toBe(0);
  });
});

describe('LinkedIn publish errors', () => {
  const cases: Array<{
    name: string;
    status: number;
    body: object;
    headers?: Record<string, string>;
    kind: ErrorClass['kind'];
    code?: string;
    retryAfterMs?: number;
  }> = [
    {
      name: '401 65600 invalid token',
      status: 401,
      body: {
        status: 401,
        serviceErrorCode: 65600,
        code: 'INVALID_ACCESS_TOKEN',
        message: 'Invalid access token',
      },
      kind: 'reconnect',
      code: '65600',
    },
    {
      name: '401 65601 revoked token',
      status: 401,
      body: {
        status: 401,
        serviceErrorCode: 65601,
        code: 'REVOKED_ACCESS_TOKEN',
        message: 'The token used in the request has been revoked by the user',
      },
      kind: 'reconnect',
      code: '65601',
    },
    {
      name: '429 with Retry-After',
      status: 429,
      body: {
        status: 429,
        serviceErrorCode: 101,
        code: 'TOO_MANY_REQUESTS',
        message: 'Member day limit reached',
      },
      headers: { 'Retry-After': '120' },
      kind: 'retry',
      retryAfterMs: 120_000,
    },
    {
      name: '429 without a reset header',
      status: 429,
      body: { status: 429, code: 'TOO_MANY_REQUESTS', message: 'Resource level throttle' },
      kind: 'retry',
    },
    {
      name: '426 sunset version',
      status: 426,
      body: { status: 426, code: 'NONEXISTENT_VERSION', message: 'Requested version 202301 is not active' },
      kind: 'permanent',
    },
    { name: '500', status: 500, body: { status: 500, message: 'Internal Server Error' }, kind: 'retry' },
    {
      name: '422 unprocessable',
      status: 422,
      body: {
        status: 422,
        code: 'UNPROCESSABLE_ENTITY',
        message: '/commentary :: length of 3001 exceeds the maximum allowed length of 3000',
      },
      kind: 'permanent',
    },
  ];

  for (const { name, status, body, headers, kind, code, retryAfterMs } of cases) {
    it(`classifies ${name} on the create call as ${kind}`, async () => {
      server.use(http.post(`${API}/rest/posts`, () => HttpResponse.json(body, { status, headers })));
      const ctx = context();
      const error = await providerFailure(publisher().publish(ctx));
      expect(error.classification.kind).toBe(kind);
      expect(error.status).toBe(status);
      expect(error.outcomeUnknown).toBe(false);
      if (code) expect(error.providerCode).toBe(code);
      if (error.classification.kind === 'retry') expect(error.classification.retryAfterMs).toBe(retryAfterMs);
      if (status === 426) {
        expect(error.message).toMatch(/LinkedIn-Version is sunset/);
        expect(error.message).toContain('MYPOSTSHARE_LINKEDIN_VERSION');
      }
      expect(ctx.createCalls).toBe(1);
      expect(ctx.checkpoint).not.toHaveProperty('post');
    });
  }

  it('marks a 504 on the create call as a retry whose outcome is unknown', async () => {
    server.use(http.post(`${API}/rest/posts`, () => new HttpResponse('Gateway Timeout', { status: 504 })));
    const error = await providerFailure(publisher().publish(context()));
    expect(error.classification.kind).toBe('retry');
    expect(error.outcomeUnknown).toBe(true);
  });

  it('lets a lost answer surface as a retry whose outcome is unknown', async () => {
    server.use(http.post(`${API}/rest/posts`, () => HttpResponse.error()));
    const error = await providerFailure(publisher().publish(context()));
    expect(error.classification.kind).toBe('retry');
    expect(error.outcomeUnknown).toBe(true);
  });

  it('treats a 201 without x-restli-id as a retry whose outcome is unknown', async () => {
    server.use(created(null));
    const ctx = context();
    const error = await providerFailure(publisher().publish(ctx));
    expect(error.classification.kind).toBe('retry');
    expect(error.outcomeUnknown).toBe(true);
    expect(error.providerCode).toBe('missing_post_id');
    expect(error.status).toBe(201);
    expect(ctx.createCalls).toBe(1);
  });

  it('never puts the access token into an error message, even when LinkedIn echoes it', async () => {
    server.use(
      http.post(`${API}/rest/posts`, () =>
        HttpResponse.json(
          {
            status: 400,
            code: 'ILLEGAL_ARGUMENT',
            message: `Bad request for Bearer ${TOKEN} on /rest/posts`,
          },
          { status: 400 },
        ),
      ),
    );
    const error = await providerFailure(publisher().publish(context()));
    expect(error.classification.kind).toBe('permanent');
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(TOKEN);
  });
});

describe('LinkedIn recover', () => {
  it('reports the post when the checkpoint holds it', async () => {
    const post = { externalId: POST_URN, url: `https://www.linkedin.com/feed/update/${POST_URN}` };
    const outcome = await publisher().recover!(context({ checkpoint: { images: [], post } }));
    expect(outcome).toEqual({ outcome: 'published', post });
    expect(calls).toHaveLength(0);
  });

  it('cannot tell otherwise: LinkedIn has no way to ask whether a post landed', async () => {
    const outcome = await publisher().recover!(
      context({ checkpoint: { images: [{ url: 'https://cdn.example.com/a.jpg', urn: 'urn:li:image:1' }] } }),
    );
    expect(outcome).toEqual({ outcome: 'unknown' });
    expect(calls).toHaveLength(0);
  });

  it('can recover what a successful publish saved', async () => {
    server.use(created());
    const ctx = context();
    const post = await publisher().publish(ctx);
    const outcome = await publisher().recover!(context({ checkpoint: ctx.checkpoint }));
    expect(outcome).toEqual({ outcome: 'published', post });
  });
});
