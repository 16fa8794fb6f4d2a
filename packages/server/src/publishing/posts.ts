import { randomUUID } from 'node:crypto';
import {
  checkPostContent,
  type ErrorDetail,
  PLATFORM_LABELS,
  type Platform,
  type PlatformContentCheck,
  type PostContentInput,
  type PublishPostRequest,
} from '@mypostshare/contract';
import type { Context } from 'koa';
import type { AppDeps } from '../app.js';
import type { Db } from '../db/database.js';
import { prepared } from '../db/prepared.js';
import type { StoredMedia } from '../db/repositories/posts.js';
import type { PostDeliveriesTable, PostsTable } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { type InsertedDelivery, runDelivery } from './delivery.js';

/*
 * What the post routes share: content rules as API errors, the live-connection check, the rows a
 * new request is stored as, and starting deliveries in this process.
 */

/** Which request field a broken content rule is about, for the error's `details[].field`. */
function fieldOf(rule: string, platform: Platform, input: PostContentInput): string {
  if (rule.startsWith('title')) return 'title';
  if (rule.startsWith('media') || rule === 'carousel_size')
    return input.mediaUrls?.length ? 'mediaUrls' : 'mediaUrl';
  if (rule === 'tags_length') return `platformOptions.${platform}.tags`;
  return input.platformOptions?.[platform]?.content !== undefined
    ? `platformOptions.${platform}.content`
    : 'content';
}

/** The request's content-rule violations as `details`, one per platform and rule. */
export function contentErrorDetails(input: PostContentInput, checks: PlatformContentCheck[]): ErrorDetail[] {
  return checks.flatMap((check) =>
    check.errors.map((error) => ({
      field: fieldOf(error.rule, check.platform, input),
      platform: check.platform,
      rule: error.rule,
      message: error.message,
    })),
  );
}

/** 422 `content_invalid` naming each platform and rule, if any platform's rules are broken. */
export function requireValidContent(input: PostContentInput): void {
  const details = contentErrorDetails(input, checkPostContent(input));
  if (details.length === 0) return;
  const summary = details
    .slice(0, 3)
    .map((detail) => `${PLATFORM_LABELS[detail.platform as Platform]}: ${detail.message}`)
    .join('; ');
  throw new ApiError('content_invalid', `Content breaks platform rules: ${summary}`, details);
}

const liveConnectionPlatforms = prepared((db: Db, endUserId: string) =>
  db
    .selectFrom('connections')
    .select('platform')
    .where('end_user_id', '=', endUserId)
    .where('status', '=', 'connected'),
);

/** Platforms among `platforms` the end user has no live (`connected`) connection for. */
export async function platformsNotConnected(
  db: Db,
  endUserId: string,
  platforms: readonly Platform[],
): Promise<Platform[]> {
  const connected = new Set((await liveConnectionPlatforms(db, endUserId)).map((row) => row.platform));
  return platforms.filter((platform) => !connected.has(platform));
}

/** 422 `platform_not_connected` listing each platform without a live connection. */
export async function requireLiveConnections(db: Db, endUserId: string, platforms: readonly Platform[]) {
  const missing = await platformsNotConnected(db, endUserId, platforms);
  if (missing.length === 0) return;
  throw new ApiError(
    'platform_not_connected',
    `The end user has no live connection for ${missing.map((platform) => PLATFORM_LABELS[platform]).join(', ')}`,
    missing.map((platform) => ({
      field: 'platforms',
      platform,
      message: `not connected (or the connection expired): start a connect session for ${platform}`,
    })),
  );
}

/** 400 unless `scheduleAt` is in the future and within the configured horizon. */
export function requireSchedulable(deps: AppDeps, scheduleAt: string): string {
  const at = new Date(scheduleAt);
  const now = deps.clock.now().getTime();
  const problem =
    at.getTime() <= now
      ? 'must be in the future'
      : at.getTime() > now + deps.config.publishing.scheduleHorizonMs
        ? `must be within ${Math.round(deps.config.publishing.scheduleHorizonMs / 86_400_000)} days`
        : undefined;
  if (problem) {
    throw new ApiError('validation_error', `Invalid request: scheduleAt ${problem}`, [
      { field: 'scheduleAt', message: problem },
    ]);
  }
  return at.toISOString();
}

export const storedMedia = (
  body: Pick<PublishPostRequest, 'mediaUrl' | 'mediaUrls' | 'thumbnailUrl'>,
): StoredMedia => ({
  ...(body.mediaUrl ? { mediaUrl: body.mediaUrl } : {}),
  ...(body.mediaUrls?.length ? { mediaUrls: body.mediaUrls } : {}),
  ...(body.thumbnailUrl ? { thumbnailUrl: body.thumbnailUrl } : {}),
});

/** The stored row of a new request: the body's content, its caller, and how it is to be published. */
export function newPostRow(input: {
  id: string;
  appId: string;
  endUserId: string;
  sandbox: boolean;
  idempotencyKey: string | null;
  body: PublishPostRequest;
  mode: 'immediate' | 'scheduled';
  status: 'publishing' | 'scheduled';
  /** scheduleAt for a scheduled request, null for an immediate one. */
  scheduleAt: string | null;
  now: string;
}): PostsTable {
  const { body } = input;
  return {
    id: input.id,
    app_id: input.appId,
    end_user_id: input.endUserId,
    external_user_id: body.externalUserId,
    mode: input.mode,
    status: input.status,
    platforms: JSON.stringify(body.platforms),
    content: body.content,
    title: body.title ?? null,
    media: JSON.stringify(storedMedia(body)),
    platform_options: JSON.stringify(body.platformOptions ?? {}),
    metadata: JSON.stringify(body.metadata ?? {}),
    schedule_at: input.scheduleAt,
    // What dateFrom/dateTo filter on: when it is (or was) to be published.
    effective_at: input.scheduleAt ?? input.now,
    sandbox: input.sandbox ? 1 : 0,
    idempotency_key: input.idempotencyKey,
    created_at: input.now,
    updated_at: input.now,
  };
}

/** The delivery rows of a new request: one per platform. */
export function newDeliveries(
  postId: string,
  appId: string,
  platforms: readonly Platform[],
  sandbox: boolean,
  initial: Pick<PostDeliveriesTable, 'status' | 'next_attempt_at' | 'lease_owner' | 'lease_until'> &
    Partial<Pick<PostDeliveriesTable, 'attempts'>>,
  now: string,
): PostDeliveriesTable[] {
  return platforms.map((platform) => ({
    id: randomUUID(),
    post_id: postId,
    app_id: appId,
    platform,
    sandbox: sandbox ? 1 : 0,
    pool: sandbox ? 'sandbox' : platform,
    phase: null,
    attempts: 0,
    checkpoint: '{}',
    external_id: null,
    url: null,
    published_at: null,
    error_code: null,
    error_message: null,
    created_at: now,
    updated_at: now,
    ...initial,
  }));
}

/** The request's `Idempotency-Key`, if it sent one. */
export const idempotencyKeyOf = (ctx: Context): string | null => ctx.get('Idempotency-Key') || null;

/**
 * Starts deliveries this process has claimed (immediate publishes, retries) and waits until each
 * has an outcome or `waitMs` has passed; the rest keep going in the background. Deliveries given
 * as {@link InsertedDelivery} rows (just inserted, first attempt counted) start without a read or
 * a write; ids are read back and their attempt started first.
 */
export async function dispatchAndWait(
  deps: AppDeps,
  deliveries: ReadonlyArray<string | InsertedDelivery>,
  waitMs: number,
): Promise<void> {
  const runtime = deps.publishing;
  // A process that is shutting down leaves them to lease recovery rather than starting new work.
  if (runtime.stopping) return;
  const runs = deliveries.map((delivery) =>
    typeof delivery === 'string'
      ? runtime.track(delivery, () => runDelivery(deps, delivery))
      : runtime.track(delivery.delivery.id, () => runDelivery(deps, delivery.delivery.id, delivery)),
  );
  if (waitMs <= 0) return;
  // A plain timer, cleared as soon as every run is done: no AbortController and event per request.
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
  });
  await Promise.race([Promise.all(runs), waited]).finally(() => clearTimeout(timer));
}
