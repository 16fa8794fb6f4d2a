import type { Platform, PlatformOptions } from '@mypostshare/contract';
import type { TokenSet } from './types.js';

/*
 * The publishing half of a provider (docs/providers.md, "Publish" of each platform). Each platform
 * implements `PublishAdapter` in providers/<platform>/publish.ts. The delivery engine
 * (services/delivery.ts) owns everything around the call: tokens, statuses, retries, leases; the
 * adapter owns only the provider's HTTP calls and the classification of their errors.
 *
 * None of the five create-post calls accepts an idempotency key, so an adapter must call
 * `ctx.beforeCreate()` immediately before the request that creates the post. If the process dies
 * after that point the attempt is "in doubt" and the engine never repeats it blindly: it asks
 * `recover()` (when the provider can tell whether the post landed) or fails the platform with
 * `delivery_interrupted`.
 */

export type MediaKind = 'image' | 'video';

/** An open media file: streamed, size-limited and timed out by the media fetcher. */
export interface OpenedMedia {
  contentType: string;
  /** Bytes, when the server announced a length. */
  size?: number | undefined;
  /** The bytes. Read it once; call `open()` again for another pass. */
  body: ReadableStream<Uint8Array>;
}

/** A media file the request names (`mediaUrl`, `mediaUrls`, `thumbnailUrl`), already probed. */
export interface MediaItem {
  url: string;
  kind: MediaKind;
  /** e.g. `image/jpeg`, `video/mp4`, from the probe. */
  contentType: string;
  /** Size in bytes, when the probe learned it. */
  size?: number | undefined;
  /** Fetches the file anew through the guarded fetcher (private addresses refused, size-limited). */
  open(): Promise<OpenedMedia>;
}

/** Thrown when a media file breaks a platform's media rule: the platform fails with `media_invalid`. */
export class MediaError extends Error {
  constructor(
    readonly platform: Platform | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/** The connected account a post goes to. */
export interface PublishAccount {
  /** LinkedIn person id (`sub`), Facebook page id, Instagram user id, X user id, YouTube channel id. */
  remoteAccountId: string;
  remoteUsername: string | null;
  accountType: string | null;
}

/** What to publish on one platform, with the request's per-platform overrides already applied. */
export interface PublishContent {
  /** The text: `platformOptions.<platform>.content` if given, else `content`. Not yet escaped. */
  text: string;
  title?: string | undefined;
  /** `mediaUrl` first, then `mediaUrls`, in order. */
  media: MediaItem[];
  thumbnail?: MediaItem | undefined;
  /** This platform's entry of `platformOptions` (an empty object when none). */
  options: NonNullable<PlatformOptions[Platform]> & Record<string, unknown>;
}

/** Where the post ended up. */
export interface PublishedPost {
  externalId: string;
  /** A public link to the post, when the provider's id gives one. */
  url: string | null;
}

/**
 * Progress an adapter saves so that a later attempt resumes instead of starting over (Instagram
 * container ids, YouTube upload session URIs, ids of media already uploaded). JSON-serialisable,
 * never a token.
 */
export type Checkpoint = Record<string, unknown>;

export interface PublishContext {
  tokens: TokenSet;
  account: PublishAccount;
  content: PublishContent;
  /** What earlier attempts of this delivery saved; `{}` on the first attempt. */
  checkpoint: Checkpoint;
  /** Persists progress (replacing the stored checkpoint) before the adapter goes on. */
  save(checkpoint: Checkpoint): Promise<void>;
  /**
   * Persists the checkpoint and marks the attempt in doubt. Call it immediately before the one
   * request that creates the post (for YouTube: before the upload that completes the video).
   */
  beforeCreate(checkpoint?: Checkpoint): Promise<void>;
  /** Waits between polls (tests pass one that does not really wait). Rejects when aborted. */
  sleep(ms: number): Promise<void>;
  /** Aborted when the process shuts down; long polls and uploads should stop early. */
  signal: AbortSignal;
}

/**
 * What `recover()` learned about an attempt in doubt:
 * - `published`: the post exists (its id and URL);
 * - `not_published`: the provider is sure it does not: the engine may try again;
 * - `unknown`: the provider cannot tell: the engine fails the platform with `delivery_interrupted`.
 */
export type RecoveryOutcome =
  | { outcome: 'published'; post: PublishedPost }
  | { outcome: 'not_published' }
  | { outcome: 'unknown' };

export interface PublishAdapter {
  platform: Platform;
  /**
   * Publishes one post and returns where it landed. Throws `ProviderError` (classified:
   * reconnect, retry, permanent; `outcomeUnknown` set by providerFetch for lost answers) or
   * `MediaError`.
   */
  publish(ctx: PublishContext): Promise<PublishedPost>;
  /** After a crash mid-attempt: asks the provider, from `ctx.checkpoint`, whether the post landed. */
  recover?(ctx: PublishContext): Promise<RecoveryOutcome>;
}
