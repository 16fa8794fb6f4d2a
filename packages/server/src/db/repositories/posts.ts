import type {
  DeliveryErrorCode,
  Platform,
  PlatformResult,
  Post,
  PostEventData,
  PostListItem,
  PostStatus,
  WebhookEventType,
} from '@mypostshare/contract';
import { sql } from 'kysely';
import { emitWebhookEvent, hasLiveWebhookEndpoint } from '../../webhooks/events.js';
import type { Db } from '../database.js';
import { lockPost } from '../dialect.js';
import { type MaybePromise, prepared, preparedNow, sqliteGroupCommit } from '../prepared.js';
import type { PostDeliveriesTable, PostsTable } from '../schema.js';
import { finishDeliveryQuery } from './deliveries.js';

/*
 * Posts (publish requests) and their deliveries (one per platform). A delivery's status is the
 * scheduler's queue state as well as the platform result the API shows:
 *   queued → publishing → published | retrying → publishing … | failed;  queued → canceled.
 */

export type DeliveryStatus = 'queued' | 'publishing' | 'retrying' | 'published' | 'failed' | 'canceled';

/** Deliveries that still have work to do. */
export const ACTIVE_DELIVERY_STATUSES: readonly DeliveryStatus[] = ['queued', 'publishing', 'retrying'];

export interface StoredMedia {
  mediaUrl?: string;
  mediaUrls?: string[];
  thumbnailUrl?: string;
}

/**
 * A request's status from its platforms' (DESIGN.md, Publishing): `published` when all published,
 * `partially_published` when some published and the rest failed, `failed` when all failed,
 * `publishing` while any is still in flight or retrying.
 */
export function derivePostStatus(
  current: PostStatus,
  deliveries: ReadonlyArray<{ status: string }>,
): PostStatus {
  if (current === 'canceled') return 'canceled';
  if (deliveries.length === 0) return current;
  if (current === 'scheduled' && deliveries.every((delivery) => delivery.status === 'queued'))
    return 'scheduled';
  if (deliveries.some((delivery) => ACTIVE_DELIVERY_STATUSES.includes(delivery.status as DeliveryStatus))) {
    return 'publishing';
  }
  const published = deliveries.filter((delivery) => delivery.status === 'published').length;
  if (published === deliveries.length) return 'published';
  return published > 0 ? 'partially_published' : 'failed';
}

/** One platform's result as the API shows it. */
export function toPlatformResult(row: PostDeliveriesTable): PlatformResult {
  const status = row.status === 'queued' ? 'publishing' : (row.status as PlatformResult['status']);
  return {
    platform: row.platform as Platform,
    status,
    externalId: row.external_id,
    url: row.url,
    publishedAt: row.published_at,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'retrying' ? row.next_attempt_at : null,
    errorCode: row.error_code as DeliveryErrorCode | null,
    errorMessage: row.error_message,
  };
}

/** The API shape of a post. While scheduled (or canceled) it has no platform results yet. */
export function toPost(row: PostsTable, deliveries: PostDeliveriesTable[]): Post {
  const media = JSON.parse(row.media) as StoredMedia;
  const options = JSON.parse(row.platform_options) as Post['platformOptions'];
  const platforms = JSON.parse(row.platforms) as Platform[];
  const shown = deliveries
    .filter((delivery) => delivery.status !== 'canceled')
    .filter(() => row.status !== 'scheduled' && row.status !== 'canceled')
    .sort((a, b) => platforms.indexOf(a.platform as Platform) - platforms.indexOf(b.platform as Platform));
  return {
    id: row.id,
    mode: row.mode as Post['mode'],
    status: row.status as PostStatus,
    externalUserId: row.external_user_id,
    ...(row.schedule_at ? { scheduleAt: row.schedule_at } : {}),
    platformResults: shown.map(toPlatformResult),
    platforms,
    content: row.content,
    ...(row.title !== null ? { title: row.title } : {}),
    ...media,
    ...(options && Object.keys(options).length > 0 ? { platformOptions: options } : {}),
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The columns a list item shows. Reading every column costs more than twice as much: SQLite hands
 * each value over as a new JavaScript string, and content, media and options are the bulk.
 */
const LIST_COLUMNS = [
  'id',
  'mode',
  'status',
  'external_user_id',
  'platforms',
  'schedule_at',
  'created_at',
] as const;
export type PostListRow = Pick<PostsTable, (typeof LIST_COLUMNS)[number]>;

export interface PostListFilters {
  externalUserId?: string | undefined;
  status?: PostStatus | undefined;
  platform?: Platform | undefined;
  /** Inclusive bounds on the effective time, as stored (toISOString() text). */
  effectiveFrom?: string | undefined;
  effectiveTo?: string | undefined;
}

type FilterName = keyof PostListFilters;
const FILTER_NAMES: readonly FilterName[] = [
  'externalUserId',
  'status',
  'platform',
  'effectiveFrom',
  'effectiveTo',
];

/** Which filters a query has, and whether it starts after a cursor: the query's shape. */
interface ListShape {
  filters: FilterName[];
  cursor: boolean;
}

/**
 * The list query for one shape, built with its values as parameters: `appId`, each present
 * filter's value in FILTER_NAMES order, then the cursor's created_at and id, then the row limit.
 */
function buildListQuery(db: Db, shape: ListShape, values: unknown[]) {
  let next = 0;
  const value = () => values[next++] as string;
  let query = db.selectFrom('posts').select(LIST_COLUMNS).where('posts.app_id', '=', value());
  for (const filter of shape.filters) {
    const filterValue = value();
    if (filter === 'externalUserId') query = query.where('posts.external_user_id', '=', filterValue);
    else if (filter === 'status') query = query.where('posts.status', '=', filterValue);
    else if (filter === 'effectiveFrom') query = query.where('posts.effective_at', '>=', filterValue);
    else if (filter === 'effectiveTo') query = query.where('posts.effective_at', '<=', filterValue);
    else
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('post_deliveries')
            .select('post_deliveries.id')
            .whereRef('post_deliveries.post_id', '=', 'posts.id')
            .where('post_deliveries.platform', '=', filterValue),
        ),
      );
  }
  if (shape.cursor) {
    const createdAt = value();
    const id = value();
    query = query.where((eb) =>
      eb.or([
        eb('posts.created_at', '<', createdAt),
        eb.and([eb('posts.created_at', '=', createdAt), eb('posts.id', '<', id)]),
      ]),
    );
  }
  return query
    .orderBy('posts.created_at', 'desc')
    .orderBy('posts.id', 'desc')
    .limit(value() as unknown as number);
}

/** One compiled, prepared query per shape (at most 2^6 of them), built on first use. */
const listQueries = new Map<string, (db: Db, ...values: unknown[]) => MaybePromise<PostListRow[]>>();

/**
 * An app's requests newest first, `limit` rows from after `cursor`. The query is compiled once per
 * shape and runs as a prepared statement: on a 50-item page, building and compiling it anew and
 * reading every column cost more than the rest of the request.
 */
export async function listPostRows(
  db: Db,
  appId: string,
  filters: PostListFilters,
  cursor: { createdAt: string; id: string } | undefined,
  limit: number,
): Promise<PostListRow[]> {
  const present = FILTER_NAMES.filter((name) => filters[name] !== undefined);
  const key = `${present.join(',')}|${cursor ? 'cursor' : ''}`;
  let query = listQueries.get(key);
  if (!query) {
    const shape: ListShape = { filters: present, cursor: cursor !== undefined };
    query = preparedNow((db: Db, ...values: unknown[]) => buildListQuery(db, shape, values));
    listQueries.set(key, query);
  }
  const values: unknown[] = [appId, ...present.map((name) => filters[name])];
  if (cursor) values.push(cursor.createdAt, cursor.id);
  values.push(limit);
  return query(db, ...values);
}

export const toPostListItem = (row: PostListRow): PostListItem => ({
  id: row.id,
  mode: row.mode as PostListItem['mode'],
  status: row.status as PostStatus,
  externalUserId: row.external_user_id,
  platforms: JSON.parse(row.platforms) as Platform[],
  ...(row.schedule_at ? { scheduleAt: row.schedule_at } : {}),
  createdAt: row.created_at,
});

// Inserts built once with every column a parameter (see prepared.ts: arguments are only values).
const POST_COLUMNS = [
  'id',
  'app_id',
  'end_user_id',
  'external_user_id',
  'mode',
  'status',
  'platforms',
  'content',
  'title',
  'media',
  'platform_options',
  'metadata',
  'schedule_at',
  'effective_at',
  'sandbox',
  'idempotency_key',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof PostsTable>;
const DELIVERY_COLUMNS = [
  'id',
  'post_id',
  'app_id',
  'platform',
  'sandbox',
  'pool',
  'status',
  'phase',
  'attempts',
  'next_attempt_at',
  'lease_owner',
  'lease_until',
  'checkpoint',
  'external_id',
  'url',
  'published_at',
  'error_code',
  'error_message',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof PostDeliveriesTable>;

const rowOf = <T>(columns: readonly string[], values: unknown[]) =>
  Object.fromEntries(columns.map((column, index) => [column, values[index]])) as T;
const insertPostRow = (db: Db, ...values: unknown[]) =>
  db.insertInto('posts').values(rowOf<PostsTable>(POST_COLUMNS, values));
const insertDeliveryRow = (db: Db, ...values: unknown[]) =>
  db.insertInto('post_deliveries').values(rowOf<PostDeliveriesTable>(DELIVERY_COLUMNS, values));

/** Stores a post and its deliveries together: a request is never half-written. */
export async function insertPost(db: Db, post: PostsTable, deliveries: PostDeliveriesTable[]): Promise<void> {
  // Shares its commit with the other requests storing posts in this event-loop turn.
  const grouped = sqliteGroupCommit(db, (run) => {
    run(insertPostRow, ...POST_COLUMNS.map((column) => post[column]));
    for (const delivery of deliveries)
      run(insertDeliveryRow, ...DELIVERY_COLUMNS.map((column) => delivery[column]));
  });
  if (grouped) return grouped;
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('posts').values(post).execute();
    if (deliveries.length > 0) await trx.insertInto('post_deliveries').values(deliveries).execute();
  });
}

const findPostStatement = prepared((db: Db, appId: string, id: string) =>
  db.selectFrom('posts').selectAll().where('app_id', '=', appId).where('id', '=', id),
);

/** The app's post, or undefined (another app's post is as absent as a missing one). */
export async function findPost(db: Db, appId: string, id: string): Promise<PostsTable | undefined> {
  return (await findPostStatement(db, appId, id))[0];
}

export const findPostByIdempotencyKey = (db: Db, appId: string, key: string) =>
  db
    .selectFrom('posts')
    .selectAll()
    .where('app_id', '=', appId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();

const deliveriesStatement = prepared((db: Db, postId: string) =>
  db.selectFrom('post_deliveries').selectAll().where('post_id', '=', postId),
);

export const listDeliveries = (db: Db, postId: string): Promise<PostDeliveriesTable[]> =>
  deliveriesStatement(db, postId);

/** The post with its deliveries, in the API shape; undefined when the app has no such post. */
export async function loadPostView(db: Db, appId: string, id: string): Promise<Post | undefined> {
  const post = await findPost(db, appId, id);
  if (!post) return undefined;
  return toPost(post, await listDeliveries(db, id));
}

const postStatusStatement = prepared((db: Db, postId: string) =>
  db.selectFrom('posts').select(['status', 'app_id']).where('id', '=', postId),
);
const setPostStatusStatement = prepared((db: Db, postId: string, status: string, now: string) =>
  db
    .updateTable('posts')
    .set({ status, updated_at: now })
    .where('id', '=', postId)
    .where('status', '!=', 'canceled'),
);

/** The webhook event of each status a post can settle in. */
const SETTLED_EVENTS = {
  published: 'post.published',
  partially_published: 'post.partially_published',
  failed: 'post.failed',
  canceled: 'post.canceled',
} as const satisfies Partial<Record<PostStatus, WebhookEventType>>;
const settledEvent = (status: string) =>
  Object.hasOwn(SETTLED_EVENTS, status) ? SETTLED_EVENTS[status as keyof typeof SETTLED_EVENTS] : undefined;

/** `data` of a `post.*` webhook event. */
export function postEventData(row: PostsTable, deliveries: PostDeliveriesTable[]): PostEventData {
  const post = toPost(row, deliveries);
  return {
    postId: post.id,
    status: post.status as PostEventData['status'],
    mode: post.mode,
    externalUserId: post.externalUserId,
    scheduleAt: row.schedule_at,
    platforms: post.platforms,
    platformResults: post.platformResults,
    metadata: post.metadata,
  };
}

/**
 * Emits the `post.*` event of a post that has just settled (or been canceled), inside the
 * caller's transaction, from the rows as that transaction sees them.
 */
export async function emitPostEvent(trx: Db, postId: string, now: Date): Promise<void> {
  const row = await trx.selectFrom('posts').selectAll().where('id', '=', postId).executeTakeFirst();
  const type = row && settledEvent(row.status);
  if (!row || !type) return;
  const deliveries = await trx
    .selectFrom('post_deliveries')
    .selectAll()
    .where('post_id', '=', postId)
    .execute();
  await emitWebhookEvent(trx, { appId: row.app_id, type, data: postEventData(row, deliveries), now });
}

/**
 * Recomputes a post's status from its deliveries after one of them changed. When the post settles
 * (published, partially published, failed) and its app has a webhook endpoint, the change and its
 * event are written in one transaction, the change guarded by the status it replaces so the event
 * is emitted exactly once. Otherwise it stays one prepared UPDATE.
 */
export async function refreshPostStatus(db: Db, postId: string, now: Date): Promise<PostStatus | undefined> {
  const [post] = await postStatusStatement(db, postId);
  if (!post) return undefined;
  const deliveries = await deliveriesStatement(db, postId);
  const status = derivePostStatus(post.status as PostStatus, deliveries);
  if (status === post.status) return status;
  if (!settledEvent(status) || !(await hasLiveWebhookEndpoint(db, post.app_id))) {
    await setPostStatusStatement(db, postId, status, now.toISOString());
    return status;
  }
  return db.transaction().execute((trx) => settlePostStatus(trx, postId, now));
}

/**
 * Inside the caller's transaction: moves the post's status to what its deliveries say, and emits
 * the event of the status it settles in. The update is guarded by the status it replaces.
 */
async function settlePostStatus(trx: Db, postId: string, now: Date): Promise<PostStatus | undefined> {
  const current = await trx.selectFrom('posts').select('status').where('id', '=', postId).executeTakeFirst();
  if (!current) return undefined;
  const rows = await trx.selectFrom('post_deliveries').selectAll().where('post_id', '=', postId).execute();
  const next = derivePostStatus(current.status as PostStatus, rows);
  if (next === current.status) return next;
  const changed = await trx
    .updateTable('posts')
    .set({ status: next, updated_at: now.toISOString() })
    .where('id', '=', postId)
    .where('status', '=', current.status)
    .returning('id')
    .execute();
  if (changed.length > 0) await emitPostEvent(trx, postId, now);
  return next;
}

/** A delivery's outcome, as `finishDeliveryAndRefreshPost` stores it. */
export interface DeliveryOutcome {
  status: string;
  phase: string | null;
  externalId: string | null;
  url: string | null;
  publishedAt: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  nextAttemptAt: string | null;
  leaseUntil: string | null;
}

const postStatusRow = (db: Db, postId: string) =>
  db.selectFrom('posts').select(['status', 'app_id']).where('id', '=', postId);
const deliveryStatusRows = (db: Db, postId: string) =>
  db.selectFrom('post_deliveries').select('status').where('post_id', '=', postId);
const liveEndpointRow = (db: Db, appId: string) =>
  db
    .selectFrom('webhook_endpoints')
    .select('id')
    .where('app_id', '=', appId)
    .where('status', '!=', 'disabled')
    .limit(1);
const setPostStatusRow = (db: Db, postId: string, status: string, now: string) =>
  db.updateTable('posts').set({ status, updated_at: now }).where('id', '=', postId);

/** Thrown inside the synchronous transaction to roll it back when the post's event needs the portable path. */
const NEEDS_EVENT = Symbol('needs the portable path to emit an event');

/**
 * Stores a delivery's outcome under its lease and moves its post's status along, with the event
 * of the status it settles in, all in one transaction: a crash can never leave a post
 * `publishing` with every delivery done, nor a settled post without its event. Returns false
 * when the lease was lost (another worker owns the delivery; nothing is written).
 *
 * On SQLite this runs synchronously with prepared statements, in a commit shared with the other
 * outcomes stored in the same event-loop turn (a backlog drains thousands a second), except when
 * the post settles and its app has a webhook endpoint: then the portable path below, which builds
 * the event. On PostgreSQL the delivery row is written first and
 * the post row locked second (the order the scheduler's claims and cancel use), so two workers
 * finishing two platforms of one post take turns and the second sees the first's outcome.
 */
export async function finishDeliveryAndRefreshPost(
  db: Db,
  delivery: { id: string; postId: string; owner: string },
  outcome: DeliveryOutcome,
  now: Date,
): Promise<boolean> {
  const nowIso = now.toISOString();
  const args = [
    delivery.id,
    delivery.owner,
    outcome.status,
    outcome.phase,
    outcome.externalId,
    outcome.url,
    outcome.publishedAt,
    outcome.errorCode,
    outcome.errorMessage,
    outcome.nextAttemptAt,
    outcome.leaseUntil,
    nowIso,
  ] as const;
  try {
    // Shares its commit with the other outcomes stored in this event-loop turn (a draining backlog).
    const grouped = sqliteGroupCommit(db, (run) => {
      if (run(finishDeliveryQuery, ...args).length === 0) return false;
      const [post] = run(postStatusRow, delivery.postId);
      if (!post) return true;
      const status = derivePostStatus(post.status as PostStatus, run(deliveryStatusRows, delivery.postId));
      if (status === post.status) return true;
      if (settledEvent(status) && run(liveEndpointRow, post.app_id).length > 0) throw NEEDS_EVENT;
      run(setPostStatusRow, delivery.postId, status, nowIso);
      return true;
    });
    if (grouped) return await grouped;
  } catch (error) {
    if (error !== NEEDS_EVENT) throw error;
  }
  return db.transaction().execute(async (trx) => {
    if ((await trx.executeQuery(finishDeliveryQuery(trx, ...args).compile())).rows.length === 0) return false;
    await lockPost(trx, delivery.postId);
    await settlePostStatus(trx, delivery.postId, now);
    return true;
  });
}

/**
 * Brings the status of requests still marked `publishing` up to date when none of their
 * deliveries is active any more: the status follows each delivery's outcome in a second write,
 * and a crash between the two would otherwise leave the request `publishing` for ever.
 */
export async function reconcilePostStatuses(db: Db, now: Date, limit = 500): Promise<number> {
  const lagging = await db
    .selectFrom('posts')
    .select('id')
    // A literal, not a parameter: SQLite uses the partial index `posts_publishing_idx` only then.
    .where('status', '=', sql.lit('publishing'))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('post_deliveries')
            .select('post_deliveries.id')
            .whereRef('post_deliveries.post_id', '=', 'posts.id')
            .where('post_deliveries.status', 'in', [...ACTIVE_DELIVERY_STATUSES]),
        ),
      ),
    )
    .limit(limit)
    .execute();
  for (const { id } of lagging) await refreshPostStatus(db, id, now);
  return lagging.length;
}
