import type { Db } from '../database.js';
import { prepared } from '../prepared.js';

/*
 * The delivery engine's hot queries, compiled once (see prepared.ts): the scheduler runs them for
 * every delivery, thousands a second when a backlog drains. Every write is guarded by the lease
 * owner and returns the row id, so the caller can tell a write that landed from a lost lease.
 */

/** A delivery this process holds the lease of, with what it needs of its post, in one read. */
export const findClaimedDeliveryWithPost = prepared((db: Db, id: string, owner: string) =>
  db
    .selectFrom('post_deliveries')
    .innerJoin('posts', 'posts.id', 'post_deliveries.post_id')
    .selectAll('post_deliveries')
    .select([
      'posts.status as post_status',
      'posts.content as post_content',
      'posts.title as post_title',
      'posts.media as post_media',
      'posts.platform_options as post_platform_options',
      'posts.app_id as post_app_id',
      'posts.end_user_id as post_end_user_id',
    ])
    .where('post_deliveries.id', '=', id)
    .where('post_deliveries.lease_owner', '=', owner),
);

export const findConnectionFor = prepared((db: Db, appId: string, endUserId: string, platform: string) =>
  db
    .selectFrom('connections')
    .selectAll()
    .where('app_id', '=', appId)
    .where('end_user_id', '=', endUserId)
    .where('platform', '=', platform),
);

export const startAttempt = prepared((db: Db, id: string, owner: string, attempts: number, now: string) =>
  db
    .updateTable('post_deliveries')
    .set({ attempts, status: 'publishing', updated_at: now })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .returning('id'),
);

export const saveCheckpoint = prepared(
  (db: Db, id: string, owner: string, checkpoint: string, phase: string | null, now: string) =>
    db
      .updateTable('post_deliveries')
      .set({ checkpoint, phase, updated_at: now })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .returning('id'),
);

/**
 * Stores a delivery's outcome and lets go of its lease (`lease_until` stays set only when asked).
 * Run through `finishDeliveryAndRefreshPost` (posts.ts), which moves the post's status along in
 * the same transaction.
 */
export const finishDeliveryQuery = (
  db: Db,
  id: string,
  owner: string,
  status: string,
  phase: string | null,
  externalId: string | null,
  url: string | null,
  publishedAt: string | null,
  errorCode: string | null,
  errorMessage: string | null,
  nextAttemptAt: string | null,
  leaseUntil: string | null,
  now: string,
) =>
  db
    .updateTable('post_deliveries')
    .set({
      status,
      phase,
      external_id: externalId,
      url,
      published_at: publishedAt,
      error_code: errorCode,
      error_message: errorMessage,
      next_attempt_at: nextAttemptAt,
      lease_owner: null,
      lease_until: leaseUntil,
      updated_at: now,
    })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .returning('id');
