import type { Context } from 'koa';
import type { Clock } from '../clock.js';
import { ApiError } from '../errors.js';
import type { AppState } from '../types.js';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Charges one request to its key's bucket: sets the RateLimit headers, or throws 429. */
export type RateLimiter = (ctx: Pick<Context, 'set'> & { state: AppState }) => void;

/**
 * A token bucket per API key: `rps` sustained with bursts up to `burst`. Every response carries
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds until the bucket is full);
 * a refused request is 429 `rate_limited` with `Retry-After`. `rps = 0` turns the limit off.
 * The buckets live in this process: with several API processes each one enforces its own share.
 * Synchronous: it runs inside the request pipeline, after authentication.
 */
export function createRateLimiter(options: { rps: number; burst: number }, clock: Clock): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const { rps, burst } = options;
  return (ctx) => {
    const keyId = ctx.state.auth?.keyId;
    if (rps <= 0 || !keyId) return;
    const nowMs = clock.now().getTime();
    let bucket = buckets.get(keyId);
    if (!bucket) {
      bucket = { tokens: burst, updatedMs: nowMs };
      buckets.set(keyId, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.updatedMs) / 1000) * rps);
    bucket.updatedMs = nowMs;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    const remaining = Math.floor(bucket.tokens);
    ctx.set('RateLimit-Limit', String(burst));
    ctx.set('RateLimit-Remaining', String(remaining));
    ctx.set('RateLimit-Reset', String(Math.ceil((burst - bucket.tokens) / rps)));
    if (!allowed) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / rps));
      throw new ApiError(
        'rate_limited',
        `Too many requests for this API key; retry in ${retryAfter} s`,
        undefined,
        {
          'Retry-After': String(retryAfter),
          'RateLimit-Limit': String(burst),
          'RateLimit-Remaining': '0',
          'RateLimit-Reset': String(retryAfter),
        },
      );
    }
  };
}
