import type { Platform } from '@mypostshare/contract';
import { intactPrefix, savedPost } from '../checkpoint.js';
import { DEFAULT_GRAPH_API_VERSION } from '../endpoints.js';
import { graphCreateError, graphError, isGraphFailure } from '../graph-errors.js';
import { form, joinUrl, providerFetch } from '../http.js';
import { type Json, record, str } from '../oauth-helpers.js';
import {
  type Checkpoint,
  MediaError,
  type MediaItem,
  type PublishAdapter,
  type PublishContext,
  type PublishedPost,
} from '../publishing.js';
import { type AdapterContext, ProviderError } from '../types.js';

const PLATFORM: Platform = 'facebook';

/** A Page post carries at most this many photos (`attached_media`). */
export const FACEBOOK_MAX_IMAGES = 10;
/**
 * Status reads of a new video before an attempt stops watching it. The video already exists and
 * Facebook publishes it once processed, so running out of polls returns the post anyway.
 */
export const FACEBOOK_MAX_VIDEO_STATUS_POLLS = 30;
/** Wait between status reads of a processing video. */
export const FACEBOOK_VIDEO_POLL_INTERVAL_MS = 10_000;
const DEFAULT_VIDEO_API_URL = 'https://graph-video.facebook.com';
/** Facebook downloads photos and videos (`url`, `file_url`) before it answers. */
const MEDIA_FETCH_TIMEOUT_MS = 120_000;

export interface FacebookPublisherOptions {
  /** Status reads per attempt while Facebook processes a video. */
  maxVideoStatusPolls?: number;
  /** Wait between two status reads of a video, in milliseconds. */
  videoPollIntervalMs?: number;
}

/** A photo uploaded unpublished for a multi-photo post, remembered with the URL it came from. */
interface UploadedPhoto {
  url: string;
  photoId: string;
}

/** What this adapter keeps in a delivery's checkpoint. */
interface FacebookCheckpoint {
  /** Unpublished photos uploaded so far for a multi-photo post, in post order. */
  photos?: UploadedPhoto[];
  /** The video, as soon as Facebook created it: it is already a post, never to be created again. */
  videoId?: string;
  /** The post, once Facebook created it. */
  post?: PublishedPost;
}

/** A Graph id as a string (Graph sends ids as strings; a safe-integer number is tolerated). */
const graphId = (value: unknown): string | undefined => {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return str(value);
};

function uploadedPhoto(value: unknown): UploadedPhoto | undefined {
  const entry = record(value);
  const url = str(entry?.url);
  const photoId = graphId(entry?.photoId);
  return url && photoId ? { url, photoId } : undefined;
}

/** Reads a stored checkpoint, dropping whatever does not have the expected shape. */
function readCheckpoint(checkpoint: Checkpoint): FacebookCheckpoint {
  const result: FacebookCheckpoint = {};
  const photos = intactPrefix(checkpoint.photos, uploadedPhoto);
  if (photos) result.photos = photos;
  const videoId = graphId(checkpoint.videoId);
  if (videoId) result.videoId = videoId;
  const post = savedPost(checkpoint);
  if (post) result.post = post;
  return result;
}

type Plan =
  | { kind: 'text' }
  | { kind: 'photo'; item: MediaItem }
  | { kind: 'photos'; items: MediaItem[] }
  | { kind: 'video'; item: MediaItem };

/** Checks the media against what a Page post takes before anything is sent: 1–10 photos, or 1 video alone. */
function planMedia(media: MediaItem[]): Plan {
  const videos = media.filter((item) => item.kind === 'video');
  if (videos.length > 0) {
    if (media.length > 1) {
      throw new MediaError(
        PLATFORM,
        `a Facebook post carries one video alone, or up to ${FACEBOOK_MAX_IMAGES} photos (got ${media.length} media files, ${videos.length} of them videos)`,
      );
    }
    return { kind: 'video', item: videos[0]! };
  }
  if (media.length > FACEBOOK_MAX_IMAGES) {
    throw new MediaError(
      PLATFORM,
      `a Facebook post carries at most ${FACEBOOK_MAX_IMAGES} photos (got ${media.length})`,
    );
  }
  if (media.length === 0) return { kind: 'text' };
  if (media.length === 1) return { kind: 'photo', item: media[0]! };
  return { kind: 'photos', items: media };
}

const postUrl = (postId: string) => `https://www.facebook.com/${encodeURIComponent(postId)}`;

const videoUrl = (pageId: string, videoId: string) =>
  `https://www.facebook.com/${encodeURIComponent(pageId)}/videos/${encodeURIComponent(videoId)}`;

/** A permanent error for an answer that lacks what Graph documents: retrying would read the same. */
const malformed = (what: string, code: string, status?: number) =>
  new ProviderError(
    PLATFORM,
    { kind: 'permanent', message: `Facebook answered without ${what}` },
    status,
    code,
  );

/** The post may exist but its id was not in the answer: outcomeUnknown keeps the engine from repeating it. */
const createdWithoutId = (status: number) =>
  new ProviderError(
    PLATFORM,
    { kind: 'retry', message: 'Facebook accepted the post but did not return its id' },
    status,
    'missing_post_id',
    true,
  );

/** What a video status read says: `ready`, `processing`, `error`, … and Facebook's reason for an error. */
interface VideoStatus {
  state: string | undefined;
  reason: string | undefined;
}

function videoStatusOf(body: Json): VideoStatus {
  const status = record(body.status);
  const phase = record(status?.processing_phase);
  const errors = Array.isArray(phase?.errors) ? phase.errors : [];
  const reason = str(record(errors[0])?.message) ?? str(record(phase?.error)?.message);
  return { state: str(status?.video_status)?.toLowerCase(), reason };
}

/**
 * Facebook Pages' publishing half (docs/providers.md, Facebook Pages), with the connection's page
 * token:
 * - text: `POST /{page-id}/feed` `message`;
 * - one photo: `POST /{page-id}/photos` `url` (Facebook fetches it) + `message`;
 * - 2–10 photos: each uploaded unpublished (`published=false`, ids checkpointed), then
 *   `POST /{page-id}/feed` with `attached_media[i]`;
 * - one video: `POST {videoApiUrl}/{version}/{page-id}/videos` `file_url`, `description`, `title`,
 *   its id checkpointed at once, then `GET /{video-id}?fields=status` until `ready`.
 *
 * A video is a post the moment Facebook creates it: once its id is known no error but a processing
 * `error` (MediaError) is reported, and running out of polls returns the post (Facebook publishes it
 * when processing ends). Graph cannot be asked whether a feed or photo post landed, so `recover`
 * knows only what the checkpoint says.
 */
export function createFacebookPublisher(
  ctx: AdapterContext,
  options: FacebookPublisherOptions = {},
): PublishAdapter {
  const { endpoints } = ctx;
  const graphVersion = endpoints.extra.graphVersion ?? DEFAULT_GRAPH_API_VERSION;
  const videoApiUrl = endpoints.extra.videoApiUrl ?? DEFAULT_VIDEO_API_URL;
  const maxVideoPolls = options.maxVideoStatusPolls ?? FACEBOOK_MAX_VIDEO_STATUS_POLLS;
  const videoPollIntervalMs = options.videoPollIntervalMs ?? FACEBOOK_VIDEO_POLL_INTERVAL_MS;
  const graphUrl = (base: string, ...segments: string[]) =>
    joinUrl(joinUrl(base, graphVersion), segments.map(encodeURIComponent).join('/'));

  function publisher(publish: PublishContext) {
    const { accessToken } = publish.tokens;
    const redact = [accessToken];
    const pageId = publish.account.remoteAccountId;
    const state = readCheckpoint(publish.checkpoint);
    const { text, title } = publish.content;
    // An empty message is refused by some endpoints and means nothing on the others.
    const message = text.trim() === '' ? undefined : text;

    /**
     * A Graph call that must succeed, the token in the Authorization header (never in the URL).
     * `create` marks the call that creates the post: a gateway failure there leaves the outcome unknown.
     */
    async function graph(
      method: 'GET' | 'POST',
      url: string,
      body?: URLSearchParams,
      { create = false, timeoutMs }: { create?: boolean; timeoutMs?: number } = {},
    ): Promise<{ body: Json; status: number }> {
      const response = await providerFetch(
        PLATFORM,
        url,
        {
          method,
          headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
          ...(body ? { body } : {}),
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
        },
        ctx.fetch ?? fetch,
      );
      if (isGraphFailure(response)) {
        throw create
          ? graphCreateError(PLATFORM, response, ctx.now(), { redact })
          : graphError(PLATFORM, response, ctx.now(), { redact });
      }
      const json = record(response.json);
      if (!json) {
        if (create) throw createdWithoutId(response.status);
        throw malformed('a JSON object', 'malformed_answer', response.status);
      }
      return { body: json, status: response.status };
    }

    const checkpoint = (): Checkpoint => ({ ...publish.checkpoint, ...state });

    /** Remembers the post; a failure to save must not turn a published post into a failed one. */
    async function remember(post: PublishedPost): Promise<PublishedPost> {
      state.post = post;
      try {
        await publish.save(checkpoint());
      } catch {
        // The engine records what publish returns; the checkpoint copy only serves `recover`.
      }
      return post;
    }

    async function createFeedPost(fields: Record<string, string | undefined>): Promise<PublishedPost> {
      await publish.beforeCreate(checkpoint());
      const { body, status } = await graph('POST', graphUrl(endpoints.apiUrl, pageId, 'feed'), form(fields), {
        create: true,
      });
      const id = graphId(body.id);
      if (!id) throw createdWithoutId(status);
      return remember({ externalId: id, url: postUrl(id) });
    }

    async function createPhotoPost(item: MediaItem): Promise<PublishedPost> {
      await publish.beforeCreate(checkpoint());
      const { body, status } = await graph(
        'POST',
        graphUrl(endpoints.apiUrl, pageId, 'photos'),
        form({ url: item.url, message }),
        { create: true, timeoutMs: MEDIA_FETCH_TIMEOUT_MS },
      );
      // `post_id` is the feed story; `id` alone is the photo, which also has a page of its own.
      const id = graphId(body.post_id) ?? graphId(body.id);
      if (!id) throw createdWithoutId(status);
      return remember({ externalId: id, url: postUrl(id) });
    }

    /** Uploads each photo unpublished (reusing those an earlier attempt uploaded) and returns their ids. */
    async function uploadPhotos(items: MediaItem[]): Promise<string[]> {
      const earlier = state.photos ?? [];
      const uploaded: UploadedPhoto[] = [];
      for (const [index, item] of items.entries()) {
        const saved = earlier[index];
        if (saved?.url === item.url) {
          uploaded.push(saved);
          continue;
        }
        const { body, status } = await graph(
          'POST',
          graphUrl(endpoints.apiUrl, pageId, 'photos'),
          form({ url: item.url, published: 'false' }),
          { timeoutMs: MEDIA_FETCH_TIMEOUT_MS },
        );
        const photoId = graphId(body.id);
        if (!photoId) throw malformed('the id of an uploaded photo', 'missing_photo_id', status);
        uploaded.push({ url: item.url, photoId });
        // Saved before the next upload: a later attempt attaches these instead of uploading again.
        state.photos = [...uploaded];
        await publish.save(checkpoint());
      }
      state.photos = uploaded;
      return uploaded.map((photo) => photo.photoId);
    }

    async function createMultiPhotoPost(items: MediaItem[]): Promise<PublishedPost> {
      const photoIds = await uploadPhotos(items);
      const fields: Record<string, string | undefined> = { message };
      for (const [index, photoId] of photoIds.entries()) {
        fields[`attached_media[${index}]`] = JSON.stringify({ media_fbid: photoId });
      }
      return createFeedPost(fields);
    }

    async function createVideoPost(item: MediaItem): Promise<PublishedPost> {
      await publish.beforeCreate(checkpoint());
      const { body, status } = await graph(
        'POST',
        graphUrl(videoApiUrl, pageId, 'videos'),
        form({ file_url: item.url, description: message, title: str(title) }),
        { create: true, timeoutMs: MEDIA_FETCH_TIMEOUT_MS },
      );
      const videoId = graphId(body.id);
      if (!videoId) throw createdWithoutId(status);
      state.videoId = videoId;
      try {
        await publish.save(checkpoint());
      } catch {
        // The video exists whatever happens next; beforeCreate already marked the attempt in doubt.
      }
      return watchVideo(videoId);
    }

    /** One status read; undefined when reading failed in a way more reads will not mend. */
    async function readVideoStatus(videoId: string): Promise<VideoStatus | 'transient' | undefined> {
      const url = new URL(graphUrl(endpoints.apiUrl, videoId));
      url.searchParams.set('fields', 'status');
      try {
        return videoStatusOf((await graph('GET', url.toString())).body);
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        return error.classification.kind === 'retry' ? 'transient' : undefined;
      }
    }

    /**
     * Watches a created video until Facebook has processed it. Only a processing `error` fails the
     * post; a status that cannot be read or polls running out return the post, which exists.
     */
    async function watchVideo(videoId: string): Promise<PublishedPost> {
      const post = { externalId: videoId, url: videoUrl(pageId, videoId) };
      for (let poll = 0; poll < maxVideoPolls; poll += 1) {
        if (poll > 0) await publish.sleep(videoPollIntervalMs);
        const status = await readVideoStatus(videoId);
        if (status === 'transient') continue;
        if (!status || status.state === 'ready') break;
        if (status.state === 'error') {
          throw new MediaError(
            PLATFORM,
            `Facebook could not process the video ${videoId}${status.reason ? `: ${status.reason}` : ''}`,
          );
        }
      }
      return remember(post);
    }

    async function run(): Promise<PublishedPost> {
      // An earlier attempt already created the post: creating it again would duplicate it.
      if (state.post) return state.post;
      if (state.videoId) return watchVideo(state.videoId);
      const plan = planMedia(publish.content.media);
      switch (plan.kind) {
        case 'text':
          return createFeedPost({ message: text });
        case 'photo':
          return createPhotoPost(plan.item);
        case 'photos':
          return createMultiPhotoPost(plan.items);
        case 'video':
          return createVideoPost(plan.item);
      }
    }

    return { run };
  }

  return {
    platform: PLATFORM,

    publish(publish) {
      return publisher(publish).run();
    },

    async recover(publish) {
      const { post, videoId } = readCheckpoint(publish.checkpoint);
      if (post) return { outcome: 'published', post };
      // A video id is only saved once Facebook created the video, which is the post.
      if (videoId) {
        return {
          outcome: 'published',
          post: { externalId: videoId, url: videoUrl(publish.account.remoteAccountId, videoId) },
        };
      }
      // Graph cannot look a feed or photo post up by what we sent.
      return { outcome: 'unknown' };
    },
  };
}
