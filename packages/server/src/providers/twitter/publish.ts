import type { Platform } from '@mypostshare/contract';
import { intactPrefix, savedPost } from '../checkpoint.js';
import { joinUrl, type ProviderResponse, providerFetch } from '../http.js';
// The bounded-memory stream reader lives with the YouTube adapter, its first user.
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
import { classifyTwitterError } from './adapter.js';

const PLATFORM: Platform = 'twitter';

const MB = 1024 * 1024;
export const TWITTER_MAX_IMAGES = 4;
export const TWITTER_IMAGE_MAX_BYTES = 5 * MB;
export const TWITTER_GIF_MAX_BYTES = 15 * MB;
export const TWITTER_VIDEO_MAX_BYTES = 512 * MB;
export const TWITTER_DEFAULT_CHUNK_BYTES = 4 * MB;
/**
 * X forgets media ids 24 hours after the upload; an id is reused only while it is younger than
 * half that, so a post made from it never races the expiry.
 */
export const TWITTER_MEDIA_REUSE_MS = 12 * 60 * 60 * 1000;
/**
 * Status reads before an attempt gives up on a video still processing. The media id is
 * checkpointed, so the next attempt resumes polling instead of uploading again.
 */
export const TWITTER_MAX_STATUS_POLLS = 60;
/** Wait between status reads when X does not say (`check_after_secs`). */
const DEFAULT_CHECK_AFTER_SECS = 5;
/** Uploads carry megabytes; the default 30 s of providerFetch is meant for small JSON calls. */
const UPLOAD_TIMEOUT_MS = 120_000;

export interface TwitterPublisherOptions {
  /** Bytes per APPEND of a video, 4 MiB by default. */
  chunkBytes?: number;
  /** Status reads per attempt while X processes a video. */
  maxStatusPolls?: number;
}

type TwitterMediaKind = 'image' | 'gif' | 'video';

interface PlannedMedia {
  item: MediaItem;
  kind: TwitterMediaKind;
  category: 'tweet_image' | 'tweet_gif' | 'tweet_video';
  maxBytes: number;
}

const KINDS: Record<TwitterMediaKind, Omit<PlannedMedia, 'item'>> = {
  image: { kind: 'image', category: 'tweet_image', maxBytes: TWITTER_IMAGE_MAX_BYTES },
  gif: { kind: 'gif', category: 'tweet_gif', maxBytes: TWITTER_GIF_MAX_BYTES },
  video: { kind: 'video', category: 'tweet_video', maxBytes: TWITTER_VIDEO_MAX_BYTES },
};

/** `image/gif; charset=binary` → `image/gif`. */
const mediaType = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

const kindName = (kind: TwitterMediaKind) => (kind === 'gif' ? 'GIF' : kind);

/** Checks the media against X's rules before anything is uploaded: <= 4 images, or 1 GIF, or 1 video. */
function planMedia(media: MediaItem[]): PlannedMedia[] {
  const planned = media.map((item): PlannedMedia => {
    const kind: TwitterMediaKind =
      item.kind === 'video' ? 'video' : mediaType(item.contentType) === 'image/gif' ? 'gif' : 'image';
    return { item, ...KINDS[kind] };
  });
  const single = planned.find((entry) => entry.kind !== 'image');
  if (single && planned.length > 1) {
    throw new MediaError(
      PLATFORM,
      `a post on X carries one ${kindName(single.kind)} alone, or up to ${TWITTER_MAX_IMAGES} images (got ${planned.length} media files)`,
    );
  }
  if (planned.length > TWITTER_MAX_IMAGES) {
    throw new MediaError(
      PLATFORM,
      `a post on X carries at most ${TWITTER_MAX_IMAGES} images (got ${planned.length})`,
    );
  }
  for (const entry of planned) {
    if (entry.item.size !== undefined) checkSize(entry, entry.item.size);
  }
  return planned;
}

function checkSize(entry: PlannedMedia, size: number): void {
  if (size > entry.maxBytes) {
    throw new MediaError(
      PLATFORM,
      `X takes ${kindName(entry.kind)} files up to ${entry.maxBytes / MB} MB; ${entry.item.url} has ${size} bytes`,
    );
  }
  if (size === 0) throw new MediaError(PLATFORM, `the media file ${entry.item.url} is empty`);
}

/** A media file already uploaded to X, remembered with the URL it came from. */
interface UploadedMedia {
  url: string;
  mediaId: string;
  /** ISO time of the upload: X forgets the id 24 hours later. */
  uploadedAt: string;
  /** False while X is still processing it (videos): the post must wait. */
  processed: boolean;
}

/** What this adapter keeps in a delivery's checkpoint. */
interface TwitterCheckpoint {
  /** Media uploaded so far, in post order. */
  media?: UploadedMedia[];
  /** The tweet, once X has created it. */
  post?: PublishedPost;
}

function uploadedMedia(value: unknown): UploadedMedia | undefined {
  const entry = record(value);
  const url = str(entry?.url);
  const mediaId = str(entry?.mediaId);
  const uploadedAt = str(entry?.uploadedAt);
  if (!url || !mediaId || !uploadedAt || Number.isNaN(Date.parse(uploadedAt))) return undefined;
  return { url, mediaId, uploadedAt, processed: entry?.processed === true };
}

/** Reads a stored checkpoint, dropping whatever does not have the expected shape. */
function readCheckpoint(checkpoint: Checkpoint): TwitterCheckpoint {
  const result: TwitterCheckpoint = {};
  const media = intactPrefix(checkpoint.media, uploadedMedia);
  if (media) result.media = media;
  const post = savedPost(checkpoint);
  if (post) result.post = post;
  return result;
}

const tweetUrl = (username: string | null, id: string) =>
  username
    ? `https://x.com/${encodeURIComponent(username)}/status/${encodeURIComponent(id)}`
    : `https://x.com/i/web/status/${encodeURIComponent(id)}`;

/** `processing_info` of an upload or STATUS answer. */
interface ProcessingInfo {
  state: string;
  checkAfterSecs: number | undefined;
  error: string | undefined;
}

/** The answer's `data.processing_info`; undefined when X has nothing to process. */
function processingInfo(data: Json | undefined): ProcessingInfo | undefined {
  const info = record(data?.processing_info);
  const state = str(info?.state);
  if (!info || !state) return undefined;
  const checkAfter = Number(info.check_after_secs);
  const error = record(info.error);
  return {
    state,
    checkAfterSecs: Number.isFinite(checkAfter) && checkAfter > 0 ? checkAfter : undefined,
    error: str(error?.message) ?? str(error?.name),
  };
}

/** A permanent error for an answer that lacks what X documents: retrying would read the same. */
const malformed = (what: string, code: string, status?: number) =>
  new ProviderError(PLATFORM, { kind: 'permanent', message: `X answered without ${what}` }, status, code);

/**
 * X's publishing half (docs/providers.md, X): images and GIFs through `POST /2/media/upload`, a
 * video through initialize / append / finalize and STATUS polls, then `POST /2/tweets` naming the
 * media ids. Uploaded ids are checkpointed (with their upload time) so a later attempt reuses
 * them. X cannot be asked whether a tweet landed, so `recover` only knows what the checkpoint says.
 */
export function createTwitterPublisher(
  ctx: AdapterContext,
  options: TwitterPublisherOptions = {},
): PublishAdapter {
  const chunkBytes = options.chunkBytes ?? TWITTER_DEFAULT_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0) {
    throw new RangeError('chunkBytes must be a positive integer');
  }
  const maxStatusPolls = options.maxStatusPolls ?? TWITTER_MAX_STATUS_POLLS;
  const api = (path: string) => joinUrl(ctx.endpoints.apiUrl, path);
  const call = (url: string, init: RequestInit & { timeoutMs?: number }) =>
    providerFetch(PLATFORM, url, init, ctx.fetch ?? fetch);

  function publisher(publish: PublishContext) {
    const { accessToken, refreshToken } = publish.tokens;
    const secrets = [accessToken, refreshToken];
    const bearer = { Authorization: `Bearer ${accessToken}` };
    const state = readCheckpoint(publish.checkpoint);

    /** An X API call that must succeed; the answer's `data` (undefined when it has none). */
    async function request(
      method: string,
      path: string,
      body?: Json | FormData,
      timeoutMs?: number,
    ): Promise<Json | undefined> {
      const json = body !== undefined && !(body instanceof FormData);
      const response = await call(api(path), {
        method,
        headers: {
          ...bearer,
          Accept: 'application/json',
          ...(json ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body === undefined ? {} : { body: json ? JSON.stringify(body) : body }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
      if (!isOk(response)) throw classifyTwitterError(response, ctx.now(), secrets);
      return record(record(response.json)?.data);
    }

    const mediaIdOf = (data: Json | undefined, step: string) => {
      const id = str(data?.id);
      if (!id) throw malformed(`a media id (${step})`, 'missing_media_id');
      return id;
    };

    async function save(): Promise<void> {
      await publish.save({ ...publish.checkpoint, ...state });
    }

    /** Images and GIFs: one multipart upload, the file held in memory (15 MB at most). */
    async function uploadWhole(entry: PlannedMedia): Promise<{ id: string; info?: ProcessingInfo }> {
      const opened = await entry.item.open();
      if (opened.size !== undefined) checkSize(entry, opened.size);
      const source = new MediaByteReader(opened.body);
      const bytes = await source.read(entry.maxBytes + 1).finally(() => source.close());
      checkSize(entry, bytes.byteLength);
      const form = new FormData();
      form.append('media', new Blob([bytes], { type: mediaType(entry.item.contentType) }), 'media');
      form.append('media_category', entry.category);
      const data = await request('POST', '/2/media/upload', form, UPLOAD_TIMEOUT_MS);
      return { id: mediaIdOf(data, 'media upload'), info: processingInfo(data) };
    }

    /** Videos: initialize, one APPEND per chunk read from the stream, finalize. */
    async function uploadChunked(entry: PlannedMedia): Promise<{ id: string; info?: ProcessingInfo }> {
      const { item } = entry;
      let opened = await item.open();
      let total = opened.size ?? item.size;
      if (total === undefined) {
        // initialize needs the size up front: count it in a first pass rather than hold the video.
        const counter = new MediaByteReader(opened.body);
        total = await counter.skip(entry.maxBytes + 1).finally(() => counter.close());
        checkSize(entry, total);
        opened = await item.open();
      }
      const source = new MediaByteReader(opened.body);
      try {
        checkSize(entry, total);
        const init = await request('POST', '/2/media/upload/initialize', {
          media_type: mediaType(item.contentType),
          total_bytes: total,
          media_category: entry.category,
        });
        const id = mediaIdOf(init, 'media upload initialize');
        const path = `/2/media/upload/${encodeURIComponent(id)}`;
        for (let sent = 0, segment = 0; sent < total; segment += 1) {
          publish.signal.throwIfAborted();
          const wanted = Math.min(chunkBytes, total - sent);
          const chunk = await source.read(wanted);
          if (chunk.byteLength < wanted) {
            throw new MediaError(
              PLATFORM,
              `the video ${item.url} is shorter than its announced ${total} bytes`,
            );
          }
          const form = new FormData();
          form.append('media', new Blob([chunk], { type: 'application/octet-stream' }), 'media');
          form.append('segment_index', String(segment));
          await request('POST', `${path}/append`, form, UPLOAD_TIMEOUT_MS);
          sent += chunk.byteLength;
        }
        // Extra bytes mean the announced size was wrong: X would publish a truncated video.
        if (await source.hasMore()) {
          throw new MediaError(PLATFORM, `the video ${item.url} is longer than its announced ${total} bytes`);
        }
        const finalized = await request('POST', `${path}/finalize`);
        return { id, info: processingInfo(finalized) };
      } finally {
        await source.close();
      }
    }

    async function status(mediaId: string): Promise<ProcessingInfo | undefined> {
      const data = await request(
        'GET',
        `/2/media/upload?command=STATUS&media_id=${encodeURIComponent(mediaId)}`,
      );
      return processingInfo(data);
    }

    /** Polls until X has processed the media: a tweet naming unprocessed media is refused. */
    async function waitUntilProcessed(mediaId: string, first: ProcessingInfo | undefined): Promise<void> {
      let info = first;
      for (let poll = 0; ; poll += 1) {
        if (!info || info.state === 'succeeded') return;
        if (info.state === 'failed') {
          throw new MediaError(
            PLATFORM,
            `X could not process the media${info.error ? `: ${info.error}` : ''}`,
          );
        }
        if (poll >= maxStatusPolls) break;
        await publish.sleep((info.checkAfterSecs ?? DEFAULT_CHECK_AFTER_SECS) * 1000);
        info = await status(mediaId);
      }
      throw new ProviderError(
        PLATFORM,
        { kind: 'retry', message: 'X is still processing the media' },
        undefined,
        'media_processing',
      );
    }

    /** The processing state of an id an earlier attempt saved; `forgotten` when X refuses the id. */
    async function savedStatus(mediaId: string): Promise<ProcessingInfo | undefined | 'forgotten'> {
      try {
        return await status(mediaId);
      } catch (error) {
        // X no longer knows the id (or never finished creating it): uploading again is the way on.
        if (error instanceof ProviderError && error.classification.kind === 'permanent') return 'forgotten';
        throw error;
      }
    }

    const reusable = (earlier: UploadedMedia | undefined, item: MediaItem): earlier is UploadedMedia => {
      if (earlier?.url !== item.url) return false;
      const age = ctx.now().getTime() - Date.parse(earlier.uploadedAt);
      return age >= 0 && age < TWITTER_MEDIA_REUSE_MS;
    };

    async function uploadMedia(planned: PlannedMedia[]): Promise<string[]> {
      const saved = state.media ?? [];
      const uploaded: UploadedMedia[] = [];
      for (const [index, entry] of planned.entries()) {
        const earlier = saved[index];
        let current: UploadedMedia | undefined;
        let info: ProcessingInfo | undefined;
        if (reusable(earlier, entry.item)) {
          const known = earlier.processed ? undefined : await savedStatus(earlier.mediaId);
          if (known !== 'forgotten') {
            current = earlier;
            info = known;
          }
        }
        if (!current) {
          const fresh = entry.kind === 'video' ? await uploadChunked(entry) : await uploadWhole(entry);
          info = fresh.info;
          current = {
            url: entry.item.url,
            mediaId: fresh.id,
            uploadedAt: ctx.now().toISOString(),
            processed: !info || info.state === 'succeeded',
          };
          // Saved before any processing wait: a later attempt polls this id instead of uploading again.
          state.media = [...uploaded, current];
          await save();
        }
        if (!current.processed) {
          await waitUntilProcessed(current.mediaId, info);
          current = { ...current, processed: true };
          state.media = [...uploaded, current];
          await save();
        }
        uploaded.push(current);
      }
      state.media = uploaded;
      return uploaded.map((media) => media.mediaId);
    }

    async function createTweet(mediaIds: string[]): Promise<PublishedPost> {
      const { text } = publish.content;
      const body: Json = {
        // A tweet of media alone is allowed; an empty text field is not.
        ...(text.trim() !== '' || mediaIds.length === 0 ? { text } : {}),
        ...(mediaIds.length > 0 ? { media: { media_ids: mediaIds } } : {}),
      };
      const checkpoint = { ...publish.checkpoint, ...state };
      await publish.beforeCreate(checkpoint);
      const response: ProviderResponse = await call(api('/2/tweets'), {
        method: 'POST',
        headers: { ...bearer, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      });
      if (!isOk(response)) {
        const error = classifyTwitterError(response, ctx.now(), secrets);
        // A gateway timeout means X may have created the tweet after giving up on answering.
        if (response.status === 504) {
          throw new ProviderError(PLATFORM, error.classification, error.status, error.providerCode, true);
        }
        throw error;
      }
      const id = str(record(record(response.json)?.data)?.id);
      if (!id) {
        // The tweet may well exist: outcomeUnknown keeps the engine from repeating it.
        throw new ProviderError(
          PLATFORM,
          { kind: 'retry', message: 'X accepted the tweet but did not return its id' },
          response.status,
          'missing_tweet_id',
          true,
        );
      }
      const post = { externalId: id, url: tweetUrl(publish.account.remoteUsername, id) };
      try {
        await publish.save({ ...checkpoint, post });
      } catch {
        // The tweet exists and the engine records what this returns; failing now would report a
        // published tweet as failed. The checkpoint copy only serves `recover` after a crash.
      }
      return post;
    }

    async function run(): Promise<PublishedPost> {
      // An earlier attempt already created the tweet: posting again would duplicate it.
      if (state.post) return state.post;
      const planned = planMedia(publish.content.media);
      return createTweet(await uploadMedia(planned));
    }

    return { run };
  }

  return {
    platform: PLATFORM,

    publish(publish) {
      return publisher(publish).run();
    },

    async recover(publish) {
      // X has no way to look a tweet up by what we sent; only the checkpoint can tell.
      const { post } = readCheckpoint(publish.checkpoint);
      return post ? { outcome: 'published', post } : { outcome: 'unknown' };
    },
  };
}
