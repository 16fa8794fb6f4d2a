import type {
  ListPostsQuery,
  Post,
  PostListItem,
  PublishPostRequest,
  SchedulePostRequest,
  UpdatePostRequest,
  ValidatePostRequest,
  ValidatePostResponse,
} from '@mypostshare/contract';
import type { Transport } from '../internal/transport.js';
import type { RequestOptions } from '../options.js';
import { type PagePromise, paginate } from '../pagination.js';

/**
 * Post requests: publish now or later to one or more of an end user's connected platforms, then
 * follow each platform's delivery. Reach it as `client.posts`.
 *
 * @example
 * ```ts
 * const post = await client.posts.publish({
 *   externalUserId: 'user_123',
 *   content: 'Hello from mypostshare',
 *   platforms: ['linkedin', 'twitter'],
 * });
 * for (const result of post.platformResults) console.log(result.platform, result.status);
 * ```
 */
export class Posts {
  readonly #transport: Transport;

  /** @internal Use `client.posts`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Publishes at once to every listed platform and resolves when each has an outcome (or after a
   * bounded time, with the rest still `publishing`). Retried safely: an `Idempotency-Key` is
   * generated unless you pass one, so a retry never publishes twice.
   *
   * Rejects with `UnprocessableEntityError` for content a platform refuses (`content_invalid`,
   * see `details`) or a platform the end user has not connected (`platform_not_connected`).
   *
   * @example
   * ```ts
   * const post = await client.posts.publish({
   *   externalUserId: 'user_123',
   *   title: 'Launch update',
   *   content: 'We just shipped!',
   *   platforms: ['linkedin'],
   *   metadata: { source: 'release-bot' },
   * });
   * post.status; // 'published', 'partially_published', 'failed' or 'publishing'
   * ```
   */
  async publish(params: PublishPostRequest, options?: RequestOptions): Promise<Post> {
    const reply = await this.#transport.call<Post>('publishPost', { body: params }, options);
    return reply.data;
  }

  /**
   * Schedules a post for a future `scheduleAt` (ISO 8601); the server's worker publishes it then.
   *
   * @example
   * ```ts
   * const post = await client.posts.schedule({
   *   externalUserId: 'user_123',
   *   content: 'See you tomorrow',
   *   platforms: ['linkedin', 'twitter'],
   *   scheduleAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
   * });
   * post.status; // 'scheduled'
   * ```
   */
  async schedule(params: SchedulePostRequest, options?: RequestOptions): Promise<Post> {
    const reply = await this.#transport.call<Post>('schedulePost', { body: params }, options);
    return reply.data;
  }

  /**
   * One post request with its per-platform results (`externalId`, `url`, `errorCode`...).
   *
   * @example
   * ```ts
   * const post = await client.posts.retrieve('e3143cd2-fb9e-42cf-aa45-f7e711d4823d');
   * const failed = post.platformResults.filter((result) => result.status === 'failed');
   * ```
   */
  async retrieve(id: string, options?: RequestOptions): Promise<Post> {
    const reply = await this.#transport.call<Post>('getPost', { params: { id } }, options);
    return reply.data;
  }

  /**
   * The app's post requests, newest first, optionally filtered by end user, status, platform and
   * an inclusive `dateFrom`/`dateTo` window. Await it for the first page, or iterate it for every
   * post of every page.
   *
   * @example
   * ```ts
   * const page = await client.posts.list({ externalUserId: 'user_123', status: 'published', limit: 20 });
   * console.log(page.data.map((post) => post.id), page.hasNextPage());
   *
   * for await (const post of client.posts.list({ dateFrom: '2026-03-01T00:00:00.000Z' })) {
   *   console.log(post.id, post.status);
   * }
   * ```
   */
  list(params: ListPostsQuery = {}, options?: RequestOptions): PagePromise<PostListItem> {
    return paginate(this.#transport.baseUrl, (rawQuery) =>
      this.#transport.call<PostListItem[]>('listPosts', { query: params, rawQuery }, options),
    );
  }

  /**
   * Cancels a request that is still `scheduled` and resolves with it (`status: 'canceled'`).
   * Rejects with `ConflictError` once it has started publishing.
   *
   * @example
   * ```ts
   * const post = await client.posts.cancel('40bb5e88-4868-4336-af0c-f18dd7a5eb45');
   * post.status; // 'canceled'
   * ```
   */
  async cancel(id: string, options?: RequestOptions): Promise<Post> {
    const reply = await this.#transport.call<Post>('cancelPost', { params: { id } }, options);
    return reply.data;
  }

  /**
   * Edits the content, platforms, media or `scheduleAt` of a request that is still `scheduled`.
   * Rejects with `ConflictError` once it has started publishing. Not retried (a PATCH is not
   * idempotent in general).
   *
   * @example
   * ```ts
   * const post = await client.posts.update('40bb5e88-4868-4336-af0c-f18dd7a5eb45', {
   *   content: 'Fixed a typo',
   *   scheduleAt: '2030-01-01T09:30:00.000Z',
   * });
   * ```
   */
  async update(id: string, params: UpdatePostRequest, options?: RequestOptions): Promise<Post> {
    const reply = await this.#transport.call<Post>('updatePost', { params: { id }, body: params }, options);
    return reply.data;
  }

  /**
   * Publishes again to the platforms whose delivery `failed` (after a reconnect, say).
   * Rejects with `ConflictError` when no platform failed.
   *
   * @example
   * ```ts
   * const post = await client.posts.retry('e3143cd2-fb9e-42cf-aa45-f7e711d4823d');
   * post.status; // 'publishing' or a final status
   * ```
   */
  async retry(id: string, options?: RequestOptions): Promise<Post> {
    const reply = await this.#transport.call<Post>('retryPost', { params: { id } }, options);
    return reply.data;
  }

  /**
   * A dry run: checks a publish body against each platform's rules and answers per-platform
   * errors and warnings. Nothing is stored or sent.
   *
   * @example
   * ```ts
   * const result = await client.posts.validate({
   *   externalUserId: 'user_123',
   *   content: 'x'.repeat(300),
   *   platforms: ['twitter', 'linkedin'],
   * });
   * if (!result.valid) console.log(result.platforms.flatMap((platform) => platform.errors));
   * ```
   */
  async validate(params: ValidatePostRequest, options?: RequestOptions): Promise<ValidatePostResponse> {
    const reply = await this.#transport.call<ValidatePostResponse>('validatePost', { body: params }, options);
    return reply.data;
  }
}
