import { type Expression, type Kysely, PostgresAdapter, type SqlBool, sql } from 'kysely';

/**
 * Whether this Kysely instance (or transaction) runs on PostgreSQL. Queries that need a
 * PostgreSQL-only clause (`FOR UPDATE SKIP LOCKED`, advisory locks) branch on it; SQLite has one
 * writer at a time and needs neither.
 */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * PostgreSQL's form of a claim's `id IN (candidates)`: `id = any(array(candidates))`, an
 * uncorrelated sub-select run exactly once. Left as `IN`, the planner may rescan the candidates
 * (a `LIMIT n FOR UPDATE SKIP LOCKED` sub-select) per outer row, and each rescan that skips rows
 * it locked itself a moment ago returns other ones, so one claim could take more than `n` rows.
 */
export function idInCandidatesOnPostgres(candidates: Expression<unknown>): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref('id')} = any(array(${candidates}))`;
}

/**
 * PostgreSQL: locks a post's deliveries (FOR UPDATE) at the start of a transaction that then
 * changes the post and its deliveries. A scheduler claim locks deliveries first and the post second;
 * taking them in the same order means the two wait for each other instead of deadlocking. SQLite
 * has one writer at a time: nothing to do.
 */
export async function lockPostDeliveries(trx: Kysely<any>, postId: string): Promise<void> {
  if (!isPostgres(trx)) return;
  await trx.selectFrom('post_deliveries').select('id').where('post_id', '=', postId).forUpdate().execute();
}

/**
 * PostgreSQL: locks a post's row (FOR UPDATE) inside a transaction that has already written one
 * of its deliveries, so transactions moving the same post's status along run one after another
 * and each sees the deliveries the previous one wrote. SQLite has one writer at a time.
 */
export async function lockPost(trx: Kysely<any>, postId: string): Promise<void> {
  if (!isPostgres(trx)) return;
  await trx.selectFrom('posts').select('id').where('id', '=', postId).forUpdate().execute();
}
