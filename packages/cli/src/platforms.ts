// The contract's closed lists, repeated here so that registering the commands (and `--help`) does
// not load the contract and zod. test/constants.test.ts keeps them equal to the contract's.

/** The platforms, as the API names them. */
export const PLATFORMS = ['linkedin', 'facebook', 'instagram', 'twitter', 'youtube'] as const;
export type PlatformName = (typeof PLATFORMS)[number];

/** Post request statuses, for `posts list --status`. */
export const POST_STATUSES = [
  'scheduled',
  'publishing',
  'published',
  'partially_published',
  'failed',
  'canceled',
] as const;

/** Webhook event types an endpoint can subscribe to. */
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

/** Webhook delivery statuses, for `webhooks deliveries --status`. */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivering', 'succeeded', 'failed'] as const;
