import type { ConnectionSummary, EndUser } from '@mypostshare/contract';
import type { Db } from '../database.js';
import type { EndUsersTable } from '../schema.js';
import { newestFirst, toPage } from '../../http/pagination.js';

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

/**
 * Creates the end user or updates the one with the same external id in this app, in one
 * statement so two concurrent upserts cannot both insert. Fields left undefined keep their value.
 */
export async function upsertEndUser(
  db: Db,
  input: { id: string; appId: string; externalUserId: string; now: string } & EndUserChanges,
): Promise<EndUsersTable> {
  const changes: Partial<EndUsersTable> = {};
  if (input.displayName !== undefined) changes.display_name = input.displayName;
  if (input.email !== undefined) changes.email = input.email;
  if (input.metadata !== undefined) changes.metadata = JSON.stringify(input.metadata);
  const hasChanges = Object.keys(changes).length > 0;
  return db
    .insertInto('end_users')
    .values({
      id: input.id,
      app_id: input.appId,
      external_user_id: input.externalUserId,
      display_name: input.displayName ?? null,
      email: input.email ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
      created_at: input.now,
      updated_at: input.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['app_id', 'external_user_id'])
        .doUpdateSet((eb) =>
          // Nothing to change still needs an update (not DO NOTHING) so RETURNING yields the row.
          hasChanges ? { ...changes, updated_at: input.now } : { updated_at: eb.ref('end_users.updated_at') },
        ),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
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

/** One end user of this app with the counts of its connections, in a single query. */
export async function findEndUserWithSummary(db: Db, appId: string, externalUserId: string) {
  return (await db
    .selectFrom('end_users')
    .leftJoin('connections', 'connections.end_user_id', 'end_users.id')
    .selectAll('end_users')
    .select(summaryColumns)
    .where('end_users.app_id', '=', appId)
    .where('end_users.external_user_id', '=', externalUserId)
    .groupBy('end_users.id')
    .executeTakeFirst()) as (EndUsersTable & SummaryRow) | undefined;
}

export const findEndUser = (db: Db, appId: string, externalUserId: string) =>
  db
    .selectFrom('end_users')
    .selectAll()
    .where('app_id', '=', appId)
    .where('external_user_id', '=', externalUserId)
    .executeTakeFirst();

/** The app's end users, newest first, each with its connection counts. */
export async function listEndUsersWithSummary(db: Db, appId: string, page: { limit?: number; cursor?: string }) {
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
