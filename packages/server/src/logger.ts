import pino, { type Logger } from 'pino';

export type { Logger };

export interface Loggers {
  /** Everything but the per-request line: redacts secret-looking fields as a second line of defence. */
  logger: Logger;
  /**
   * The one line per request, written from a fixed set of safe fields (ids, method, path, status,
   * duration) and so not run through redaction, which would cost more than the rest of the line.
   */
  accessLogger: Logger;
}

/** A log destination that can be flushed, as pino's own are (shutdown waits for it). */
type FlushableDestination = pino.DestinationStream & {
  flush(callback?: (error?: Error) => void): void;
  flushSync(): void;
};

/** How long a log line may wait in the destination's buffer when fewer than 4 KB follow it. */
const IDLE_FLUSH_MS = 200;

/**
 * Hands the lines logged during one turn of the event loop to `target` as one string. The
 * destination buffers too, but it measures its whole buffer (`Buffer.byteLength`) on every write,
 * which costs more per request line than the rest of logging it; once per turn that is nothing.
 * Lines wait at most until the loop's check phase; flushing and exiting write them out first.
 *
 * The destination writes only once it holds 4 KB, so a quiet process (a worker publishing a post
 * a minute) would keep its lines indefinitely: whatever is still held is written out at most
 * {@link IDLE_FLUSH_MS} after it was logged.
 */
function batchPerTurn(target: FlushableDestination): FlushableDestination {
  let lines: string[] = [];
  let scheduled = false;
  let idleFlush: NodeJS.Timeout | undefined;
  const flushHeld = () => {
    idleFlush = undefined;
    target.flush();
  };
  const drain = () => {
    scheduled = false;
    if (lines.length === 0) return;
    const text = lines.length === 1 ? lines[0]! : lines.join('');
    lines = [];
    target.write(text);
    if (!idleFlush) {
      idleFlush = setTimeout(flushHeld, IDLE_FLUSH_MS);
      // Never keeps the process alive: exiting writes out what is held anyway.
      idleFlush.unref();
    }
  };
  // Before the destination's own exit handler, which writes out what it holds.
  process.prependListener('exit', drain);
  return {
    write(line: string) {
      lines.push(line);
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
  const stream = destination ?? batchPerTurn(pino.destination({ fd: 1, sync: false, minLength: 4096 }));
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
  const accessLogger = pino({ level, base: undefined }, stream);
  return { logger, accessLogger };
}
