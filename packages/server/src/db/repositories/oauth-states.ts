import type { Db } from '../database.js';
import type { OauthStatesTable } from '../schema.js';

export async function insertOauthState(db: Db, row: OauthStatesTable) {
  await db.insertInto('oauth_states').values(row).execute();
}

/** Looks a state up by its hash without consuming it (to check binding and platform first). */
export const findOauthState = (db: Db, stateHash: string) =>
  db.selectFrom('oauth_states').selectAll().where('state_hash', '=', stateHash).executeTakeFirst();

/**
 * Consumes a state exactly once: of two concurrent callbacks with the same state, one gets the
 * row and the other gets nothing. Expired states are never consumed.
 */
export async function consumeOauthState(db: Db, stateHash: string, now: string) {
  return db
    .updateTable('oauth_states')
    .set({ consumed_at: now })
    .where('state_hash', '=', stateHash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
}
