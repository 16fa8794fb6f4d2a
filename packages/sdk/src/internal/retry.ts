// The retry rules, kept apart from the transport so they read as one list.

/** First backoff delay; each retry doubles it up to the cap. */
export const INITIAL_RETRY_DELAY_MS = 500;
export const MAX_RETRY_DELAY_MS = 8_000;
/** A `Retry-After` longer than this is not waited for: the error goes back to the caller instead. */
export const MAX_RETRY_AFTER_MS = 60_000;

// HTTP says these methods are idempotent, so repeating them cannot do anything twice.
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Whether a request may be sent again at all. A POST is only safe to repeat when it carries an
 * Idempotency-Key: the server then replays the first outcome instead of acting twice.
 */
export function isRetryableMethod(method: string, hasIdempotencyKey: boolean): boolean {
  const upper = method.toUpperCase();
  return IDEMPOTENT_METHODS.has(upper) || (upper === 'POST' && hasIdempotencyKey);
}

/**
 * Whether an error answer is worth another attempt: 408, 429 and 5xx. Also a 409
 * `idempotency_key_in_progress`: it means an earlier attempt of this very call (one that timed out
 * on our side) is still running, and retrying with the same key then replays its outcome.
 */
export function isRetryableStatus(status: number, code: string | undefined): boolean {
  return (
    status === 408 ||
    status === 429 ||
    status >= 500 ||
    (status === 409 && code === 'idempotency_key_in_progress')
  );
}

/** `Retry-After` in milliseconds, given as seconds or as an HTTP date; undefined if absent or unreadable. */
export function parseRetryAfter(headers: Headers): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s... capped at 8 s, each shortened by up to 25 %. */
export function backoffDelay(retryIndex: number): number {
  const base = Math.min(INITIAL_RETRY_DELAY_MS * 2 ** retryIndex, MAX_RETRY_DELAY_MS);
  // Jitter spreads the retries of many clients that failed at the same moment.
  return base * (1 - Math.random() * 0.25);
}

/**
 * How long to wait before retrying an error answer: the server's `Retry-After` when it sent one,
 * else the backoff. Undefined when the server asks for longer than the SDK is willing to block.
 */
export function retryDelay(retryIndex: number, headers: Headers): number | undefined {
  const retryAfter = parseRetryAfter(headers);
  if (retryAfter === undefined) return backoffDelay(retryIndex);
  return retryAfter <= MAX_RETRY_AFTER_MS ? retryAfter : undefined;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
