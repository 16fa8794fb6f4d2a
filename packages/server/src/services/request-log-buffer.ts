import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { insertRequestLogs, REQUEST_LOG_ARITY } from '../db/repositories/request-logs.js';
import type { Logger } from '../logger.js';

/**
 * Ids for log entries that increase in the order entries are recorded (UUID version 7 layout:
 * 48-bit milliseconds, then a 12-bit sequence, then random bits). The log lists newest first by
 * (created_at, id), so entries recorded within the same millisecond still come out in order.
 */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

export class MonotonicIds {
  private lastMs = 0;
  private sequence = 0;
  // One CSPRNG call per 512 ids rather than one per id: this runs on every logged request.
  private pool = Buffer.alloc(0);
  private poolOffset = 0;
  /** The id's first two groups (the 48-bit milliseconds), kept while the millisecond lasts. */
  private prefixMs = -1;
  private prefix = '';

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
    if (this.prefixMs !== this.lastMs) {
      // In two 24-bit halves: small integers format far faster than a 48-bit double does.
      const high = Math.floor(this.lastMs / 0x1000000);
      const low = this.lastMs - high * 0x1000000;
      const ms = `${high.toString(16).padStart(6, '0')}${low.toString(16).padStart(6, '0')}`;
      this.prefix = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-`;
      this.prefixMs = this.lastMs;
    }
    if (this.poolOffset + 8 > this.pool.length) {
      this.pool = randomBytes(8 * 512);
      this.poolOffset = 0;
    }
    const pool = this.pool;
    const at = this.poolOffset;
    this.poolOffset += 8;
    // Version 7 in the third group's first digit, the variant (0b10) in the fourth group's first bits.
    return `${this.prefix}7${this.sequence.toString(16).padStart(3, '0')}-${HEX[0x80 | (pool[at]! & 0x3f)]}${HEX[pool[at + 1]!]}-${HEX[pool[at + 2]!]}${HEX[pool[at + 3]!]}${HEX[pool[at + 4]!]}${HEX[pool[at + 5]!]}${HEX[pool[at + 6]!]}${HEX[pool[at + 7]!]}`;
  }
}

/**
 * Collects operator request-log entries in memory and writes them in batches, so logging a
 * request never adds a database write to that request. Entries become visible within
 * `flushIntervalMs` (well under the one second DESIGN.md promises), sooner under load.
 */
export class RequestLogBuffer {
  /**
   * The entries waiting, one after the other as their columns' values (`REQUEST_LOG_ARITY` per
   * entry, in the order given there): the insert binds exactly these, and no object per entry is
   * built only to be taken apart again (this runs on every request).
   */
  private pending: unknown[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly ids = new MonotonicIds();
  /** The last entry's creation time, as a number and as stored: entries come many to a millisecond. */
  private isoMs = Number.NaN;
  private iso = '';
  /** `toISOString()` up to the seconds' dot, for the current second (formatting a date is slow). */
  private isoSecond = Number.NaN;
  private isoSecondPrefix = '';
  /** Entries dropped because the database could not keep up; reported in the logs. */
  dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: { flushIntervalMs: number; maxPending: number; flushAtPending?: number } = {
      flushIntervalMs: 250,
      maxPending: 50_000,
    },
  ) {}

  /**
   * Under load, write as soon as this many entries wait rather than at the interval: a write blocks
   * the event loop for as long as it takes, so several short ones keep every request's latency
   * down where one long one would stall all of them at once.
   */
  private get flushAtPending(): number {
    return this.options.flushAtPending ?? 256;
  }

  /** Queues one entry; `durationMs` as it is to be stored (rounded to hundredths by the caller). */
  record(
    appId: string,
    method: string,
    path: string,
    status: number,
    durationMs: number,
    requestId: string,
    keyPrefix: string | null,
  ): void {
    const count = this.pending.length / REQUEST_LOG_ARITY;
    if (count >= this.options.maxPending) {
      // Shedding the log is better than growing without bound while the database is stuck.
      this.dropped += 1;
      return;
    }
    const now = this.clock.now();
    const nowMs = now.getTime();
    if (nowMs !== this.isoMs) {
      this.isoMs = nowMs;
      this.iso = this.isoString(now, nowMs);
    }
    this.pending.push(
      this.ids.next(nowMs),
      appId,
      method,
      path.slice(0, 512),
      status,
      durationMs,
      requestId,
      keyPrefix,
      this.iso,
    );
    if (count + 1 >= this.flushAtPending) {
      void this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.options.flushIntervalMs);
      // A pending flush must not keep the process alive; shutdown flushes explicitly.
      this.timer.unref();
    }
  }

  /** `date.toISOString()`, formatting only the milliseconds while the second is the same one. */
  private isoString(date: Date, ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.isoSecond || ms < 0) {
      const full = date.toISOString();
      // `YYYY-MM-DDTHH:mm:ss.` is the same for the whole second (four-digit years only).
      if (full.length === 24 && ms >= 0) {
        this.isoSecond = second;
        this.isoSecondPrefix = full.slice(0, 20);
      }
      return full;
    }
    return `${this.isoSecondPrefix}${String(ms - second * 1000).padStart(3, '0')}Z`;
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
        for (let at = 0; at < batch.length; at += REQUEST_LOG_ARITY) {
          await insertRequestLogs(this.db, batch.slice(at, at + REQUEST_LOG_ARITY)).catch(() => {
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
