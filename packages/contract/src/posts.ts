import * as z from 'zod';
import { Id, Metadata, PaginationQuery, Timestamp } from './common.js';
import { ExternalUserId } from './end-users.js';
import { Platform } from './platforms.js';

const MediaUrl = z.url({ protocol: /^https?$/ }).max(2048);

/** Per-platform options of a publish request. */
export const PlatformOptions = z
  .strictObject({
    linkedin: z
      .strictObject({
        content: z.string().optional(),
        visibility: z.enum(['PUBLIC', 'CONNECTIONS']).optional(),
      })
      .optional(),
    facebook: z.strictObject({ content: z.string().optional() }).optional(),
    instagram: z
      .strictObject({
        content: z.string().optional(),
        mediaType: z.enum(['image', 'reel', 'story', 'carousel']).optional(),
      })
      .optional(),
    twitter: z.strictObject({ content: z.string().optional() }).optional(),
    youtube: z
      .strictObject({
        content: z.string().optional(),
        privacyStatus: z.enum(['public', 'unlisted', 'private']).optional(),
        tags: z.array(z.string().max(100)).max(50).optional(),
        madeForKids: z.boolean().optional(),
      })
      .optional(),
  })
  .meta({ id: 'PlatformOptions' });
export type PlatformOptions = z.infer<typeof PlatformOptions>;

const publishFields = {
  externalUserId: ExternalUserId.describe('Connected end user to publish on behalf of.'),
  title: z.string().max(1000).optional().describe('Optional title or headline used by supported providers.'),
  content: z.string().max(100_000).describe('Main post content.'),
  platforms: z
    .array(Platform)
    .min(1)
    .max(5)
    .refine((list) => new Set(list).size === list.length, 'platforms must not repeat')
    .describe('Providers to deliver to.'),
  mediaUrl: MediaUrl.optional().describe('Optional media URL for supported providers.'),
  mediaUrls: z.array(MediaUrl).max(10).optional().describe('Several images, for carousels.'),
  thumbnailUrl: MediaUrl.optional().describe('Optional thumbnail asset URL.'),
  metadata: Metadata.optional().describe('Optional customer metadata attached to the request.'),
  platformOptions: PlatformOptions.optional(),
};

/**
 * Body of `POST /v1/posts` (publish now).
 *
 * @example
 * ```ts
 * PublishPostRequest.parse({ externalUserId: 'user_123', content: 'Hello', platforms: ['linkedin'] });
 * ```
 */
export const PublishPostRequest = z.strictObject(publishFields).meta({ id: 'PublishPostRequest' });
export type PublishPostRequest = z.infer<typeof PublishPostRequest>;

/**
 * Body of `POST /v1/posts/scheduled`.
 *
 * @example
 * ```ts
 * SchedulePostRequest.parse({
 *   externalUserId: 'user_123', content: 'Later', platforms: ['twitter'], scheduleAt: '2030-01-01T09:30:00.000Z',
 * });
 * ```
 */
export const SchedulePostRequest = z
  .strictObject({ ...publishFields, scheduleAt: Timestamp.describe('Future ISO 8601 UTC timestamp.') })
  .meta({ id: 'SchedulePostRequest' });
export type SchedulePostRequest = z.infer<typeof SchedulePostRequest>;

/** Body of `PATCH /v1/posts/:id`: edits a request that is still scheduled. */
export const UpdatePostRequest = z
  .strictObject({
    title: publishFields.title,
    content: publishFields.content.optional(),
    platforms: publishFields.platforms.optional(),
    mediaUrl: publishFields.mediaUrl,
    mediaUrls: publishFields.mediaUrls,
    thumbnailUrl: publishFields.thumbnailUrl,
    metadata: publishFields.metadata,
    platformOptions: publishFields.platformOptions,
    scheduleAt: Timestamp.optional(),
  })
  .meta({ id: 'UpdatePostRequest' });
export type UpdatePostRequest = z.infer<typeof UpdatePostRequest>;

/** Status of a publish request as a whole. */
export const PostStatus = z.enum([
  'scheduled',
  'publishing',
  'published',
  'partially_published',
  'failed',
  'canceled',
]);
export type PostStatus = z.infer<typeof PostStatus>;

/** Status of one platform's delivery. */
export const PlatformResultStatus = z.enum(['publishing', 'published', 'retrying', 'failed']);
export type PlatformResultStatus = z.infer<typeof PlatformResultStatus>;

/** Why one platform's delivery failed. */
export const DeliveryErrorCode = z.enum([
  'connection_expired',
  'provider_rejected',
  'provider_unavailable',
  'media_invalid',
  'delivery_interrupted',
  'platform_not_connected',
  'internal_error',
]);
export type DeliveryErrorCode = z.infer<typeof DeliveryErrorCode>;

/** One platform's delivery outcome. */
export const PlatformResult = z
  .object({
    platform: Platform,
    status: PlatformResultStatus,
    externalId: z.string().nullable().optional(),
    url: z.string().nullable().optional(),
    publishedAt: Timestamp.nullable().optional(),
    attempts: z.number().int().optional(),
    nextAttemptAt: Timestamp.nullable().optional(),
    errorCode: DeliveryErrorCode.nullable().optional(),
    errorMessage: z.string().nullable().optional(),
  })
  .meta({ id: 'PlatformResult' });
export type PlatformResult = z.infer<typeof PlatformResult>;

/** A publish or schedule request with its per-platform results. */
export const Post = z
  .object({
    id: Id,
    mode: z.enum(['immediate', 'scheduled']),
    status: PostStatus,
    externalUserId: z.string(),
    scheduleAt: Timestamp.optional(),
    platformResults: z.array(PlatformResult),
    // Beyond the reference (additive): what was asked for, so a request can be inspected or edited.
    platforms: z.array(Platform),
    content: z.string(),
    title: z.string().optional(),
    mediaUrl: z.string().optional(),
    mediaUrls: z.array(z.string()).optional(),
    thumbnailUrl: z.string().optional(),
    platformOptions: PlatformOptions.optional(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Post' });
export type Post = z.infer<typeof Post>;

/** An item of `GET /v1/posts`. */
export const PostListItem = z
  .object({
    id: Id,
    mode: z.enum(['immediate', 'scheduled']),
    status: PostStatus,
    externalUserId: z.string(),
    platforms: z.array(Platform),
    scheduleAt: Timestamp.optional(),
    createdAt: Timestamp,
  })
  .meta({ id: 'PostListItem' });
export type PostListItem = z.infer<typeof PostListItem>;

/** Query of `GET /v1/posts`. */
export const ListPostsQuery = PaginationQuery.extend({
  externalUserId: ExternalUserId.optional(),
  status: PostStatus.optional(),
  platform: Platform.optional(),
  dateFrom: Timestamp.optional(),
  dateTo: Timestamp.optional(),
});
export type ListPostsQuery = z.infer<typeof ListPostsQuery>;

/** Path parameters of the single-post routes. */
export const PostPathParams = z.strictObject({ id: Id });

/** Response of `POST /v1/posts/validate`. */
export const ValidatePostResponse = z
  .object({
    valid: z.boolean(),
    platforms: z.array(
      z.object({
        platform: Platform,
        errors: z.array(z.object({ rule: z.string(), message: z.string() })),
        warnings: z.array(z.object({ rule: z.string(), message: z.string() })),
      }),
    ),
  })
  .meta({ id: 'ValidatePostResponse' });
export type ValidatePostResponse = z.infer<typeof ValidatePostResponse>;

/** Body of `POST /v1/posts/validate`: either publish body, `scheduleAt` optional. */
export const ValidatePostRequest = z
  .strictObject({ ...publishFields, scheduleAt: Timestamp.optional() })
  .meta({ id: 'ValidatePostRequest' });
export type ValidatePostRequest = z.infer<typeof ValidatePostRequest>;

/** One platform's limits and capabilities, from `GET /v1/platforms`. */
export const PlatformInfo = z
  .object({
    platform: Platform,
    name: z.string(),
    maxTextLength: z.number().int(),
    textLengthUnit: z.enum(['characters', 'weighted_characters', 'bytes']),
    requiresMedia: z.boolean(),
    requiresTitle: z.boolean(),
    supportsTitle: z.boolean(),
    maxTitleLength: z.number().int().nullable(),
    mediaTypes: z.array(z.string()),
    maxMediaCount: z.number().int(),
    options: z.array(z.string()),
  })
  .meta({ id: 'PlatformInfo' });
export type PlatformInfo = z.infer<typeof PlatformInfo>;
