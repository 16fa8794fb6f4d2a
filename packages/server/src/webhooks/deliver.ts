import { performance } from 'node:perf_hooks';
import type { AppDeps } from '../app.js';
import type { Db } from '../db/database.js';
import type { WebhookDeliveriesTable } from '../db/schema.js';
import { WEBHOOK_TIMEOUT_MS, webhookRuntime } from './runtime.js';
import { endpointSecrets } from './secrets.js';
import { webhookHeaders } from './signing.js';
import { webhookUrlProblem } from './urls.js';

/*
 * One attempt of one delivery, for a process holding the delivery's lease: sign the stored body
 * (the same bytes and the same `webhook-id` on every attempt), POST it with a 15 s timeout and no
 * redirects, and record the outcome. 2xx is success; 410 disables the endpoint; anything else is
 * retried on RETRY_SCHEDULE_MS (with jitter, or after the receiver's Retry-After on 429/503) and,
 * once the schedule is spent, fails the delivery and flags the endpoint `failing`.
 */

/** Waits after the 1st, 2nd, ... failed attempt: about 27 hours of retries in all (8 attempts). */
export const RETRY_SCHEDULE_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3600_000,
  5 * 3600_000,
  10 * 3600_000,
  10 * 3600_000,
] as const;
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;
/** How much of a response body the delivery log keeps. */
export const RESPONSE_BODY_LIMIT = 1024;
/** The longest Retry-After honoured. */
const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/**
 * The wait before the next attempt after `attempts` failed ones, or undefined when the schedule is
 * spent. Scheduled waits get ±20 % jitter; a receiver's Retry-After is honoured (plus up to 10 %).
 */
export function nextRetryDelayMs(
  attempts: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (attempts >= MAX_ATTEMPTS) return undefined;
  if (retryAfterMs !== undefined) {
    const wait = Math.min(Math.max(retryAfterMs, 1000), MAX_RETRY_AFTER_MS);
    return Math.ceil(wait * (1 + 0.1 * random()));
  }
  const base = RETRY_SCHEDULE_MS[Math.max(0, attempts - 1)]!;
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

interface AttemptResult {
  status: number | null;
  durationMs: number;
  error: string | null;
  body: string | null;
  retryAfterMs: number | undefined;
}

/** Reads at most `limit` bytes of a body, then hangs up. */
async function readLimited(response: Response, limit: number): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short (or slow past the timeout) still leaves the status; keep what arrived.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (size === 0) return null;
  const bytes = Buffer.concat(chunks).subarray(0, limit);
  // Cut at a character boundary: a partial multi-byte sequence decodes to U+FFFD, which we drop.
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/\uFFFD$/, '');
}

function describeFailure(error: unknown): string {
  const err = error as { name?: string; cause?: { code?: string; name?: string } };
  if (err.name === 'TimeoutError' || err.cause?.name === 'TimeoutError' || err.name === 'AbortError') {
    return `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`;
  }
  const code = err.cause?.code;
  if (code === 'EPRIVATEADDRESS') {
    return 'refused: the host resolves to a loopback, private, link-local or metadata address';
  }
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code && /^UND_ERR_.*TIMEOUT$/.test(code)) return `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`;
  return code ? `network error (${code})` : 'network error';
}

/** POSTs one signed body; never throws. */
async function post(
  deps: AppDeps,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const allowPrivateNetwork = deps.config.allowPrivateNetwork;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { status: null, durationMs: 0, error: 'invalid URL', body: null, retryAfterMs: undefined };
  }
  // Checked at registration, and again now: the operator may have turned the opt-in off since,
  // and an IP literal never reaches the lookup guard.
  const problem = webhookUrlProblem(target, allowPrivateNetwork);
  if (problem) {
    return {
      status: null,
      durationMs: 0,
      error: `refused: the URL ${problem}`,
      body: null,
      retryAfterMs: undefined,
    };
  }
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': `mypostshare-webhooks/${deps.version}`,
        ...headers,
      },
      body,
      // A redirect is never followed: it could lead anywhere, including past the address check.
      redirect: 'manual',
      // undici's dispatcher option is not in the DOM RequestInit type.
      ...({ dispatcher: webhookRuntime(deps.db).agent(allowPrivateNetwork) } as object),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    const text = await readLimited(response, RESPONSE_BODY_LIMIT);
    const ok = response.status >= 200 && response.status < 300;
    const redirect = response.status >= 300 && response.status < 400;
    return {
      status: response.status,
      durationMs: elapsed(),
      error: ok
        ? null
        : redirect
          ? `HTTP ${response.status}: redirects are not followed`
          : `HTTP ${response.status}`,
      body: text,
      retryAfterMs:
        response.status === 429 || response.status === 503
          ? parseRetryAfter(response.headers.get('retry-after'), deps.clock.now())
          : undefined,
    };
  } catch (error) {
    return {
      status: null,
      durationMs: elapsed(),
      error: describeFailure(error),
      body: null,
      retryAfterMs: undefined,
    };
  }
}

/** A delivery this process holds, with its event and endpoint. */
async function loadClaimed(db: Db, deliveryId: string, owner: string) {
  return db
    .selectFrom('webhook_deliveries')
    .innerJoin('webhook_events', 'webhook_events.id', 'webhook_deliveries.event_id')
    .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
    .selectAll('webhook_deliveries')
    .select([
      'webhook_events.type as event_type',
      'webhook_events.payload as payload',
      'webhook_endpoints.url as url',
      'webhook_endpoints.status as endpoint_status',
      'webhook_endpoints.secret_enc as secret_enc',
      'webhook_endpoints.previous_secrets_enc as previous_secrets_enc',
    ])
    .where('webhook_deliveries.id', '=', deliveryId)
    .where('webhook_deliveries.lease_owner', '=', owner)
    .where('webhook_deliveries.status', '=', 'delivering')
    .executeTakeFirst();
}

type Finished = Pick<
  WebhookDeliveriesTable,
  'status' | 'next_attempt_at' | 'response_status' | 'duration_ms' | 'error' | 'response_body'
>;

/**
 * Makes one attempt of a delivery this process claimed (status `delivering`, lease ours) and
 * records it. Returns the delivery's row afterwards, or undefined when it was no longer ours.
 * The caller counts the attempt in the runtime's per-endpoint `inflight`.
 */
export async function runWebhookDelivery(
  deps: AppDeps,
  deliveryId: string,
  owner: string,
): Promise<WebhookDeliveriesTable | undefined> {
  const claimed = await loadClaimed(deps.db, deliveryId, owner);
  if (!claimed) return undefined;
  const manual = claimed.manual === 1;
  // An endpoint disabled after this delivery was queued: nothing is sent (a manual attempt still is).
  const disabledSkip = claimed.endpoint_status === 'disabled' && !manual;
  const startedAt = deps.clock.now();
  const noAttempt = (error: string): AttemptResult => ({
    status: null,
    durationMs: 0,
    error,
    body: null,
    retryAfterMs: undefined,
  });
  let result: AttemptResult;
  if (disabledSkip) {
    result = noAttempt('not sent: the endpoint is disabled');
  } else {
    let headers: Record<string, string> | undefined;
    try {
      const secrets = endpointSecrets(deps, claimed, startedAt);
      headers = webhookHeaders(
        secrets,
        claimed.event_id,
        Math.floor(startedAt.getTime() / 1000),
        claimed.payload,
      );
    } catch (error) {
      // A secret that does not decrypt (a retired encryption key): record it rather than loop on it.
      deps.logger.error({ deliveryId, err: (error as Error).message }, 'could not sign a webhook');
    }
    result = headers
      ? await post(deps, claimed.url, headers, claimed.payload)
      : noAttempt('not sent: the signing secret could not be read');
  }

  const now = deps.clock.now();
  const attempts = claimed.attempts + (disabledSkip ? 0 : 1);
  const succeeded = result.status !== null && result.status >= 200 && result.status < 300;
  const gone = result.status === 410;
  const retryIn =
    succeeded || gone || manual || disabledSkip ? undefined : nextRetryDelayMs(attempts, result.retryAfterMs);
  const finished: Finished = {
    status: succeeded ? 'succeeded' : retryIn !== undefined ? 'pending' : 'failed',
    next_attempt_at: retryIn !== undefined ? new Date(now.getTime() + retryIn).toISOString() : null,
    response_status: result.status,
    duration_ms: result.durationMs,
    error: result.error,
    response_body: result.body,
  };
  const nowIso = now.toISOString();
  // The endpoint's health follows: a success clears `failing` (and a manual success `disabled`),
  // a 410 disables it, and the last scheduled attempt failing flags it.
  const endpointStatus = succeeded
    ? 'active'
    : gone
      ? 'disabled'
      : finished.status === 'failed' && !manual && !disabledSkip
        ? 'failing'
        : undefined;

  const write = async (db: Db) => {
    const rows = await db
      .updateTable('webhook_deliveries')
      .set({
        ...finished,
        attempts,
        manual: 0,
        last_attempt_at: disabledSkip ? claimed.last_attempt_at : startedAt.toISOString(),
        lease_owner: null,
        lease_until: null,
        updated_at: nowIso,
      })
      .where('id', '=', deliveryId)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'delivering')
      .returningAll()
      .execute();
    const row = rows[0];
    if (!row || !endpointStatus || endpointStatus === claimed.endpoint_status) return row;
    let change = db
      .updateTable('webhook_endpoints')
      .set({ status: endpointStatus, updated_at: nowIso })
      .where('id', '=', claimed.endpoint_id);
    // Flagging `failing` never overrides `disabled`, nor does an automatic success (another attempt
    // may have just got a 410): only a manual success or a 410 moves a disabled endpoint.
    if (endpointStatus === 'failing') change = change.where('status', '=', 'active');
    if (endpointStatus === 'active' && !manual) change = change.where('status', '=', 'failing');
    await change.execute();
    if (endpointStatus === 'disabled') {
      // Nothing more is sent to a receiver that said it is gone.
      await db
        .updateTable('webhook_deliveries')
        .set({
          status: 'failed',
          next_attempt_at: null,
          error: 'not sent: the endpoint answered 410 Gone and was disabled',
          updated_at: nowIso,
        })
        .where('endpoint_id', '=', claimed.endpoint_id)
        .where('status', '=', 'pending')
        .execute();
    }
    return row;
  };
  const row = endpointStatus
    ? await deps.db.transaction().execute((trx) => write(trx))
    : await write(deps.db);
  const log = { deliveryId, endpointId: claimed.endpoint_id, eventType: claimed.event_type, attempts };
  if (succeeded) deps.logger.debug(log, 'webhook delivered');
  else
    deps.logger.info(
      { ...log, status: result.status, error: result.error, retryInMs: retryIn },
      'webhook attempt failed',
    );
  if (gone)
    deps.logger.warn({ endpointId: claimed.endpoint_id }, 'webhook endpoint answered 410 Gone; disabled');
  return row;
}
