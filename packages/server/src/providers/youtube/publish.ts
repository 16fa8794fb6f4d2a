import type { Platform } from '@mypostshare/contract';
import { savedPost } from '../checkpoint.js';
import { joinUrl, type ProviderResponse, providerFetch } from '../http.js';
import { MediaByteReader } from '../media-stream.js';
import { isOk, type Json, record, str } from '../oauth-helpers.js';
import {
  type Checkpoint,
  MediaError,
  type MediaItem,
  type PublishAdapter,
  type PublishContext,
  type PublishedPost,
} from '../publishing.js';
import { type AdapterContext, ProviderError } from '../types.js';
import { classifyYouTubeError } from './adapter.js';

const EMPTY = new Uint8Array(0);

const PLATFORM: Platform = 'youtube';

/** Google's resumable protocol wants every chunk but the last to be a multiple of this. */
export const YOUTUBE_CHUNK_GRANULARITY = 256 * 1024;
export const YOUTUBE_DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
/** YouTube refuses custom thumbnails above 2 MB; a bigger one is skipped rather than sent. */
export const YOUTUBE_THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024;
/**
 * 308 answers in a row that keep no new byte (or give bytes back) before an attempt gives up (the
 * checkpointed session lets the next attempt resume): a server that never advances must not hold
 * the worker forever.
 */
const MAX_STALLED_CHUNKS = 3;
/** A chunk carries megabytes; the default 30 s of providerFetch is meant for small JSON calls. */
const UPLOAD_TIMEOUT_MS = 300_000;

export interface YouTubePublisherOptions {
  /** Bytes per PUT: a positive multiple of 256 KiB, 8 MiB by default. */
  chunkBytes?: number;
}

/** What this adapter keeps in a delivery's checkpoint. */
interface YouTubeCheckpoint {
  /** The resumable upload session: whoever holds it can finish (or ask about) the upload. */
  sessionUri?: string;
  /** The video's size as announced to the session; null when it was unknown then. */
  total?: number | null;
  /** The video, once YouTube has created it. */
  post?: PublishedPost;
}

/** Reads a stored checkpoint, dropping whatever does not have the expected shape. */
function readCheckpoint(checkpoint: Checkpoint): YouTubeCheckpoint {
  const result: YouTubeCheckpoint = {};
  const sessionUri = str(checkpoint.sessionUri);
  if (sessionUri && URL.canParse(sessionUri) && /^https?:$/.test(new URL(sessionUri).protocol)) {
    result.sessionUri = sessionUri;
    const total = checkpoint.total;
    result.total = typeof total === 'number' && Number.isSafeInteger(total) && total > 0 ? total : null;
  }
  const post = savedPost(checkpoint);
  if (post) result.post = post;
  return result;
}

const watchUrl = (videoId: string) => `https://www.youtube.com/watch?v=${encodeURIComponent(videoId)}`;

/** `video/mp4; codecs=avc1` → `video/mp4`. */
const mediaType = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

/** The next byte the session wants, from a 308's `Range: bytes=0-N` (no header: it kept nothing). */
function nextByteFrom(headers: Headers): number | undefined {
  const range = headers.get('range');
  if (!range) return 0;
  const match = /^(?:bytes=)?0-(\d+)$/.exec(range.trim());
  return match ? Number(match[1]) + 1 : undefined;
}

/** An answer that lacks what Google documents: retrying would read the same. */
const malformed = (what: string, code: string, status?: number, outcomeUnknown = false) =>
  new ProviderError(
    PLATFORM,
    { kind: 'permanent', message: `YouTube answered without ${what}` },
    status,
    code,
    outcomeUnknown,
  );

/** What a resumable session says about itself. */
type SessionState =
  | { state: 'incomplete'; nextByte: number }
  | { state: 'complete'; videoId: string }
  | { state: 'gone' };

/** The one video a YouTube post uploads, checked before anything is sent. */
function theVideo(media: MediaItem[]): MediaItem {
  if (media.length === 0) throw new MediaError(PLATFORM, 'YouTube needs a video');
  if (media.length > 1) {
    throw new MediaError(PLATFORM, `YouTube takes exactly one video (got ${media.length} media files)`);
  }
  const item = media[0]!;
  if (item.kind !== 'video' || !mediaType(item.contentType).startsWith('video/')) {
    throw new MediaError(
      PLATFORM,
      `YouTube takes a video; ${item.url} is ${item.contentType || 'of unknown type'}`,
    );
  }
  return item;
}

const PRIVACY_STATUSES = new Set(['public', 'unlisted', 'private']);

/** The `videos.insert` metadata: snippet and status from the content and `platformOptions.youtube`. */
function videoResource(title: string, content: PublishContext['content']): Json {
  const { options } = content;
  const privacyStatus =
    typeof options.privacyStatus === 'string' && PRIVACY_STATUSES.has(options.privacyStatus)
      ? options.privacyStatus
      : 'public';
  const tags = Array.isArray(options.tags)
    ? options.tags.filter((tag): tag is string => typeof tag === 'string')
    : undefined;
  return {
    snippet: { title, description: content.text, ...(tags ? { tags } : {}) },
    status: {
      privacyStatus,
      selfDeclaredMadeForKids: typeof options.madeForKids === 'boolean' ? options.madeForKids : false,
    },
  };
}

/**
 * YouTube's publishing half (docs/providers.md, YouTube): a resumable `videos.insert` session, the
 * video PUT in chunks, then the custom thumbnail (best effort). The session URI is checkpointed
 * before the first byte goes out, because the upload itself creates the video: a later attempt, or
 * `recover`, asks the session how far it got (an empty PUT) instead of uploading a second video.
 *
 * Quota errors wait until the next midnight in Pacific time (`classifyYouTubeError`, which follows
 * daylight saving through the platform's time zone data rather than a fixed offset).
 */
export function createYouTubePublisher(
  ctx: AdapterContext,
  options: YouTubePublisherOptions = {},
): PublishAdapter {
  const chunkBytes = options.chunkBytes ?? YOUTUBE_DEFAULT_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0 || chunkBytes % YOUTUBE_CHUNK_GRANULARITY !== 0) {
    throw new RangeError(`chunkBytes must be a positive multiple of ${YOUTUBE_CHUNK_GRANULARITY}`);
  }
  const uploadBase = ctx.endpoints.extra.uploadUrl ?? joinUrl(ctx.endpoints.apiUrl, '/upload');
  const uploadOrigin = new URL(uploadBase).origin;
  const call = (url: string, init: RequestInit & { timeoutMs?: number }) =>
    providerFetch(PLATFORM, url, init, ctx.fetch ?? fetch);

  /**
   * The session URI comes from an answer; the bearer token goes only to Google (or to the
   * configured upload host, for fakes), never to a host the answer names.
   */
  function sendsToken(sessionUri: string): boolean {
    const url = new URL(sessionUri);
    if (url.origin === uploadOrigin) return true;
    return (
      url.protocol === 'https:' &&
      (url.hostname === 'googleapis.com' || url.hostname.endsWith('.googleapis.com'))
    );
  }

  function publisher(publish: PublishContext) {
    const { accessToken, refreshToken } = publish.tokens;
    const secrets = [accessToken, refreshToken];
    const bearer = { Authorization: `Bearer ${accessToken}` };
    const fail = (response: ProviderResponse) => classifyYouTubeError(response, ctx.now(), secrets);

    const sessionHeaders = (sessionUri: string, contentRange: string): Record<string, string> => ({
      ...(sendsToken(sessionUri) ? bearer : {}),
      'Content-Range': contentRange,
    });

    /** The `id` of the video resource a finished upload answers with. */
    function videoIdOf(response: ProviderResponse): string {
      const id = str(record(response.json)?.id);
      // The video exists but we cannot name it: outcomeUnknown keeps the engine from uploading again.
      if (!id) throw malformed('the id of the uploaded video', 'missing_video_id', response.status, true);
      return id;
    }

    /** Asks the session how far it got: an empty PUT with `Content-Range: bytes *\/total`. */
    async function probe(sessionUri: string, total: number | null): Promise<SessionState> {
      const response = await call(sessionUri, {
        method: 'PUT',
        headers: sessionHeaders(sessionUri, `bytes */${total ?? '*'}`),
        body: EMPTY,
      });
      if (response.status === 308) {
        const nextByte = nextByteFrom(response.headers);
        if (nextByte === undefined) throw malformed('a readable Range header', 'bad_range', 308);
        return { state: 'incomplete', nextByte };
      }
      if (response.status === 200 || response.status === 201) {
        return { state: 'complete', videoId: videoIdOf(response) };
      }
      if (response.status === 404 || response.status === 410) return { state: 'gone' };
      throw fail(response);
    }

    /** Opens a resumable `videos.insert` session; its URI. */
    async function startSession(title: string, item: MediaItem, total: number | undefined): Promise<string> {
      const url = `${joinUrl(uploadBase, '/youtube/v3/videos')}?uploadType=resumable&part=snippet,status`;
      const response = await call(url, {
        method: 'POST',
        headers: {
          ...bearer,
          'Content-Type': 'application/json; charset=UTF-8',
          ...(total !== undefined ? { 'X-Upload-Content-Length': String(total) } : {}),
          'X-Upload-Content-Type': mediaType(item.contentType),
          Accept: 'application/json',
        },
        body: JSON.stringify(videoResource(title, publish.content)),
      });
      if (!isOk(response)) throw fail(response);
      const location = str(response.headers.get('location'));
      let sessionUri: URL | undefined;
      try {
        sessionUri = location ? new URL(location, url) : undefined;
      } catch {
        sessionUri = undefined;
      }
      if (!sessionUri || (sessionUri.protocol !== 'https:' && sessionUri.protocol !== 'http:')) {
        throw malformed('an upload session URI (Location)', 'missing_session_uri', response.status);
      }
      return sessionUri.toString();
    }

    /**
     * PUTs the video from `startAt` to the end and returns the new video's id. The stream is read
     * once, front to back; only the chunk in flight is held, so a 308 that kept fewer bytes than
     * were sent is answered from memory. Should the session lose bytes it had already confirmed,
     * the media is opened again.
     */
    async function upload(
      item: MediaItem,
      sessionUri: string,
      total: number | undefined,
      startAt: number,
      firstSource?: MediaByteReader,
    ): Promise<string> {
      if (total !== undefined && startAt > total) {
        throw new ProviderError(
          PLATFORM,
          { kind: 'retry', message: 'YouTube reports more bytes uploaded than the video has' },
          308,
          'bad_range',
        );
      }
      const openAt = async (offset: number) => {
        const source = firstSource ?? new MediaByteReader((await item.open()).body);
        firstSource = undefined;
        if ((await source.skip(offset)) < offset) {
          await source.close();
          throw new MediaError(PLATFORM, `the video ${item.url} is shorter than the part already uploaded`);
        }
        return source;
      };
      let source = await openAt(startAt);
      /** First byte the session has not kept. */
      let offset = startAt;
      /** Bytes from `offset` on, already read from the stream but not yet kept by the session. */
      let pending: Uint8Array<ArrayBuffer> = new Uint8Array(0);
      let stalled = 0;
      try {
        for (;;) {
          publish.signal.throwIfAborted();
          const wanted = total === undefined ? chunkBytes : Math.min(chunkBytes, total - offset);
          const fresh = await source.read(wanted - pending.byteLength);
          const chunk = new Uint8Array(pending.byteLength + fresh.byteLength);
          chunk.set(pending);
          chunk.set(fresh, pending.byteLength);
          pending = chunk;
          const end = offset + chunk.byteLength;
          let last: boolean;
          if (total !== undefined) {
            if (chunk.byteLength < wanted) {
              throw new MediaError(
                PLATFORM,
                `the video ${item.url} is shorter than its announced ${total} bytes`,
              );
            }
            last = end === total;
            // Extra bytes mean the announced size was wrong: YouTube would keep a truncated video.
            if (last && (await source.hasMore())) {
              throw new MediaError(
                PLATFORM,
                `the video ${item.url} is longer than its announced ${total} bytes`,
              );
            }
          } else {
            last = chunk.byteLength < chunkBytes || !(await source.hasMore());
          }
          if (end === 0) throw new MediaError(PLATFORM, `the video ${item.url} is empty`);
          // An empty last chunk (the session already holds every byte) only declares the size.
          const contentRange =
            chunk.byteLength === 0
              ? `bytes */${end}`
              : `bytes ${offset}-${end - 1}/${last ? end : (total ?? '*')}`;
          const response = await call(sessionUri, {
            method: 'PUT',
            headers: sessionHeaders(sessionUri, contentRange),
            body: chunk,
            timeoutMs: UPLOAD_TIMEOUT_MS,
          });
          if (response.status === 200 || response.status === 201) return videoIdOf(response);
          if (response.status === 404 || response.status === 410) {
            // The next attempt's probe sees the session gone and starts a new one.
            throw new ProviderError(
              PLATFORM,
              { kind: 'retry', message: 'the YouTube upload session expired' },
              response.status,
              'session_expired',
            );
          }
          if (response.status !== 308) throw fail(response);
          const nextByte = nextByteFrom(response.headers);
          if (nextByte === undefined || nextByte > end) {
            throw new ProviderError(
              PLATFORM,
              {
                kind: 'retry',
                message: 'YouTube confirmed an upload range that does not match what was sent',
              },
              308,
              'bad_range',
            );
          }
          stalled = nextByte > offset ? 0 : stalled + 1;
          if (stalled >= MAX_STALLED_CHUNKS) {
            throw new ProviderError(
              PLATFORM,
              { kind: 'retry', message: 'YouTube keeps refusing the same part of the video' },
              308,
              'upload_stalled',
            );
          }
          if (nextByte < offset) {
            await source.close();
            source = await openAt(nextByte);
            pending = new Uint8Array(0);
          } else {
            pending = pending.subarray(nextByte - offset);
          }
          offset = nextByte;
        }
      } finally {
        await source.close();
      }
    }

    /** Best effort: the video is already published, so a thumbnail problem must not fail the post. */
    async function setThumbnail(videoId: string): Promise<void> {
      const thumbnail = publish.content.thumbnail;
      if (thumbnail?.kind !== 'image') return;
      try {
        const opened = await thumbnail.open();
        const source = new MediaByteReader(opened.body);
        const bytes = await source.read(YOUTUBE_THUMBNAIL_MAX_BYTES + 1).finally(() => source.close());
        if (bytes.byteLength === 0 || bytes.byteLength > YOUTUBE_THUMBNAIL_MAX_BYTES) return;
        const url = `${joinUrl(uploadBase, '/youtube/v3/thumbnails/set')}?videoId=${encodeURIComponent(videoId)}`;
        await call(url, {
          method: 'POST',
          headers: {
            ...bearer,
            'Content-Type': mediaType(thumbnail.contentType),
            Accept: 'application/json',
          },
          body: bytes,
          timeoutMs: UPLOAD_TIMEOUT_MS,
        });
      } catch {
        // Nothing to do: the video stands without its custom thumbnail.
      }
    }

    async function finish(checkpoint: YouTubeCheckpoint, videoId: string): Promise<PublishedPost> {
      const post = { externalId: videoId, url: watchUrl(videoId) };
      try {
        await publish.save({ ...checkpoint, post });
      } catch {
        // The video exists and the engine records what this returns; failing now would report a
        // published video as failed. The checkpoint copy only serves `recover` after a crash.
      }
      await setThumbnail(videoId);
      return post;
    }

    async function run(): Promise<PublishedPost> {
      const state = readCheckpoint(publish.checkpoint);
      // An earlier attempt already created the video: uploading again would duplicate it.
      if (state.post) return state.post;
      const title = str(publish.content.title);
      if (!title) {
        throw new ProviderError(
          PLATFORM,
          { kind: 'permanent', message: 'YouTube needs a title for the video' },
          undefined,
          'title_required',
        );
      }
      const item = theVideo(publish.content.media);

      if (state.sessionUri) {
        const total = state.total ?? null;
        const session = await probe(state.sessionUri, total);
        if (session.state === 'complete') return finish(state, session.videoId);
        if (session.state === 'incomplete') {
          const checkpoint = { sessionUri: state.sessionUri, total };
          // This attempt's PUTs can complete the video, so it is in doubt from here on.
          await publish.beforeCreate(checkpoint);
          const videoId = await upload(item, state.sessionUri, total ?? undefined, session.nextByte);
          return finish(checkpoint, videoId);
        }
      }

      // Opened before the session exists: the size it announces goes into X-Upload-Content-Length.
      const opened = await item.open();
      const source = new MediaByteReader(opened.body);
      try {
        const known = opened.size ?? item.size;
        const total = known !== undefined && Number.isSafeInteger(known) && known > 0 ? known : undefined;
        const sessionUri = await startSession(title, item, total);
        const checkpoint = { sessionUri, total: total ?? null };
        await publish.beforeCreate(checkpoint);
        const videoId = await upload(item, sessionUri, total, 0, source);
        return finish(checkpoint, videoId);
      } finally {
        await source.close();
      }
    }

    return { probe, run };
  }

  return {
    platform: PLATFORM,

    publish(publish) {
      return publisher(publish).run();
    },

    async recover(publish) {
      const state = readCheckpoint(publish.checkpoint);
      if (state.post) return { outcome: 'published', post: state.post };
      // Without a session nothing was uploaded, so no video can exist.
      if (!state.sessionUri) return { outcome: 'not_published' };
      try {
        const session = await publisher(publish).probe(state.sessionUri, state.total ?? null);
        if (session.state === 'complete') {
          return {
            outcome: 'published',
            post: { externalId: session.videoId, url: watchUrl(session.videoId) },
          };
        }
        // An unfinished or expired session never became a video.
        return { outcome: 'not_published' };
      } catch {
        return { outcome: 'unknown' };
      }
    },
  };
}
