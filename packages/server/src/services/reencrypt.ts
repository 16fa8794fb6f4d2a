import type { Platform } from '@mypostshare/contract';
import type { Keyring } from '../crypto/encryption.js';
import type { Db } from '../db/database.js';
import { clientSecretAad } from '../routes/admin/credentials-view.js';
import { connectionTokenAad } from './connection-tokens.js';

/**
 * Re-encrypts every stored secret that is not under the current key (key rotation, security.md
 * item 21). Each value is decrypted with its own key id and written back under the current one,
 * row by row; values already current are left alone, so the command can be re-run safely.
 */
export async function reencryptAll(db: Db, keyring: Keyring): Promise<{ rewritten: number; current: number }> {
  let rewritten = 0;
  let current = 0;
  const rotate = (value: string | null, aad: string): string | null => {
    if (!value) return value;
    if (!keyring.needsReencryption(value)) {
      current += 1;
      return value;
    }
    rewritten += 1;
    return keyring.reencrypt(value, aad);
  };

  for (const row of await db.selectFrom('app_credentials').selectAll().where('client_secret_enc', 'is not', null).execute()) {
    const next = rotate(row.client_secret_enc, clientSecretAad(row.app_id, row.platform as Platform));
    if (next !== row.client_secret_enc) {
      await db
        .updateTable('app_credentials')
        .set({ client_secret_enc: next })
        .where('app_id', '=', row.app_id)
        .where('platform', '=', row.platform)
        .execute();
    }
  }
  for (const row of await db.selectFrom('connections').selectAll().execute()) {
    const platform = row.platform as Platform;
    const access = rotate(row.access_token_enc, connectionTokenAad('access_token', row.end_user_id, platform));
    const refresh = rotate(row.refresh_token_enc, connectionTokenAad('refresh_token', row.end_user_id, platform));
    if (access !== row.access_token_enc || refresh !== row.refresh_token_enc) {
      await db
        .updateTable('connections')
        .set({ access_token_enc: access, refresh_token_enc: refresh })
        .where('id', '=', row.id)
        .execute();
    }
  }
  for (const row of await db.selectFrom('oauth_states').selectAll().where('consumed_at', 'is', null).execute()) {
    const secret = rotate(row.client_secret_enc, `oauth_states.client_secret:${row.id}`);
    const verifier = rotate(row.code_verifier_enc, `oauth_states.code_verifier:${row.id}`);
    if (secret !== row.client_secret_enc || verifier !== row.code_verifier_enc) {
      await db
        .updateTable('oauth_states')
        .set({ client_secret_enc: secret ?? '', code_verifier_enc: verifier ?? '' })
        .where('id', '=', row.id)
        .execute();
    }
  }
  for (const row of await db
    .selectFrom('connect_sessions')
    .select(['id', 'pending_accounts_enc'])
    .where('pending_accounts_enc', 'is not', null)
    .execute()) {
    const next = rotate(row.pending_accounts_enc, `connect_sessions.pending_accounts:${row.id}`);
    if (next !== row.pending_accounts_enc) {
      await db.updateTable('connect_sessions').set({ pending_accounts_enc: next }).where('id', '=', row.id).execute();
    }
  }
  return { rewritten, current };
}
