import type { Platform } from '@mypostshare/contract';
import { intactPrefix, savedPost } from '../checkpoint.js';
import { DEFAULT_GRAPH_API_VERSION } from '../endpoints.js';
import { DAILY_LIMIT_COOL_OFF_MS, graphCreateError, graphError, isGraphFailure } from '../graph-errors.js';
import { form, joinUrl, providerFetch } from '../http.js';
import { type Json, record, str } from '../oauth-helpers.js';
import {
  type Checkpoint,
  MediaError,
  type MediaItem,
  type PublishAdapter,
  type PublishContent,
  type PublishContext,
  type PublishedPost,
} from '../publishing.js';
import { type AdapterContext, ProviderError } from '../types.js';

const PLATFORM: Platform = 'instagram';

export const INSTAGRAM_MIN_CAROUSEL_ITEMS = 2;
export const INSTAGRAM_MAX_CAROUSEL_ITEMS = 10;
/**
 * Status reads of a container before an attempt gives up waiting. The container id is
 * checkpointed, so the next attempt resumes polling instead of creating another.
 */
export const INSTAGRAM_MAX_STATUS_POLLS = 60;
/** Wait between status reads of a container still processing. */
export const INSTAGRAM_STATUS_POLL_INTERVAL_MS = 5_000;
/**
 * Containers expire 24 hours after creation. A carousel item is reused only while younger than
 * half that, so the carousel made from it never races the expiry. (The container that gets
 * published is never dropped by age: only its status can say whether it was published.)
 */
export const INSTAGRAM_CHILD_REUSE_MS = 12 * 3600_000;
/** Wait after "media not ready for publishing" (subcode 2207027): the container needs a moment more. */
const MEDIA_NOT_READY_RETRY_MS = 60_000;
const MEDIA_NOT_READY_SUBCODE = '2207027';
/** Instagram downloads the media (`image_url`, `video_url`) while it creates a container. */
const MEDIA_FETCH_TIMEOUT_MS = 120_000;

export interface InstagramPublisherOptions {
  /** Status reads per container and attempt. */
  maxStatusPolls?: number;
  /** Wait between two status reads, in milliseconds. */
  statusPollIntervalMs?: number;
}

export type InstagramMediaType = 'image' | 'reel' | 'story' | 'carousel';
const MEDIA_TYPES: readonly InstagramMediaType[] = ['image', 'reel', 'story', 'carousel'];

/** A carousel item container, remembered with the URL it came from. */
interface ChildContainer {
  url: string;
  containerId: string;
  /** ISO time of creation: Instagram forgets containers 24 hours later. */
  createdAt: string;
  /** True once Instagram reported it FINISHED: no need to poll it again. */
  finished: boolean;
}

/** What this adapter keeps in a delivery's checkpoint. */
interface InstagramCheckpoint {
  /** Carousel item containers created so far, in post order. */
  children?: ChildContainer[];
  /** The container that gets published (the single media, or the carousel). */
  containerId?: string;
  /** The post, once published. */
  post?: PublishedPost;
}

/** A Graph id as a string (Graph sends ids as strings; a safe-integer number is tolerated). */
const graphId = (value: unknown): string | undefined => {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return str(value);
};

function childContainer(value: unknown): ChildContainer | undefined {
  const entry = record(value);
  const url = str(entry?.url);
  const containerId = str(entry?.containerId);
  const createdAt = str(entry?.createdAt);
  if (!url || !containerId || !createdAt || Number.isNaN(Date.parse(createdAt))) return undefined;
  return { url, containerId, createdAt, finished: entry?.finished === true };
}

/** Reads a stored checkpoint, dropping whatever does not have the expected shape. */
function readCheckpoint(checkpoint: Checkpoint): InstagramCheckpoint {
  const result: InstagramCheckpoint = {};
  const children = intactPrefix(checkpoint.children, childContainer);
  if (children) result.children = children;
  const containerId = str(checkpoint.containerId);
  if (containerId) result.containerId = containerId;
  const post = savedPost(checkpoint);
  if (post) result.post = post;
  return result;
}

interface Plan {
  type: InstagramMediaType;
  items: MediaItem[];
}

/** `image/jpeg; charset=binary` → `image/jpeg`. */
const mimeType = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

// `image/jpg` is not a registered type but some servers send it for JPEG files.
const isJpeg = (item: MediaItem) => ['image/jpeg', 'image/jpg'].includes(mimeType(item.contentType));

/**
 * Checks the media against Instagram's rules before anything is sent, and picks the media type:
 * `platformOptions.instagram.mediaType`, else a carousel for several files, a reel for one video,
 * an image for one image. Images must be JPEG.
 */
function planMedia(content: PublishContent): Plan {
  const { media } = content;
  if (media.length === 0) {
    throw new MediaError(PLATFORM, 'Instagram has no text-only posts: add an image or a video');
  }
  const requested = content.options.mediaType;
  const type: InstagramMediaType = MEDIA_TYPES.includes(requested as InstagramMediaType)
    ? (requested as InstagramMediaType)
    : media.length > 1
      ? 'carousel'
      : media[0]!.kind === 'video'
        ? 'reel'
        : 'image';
  if (type === 'carousel') {
    if (media.length < INSTAGRAM_MIN_CAROUSEL_ITEMS || media.length > INSTAGRAM_MAX_CAROUSEL_ITEMS) {
      throw new MediaError(
        PLATFORM,
        `an Instagram carousel takes ${INSTAGRAM_MIN_CAROUSEL_ITEMS} to ${INSTAGRAM_MAX_CAROUSEL_ITEMS} media files (got ${media.length})`,
      );
    }
  } else if (media.length !== 1) {
    throw new MediaError(PLATFORM, `an Instagram ${type} takes exactly one media file (got ${media.length})`);
  }
  const first = media[0]!;
  if (type === 'image' && first.kind !== 'image') {
    throw new MediaError(PLATFORM, `an Instagram image post needs an image; ${first.url} is a video`);
  }
  if (type === 'reel' && first.kind !== 'video') {
    throw new MediaError(PLATFORM, `an Instagram reel needs a video; ${first.url} is an image`);
  }
  for (const item of media) {
    if (item.kind === 'image' && !isJpeg(item)) {
      throw new MediaError(
        PLATFORM,
        `Instagram takes JPEG images only; ${item.url} is ${mimeType(item.contentType) || 'of unknown type'}`,
      );
    }
  }
  return { type, items: media };
}

/** A permanent error for an answer that lacks what Instagram documents: retrying would read the same. */
const malformed = (what: string, code: string, status?: number) =>
  new ProviderError(
    PLATFORM,
    { kind: 'permanent', message: `Instagram answered without ${what}` },
    status,
    code,
  );

/** The media may exist but its id was not in the answer: outcomeUnknown keeps the engine from repeating it. */
const publishedWithoutId = (status: number) =>
  new ProviderError(
    PLATFORM,
    { kind: 'retry', message: 'Instagram accepted media_publish but did not return the media id' },
    status,
    'missing_media_id',
    true,
  );

/**
 * A container an earlier attempt published, whose media id was lost with the answer: Instagram has
 * no way to read the media id from the container, so the container id stands in and no URL is known.
 */
const publishedContainer = (containerId: string): PublishedPost => ({ externalId: containerId, url: null });

/** Where a container's processing ended up, once it stopped being IN_PROGRESS. */
type SettledStatus = 'FINISHED' | 'PUBLISHED' | 'EXPIRED';

/**
 * Instagram's publishing half (docs/providers.md, Instagram), with the account's Instagram token on
 * `{apiUrl}/{version}/`:
 * 1. `POST /{ig-user-id}/media` creates a container (image, reel, story; for a carousel first one
 *    container per item with `is_carousel_item=true`, each polled to FINISHED, then the CAROUSEL
 *    container naming them). Every container id is checkpointed as soon as it exists.
 * 2. `GET /{container-id}?fields=status_code` until FINISHED (ERROR is a MediaError; EXPIRED
 *    containers are forgotten and made again; running out of polls is a retry that resumes here).
 * 3. `ctx.beforeCreate`, then `POST /{ig-user-id}/media_publish` `creation_id`.
 * 4. Best effort `GET /{media-id}?fields=permalink` for the URL.
 *
 * The checkpointed container makes every step resumable, and its status tells whether a lost
 * media_publish went through: a PUBLISHED container is never published again.
 */
export function createInstagramPublisher(
  ctx: AdapterContext,
  options: InstagramPublisherOptions = {},
): PublishAdapter {
  const { endpoints } = ctx;
  const graphVersion = endpoints.extra.graphVersion ?? DEFAULT_GRAPH_API_VERSION;
  const maxPolls = Math.max(1, options.maxStatusPolls ?? INSTAGRAM_MAX_STATUS_POLLS);
  const pollIntervalMs = options.statusPollIntervalMs ?? INSTAGRAM_STATUS_POLL_INTERVAL_MS;
  const graphUrl = (...segments: string[]) =>
    new URL(joinUrl(joinUrl(endpoints.apiUrl, graphVersion), segments.map(encodeURIComponent).join('/')));

  function publisher(publish: PublishContext) {
    const { accessToken } = publish.tokens;
    const redact = [accessToken];
    const igUserId = publish.account.remoteAccountId;
    const state = readCheckpoint(publish.checkpoint);
    const { text } = publish.content;
    const caption = text.trim() === '' ? undefined : text;

    /**
     * A Graph call that must succeed, the token in the Authorization header (never in the URL).
     * `create` marks media_publish: a gateway failure there leaves the outcome unknown.
     */
    async function graph(
      method: 'GET' | 'POST',
      url: URL,
      body?: URLSearchParams,
      { create = false, timeoutMs }: { create?: boolean; timeoutMs?: number } = {},
    ): Promise<{ body: Json; status: number }> {
      const response = await providerFetch(
        PLATFORM,
        url.toString(),
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
        if (create) throw publishedWithoutId(response.status);
        throw malformed('a JSON object', 'malformed_answer', response.status);
      }
      return { body: json, status: response.status };
    }

    /** The stored checkpoint with this adapter's keys replaced by `state` (so a forgotten container stays forgotten). */
    const checkpoint = (): Checkpoint => {
      const { children: _children, containerId: _containerId, post: _post, ...other } = publish.checkpoint;
      return { ...other, ...state };
    };
    const save = () => publish.save(checkpoint());

    /** Remembers the post; a failure to save must not turn a published post into a failed one. */
    async function remember(post: PublishedPost): Promise<PublishedPost> {
      state.post = post;
      try {
        await save();
      } catch {
        // The engine records what publish returns; the checkpoint copy only serves `recover`.
      }
      return post;
    }

    /** A container's `status_code`: IN_PROGRESS, FINISHED, ERROR, EXPIRED or PUBLISHED. */
    async function containerStatus(containerId: string): Promise<string | undefined> {
      const url = graphUrl(containerId);
      url.searchParams.set('fields', 'status_code');
      const { body } = await graph('GET', url);
      return str(body.status_code)?.toUpperCase();
    }

    /** Polls a container until it stops processing; `known` is a status already read. */
    async function settle(containerId: string, what: string, known?: string): Promise<SettledStatus> {
      let status = known ?? (await containerStatus(containerId));
      for (let reads = 1; ; reads += 1) {
        if (status === 'FINISHED' || status === 'PUBLISHED' || status === 'EXPIRED') return status;
        if (status === 'ERROR') throw new MediaError(PLATFORM, `Instagram could not process ${what}`);
        if (reads >= maxPolls) {
          throw new ProviderError(
            PLATFORM,
            { kind: 'retry', message: `Instagram is still processing ${what}` },
            undefined,
            'media_processing',
          );
        }
        await publish.sleep(pollIntervalMs);
        status = await containerStatus(containerId);
      }
    }

    async function createContainer(fields: Record<string, string | undefined>): Promise<string> {
      const { body, status } = await graph('POST', graphUrl(igUserId, 'media'), form(fields), {
        timeoutMs: MEDIA_FETCH_TIMEOUT_MS,
      });
      const id = graphId(body.id);
      if (!id) throw malformed('a container id', 'missing_container_id', status);
      return id;
    }

    const mediaField = (item: MediaItem) =>
      item.kind === 'video' ? { video_url: item.url } : { image_url: item.url };

    function singleFields(plan: Plan): Record<string, string | undefined> {
      const item = plan.items[0]!;
      switch (plan.type) {
        case 'reel':
          return { media_type: 'REELS', video_url: item.url, caption };
        // Stories take no caption.
        case 'story':
          return { media_type: 'STORIES', ...mediaField(item) };
        default:
          return { image_url: item.url, caption };
      }
    }

    const reusableChild = (
      earlier: ChildContainer | undefined,
      item: MediaItem,
    ): earlier is ChildContainer => {
      if (earlier?.url !== item.url) return false;
      const age = ctx.now().getTime() - Date.parse(earlier.createdAt);
      return age >= 0 && age < INSTAGRAM_CHILD_REUSE_MS;
    };

    /** A FINISHED container for one carousel item: the checkpointed one if still usable, else a new one. */
    async function readyChild(
      item: MediaItem,
      what: string,
      saved: ChildContainer | undefined,
      keep: (child: ChildContainer) => Promise<void>,
    ): Promise<ChildContainer> {
      if (reusableChild(saved, item)) {
        if (saved.finished) return saved;
        // An expired item (or one Instagram calls published, which an item never is) is made again.
        if ((await settle(saved.containerId, what)) === 'FINISHED') {
          const finished = { ...saved, finished: true };
          await keep(finished);
          return finished;
        }
      }
      const containerId = await createContainer({
        is_carousel_item: 'true',
        ...(item.kind === 'video' ? { media_type: 'VIDEO' } : {}),
        ...mediaField(item),
      });
      const created = { url: item.url, containerId, createdAt: ctx.now().toISOString(), finished: false };
      // Saved before the wait: a later attempt polls this container instead of making another.
      await keep(created);
      if ((await settle(containerId, what)) !== 'FINISHED') {
        throw malformed(`a usable container for ${what}`, 'container_expired');
      }
      const finished = { ...created, finished: true };
      await keep(finished);
      return finished;
    }

    /** One FINISHED container per carousel item, reusing those an earlier attempt made. */
    async function carouselChildren(items: MediaItem[]): Promise<string[]> {
      const earlier = state.children ?? [];
      const ready: ChildContainer[] = [];
      const keep = async (child: ChildContainer) => {
        state.children = [...ready, child];
        await save();
      };
      for (const [index, item] of items.entries()) {
        const what = `carousel item ${index + 1} (${item.url})`;
        ready.push(await readyChild(item, what, earlier[index], keep));
      }
      state.children = ready;
      return ready.map((child) => child.containerId);
    }

    /**
     * The container to publish, FINISHED (or already PUBLISHED): the checkpointed one when it is
     * still usable, else a new one. `known` is the checkpointed container's status, already read.
     */
    async function readyContainer(plan: Plan, known: string | undefined): Promise<[string, SettledStatus]> {
      let status = known;
      for (let round = 0; round < 2; round += 1) {
        let containerId = state.containerId;
        if (!containerId) {
          const fields =
            plan.type === 'carousel'
              ? { media_type: 'CAROUSEL', children: (await carouselChildren(plan.items)).join(','), caption }
              : singleFields(plan);
          containerId = await createContainer(fields);
          state.containerId = containerId;
          await save();
          status = undefined;
        }
        const settled = await settle(containerId, 'the media', status);
        if (settled !== 'EXPIRED') return [containerId, settled];
        // Unpublished and too old to publish; its carousel items are at least as old.
        delete state.containerId;
        delete state.children;
        await save();
        status = undefined;
      }
      throw malformed('a usable media container', 'container_expired');
    }

    /**
     * The account's publishing quota (a rolling 24 hours). Advisory: media_publish enforces the real
     * limit (subcode 2207042), so a failed read only stops the attempt when the grant is dead.
     */
    async function checkQuota(): Promise<void> {
      const url = graphUrl(igUserId, 'content_publishing_limit');
      url.searchParams.set('fields', 'quota_usage,config');
      let body: Json;
      try {
        body = (await graph('GET', url)).body;
      } catch (error) {
        if (error instanceof ProviderError && error.classification.kind !== 'reconnect') return;
        throw error;
      }
      const entry = record(Array.isArray(body.data) ? body.data[0] : undefined);
      const usage = Number(entry?.quota_usage);
      const total = Number(record(entry?.config)?.quota_total);
      if (Number.isFinite(usage) && Number.isFinite(total) && total > 0 && usage >= total) {
        throw new ProviderError(
          PLATFORM,
          {
            kind: 'retry',
            message: `the account has used its publishing quota (${usage} of ${total} posts in 24 hours)`,
            retryAfterMs: DAILY_LIMIT_COOL_OFF_MS,
          },
          undefined,
          'publishing_quota',
        );
      }
    }

    /** Best effort: the post is published whether or not its permalink can be read. */
    async function permalink(mediaId: string): Promise<string | null> {
      const url = graphUrl(mediaId);
      url.searchParams.set('fields', 'permalink');
      try {
        return str((await graph('GET', url)).body.permalink) ?? null;
      } catch {
        return null;
      }
    }

    async function publishContainer(containerId: string): Promise<PublishedPost> {
      await publish.beforeCreate(checkpoint());
      let answer: { body: Json; status: number };
      try {
        answer = await graph(
          'POST',
          graphUrl(igUserId, 'media_publish'),
          form({ creation_id: containerId }),
          {
            create: true,
          },
        );
      } catch (error) {
        // "Media is not ready for publishing": nothing was published and the container needs a moment more.
        if (error instanceof ProviderError && error.providerCode?.endsWith(`/${MEDIA_NOT_READY_SUBCODE}`)) {
          throw new ProviderError(
            PLATFORM,
            { kind: 'retry', message: error.classification.message, retryAfterMs: MEDIA_NOT_READY_RETRY_MS },
            error.status,
            error.providerCode,
          );
        }
        throw error;
      }
      const mediaId = graphId(answer.body.id);
      if (!mediaId) throw publishedWithoutId(answer.status);
      // Saved before the permalink read so that a crash there still leaves the real media id behind.
      await remember({ externalId: mediaId, url: null });
      return remember({ externalId: mediaId, url: await permalink(mediaId) });
    }

    async function run(): Promise<PublishedPost> {
      // An earlier attempt already published: publishing again would duplicate the post.
      if (state.post) return state.post;
      const plan = planMedia(publish.content);
      let known: string | undefined;
      if (state.containerId) {
        known = await containerStatus(state.containerId);
        // An earlier media_publish went through though its answer was lost.
        if (known === 'PUBLISHED') return remember(publishedContainer(state.containerId));
      }
      await checkQuota();
      const [containerId, status] = await readyContainer(plan, known);
      if (status === 'PUBLISHED') return remember(publishedContainer(containerId));
      return publishContainer(containerId);
    }

    return { run, containerStatus };
  }

  return {
    platform: PLATFORM,

    publish(publish) {
      return publisher(publish).run();
    },

    /**
     * PUBLISHED → published (the container id as externalId, the media id being unknown); FINISHED
     * → not published (publishing it now is safe); no container → nothing could have been
     * published; anything else, or a failed read → unknown.
     */
    async recover(publish) {
      const { post, containerId } = readCheckpoint(publish.checkpoint);
      if (post) return { outcome: 'published', post };
      if (!containerId) return { outcome: 'not_published' };
      let status: string | undefined;
      try {
        status = await publisher(publish).containerStatus(containerId);
      } catch {
        return { outcome: 'unknown' };
      }
      if (status === 'PUBLISHED') return { outcome: 'published', post: publishedContainer(containerId) };
      if (status === 'FINISHED') return { outcome: 'not_published' };
      return { outcome: 'unknown' };
    },
  };
}
