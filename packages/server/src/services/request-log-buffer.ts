import { randomBytes } from 'node:crypto';
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
 * Ids for log entries that increase in the order entries are recorded (UUID version 7 layout:
 * 48-bit milliseconds, then a 12-bit sequence, then random bits). The log lists newest first by
 * (created_at, id), so entries recorded within the same millisecond still come out in order.
 */
export class MonotonicIds {
  private lastMs = 0;
  private sequence = 0;
  // One CSPRNG call per 512 ids rather than one per id: this runs on every logged request.
  private pool = Buffer.alloc(0);
  private poolOffset = 0;

  private randomInto(target: Buffer, offset: number): void {
    const needed = target.length - offset;
    if (this.poolOffset + needed > this.pool.length) {
      this.pool = randomBytes(needed * 512);
      this.poolOffset = 0;
    }
    this.pool.copy(target, offset, this.poolOffset, this.poolOffset + needed);
    this.poolOffset += needed;
  }

  next(nowMs: number): string {
    if (nowMs > this.lastMs) {
      this.lastMs = nowMs;
      this.sequence = 0;
    } else {
      this.sequence += 1;
      if (this.sequence > 0xfff) {
        // More than 4096 entries in one millisecond: borrow the next one so ids keep increasing.
        this.lastMs += 1;
        this.sequence = 0;
      }
    }
    const bytes = Buffer.allocUnsafe(16);
    this.randomInto(bytes, 8);
    bytes.writeUIntBE(this.lastMs, 0, 6);
    bytes[6] = 0x70 | (this.sequence >> 8);
    bytes[7] = this.sequence & 0xff;
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
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
  private readonly ids = new MonotonicIds();
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
    const now = this.clock.now();
    this.pending.push({
      id: this.ids.next(now.getTime()),
      app_id: entry.appId,
      method: entry.method,
      path: entry.path.slice(0, 512),
      status: entry.status,
      duration_ms: Math.round(entry.durationMs * 100) / 100,
      request_id: entry.requestId,
      key_prefix: entry.keyPrefix,
      created_at: now.toISOString(),
    });
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.options.flushIntervalMs);
      // A pending flush must not keep the process alive; shutdown flushes explicitly.
      this.timer.unref();
    }
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
        // Retry row by row so one bad entry (say, a duplicate key after a clock step back) does
        // not lose the batch.
        for (const row of batch) {
          await insertRequestLogs(this.db, [row]).catch(() => {
            this.dropped += 1;
          });
        }
        this.logger.warn(
          { err: (error as Error).message, dropped: this.dropped },
          'request log batch failed',
        );
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
