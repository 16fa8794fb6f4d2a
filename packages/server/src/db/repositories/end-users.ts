import type { ConnectionSummary, EndUser } from '@mypostshare/contract';
import { type ExpressionBuilder, sql } from 'kysely';
import { newestFirst, toPage } from '../../http/pagination.js';
import type { Db } from '../database.js';
import { isPostgres } from '../dialect.js';
import { type MaybePromise, prepared, preparedFirstNow, preparedNow } from '../prepared.js';
import type { Database, EndUsersTable } from '../schema.js';

export const toEndUser = (row: EndUsersTable): EndUser => ({
  id: row.id,
  externalUserId: row.external_user_id,
  displayName: row.display_name,
  email: row.email,
  metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface EndUserChanges {
  displayName?: string | null | undefined;
  email?: string | null | undefined;
  metadata?: Record<string, unknown> | undefined;
}

// Each field is written only when the caller sent it: a flag per field keeps one statement shape
// (so it can be prepared once) for every combination of fields.
const upsertStatement = preparedNow(
  (
    db: Db,
    id: string,
    appId: string,
    externalUserId: string,
    displayName: string | null,
    email: string | null,
    metadata: string,
    now: string,
    setDisplayName: number,
    setEmail: number,
    setMetadata: number,
  ) =>
    db
      .insertInto('end_users')
      .values({
        id,
        app_id: appId,
        external_user_id: externalUserId,
        display_name: displayName,
        email,
        metadata,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['app_id', 'external_user_id']).doUpdateSet({
          display_name: sql`CASE WHEN CAST(${setDisplayName} AS integer) = 1 THEN excluded.display_name ELSE end_users.display_name END`,
          email: sql`CASE WHEN CAST(${setEmail} AS integer) = 1 THEN excluded.email ELSE end_users.email END`,
          metadata: sql`CASE WHEN CAST(${setMetadata} AS integer) = 1 THEN excluded.metadata ELSE end_users.metadata END`,
          updated_at: sql`CASE WHEN CAST(${setDisplayName} AS integer) + CAST(${setEmail} AS integer) + CAST(${setMetadata} AS integer) > 0 THEN excluded.updated_at ELSE end_users.updated_at END`,
        }),
      )
      .returningAll(),
);

/**
 * Creates the end user or updates the one with the same external id in this app, in one
 * statement so two concurrent upserts cannot both insert. Fields left undefined keep their value.
 * Synchronous on SQLite (a promise only while a transaction holds the connection).
 */
export function upsertEndUserNow(
  db: Db,
  input: { id: string; appId: string; externalUserId: string; now: string } & EndUserChanges,
): MaybePromise<EndUsersTable> {
  const rows = upsertStatement(
    db,
    input.id,
    input.appId,
    input.externalUserId,
    input.displayName ?? null,
    input.email ?? null,
    JSON.stringify(input.metadata ?? {}),
    input.now,
    input.displayName === undefined ? 0 : 1,
    input.email === undefined ? 0 : 1,
    input.metadata === undefined ? 0 : 1,
  );
  return rows instanceof Promise ? rows.then((found) => found[0]!) : rows[0]!;
}

/** {@link upsertEndUserNow}, always as a promise. */
export async function upsertEndUser(
  db: Db,
  input: { id: string; appId: string; externalUserId: string; now: string } & EndUserChanges,
): Promise<EndUsersTable> {
  return upsertEndUserNow(db, input);
}

/**
 * The statuses of the end user's connections as one comma-separated text (NULL when it has none),
 * read with one index lookup and counted in JS by {@link toSummary}. The user LEFT JOINed to its
 * connections and grouped, with a count and three sums, ran four times the opcodes: on SQLite it
 * cost 1.5–2 µs more per lookup, on the busiest read of the API. (Statuses never hold a comma.)
 */
const connectionStatuses = (db: Db) => (eb: ExpressionBuilder<Database, 'end_users'>) =>
  eb
    .selectFrom('connections')
    .whereRef('connections.end_user_id', '=', 'end_users.id')
    .select((inner) =>
      (isPostgres(db)
        ? inner.fn.agg<string | null>('string_agg', ['connections.status', sql.lit(',')])
        : inner.fn.agg<string | null>('group_concat', ['connections.status'])
      ).as('statuses'),
    )
    .as('connection_statuses');

type SummaryRow = { connection_statuses: string | null };

/** The counts the API shows, from {@link connectionStatuses}' text. */
export function toSummary(row: SummaryRow): ConnectionSummary {
  const summary: ConnectionSummary = { total: 0, connected: 0, failed: 0, expired: 0 };
  if (!row.connection_statuses) return summary;
  for (const status of row.connection_statuses.split(',')) {
    summary.total += 1;
    if (status === 'connected' || status === 'failed' || status === 'expired') summary[status] += 1;
  }
  return summary;
}

const endUserWithSummary = preparedFirstNow((db: Db, appId: string, externalUserId: string) =>
  db
    .selectFrom('end_users')
    .selectAll('end_users')
    .select(connectionStatuses(db))
    .where('end_users.app_id', '=', appId)
    .where('end_users.external_user_id', '=', externalUserId),
);

export type EndUserWithSummaryRow = EndUsersTable & SummaryRow;

/**
 * One end user of this app with the counts of its connections, in a single query: synchronously
 * on SQLite (a promise only while a transaction holds the connection).
 */
export function lookupEndUserWithSummary(
  db: Db,
  appId: string,
  externalUserId: string,
): MaybePromise<EndUserWithSummaryRow | undefined> {
  return endUserWithSummary(db, appId, externalUserId) as MaybePromise<EndUserWithSummaryRow | undefined>;
}

/** One end user of this app with the counts of its connections, in a single query. */
export async function findEndUserWithSummary(db: Db, appId: string, externalUserId: string) {
  return lookupEndUserWithSummary(db, appId, externalUserId);
}

const endUserByExternalId = prepared((db: Db, appId: string, externalUserId: string) =>
  db
    .selectFrom('end_users')
    .selectAll()
    .where('app_id', '=', appId)
    .where('external_user_id', '=', externalUserId),
);

export async function findEndUser(db: Db, appId: string, externalUserId: string) {
  return (await endUserByExternalId(db, appId, externalUserId))[0];
}

/** The app's end users, newest first, each with its connection counts. */
export async function listEndUsersWithSummary(
  db: Db,
  appId: string,
  page: { limit?: number; cursor?: string },
) {
  const rows = (await newestFirst(
    db
      .selectFrom('end_users')
      .selectAll('end_users')
      .select(connectionStatuses(db))
      .where('end_users.app_id', '=', appId),
    'end_users',
    page,
  ).execute()) as (EndUsersTable & SummaryRow)[];
  return toPage(rows, page.limit);
}
