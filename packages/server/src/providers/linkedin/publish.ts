import type { Platform } from '@mypostshare/contract';
import { intactPrefix, savedPost } from '../checkpoint.js';
import { DEFAULT_LINKEDIN_VERSION } from '../endpoints.js';
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
import { classifyLinkedInError } from './adapter.js';

const PLATFORM: Platform = 'linkedin';

/** LinkedIn's cap on images in one post (`multiImage`). */
export const LINKEDIN_MAX_IMAGES = 20;
/** Pause between two reads of a video's processing status. */
export const LINKEDIN_VIDEO_POLL_INTERVAL_MS = 5_000;
/**
 * Status reads before an attempt gives up on a video still processing (about five minutes). The
 * video urn is checkpointed, so the next attempt resumes polling instead of uploading again.
 */
export const LINKEDIN_VIDEO_MAX_POLLS = 60;

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif']);
/** Uploads carry megabytes; the default 30 s of providerFetch is meant for small JSON calls. */
const UPLOAD_TIMEOUT_MS = 120_000;

const LITTLE_TEXT_RESERVED = /[\\|{}@[\]()<>#*_~]/g;

/**
 * Escapes text for LinkedIn's "little text" `commentary`: every reserved character gets a
 * backslash, or LinkedIn silently truncates the post at it. One pass over the original text, so a
 * backslash is escaped exactly once and the backslashes added here are never escaped again.
 */
export function escapeLittleText(text: string): string {
  return text.replace(LITTLE_TEXT_RESERVED, '\\$&');
}

/** A media file already uploaded to LinkedIn, remembered with the URL it came from. */
interface UploadedMedia {
  url: string;
  urn: string;
}

/** What this adapter keeps in a delivery's checkpoint. */
interface LinkedInCheckpoint {
  /** Images uploaded so far, in post order. */
  images?: UploadedMedia[];
  /** The video, once its upload is finalized. */
  video?: UploadedMedia;
  /** The post, once LinkedIn has created it. */
  post?: PublishedPost;
}

function uploadedMedia(value: unknown): UploadedMedia | undefined {
  const entry = record(value);
  const url = str(entry?.url);
  const urn = str(entry?.urn);
  return url && urn ? { url, urn } : undefined;
}

/** Reads a stored checkpoint, dropping whatever does not have the expected shape. */
function readCheckpoint(checkpoint: Checkpoint): LinkedInCheckpoint {
  const result: LinkedInCheckpoint = {};
  const images = intactPrefix(checkpoint.images, uploadedMedia);
  if (images) result.images = images;
  const video = uploadedMedia(checkpoint.video);
  if (video) result.video = video;
  const post = savedPost(checkpoint);
  if (post) result.post = post;
  return result;
}

const postUrl = (urn: string) => `https://www.linkedin.com/feed/update/${urn}`;

/** `image/jpeg; charset=binary` → `image/jpeg`. */
const mediaType = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

type MediaPlan =
  | { kind: 'none' }
  | { kind: 'images'; items: MediaItem[] }
  | { kind: 'video'; item: MediaItem; size: number };

/** Checks the media against LinkedIn's rules before anything is uploaded. */
function planMedia(media: MediaItem[]): MediaPlan {
  if (media.length === 0) return { kind: 'none' };
  const videos = media.filter((item) => item.kind === 'video');
  if (videos.length > 0) {
    if (media.length > 1) {
      throw new MediaError(PLATFORM, 'LinkedIn posts carry one video, without other videos or images');
    }
    const item = videos[0]!;
    // initializeUpload needs the exact size, and the upload ranges LinkedIn hands out depend on it.
    if (item.size === undefined || !Number.isSafeInteger(item.size) || item.size <= 0) {
      throw new MediaError(PLATFORM, `the size of the video ${item.url} is unknown; LinkedIn needs it`);
    }
    return { kind: 'video', item, size: item.size };
  }
  if (media.length > LINKEDIN_MAX_IMAGES) {
    throw new MediaError(
      PLATFORM,
      `LinkedIn posts carry at most ${LINKEDIN_MAX_IMAGES} images (got ${media.length})`,
    );
  }
  for (const item of media) {
    if (!IMAGE_TYPES.has(mediaType(item.contentType))) {
      throw new MediaError(
        PLATFORM,
        `LinkedIn accepts JPEG, PNG and GIF images; ${item.url} is ${item.contentType || 'of unknown type'}`,
      );
    }
  }
  return { kind: 'images', items: media };
}

interface UploadInstruction {
  uploadUrl: string;
  firstByte: number;
  lastByte: number;
}

/** A permanent error for an answer that lacks what LinkedIn documents: retrying would read the same. */
const malformed = (what: string, code: string) =>
  new ProviderError(
    PLATFORM,
    { kind: 'permanent', message: `LinkedIn answered without ${what}` },
    undefined,
    code,
  );

/**
 * The upload instructions in file order, checked to cover every byte exactly once: reading the
 * file sequentially relies on it.
 */
function uploadInstructions(raw: unknown, size: number): UploadInstruction[] {
  const list = Array.isArray(raw) ? raw : [];
  const instructions: UploadInstruction[] = [];
  for (const entry of list) {
    const fields = record(entry);
    const uploadUrl = str(fields?.uploadUrl);
    const firstByte = fields?.firstByte;
    const lastByte = fields?.lastByte;
    if (!uploadUrl || !Number.isSafeInteger(firstByte) || !Number.isSafeInteger(lastByte)) {
      throw malformed('usable video upload instructions', 'bad_upload_instructions');
    }
    instructions.push({ uploadUrl, firstByte: firstByte as number, lastByte: lastByte as number });
  }
  instructions.sort((a, b) => a.firstByte - b.firstByte);
  let next = 0;
  for (const { firstByte, lastByte } of instructions) {
    if (firstByte !== next || lastByte < firstByte) {
      throw malformed('upload instructions covering the video', 'bad_upload_instructions');
    }
    next = lastByte + 1;
  }
  if (instructions.length === 0 || next !== size) {
    throw malformed('upload instructions covering the video', 'bad_upload_instructions');
  }
  return instructions;
}

/**
 * LinkedIn's publishing half (docs/providers.md, LinkedIn): `POST /rest/posts` with the id in the
 * `x-restli-id` header; images through `/rest/images` (one PUT each), a video through `/rest/videos`
 * (ranged PUTs, finalize, poll until AVAILABLE). Uploaded media urns are checkpointed so a later
 * attempt does not upload them again. LinkedIn cannot be asked whether a post landed, so `recover`
 * only knows what the checkpoint says.
 */
export function createLinkedInPublisher(ctx: AdapterContext): PublishAdapter {
  const { endpoints } = ctx;
  const version = endpoints.extra.linkedinVersion ?? DEFAULT_LINKEDIN_VERSION;
  const apiOrigin = new URL(endpoints.apiUrl).origin;
  const api = (path: string) => joinUrl(endpoints.apiUrl, path);
  const call = (url: string, init: RequestInit & { timeoutMs?: number }) =>
    providerFetch(PLATFORM, url, init, ctx.fetch ?? fetch);

  /**
   * Upload URLs are signed, yet LinkedIn's examples send the bearer token with them; send it only
   * to LinkedIn itself (or the configured API host, for fakes), never to a host the answer names.
   */
  function sendsToken(uploadUrl: string): boolean {
    let url: URL;
    try {
      url = new URL(uploadUrl);
    } catch {
      return false;
    }
    if (url.origin === apiOrigin) return true;
    return (
      url.protocol === 'https:' && (url.hostname === 'linkedin.com' || url.hostname.endsWith('.linkedin.com'))
    );
  }

  /** One publish attempt: its author, checkpointed progress and the calls it makes. */
  function attempt(publish: PublishContext) {
    const { accessToken, refreshToken } = publish.tokens;
    const secrets = [accessToken, refreshToken];
    const now = () => ctx.now();
    const kind = publish.account.accountType === 'organization' ? 'organization' : 'person';
    const author = `urn:li:${kind}:${publish.account.remoteAccountId}`;
    const state = readCheckpoint(publish.checkpoint);

    const headers = (json: boolean): Record<string, string> => ({
      Authorization: `Bearer ${accessToken}`,
      'LinkedIn-Version': version,
      'X-Restli-Protocol-Version': '2.0.0',
      Accept: 'application/json',
      ...(json ? { 'Content-Type': 'application/json' } : {}),
    });

    /** A LinkedIn REST call that must succeed; its JSON body (or `{}` when empty). */
    async function rest(method: string, path: string, body?: Json): Promise<Json> {
      const response = await call(api(path), {
        method,
        headers: headers(body !== undefined),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      if (!isOk(response)) throw classifyLinkedInError(response, now(), secrets);
      return record(response.json) ?? {};
    }

    /** PUTs bytes to an upload URL LinkedIn handed out; the response, for its ETag. */
    async function put(uploadUrl: string, bytes: Uint8Array, contentType: string): Promise<ProviderResponse> {
      publish.signal.throwIfAborted();
      const response = await call(uploadUrl, {
        method: 'PUT',
        headers: {
          'Content-Type': contentType,
          ...(sendsToken(uploadUrl) ? { Authorization: `Bearer ${accessToken}` } : {}),
        },
        body: bytes,
        timeoutMs: UPLOAD_TIMEOUT_MS,
      });
      if (!isOk(response)) throw classifyLinkedInError(response, now(), secrets);
      return response;
    }

    async function save(): Promise<void> {
      await publish.save({ ...publish.checkpoint, ...state });
    }

    async function uploadImage(item: MediaItem): Promise<string> {
      const answer = await rest('POST', '/rest/images?action=initializeUpload', {
        initializeUploadRequest: { owner: author },
      });
      const value = record(answer.value);
      const uploadUrl = str(value?.uploadUrl);
      const image = str(value?.image);
      if (!uploadUrl || !image) {
        throw malformed('an upload URL and image urn (images initializeUpload)', 'bad_initialize_upload');
      }
      // Images are small enough to hold in memory, and one sized PUT is what LinkedIn expects.
      const opened = await item.open();
      const bytes = new Uint8Array(await new Response(opened.body).arrayBuffer());
      await put(uploadUrl, bytes, mediaType(item.contentType));
      return image;
    }

    async function uploadImages(items: MediaItem[]): Promise<string[]> {
      const saved = state.images ?? [];
      const images: UploadedMedia[] = [];
      for (const [index, item] of items.entries()) {
        const earlier = saved[index];
        if (earlier !== undefined && earlier.url === item.url) {
          images.push(earlier);
          continue;
        }
        images.push({ url: item.url, urn: await uploadImage(item) });
        state.images = [...images];
        await save();
      }
      state.images = images;
      return images.map((image) => image.urn);
    }

    async function uploadVideo(item: MediaItem, size: number): Promise<string> {
      const answer = await rest('POST', '/rest/videos?action=initializeUpload', {
        initializeUploadRequest: {
          owner: author,
          fileSizeBytes: size,
          uploadCaptions: false,
          uploadThumbnail: false,
        },
      });
      const value = record(answer.value);
      const video = str(value?.video);
      // LinkedIn answers an empty uploadToken for single-part uploads: only its type matters.
      const uploadToken = typeof value?.uploadToken === 'string' ? value.uploadToken : undefined;
      if (!video || uploadToken === undefined) {
        throw malformed('a video urn and upload token (videos initializeUpload)', 'bad_initialize_upload');
      }
      const instructions = uploadInstructions(value?.uploadInstructions, size);

      const opened = await item.open();
      const bytes = new MediaByteReader(opened.body);
      const uploadedPartIds: string[] = [];
      try {
        for (const { uploadUrl, firstByte, lastByte } of instructions) {
          const length = lastByte - firstByte + 1;
          const part = await bytes.read(length);
          if (part.byteLength < length) {
            throw new MediaError(
              PLATFORM,
              `the video ${item.url} is shorter than its announced ${size} bytes`,
            );
          }
          const response = await put(uploadUrl, part, 'application/octet-stream');
          const etag = response.headers.get('etag');
          if (!etag) {
            throw new ProviderError(
              PLATFORM,
              { kind: 'retry', message: 'LinkedIn accepted a video part without an ETag' },
              response.status,
              'missing_etag',
            );
          }
          uploadedPartIds.push(etag);
        }
        // Extra bytes mean the announced size was wrong: LinkedIn would publish a truncated video.
        if (await bytes.hasMore()) {
          throw new MediaError(PLATFORM, `the video ${item.url} is longer than its announced ${size} bytes`);
        }
      } finally {
        await bytes.close();
      }

      await rest('POST', '/rest/videos?action=finalizeUpload', {
        finalizeUploadRequest: { video, uploadToken, uploadedPartIds },
      });
      state.video = { url: item.url, urn: video };
      await save();
      return video;
    }

    /** Polls the video until LinkedIn has processed it: a post naming an unprocessed video fails. */
    async function waitUntilAvailable(video: string): Promise<void> {
      for (let poll = 1; poll <= LINKEDIN_VIDEO_MAX_POLLS; poll += 1) {
        const answer = await rest('GET', `/rest/videos/${encodeURIComponent(video)}`);
        const status = str(answer.status);
        if (status === 'AVAILABLE') return;
        if (status === 'PROCESSING_FAILED') {
          const reason = str(answer.processingFailureReason);
          throw new MediaError(
            PLATFORM,
            `LinkedIn could not process the video${reason ? `: ${reason}` : ''}`,
          );
        }
        if (poll < LINKEDIN_VIDEO_MAX_POLLS) await publish.sleep(LINKEDIN_VIDEO_POLL_INTERVAL_MS);
      }
      throw new ProviderError(
        PLATFORM,
        { kind: 'retry', message: 'LinkedIn is still processing the video' },
        undefined,
        'video_processing',
      );
    }

    async function mediaContent(): Promise<Json | undefined> {
      const plan = planMedia(publish.content.media);
      if (plan.kind === 'none') return undefined;
      if (plan.kind === 'images') {
        const ids = await uploadImages(plan.items);
        return ids.length === 1
          ? { media: { id: ids[0] } }
          : { multiImage: { images: ids.map((id) => ({ id })) } };
      }
      const video =
        state.video?.url === plan.item.url ? state.video.urn : await uploadVideo(plan.item, plan.size);
      await waitUntilAvailable(video);
      const title = str(publish.content.title);
      return { media: { id: video, ...(title ? { title } : {}) } };
    }

    async function createPost(content: Json | undefined): Promise<PublishedPost> {
      const visibility = publish.content.options.visibility === 'CONNECTIONS' ? 'CONNECTIONS' : 'PUBLIC';
      const body: Json = {
        author,
        commentary: escapeLittleText(publish.content.text),
        visibility,
        distribution: {
          feedDistribution: 'MAIN_FEED',
          targetEntities: [],
          thirdPartyDistributionChannels: [],
        },
        ...(content ? { content } : {}),
        lifecycleState: 'PUBLISHED',
        isReshareDisabledByAuthor: false,
      };
      const checkpoint = { ...publish.checkpoint, ...state };
      await publish.beforeCreate(checkpoint);
      const response = await call(api('/rest/posts'), {
        method: 'POST',
        headers: headers(true),
        body: JSON.stringify(body),
      });
      if (!isOk(response)) {
        const error = classifyLinkedInError(response, now(), secrets);
        // A gateway timeout means LinkedIn may have created the post after giving up on answering.
        if (response.status === 504) {
          throw new ProviderError(PLATFORM, error.classification, error.status, error.providerCode, true);
        }
        throw error;
      }
      const urn = str(response.headers.get('x-restli-id'));
      if (!urn) {
        // The post may well exist: a retry-class error with outcomeUnknown keeps the engine from repeating it.
        throw new ProviderError(
          PLATFORM,
          { kind: 'retry', message: 'LinkedIn accepted the post but did not return its id (x-restli-id)' },
          response.status,
          'missing_post_id',
          true,
        );
      }
      const post = { externalId: urn, url: postUrl(urn) };
      try {
        await publish.save({ ...checkpoint, post });
      } catch {
        // The post exists and the engine records what this returns; failing now would report a
        // published post as failed. The checkpoint copy only serves `recover` after a crash.
      }
      return post;
    }

    return { state, mediaContent, createPost };
  }

  return {
    platform: PLATFORM,

    async publish(publish) {
      const { state, mediaContent, createPost } = attempt(publish);
      // An earlier attempt already created the post: publishing again would duplicate it.
      if (state.post) return state.post;
      return createPost(await mediaContent());
    },

    async recover(publish) {
      const { post } = readCheckpoint(publish.checkpoint);
      return post ? { outcome: 'published', post } : { outcome: 'unknown' };
    },
  };
}
