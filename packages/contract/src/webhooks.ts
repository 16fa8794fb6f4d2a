import * as z from 'zod';
import { Id, PaginationQuery, Timestamp } from './common.js';
import { ConnectErrorCode } from './connect-sessions.js';
import { Platform } from './platforms.js';
import { PlatformResult } from './posts.js';

/**
 * Every event type an endpoint can subscribe to, in a stable order. The list is closed: a new type
 * is a contract change.
 *
 * @example
 * ```ts
 * WEBHOOK_EVENT_TYPES.includes('post.published'); // true
 * ```
 */
export const WEBHOOK_EVENT_TYPES = [
  'connect_session.completed',
  'connect_session.failed',
  'connection.expiring',
  'connection.expired',
  'connection.deleted',
  'post.published',
  'post.partially_published',
  'post.failed',
  'post.canceled',
] as const;

/**
 * An event type an endpoint can subscribe to.
 *
 * @example
 * ```ts
 * WebhookEventType.parse('post.failed');
 * ```
 */
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/**
 * The type of the event `POST /v1/webhook-endpoints/:id/test` sends. Test-only: it cannot be
 * subscribed to, is sent to that one endpoint whatever its `events`, and describes nothing that
 * happened, so a receiver can safely acknowledge it and do nothing else.
 */
export const WEBHOOK_TEST_EVENT_TYPE = 'webhook.test' as const;

/**
 * The Standard Webhooks headers of every delivery: `webhook-id` (the event id, the same on every
 * retry: de-duplicate on it), `webhook-timestamp` (Unix seconds of this attempt) and
 * `webhook-signature` (space-separated `v1,<base64 HMAC-SHA256>` entries).
 */
export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** How far (seconds) a `webhook-timestamp` may be from the receiver's clock before it is rejected. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** The prefix of every webhook signing secret (the rest is the base64 of the key). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/**
 * An endpoint's health: `active`; `failing` once an event exhausted its retries (deliveries go on,
 * and the next success makes it `active` again); `disabled` after the receiver answered 410 Gone
 * (nothing more is sent until a test or a manual retry succeeds).
 */
export const WebhookEndpointStatus = z.enum(['active', 'failing', 'disabled']);
export type WebhookEndpointStatus = z.infer<typeof WebhookEndpointStatus>;

/**
 * Body of `POST /v1/webhook-endpoints`.
 *
 * @example
 * ```ts
 * CreateWebhookEndpointRequest.parse({
 *   url: 'https://client.example.com/webhooks/mypostshare',
 *   events: ['post.published', 'post.failed'],
 * });
 * ```
 */
export const CreateWebhookEndpointRequest = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .max(2048)
      .describe(
        'Absolute https URL that receives the events. It must not resolve to a loopback, private, link-local or metadata address.',
      ),
    events: z
      .array(WebhookEventType)
      .min(1)
      .max(WEBHOOK_EVENT_TYPES.length)
      .refine((list) => new Set(list).size === list.length, 'events must not repeat')
      .optional()
      .describe('Event types to receive; left out, every event type (including ones added later).'),
    description: z.string().trim().max(500).optional().describe('A note for your own reference.'),
  })
  .meta({ id: 'CreateWebhookEndpointRequest' });
export type CreateWebhookEndpointRequest = z.infer<typeof CreateWebhookEndpointRequest>;

/** A webhook endpoint as listed: never its secret. */
export const WebhookEndpoint = z
  .object({
    id: Id,
    url: z.string(),
    description: z.string().nullable(),
    events: z
      .array(z.string())
      .nullable()
      .describe('The subscribed event types; null means every event type.'),
    status: WebhookEndpointStatus,
    previousSecretExpiresAt: Timestamp.nullable().describe(
      'While a rotated-out secret still signs (24 hours after a rotation), when it stops.',
    ),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'WebhookEndpoint' });
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

/** Response of endpoint creation and of secret rotation: the one and only time `secret` is shown. */
export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().describe('The signing secret (`whsec_...`). Shown this once; store it now.'),
}).meta({ id: 'WebhookEndpointWithSecret' });
export type WebhookEndpointWithSecret = z.infer<typeof WebhookEndpointWithSecret>;

/** Path parameters of the routes under one endpoint. */
export const WebhookEndpointPathParams = z.strictObject({ id: Id });
/** Path parameters of the routes under one delivery. */
export const WebhookDeliveryPathParams = z.strictObject({ id: Id, deliveryId: Id });
/** Path parameters of the admin routes under one endpoint. */
export const AppWebhookEndpointPathParams = z.strictObject({ appId: Id, id: Id });
/** Path parameters of the admin routes under one delivery. */
export const AppWebhookDeliveryPathParams = z.strictObject({ appId: Id, id: Id, deliveryId: Id });

/**
 * A delivery's state: `pending` (due at `nextAttemptAt`), `delivering` (an attempt is in flight),
 * `succeeded` (a 2xx), or `failed` (retries exhausted, the endpoint answered 410, or a manual attempt failed).
 */
export const WebhookDeliveryStatus = z.enum(['pending', 'delivering', 'succeeded', 'failed']);
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatus>;

/** One event's delivery to one endpoint, with the outcome of its latest attempt. */
export const WebhookDelivery = z
  .object({
    id: Id,
    endpointId: Id,
    eventId: z.string().describe('The event id (`msg_...`), sent as `webhook-id` on every attempt.'),
    eventType: z.string(),
    status: WebhookDeliveryStatus,
    attempts: z.number().int(),
    nextAttemptAt: Timestamp.nullable(),
    lastAttemptAt: Timestamp.nullable(),
    responseStatus: z.number().int().nullable().describe('HTTP status of the latest attempt, if any.'),
    durationMs: z.number().int().nullable(),
    error: z.string().nullable().describe('Why the latest attempt failed, when it did.'),
    responseBody: z.string().nullable().describe('At most the first 1 KB of the latest response body.'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

/** Query of the delivery lists. */
export const ListWebhookDeliveriesQuery = PaginationQuery.extend({
  status: WebhookDeliveryStatus.optional(),
});
export type ListWebhookDeliveriesQuery = z.infer<typeof ListWebhookDeliveriesQuery>;

// ---------------------------------------------------------------------------------------------
// Event payloads: what a receiver gets. Tolerant of new fields, like every response schema.

/** `data` of `connect_session.completed` and `connect_session.failed`. */
export const ConnectSessionEventData = z
  .object({
    connectSessionId: Id,
    status: z.enum(['connected', 'failed', 'expired']),
    platform: Platform,
    endUserId: Id,
    externalUserId: z.string(),
    connectionId: Id.nullable(),
    errorCode: ConnectErrorCode.nullable(),
  })
  .meta({ id: 'ConnectSessionEventData' });
export type ConnectSessionEventData = z.infer<typeof ConnectSessionEventData>;

/** `data` of the `connection.*` events. Never a token. */
export const ConnectionEventData = z
  .object({
    connectionId: Id,
    platform: Platform,
    endUserId: Id,
    externalUserId: z.string().describe('`[erased]` when the end user was erased.'),
    status: z.enum(['connected', 'expired', 'failed', 'deleted']),
    remoteAccountId: z.string(),
    expiresAt: Timestamp.nullable().describe('When the access token expires, if known.'),
    reason: z
      .enum(['disconnected', 'end_user_deleted'])
      .optional()
      .describe('For `connection.deleted`: a disconnect, or the erasure of the end user.'),
  })
  .meta({ id: 'ConnectionEventData' });
export type ConnectionEventData = z.infer<typeof ConnectionEventData>;

/** `data` of the `post.*` events. */
export const PostEventData = z
  .object({
    postId: Id,
    status: z.enum(['published', 'partially_published', 'failed', 'canceled']),
    mode: z.enum(['immediate', 'scheduled']),
    externalUserId: z.string(),
    scheduleAt: Timestamp.nullable(),
    platforms: z.array(Platform),
    platformResults: z.array(PlatformResult),
    metadata: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'PostEventData' });
export type PostEventData = z.infer<typeof PostEventData>;

/** `data` of the test-only `webhook.test` event. */
export const WebhookTestEventData = z
  .object({ endpointId: Id, message: z.string() })
  .meta({ id: 'WebhookTestEventData' });
export type WebhookTestEventData = z.infer<typeof WebhookTestEventData>;

const envelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({
    id: z.string().describe('The event id (`msg_...`), also the `webhook-id` header.'),
    type: z.literal(type),
    createdAt: Timestamp,
    data,
  });

/**
 * The body of every delivery, `{id, type, createdAt, data}`, discriminated by `type`.
 *
 * @example
 * ```ts
 * const event = WebhookEvent.parse(JSON.parse(rawBody));
 * if (event.type === 'post.published') console.log(event.data.postId);
 * ```
 */
export const WebhookEvent = z
  .discriminatedUnion('type', [
    envelope('connect_session.completed', ConnectSessionEventData),
    envelope('connect_session.failed', ConnectSessionEventData),
    envelope('connection.expiring', ConnectionEventData),
    envelope('connection.expired', ConnectionEventData),
    envelope('connection.deleted', ConnectionEventData),
    envelope('post.published', PostEventData),
    envelope('post.partially_published', PostEventData),
    envelope('post.failed', PostEventData),
    envelope('post.canceled', PostEventData),
    envelope(WEBHOOK_TEST_EVENT_TYPE, WebhookTestEventData),
  ])
  .meta({ id: 'WebhookEvent' });
export type WebhookEvent = z.infer<typeof WebhookEvent>;
