import type { ConnectionSummary, EndUser } from '@mypostshare/contract';
import { sql } from 'kysely';
import { newestFirst, toPage } from '../../http/pagination.js';
import type { Db } from '../database.js';
import { type MaybePromise, prepared, preparedFirstNow, preparedNow } from '../prepared.js';
import type { EndUsersTable } from '../schema.js';

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

const summaryColumns = (eb: any) => [
  eb.fn.count('connections.id').as('total'),
  eb.fn.sum(eb.case().when('connections.status', '=', 'connected').then(1).else(0).end()).as('connected'),
  eb.fn.sum(eb.case().when('connections.status', '=', 'failed').then(1).else(0).end()).as('failed'),
  eb.fn.sum(eb.case().when('connections.status', '=', 'expired').then(1).else(0).end()).as('expired'),
];

type SummaryRow = { total: unknown; connected: unknown; failed: unknown; expired: unknown };

export const toSummary = (row: SummaryRow): ConnectionSummary => ({
  total: Number(row.total ?? 0),
  connected: Number(row.connected ?? 0),
  failed: Number(row.failed ?? 0),
  expired: Number(row.expired ?? 0),
});

const endUserWithSummary = preparedFirstNow((db: Db, appId: string, externalUserId: string) =>
  db
    .selectFrom('end_users')
    .leftJoin('connections', 'connections.end_user_id', 'end_users.id')
    .selectAll('end_users')
    .select(summaryColumns)
    .where('end_users.app_id', '=', appId)
    .where('end_users.external_user_id', '=', externalUserId)
    .groupBy('end_users.id'),
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
      .leftJoin('connections', 'connections.end_user_id', 'end_users.id')
      .selectAll('end_users')
      .select(summaryColumns)
      .where('end_users.app_id', '=', appId)
      .groupBy('end_users.id'),
    'end_users',
    page,
  ).execute()) as (EndUsersTable & SummaryRow)[];
  return toPage(rows, page.limit);
}
