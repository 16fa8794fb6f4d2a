import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { Config } from '../env.js';
import type { Logger } from '../logger.js';
import { MediaFetcher } from './media.js';

/**
 * This process's share of publishing: the lease owner id it claims deliveries under, the
 * deliveries it is running (so shutdown can wait for them), the lease heartbeat, and the media
 * fetchers. Immediate publishes (API) and the scheduler (worker) both run deliveries through it.
 */
export class PublishingRuntime {
  /** Written into `lease_owner` of every delivery this process runs. Random per start. */
  readonly owner = `proc_${randomUUID()}`;
  private readonly controller = new AbortController();
  private readonly running = new Map<string, Promise<void>>();
  private readonly fetchers = new Map<boolean, MediaFetcher>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly deps: { db: Db; config: Config; clock: Clock; logger: Logger }) {}

  /** Aborted when the process shuts down. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopping(): boolean {
    return this.controller.signal.aborted;
  }

  /** How many deliveries this process is running. */
  get size(): number {
    return this.running.size;
  }

  isRunning(deliveryId: string): boolean {
    return this.running.has(deliveryId);
  }

  /** The media fetcher: sandbox apps (and MYPOSTSHARE_ALLOW_PRIVATE_NETWORK) may reach private addresses. */
  mediaFetcher(sandbox: boolean): MediaFetcher {
    const allowPrivateNetwork = sandbox || this.deps.config.allowPrivateNetwork;
    let fetcher = this.fetchers.get(allowPrivateNetwork);
    if (!fetcher) {
      fetcher = new MediaFetcher({
        maxBytes: this.deps.config.publishing.mediaMaxBytes,
        timeoutMs: this.deps.config.publishing.mediaTimeoutMs,
        allowPrivateNetwork,
      });
      this.fetchers.set(allowPrivateNetwork, fetcher);
    }
    return fetcher;
  }

  /** Runs a delivery task and keeps track of it until it settles. Never rejects. */
  track(deliveryId: string, task: () => Promise<void>): Promise<void> {
    const existing = this.running.get(deliveryId);
    if (existing) return existing;
    const run = task()
      .catch((error: Error) =>
        this.deps.logger.error({ deliveryId, err: error.message }, 'delivery run failed unexpectedly'),
      )
      .finally(() => {
        this.running.delete(deliveryId);
        if (this.running.size === 0) this.stopHeartbeat();
      });
    this.running.set(deliveryId, run);
    this.startHeartbeat();
    return run;
  }

  /** Resolves when every delivery running now has settled. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Stops publishing: aborts waits and polls, then gives running deliveries `graceMs` to finish.
   * Those still running afterwards keep their lease until it lapses, and another worker (or this
   * one after a restart) recovers them.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.controller.abort(new Error('shutting down'));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([this.idle(), timeout]);
    this.stopHeartbeat();
    await Promise.all([...this.fetchers.values()].map((fetcher) => fetcher.close().catch(() => undefined)));
  }

  /** Renews the lease of everything this process runs, well before it lapses. */
  private startHeartbeat(): void {
    if (this.heartbeat) return;
    const { leaseMs } = this.deps.config.publishing;
    this.heartbeat = setInterval(
      () => {
        const now = this.deps.clock.now();
        this.deps.db
          .updateTable('post_deliveries')
          .set({ lease_until: new Date(now.getTime() + leaseMs).toISOString() })
          .where('lease_owner', '=', this.owner)
          .where('status', '=', 'publishing')
          .execute()
          .catch((error: Error) => this.deps.logger.warn({ err: error.message }, 'lease heartbeat failed'));
      },
      Math.max(500, Math.floor(leaseMs / 3)),
    );
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
