import type { Platform } from '@mypostshare/contract';
import { sql } from 'kysely';
import type { AppDeps } from '../app.js';
import { connectionTokenAad } from '../crypto/aad.js';
import type { Db } from '../db/database.js';
import { isPostgres } from '../db/dialect.js';
import { prepared } from '../db/prepared.js';
import type { ConnectionsTable } from '../db/schema.js';
import { adapterFor } from '../providers/registry.js';
import { ProviderError, type TokenSet } from '../providers/types.js';
import { connectionEventData, emitWebhookEvent } from '../webhooks/events.js';
import { clientForConnection, decryptConnectionTokens } from './connections.js';

/** Refresh this long before expiry, so a token never expires between the check and its use. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** The connection can no longer be used until the person reconnects. */
export class ConnectionExpiredError extends Error {
  constructor(
    readonly connectionId: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'ConnectionExpiredError';
  }
}

// One refresh per connection at a time in this process: concurrent callers share the same promise.
const inflight = new Map<string, Promise<TokenSet>>();

/** The housekeeping pass's back-off after a transient refresh failure: 1 min, doubling, at most 1 h. */
const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 3600_000;
const backoff = new Map<string, { failures: number; retryAt: number }>();

// Every publish reads its connection through here: compiled once (see db/prepared.ts).
const connectionById = prepared((db: Db, id: string) =>
  db.selectFrom('connections').selectAll().where('id', '=', id),
);
const loadConnection = async (deps: AppDeps, id: string) => (await connectionById(deps.db, id))[0];

async function isSandboxApp(deps: AppDeps, appId: string): Promise<boolean> {
  const app = await deps.db.selectFrom('apps').select('sandbox').where('id', '=', appId).executeTakeFirst();
  return app?.sandbox === 1;
}

/**
 * Marks a connection `expired` (the person must reconnect) and emits `connection.expired` in the
 * same transaction, once: only a connection not already expired changes. Only over the grant that
 * failed: a reconnect that landed meanwhile carries new tokens and stays live.
 */
export async function expireConnection(
  deps: AppDeps,
  connection: ConnectionsTable,
  reason: string,
): Promise<void> {
  const now = deps.clock.now();
  // Inside a refresh's lock transaction (PostgreSQL, see refreshConnection) its writes join it.
  const inTransaction = <T>(work: (trx: Db) => Promise<T>) =>
    deps.db.isTransaction ? work(deps.db) : deps.db.transaction().execute(work);
  await inTransaction(async (trx) => {
    const [expired] = await trx
      .updateTable('connections')
      .set({ status: 'expired', updated_at: now.toISOString() })
      .where('id', '=', connection.id)
      .where(
        'access_token_enc',
        connection.access_token_enc === null ? 'is' : '=',
        connection.access_token_enc,
      )
      .where('status', '!=', 'expired')
      .returningAll()
      .execute();
    if (expired) {
      await emitWebhookEvent(trx, {
        appId: expired.app_id,
        type: 'connection.expired',
        data: await connectionEventData(trx, expired),
        now,
      });
    }
  });
  backoff.delete(connection.id);
  deps.logger.info(
    { connectionId: connection.id, platform: connection.platform, reason },
    'connection expired',
  );
}

async function markExpired(deps: AppDeps, connection: ConnectionsTable, reason: string): Promise<never> {
  await expireConnection(deps, connection, reason);
  throw new ConnectionExpiredError(connection.id, reason);
}

async function refreshNow(deps: AppDeps, seen: ConnectionsTable): Promise<TokenSet> {
  // Read the row again inside the one-refresh-at-a-time slot: the caller's copy may be stale (the
  // housekeeping pass walks a batch it read before refreshing others, while publishes refresh too).
  // Refreshing from a stale copy would send a refresh token that has since been rotated away, which
  // X answers by refusing it, and the connection would be expired for nothing.
  const connection = await loadConnection(deps, seen.id);
  if (!connection) throw new ConnectionExpiredError(seen.id, 'connection no longer exists');
  if (connection.status !== 'connected') throw new ConnectionExpiredError(seen.id, 'connection is not live');
  const current = decryptConnectionTokens(deps, connection);
  // Refreshed (or reconnected) since the caller read it: what is stored now is already fresh.
  if (current.accessToken !== decryptConnectionTokens(deps, seen).accessToken) return current;
  const sandbox = await isSandboxApp(deps, connection.app_id);
  const adapter = adapterFor(deps.config, connection.platform as Platform, {
    sandbox,
    now: () => deps.clock.now(),
  });
  const expired = !current.expiresAt || current.expiresAt.getTime() <= deps.clock.now().getTime();
  if (!adapter.refresh || !current.refreshToken) {
    // Nothing to refresh with (LinkedIn without partner refresh tokens): usable until it expires.
    if (expired)
      return markExpired(deps, connection, 'token expired and the provider issued no refresh token');
    return current;
  }
  const client = await clientForConnection(deps, connection, sandbox);
  if (!client) {
    // Refresh only ever uses the credential set that minted the connection.
    if (expired) return markExpired(deps, connection, 'the OAuth client that minted this connection is gone');
    return current;
  }
  let refreshed: TokenSet;
  try {
    refreshed = await adapter.refresh({ client, tokens: current });
  } catch (error) {
    if (error instanceof ProviderError && error.classification.kind === 'reconnect') {
      return markExpired(deps, connection, error.classification.message);
    }
    // Transient: keep the connection; the caller retries later.
    throw error;
  }
  const platform = connection.platform as Platform;
  const aad = (column: string) => connectionTokenAad(column, connection.end_user_id, platform);
  // A response without a refresh token keeps the old one; a rotated one replaces it. One UPDATE, so
  // the new access and refresh tokens land together or not at all.
  const refreshToken = refreshed.refreshToken ?? current.refreshToken;
  await deps.db
    .updateTable('connections')
    .set({
      access_token_enc: deps.secrets.encrypt(refreshed.accessToken, aad('access_token')),
      refresh_token_enc: deps.secrets.encrypt(refreshToken, aad('refresh_token')),
      expires_at: refreshed.expiresAt?.toISOString() ?? null,
      ...(refreshed.refreshExpiresAt ? { refresh_expires_at: refreshed.refreshExpiresAt.toISOString() } : {}),
      scopes: JSON.stringify(refreshed.scopes.length ? refreshed.scopes : current.scopes),
      status: 'connected',
      updated_at: deps.clock.now().toISOString(),
    })
    .where('id', '=', connection.id)
    // Only over the tokens we refreshed: if the person reconnected meanwhile, their new grant wins.
    .where('access_token_enc', connection.access_token_enc === null ? 'is' : '=', connection.access_token_enc)
    .execute();
  backoff.delete(connection.id);
  return { ...refreshed, refreshToken };
}

/** The advisory-lock namespace of token refreshes (the second key is the connection id's hash). */
const REFRESH_LOCK_NAMESPACE = 0x6d707372; // "mpsr"

/**
 * PostgreSQL: one refresh per connection across every process sharing the database. The refresh
 * runs in a transaction holding `pg_advisory_xact_lock(namespace, hashtext(connection id))`, all its
 * queries on that one connection (so refreshes waiting on each other never need a second pooled
 * connection); a process that waited then re-reads the row in {@link refreshNow}, finds the tokens
 * another process just stored, and makes no provider call. A hash collision only serialises two
 * connections' refreshes. The lock ends with the transaction, also when the process dies.
 * SQLite (one process owns the file): the in-process single-flight alone.
 */
async function refreshOnce(deps: AppDeps, connection: ConnectionsTable): Promise<TokenSet> {
  if (!isPostgres(deps.db)) return refreshNow(deps, connection);
  const outcome = await deps.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${REFRESH_LOCK_NAMESPACE}, hashtext(${connection.id}))`.execute(
      trx,
    );
    try {
      return { ok: true as const, tokens: await refreshNow({ ...deps, db: trx }, connection) };
    } catch (error) {
      // What was written stays written (a connection marked expired, with its event): commit it.
      return { ok: false as const, error };
    }
  });
  if (!outcome.ok) throw outcome.error;
  return outcome.tokens;
}

/**
 * Refreshes a connection's tokens now, sharing one provider call among concurrent callers (in this
 * process; on PostgreSQL across processes too, see {@link refreshOnce}).
 */
export function refreshConnection(deps: AppDeps, connection: ConnectionsTable): Promise<TokenSet> {
  let running = inflight.get(connection.id);
  if (!running) {
    running = refreshOnce(deps, connection).finally(() => inflight.delete(connection.id));
    inflight.set(connection.id, running);
  }
  return running;
}

/**
 * The tokens to call the provider with: refreshed first when they expire within
 * {@link REFRESH_MARGIN_MS}. Throws {@link ConnectionExpiredError} when the person must reconnect.
 */
export async function getFreshTokens(
  deps: AppDeps,
  connectionId: string,
  /** The row, when the caller has just read it: saves reading it again. */
  current?: ConnectionsTable,
): Promise<TokenSet> {
  const connection = current ?? (await loadConnection(deps, connectionId));
  if (!connection) throw new ConnectionExpiredError(connectionId, 'connection no longer exists');
  if (connection.status !== 'connected')
    throw new ConnectionExpiredError(connectionId, 'connection is not live');
  const tokens = decryptConnectionTokens(deps, connection);
  const dueAt = deps.clock.now().getTime() + REFRESH_MARGIN_MS;
  if (tokens.expiresAt && tokens.expiresAt.getTime() <= dueAt) return refreshConnection(deps, connection);
  return tokens;
}

/**
 * The housekeeping pass of the token lifecycle: refreshes every live connection that can be
 * refreshed and expires within `horizonMs`, soonest first, and marks lapsed unrefreshable ones
 * expired. A connection whose last refresh failed transiently is left alone until its back-off
 * (or the provider's Retry-After, if longer) has passed (`deferred`); publishes still refresh it
 * on demand through {@link getFreshTokens}.
 */
export async function refreshExpiringConnections(
  deps: AppDeps,
  horizonMs = 15 * 60_000,
): Promise<{ refreshed: number; failed: number; deferred: number }> {
  const now = deps.clock.now().getTime();
  for (const [id, entry] of backoff) if (entry.retryAt + BACKOFF_MAX_MS < now) backoff.delete(id);
  const horizon = new Date(now + horizonMs).toISOString();
  const due = await deps.db
    .selectFrom('connections')
    .selectAll()
    .where('status', '=', 'connected')
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', horizon)
    .orderBy('expires_at')
    .limit(500)
    .execute();
  let refreshed = 0;
  let failed = 0;
  let deferred = 0;
  for (const connection of due) {
    const waiting = backoff.get(connection.id);
    if (waiting && waiting.retryAt > now) {
      deferred += 1;
      continue;
    }
    try {
      await refreshConnection(deps, connection);
      refreshed += 1;
    } catch (error) {
      failed += 1;
      if (error instanceof ConnectionExpiredError) continue;
      const failures = (waiting?.failures ?? 0) + 1;
      const hinted =
        error instanceof ProviderError && error.classification.kind === 'retry'
          ? (error.classification.retryAfterMs ?? 0)
          : 0;
      const waitMs = Math.max(Math.min(BACKOFF_BASE_MS * 2 ** (failures - 1), BACKOFF_MAX_MS), hinted);
      backoff.set(connection.id, { failures, retryAt: now + waitMs });
      deps.logger.warn(
        { connectionId: connection.id, err: (error as Error).message, failures, retryInMs: waitMs },
        'token refresh failed; will retry',
      );
    }
  }
  return { refreshed, failed, deferred };
}
