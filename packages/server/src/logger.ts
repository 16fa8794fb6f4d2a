import pino, { type Logger } from 'pino';

export type { Logger };

export interface Loggers {
  /** Everything but the per-request line: redacts secret-looking fields as a second line of defence. */
  logger: Logger;
  /** Where the one line per request goes: the same destination as `logger`'s. */
  accessLog: AccessLog;
}

/**
 * The one line per request. It is built from a fixed set of safe fields (ids, method, path,
 * status, duration), in pino's own line format, by `middleware/access-log.ts` rather than by a pino
 * call: pino walks the object, escapes each value and concatenates the line piece by piece, which
 * cost more than twice as much per request as the line built in one template (3.5 against 1.5 µs,
 * measured with the same destination). Nor does it need redaction.
 */
export interface AccessLog {
  /** False when the level is above `info`: then no line is built at all. */
  readonly enabled: boolean;
  /** Writes one complete line, newline included, to the shared destination. */
  write(line: string): void;
}

/** A log destination that can be flushed, as pino's own are (shutdown waits for it). */
export type FlushableDestination = pino.DestinationStream & {
  flush(callback?: (error?: Error) => void): void;
  flushSync(): void;
};

/**
 * How long a log line may wait in the destination's buffer when fewer than 4 KB follow it: the
 * destination writes out what it holds this often (its `periodicFlush`, a flush that is skipped
 * while a write is in flight and so tried again at the next period).
 */
const IDLE_FLUSH_MS = 200;

/** Lines are encoded into blocks of this size, one after the other, and handed on as slices. */
const BLOCK_BYTES = 64 * 1024;

/**
 * Hands the lines logged during one turn of the event loop to `target` as one slice of bytes.
 * Each line is encoded to UTF-8 once, straight into a block of memory, as it is logged. Given
 * strings instead, the destination measures each (`Buffer.byteLength`), joins them and encodes
 * the result again to write it: per request line that cost more than the rest of logging it.
 * Slices already handed on are never written over: a full block is left to them and a new one
 * begun. Lines wait at most until the loop's check phase; flushing and exiting write them out first.
 *
 * The destination writes only once it holds 4 KB, so a quiet process (a worker publishing a post
 * a minute) would keep its lines indefinitely: {@link createLoggers} has it write out whatever it
 * still holds every {@link IDLE_FLUSH_MS}.
 */
export function batchPerTurn(target: FlushableDestination): FlushableDestination {
  let block = Buffer.allocUnsafeSlow(BLOCK_BYTES);
  /** This turn's lines are `block[start, end)`. */
  let start = 0;
  let end = 0;
  let scheduled = false;
  const handOver = () => {
    if (end === start) return;
    // The destination takes bytes (contentMode 'buffer'), typed as strings by pino.
    target.write(block.subarray(start, end) as unknown as string);
    start = end;
  };
  const drain = () => {
    scheduled = false;
    handOver();
  };
  // Before the destination's own exit handler, which writes out what it holds.
  process.prependListener('exit', drain);
  return {
    write(line: string) {
      // At most 3 bytes per UTF-16 code unit.
      if (end + line.length * 3 > block.length) {
        handOver();
        block = Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, line.length * 3));
        start = 0;
        end = 0;
      }
      end += block.write(line, end);
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    },
    flush(callback) {
      drain();
      target.flush(callback);
    },
    flushSync() {
      drain();
      target.flushSync();
    },
  };
}

/**
 * The server's structured loggers, sharing one destination: standard output, buffered so lines
 * are written in 4 KB batches rather than one syscall each (shutdown flushes it). Asynchronous
 * writes: standard output is usually a pipe to a log collector, and Node makes it non-blocking,
 * so a synchronous write into a full pipe fails with EAGAIN, on which the destination sleeps the
 * whole thread for 100 ms before retrying: every request in flight stalls whenever the collector
 * falls behind. Written from libuv's thread pool instead, a full pipe only delays the log lines.
 */
export function createLoggers(level: string, destination?: pino.DestinationStream): Loggers {
  const stream =
    destination ??
    batchPerTurn(
      pino.destination({
        fd: 1,
        sync: false,
        minLength: 4096,
        contentMode: 'buffer',
        // An unref'd timer: it never keeps the process alive, and exiting writes out what is held.
        periodicFlush: IDLE_FLUSH_MS,
      }),
    );
  const logger = pino(
    {
      level,
      base: undefined,
      // Top-level paths only: wildcard redaction costs tens of microseconds a line, and our log
      // lines are flat objects of ids and statuses by construction.
      redact: {
        paths: [
          'authorization',
          'apiKey',
          'key',
          'token',
          'accessToken',
          'refreshToken',
          'clientSecret',
          'code',
          'state',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    stream,
  );
  // The level is fixed for the process's life, so whether the line is wanted is decided once.
  const accessLog: AccessLog = {
    enabled: logger.isLevelEnabled('info'),
    write: (line) => stream.write(line),
  };
  return { logger, accessLog };
}
