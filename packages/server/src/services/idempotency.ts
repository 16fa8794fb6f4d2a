import type { Context } from 'koa';
import type { AppDeps } from '../app.js';
import { sha256Hex } from '../crypto/tokens.js';
import { ApiError } from '../errors.js';

/** How long a request may hold its key before another attempt may take it over. */
const LOCK_MS = 60_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** JSON with object keys sorted, so two spellings of one body fingerprint the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface IdempotentResult {
  status: number;
  body: unknown;
}

/**
 * Runs `execute` at most once per (app, Idempotency-Key). The first request records the key as
 * in progress, runs, and stores its status and body; a repeat with the same fingerprint (method,
 * route, canonical body) replays them with `Idempotent-Replayed: true`; a different fingerprint is
 * 422 `idempotency_key_reused`; a repeat while the first still runs is 409
 * `idempotency_key_in_progress`. Client errors are stored and replayed like successes; a server
 * error releases the key so the request can be retried.
 */
export async function withIdempotency(
  deps: AppDeps,
  ctx: Context,
  scope: { appId: string; method: string; route: string; body: unknown },
  execute: () => Promise<IdempotentResult>,
): Promise<IdempotentResult> {
  const key = ctx.get('Idempotency-Key');
  if (!key) return execute();
  if (!KEY_PATTERN.test(key)) {
    throw new ApiError('validation_error', 'Idempotency-Key must be 1 to 255 visible ASCII characters', [
      { field: 'Idempotency-Key', message: 'invalid header value' },
    ]);
  }
  const fingerprint = sha256Hex(`${scope.method} ${scope.route} ${canonicalJson(scope.body)}`);
  const now = deps.clock.now();
  const lockedUntil = new Date(now.getTime() + LOCK_MS).toISOString();
  const inProgress = () =>
    new ApiError(
      'idempotency_key_in_progress',
      'A request with this Idempotency-Key is still in progress; retry shortly',
      undefined,
      {
        'Retry-After': '1',
      },
    );

  const claim = () =>
    deps.db
      .insertInto('idempotency_keys')
      .values({
        app_id: scope.appId,
        idempotency_key: key,
        fingerprint,
        status: 'in_progress',
        response_status: null,
        response_body: null,
        locked_until: lockedUntil,
        created_at: now.toISOString(),
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();

  // Twice at most: the row we collided with may be released (its request failed) before we read it.
  for (let attempt = 0; ; attempt += 1) {
    const inserted = await claim();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) break;
    const existing = await deps.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('app_id', '=', scope.appId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    if (!existing) {
      if (attempt === 0) continue;
      throw inProgress();
    }
    if (existing.fingerprint !== fingerprint) {
      throw new ApiError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request; use a new key for a new request',
      );
    }
    if (existing.status === 'completed') {
      ctx.set('Idempotent-Replayed', 'true');
      return {
        status: existing.response_status ?? 200,
        body: existing.response_body ? JSON.parse(existing.response_body) : undefined,
      };
    }
    // Still in progress: wait for it, unless its lock lapsed (the process died), then take it over.
    const takenOver = await deps.db
      .updateTable('idempotency_keys')
      .set({ locked_until: lockedUntil })
      .where('app_id', '=', scope.appId)
      .where('idempotency_key', '=', key)
      .where('status', '=', 'in_progress')
      .where('locked_until', '=', existing.locked_until)
      .where('locked_until', '<', now.toISOString())
      .executeTakeFirst();
    if (Number(takenOver.numUpdatedRows) === 0) throw inProgress();
    break;
  }

  // Our `locked_until` doubles as our lock token: after a takeover the row is someone else's, and
  // neither releasing nor completing may touch it.
  const release = () =>
    deps.db
      .deleteFrom('idempotency_keys')
      .where('app_id', '=', scope.appId)
      .where('idempotency_key', '=', key)
      .where('status', '=', 'in_progress')
      .where('locked_until', '=', lockedUntil)
      .execute();
  const complete = (result: IdempotentResult) =>
    deps.db
      .updateTable('idempotency_keys')
      .set({
        status: 'completed',
        response_status: result.status,
        response_body: result.body === undefined ? null : JSON.stringify(result.body),
      })
      .where('app_id', '=', scope.appId)
      .where('idempotency_key', '=', key)
      .where('status', '=', 'in_progress')
      .where('locked_until', '=', lockedUntil)
      .execute();

  let result: IdempotentResult;
  try {
    result = await execute();
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) {
      // A client error is an outcome: replay it rather than run the request again.
      await complete({
        status: error.status,
        body: {
          error: {
            code: error.code,
            message: error.message,
            ...(error.details ? { details: error.details } : {}),
          },
        },
      });
    } else {
      await release();
    }
    throw error;
  }
  await complete(result);
  return result;
}

/** Deletes keys older than the retention (at least 24 h); called by the housekeeping job. */
export async function purgeIdempotencyKeys(deps: Pick<AppDeps, 'db' | 'clock'>, retentionMs = 48 * 3600_000) {
  const cutoff = new Date(deps.clock.now().getTime() - retentionMs).toISOString();
  await deps.db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).execute();
}
