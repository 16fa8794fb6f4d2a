import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { insertRequestLogs } from '../db/repositories/request-logs.js';
import type { RequestLogsTable } from '../db/schema.js';
import type { Logger } from '../logger.js';

export interface RequestLogInput {
  appId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  requestId: string;
  keyPrefix: string | null;
}

/**
 * Collects operator request-log entries in memory and writes them in batches, so logging a
 * request never adds a database write to that request. Entries become visible within
 * `flushIntervalMs` (well under the one second DESIGN.md promises).
 */
export class RequestLogBuffer {
  private pending: RequestLogsTable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Entries dropped because the database could not keep up; reported in the logs. */
  dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: { flushIntervalMs: number; maxPending: number } = {
      flushIntervalMs: 250,
      maxPending: 50_000,
    },
  ) {}

  record(entry: RequestLogInput): void {
    if (this.pending.length >= this.options.maxPending) {
      // Shedding the log is better than growing without bound while the database is stuck.
      this.dropped += 1;
      return;
    }
    this.pending.push({
      id: randomUUID(),
      app_id: entry.appId,
      method: entry.method,
      path: entry.path.slice(0, 512),
      status: entry.status,
      duration_ms: Math.round(entry.durationMs * 100) / 100,
      request_id: entry.requestId,
      key_prefix: entry.keyPrefix,
      created_at: this.clock.now().toISOString(),
    });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.flushIntervalMs);
  }

  /** Writes everything pending. Flushes are serialised so batches land in order. */
  flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await insertRequestLogs(this.db, batch);
      } catch (error) {
        // An app deleted between the request and the flush fails its foreign key; retry row by row
        // so one stale entry does not lose the batch.
        for (const row of batch) {
          await insertRequestLogs(this.db, [row]).catch(() => {
            this.dropped += 1;
          });
        }
        this.logger.warn({ err: (error as Error).message, dropped: this.dropped }, 'request log batch failed');
      }
    });
    return this.flushing;
  }

  /** Stops the timer and writes what is left; called on shutdown. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
