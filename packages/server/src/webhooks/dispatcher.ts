import type { AppDeps } from '../app.js';
import { idInCandidatesOnPostgres, isPostgres } from '../db/dialect.js';
import { runWebhookDelivery } from './deliver.js';
import { onWebhookEventStored, webhookRuntime } from './runtime.js';

/*
 * The webhook dispatcher: delivers the outbox. Like the publishing scheduler, its queue lives in
 * the database (webhook_deliveries): each pass claims due deliveries with an atomic UPDATE that
 * sets a lease, so two workers never send the same attempt, and a crashed worker's deliveries come
 * back when their lease lapses (at least once: a receiver may see an event again, with the same
 * `webhook-id`). Concurrency is bounded per endpoint (a slow receiver cannot take every slot, nor
 * be flooded) and per process.
 */

export interface WebhookDispatcherOptions {
  /** Attempts in flight at once in this process (default 32). */
  concurrency?: number;
  /** Attempts in flight at once per endpoint in this process (default 4). */
  perEndpoint?: number;
  /** Run a pass as soon as an event is stored in this process (the worker's; default false). */
  wakeOnEvents?: boolean;
}

/** Endpoints looked at per pass. */
const ENDPOINTS_PER_PASS = 200;

export class WebhookDispatcher {
  private readonly concurrency: number;
  private readonly perEndpoint: number;
  private readonly running = new Map<string, Promise<void>>();
  private passing: Promise<number> | undefined;
  private kickPending = false;
  private stopped = false;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(
    private readonly deps: AppDeps,
    options: WebhookDispatcherOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 32;
    this.perEndpoint = options.perEndpoint ?? 4;
    this.unsubscribe = options.wakeOnEvents ? onWebhookEventStored(() => this.kick()) : undefined;
  }

  /**
   * One pass: claims due deliveries (and ones whose lease lapsed) up to the free slots and starts
   * their attempts. Returns how many it claimed. Passes never overlap; a call during a pass joins it.
   */
  runOnce(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    this.passing ??= this.pass().finally(() => {
      this.passing = undefined;
    });
    return this.passing;
  }

  /** Resolves once nothing this dispatcher started is still running. */
  async idle(): Promise<void> {
    while (this.passing || this.running.size > 0) {
      if (this.passing) await this.passing;
      await Promise.allSettled([...this.running.values()]);
    }
  }

  /** Stops claiming; attempts in flight finish (or their lease lapses and another worker retries). */
  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  private async pass(): Promise<number> {
    const { db, clock } = this.deps;
    const runtime = webhookRuntime(db);
    let free = this.concurrency - this.running.size;
    if (free <= 0) return 0;
    const now = clock.now().toISOString();
    // Endpoints with work due: deliveries whose lease lapsed, then ones due now.
    const lapsed = await db
      .selectFrom('webhook_deliveries')
      .select('endpoint_id')
      .distinct()
      .where('status', '=', 'delivering')
      .where('lease_until', '<=', now)
      .limit(ENDPOINTS_PER_PASS)
      .execute();
    const due = await db
      .selectFrom('webhook_deliveries')
      .select('endpoint_id')
      .distinct()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .limit(ENDPOINTS_PER_PASS)
      .execute();
    const endpoints = [...new Set([...lapsed, ...due].map((row) => row.endpoint_id))];
    // A different endpoint first on each pass, so a deep backlog of one never starves the others.
    const offset = endpoints.length > 0 ? Math.floor(Math.random() * endpoints.length) : 0;
    let claimed = 0;
    for (let index = 0; index < endpoints.length && free > 0; index += 1) {
      const endpointId = endpoints[(index + offset) % endpoints.length]!;
      const room = Math.min(free, this.perEndpoint - (runtime.inflight.get(endpointId) ?? 0));
      if (room <= 0) continue;
      const ids = await this.claim(endpointId, room, now);
      free -= ids.length;
      claimed += ids.length;
      for (const id of ids) this.start(endpointId, id);
    }
    return claimed;
  }

  private start(endpointId: string, deliveryId: string): void {
    const runtime = webhookRuntime(this.deps.db);
    // Counted from the claim, so the next pass sees this endpoint's slot as taken.
    runtime.started(this.deps, endpointId);
    const run = runWebhookDelivery(this.deps, deliveryId, this.deps.publishing.owner)
      .then(() => undefined)
      .catch((error: Error) =>
        this.deps.logger.error({ deliveryId, err: error.message }, 'webhook delivery failed unexpectedly'),
      )
      .finally(() => {
        runtime.settled(endpointId);
        this.running.delete(deliveryId);
        this.kick();
      });
    this.running.set(deliveryId, run);
  }

  /** Look for due work soon, once, rather than waiting for the next tick. */
  private kick(): void {
    if (this.kickPending || this.stopped) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      this.runOnce().catch((error: Error) =>
        this.deps.logger.error({ err: error.message }, 'webhook dispatch pass failed'),
      );
    });
  }

  /**
   * Claims up to `limit` due deliveries of one endpoint for this process, atomically: lapsed leases
   * first, then due ones, each the range of an index in order. The conditions are repeated in the
   * UPDATE so that, on PostgreSQL, a row another worker claimed meanwhile is skipped.
   */
  private async claim(endpointId: string, limit: number, now: string): Promise<string[]> {
    const { db, clock, publishing, config } = this.deps;
    // The publishing lease (MYPOSTSHARE_PUBLISH_LEASE_SECONDS), kept alive by the runtime's heartbeat.
    const leaseUntil = new Date(clock.now().getTime() + config.publishing.leaseMs).toISOString();
    const claimed: string[] = [];
    for (const [status, column] of [
      ['delivering', 'lease_until'],
      ['pending', 'next_attempt_at'],
    ] as const) {
      const room = limit - claimed.length;
      if (room <= 0) break;
      const candidates = db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('endpoint_id', '=', endpointId)
        .where('status', '=', status)
        .where(column, '<=', now)
        .orderBy(column)
        .limit(room)
        // PostgreSQL: concurrent workers take different rows instead of waiting on each other's.
        .$if(isPostgres(db), (query) => query.forUpdate().skipLocked());
      const rows = await db
        .updateTable('webhook_deliveries')
        .set({
          status: 'delivering',
          lease_owner: publishing.owner,
          lease_until: leaseUntil,
          updated_at: now,
        })
        .where((eb) => (isPostgres(db) ? idInCandidatesOnPostgres(candidates) : eb('id', 'in', candidates)))
        .where('status', '=', status)
        .where(column, '<=', now)
        .returning('id')
        .execute();
      claimed.push(...rows.map((row) => row.id));
    }
    return claimed;
  }
}
