import { PLATFORMS } from '@mypostshare/contract';
import { expressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { AppDeps } from '../app.js';
import type { Db } from '../db/database.js';
import { idInCandidatesOnPostgres, isPostgres } from '../db/dialect.js';
import { sqliteTransaction } from '../db/prepared.js';
import type { DeliveryStatus } from '../db/repositories/posts.js';
import type { Database } from '../db/schema.js';
import { runDelivery } from '../publishing/delivery.js';

/*
 * The scheduler: scheduled work lives in the database (post_deliveries), never only in memory.
 * Each pass claims due deliveries with one atomic UPDATE that sets a lease, so two worker processes
 * never claim the same row, and a crashed worker's rows come back once their lease lapses. Missed
 * schedules (the server was down) are simply due, and the first pass at start-up runs them.
 *
 * Concurrency is bounded per provider: a pool per platform for live apps, one for all sandbox apps.
 * A pass only claims as many rows as its pools have free slots, so nothing claimed sits waiting.
 */

/** A concurrency pool: `key` is the deliveries' `pool` column (`sandbox`, or a platform). */
type Pool = { key: string; limit: number };

export class Scheduler {
  private readonly pools: Pool[];
  private readonly busy = new Map<string, number>();
  private kickPending = false;
  private passing: Promise<number> | undefined;
  private stopped = false;

  constructor(private readonly deps: AppDeps) {
    const { concurrency, sandboxConcurrency } = deps.config.publishing;
    this.pools = [
      { key: 'sandbox', limit: sandboxConcurrency },
      ...PLATFORMS.map((platform) => ({ key: platform, limit: concurrency })),
    ];
  }

  /**
   * One pass: claims due deliveries (and ones whose lease lapsed) up to each pool's free slots and
   * starts them. Returns how many it claimed. Passes never overlap; a call during a pass joins it.
   */
  runOnce(): Promise<number> {
    if (this.stopped || this.deps.publishing.stopping) return Promise.resolve(0);
    this.passing ??= this.pass().finally(() => {
      this.passing = undefined;
    });
    return this.passing;
  }

  /** Resolves once nothing this scheduler started is still running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.passing) await this.passing;
    await this.deps.publishing.idle();
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * Resolves once no pass is in flight (its failure is already logged by whoever started it), so
   * shutdown never closes the database under a claim. On PostgreSQL a claim is an asynchronous
   * transaction; on SQLite it is synchronous and this resolves at once.
   */
  async passesSettled(): Promise<void> {
    while (this.passing) await this.passing.catch(() => undefined);
  }

  private async pass(): Promise<number> {
    let claimed = 0;
    for (const pool of this.pools) {
      const busy = this.busy.get(pool.key) ?? 0;
      const free = pool.limit - busy;
      // Claim in batches: while a pool is busy, wait until a quarter of it is free, so a draining
      // backlog costs one claim per batch rather than one per finished delivery.
      if (free <= 0 || (busy > 0 && free < Math.ceil(pool.limit / 4))) continue;
      const ids = await this.claim(pool, free);
      claimed += ids.length;
      for (const id of ids) this.start(pool, id);
    }
    this.deps.worker.lastTickAt = this.deps.clock.now();
    return claimed;
  }

  private start(pool: Pool, deliveryId: string): void {
    this.busy.set(pool.key, (this.busy.get(pool.key) ?? 0) + 1);
    void this.deps.publishing
      .track(deliveryId, () => runDelivery(this.deps, deliveryId))
      .finally(() => {
        this.busy.set(pool.key, (this.busy.get(pool.key) ?? 1) - 1);
        this.kick();
      });
  }

  /** A slot freed up: look for more due work soon, once, rather than waiting for the next tick. */
  private kick(): void {
    if (this.kickPending || this.stopped) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      this.runOnce().catch((error: Error) =>
        this.deps.logger.error({ err: error.message }, 'scheduler pass failed'),
      );
    });
  }

  /**
   * Claims up to `limit` due deliveries of a pool for this process, atomically, and moves their
   * posts from `scheduled` to `publishing` in the same transaction (so a cancel either wins before
   * the claim or sees the post already publishing). Three claims, each an in-order index range:
   * lapsed leases first (work a dead worker left), then due retries, then due queued deliveries.
   */
  private async claim(pool: Pool, limit: number): Promise<string[]> {
    const { db, clock, publishing, config } = this.deps;
    const now = clock.now().toISOString();
    const leaseUntil = new Date(clock.now().getTime() + config.publishing.leaseMs).toISOString();
    const owner = publishing.owner;
    // SQLite: one synchronous BEGIN IMMEDIATE transaction (a backlog drains claim after claim).
    const fast = sqliteTransaction(db, (run) => {
      const claimed: ClaimedRow[] = [];
      const room = () => limit - claimed.length;
      if (room() > 0) claimed.push(...run(claimLapsed, pool.key, now, owner, leaseUntil, room()));
      for (const status of ['retrying', 'queued'] as const) {
        if (room() > 0) claimed.push(...run(claimDue, pool.key, status, now, owner, leaseUntil, room()));
      }
      for (const postId of new Set(claimed.map((row) => row.post_id))) run(startScheduledPost, postId, now);
      return claimed.map((row) => row.id);
    });
    if (fast.ok) return fast.value;
    return db.transaction().execute(async (trx) => {
      const claimed: ClaimedRow[] = [];
      const room = () => limit - claimed.length;
      if (room() > 0)
        claimed.push(...(await claimLapsed(trx, pool.key, now, owner, leaseUntil, room()).execute()));
      for (const status of ['retrying', 'queued'] as const) {
        if (room() > 0) {
          claimed.push(...(await claimDue(trx, pool.key, status, now, owner, leaseUntil, room()).execute()));
        }
      }
      for (const postId of new Set(claimed.map((row) => row.post_id))) {
        await startScheduledPost(trx, postId, now).execute();
      }
      return claimed.map((row) => row.id);
    });
  }
}

type ClaimedRow = { id: string; post_id: string };

// The claim queries, shaped for both paths (compiled once on SQLite; see db/prepared.ts). On
// PostgreSQL the candidate rows are locked with FOR UPDATE SKIP LOCKED, so concurrent workers each
// take different rows instead of queueing behind one another's locks. The conditions are repeated
// in the UPDATE's own WHERE so that a row another worker claimed meanwhile is re-checked and skipped.
const claimDue = (
  db: Db,
  pool: string,
  status: DeliveryStatus,
  now: string,
  owner: string,
  leaseUntil: string,
  limit: number,
) =>
  db
    .updateTable('post_deliveries')
    .set({ status: 'publishing', lease_owner: owner, lease_until: leaseUntil, updated_at: now })
    .where(
      claimCandidates(
        db,
        db
          .selectFrom('post_deliveries')
          .select('id')
          .where('pool', '=', pool)
          .where('status', '=', status)
          .where('next_attempt_at', '<=', now)
          .orderBy('next_attempt_at')
          .limit(limit)
          .$call(skipLocked(db)),
      ),
    )
    .where('status', '=', status)
    .where('next_attempt_at', '<=', now)
    .returning(['id', 'post_id']);

const claimLapsed = (db: Db, pool: string, now: string, owner: string, leaseUntil: string, limit: number) =>
  db
    .updateTable('post_deliveries')
    .set({ lease_owner: owner, lease_until: leaseUntil, updated_at: now })
    .where(
      claimCandidates(
        db,
        db
          .selectFrom('post_deliveries')
          .select('id')
          .where('pool', '=', pool)
          .where('status', '=', 'publishing')
          .where('lease_until', '<', now)
          .orderBy('lease_until')
          .limit(limit)
          .$call(skipLocked(db)),
      ),
    )
    .where('status', '=', 'publishing')
    .where('lease_until', '<', now)
    .returning(['id', 'post_id']);

/** `id IN (candidates)`, in the form each dialect runs once per claim (see db/dialect.ts). */
const claimCandidates = (
  db: Db,
  candidates: SelectQueryBuilder<Database, 'post_deliveries', { id: string }>,
) =>
  isPostgres(db)
    ? idInCandidatesOnPostgres(candidates)
    : expressionBuilder<Database, 'post_deliveries'>()('id', 'in', candidates);

/** PostgreSQL: lock the candidate rows, skipping those another worker is claiming. SQLite: unchanged. */
const skipLocked =
  (db: Db) =>
  <Q extends { forUpdate(): { skipLocked(): Q } }>(query: Q): Q =>
    isPostgres(db) ? query.forUpdate().skipLocked() : query;

const startScheduledPost = (db: Db, postId: string, now: string) =>
  db
    .updateTable('posts')
    .set({ status: 'publishing', updated_at: now })
    .where('id', '=', postId)
    .where('status', '=', 'scheduled');
