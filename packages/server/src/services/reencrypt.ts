import type { Platform } from '@mypostshare/contract';
import type { Kysely } from 'kysely';
import {
  clientSecretAad,
  connectionTokenAad,
  oauthStateAad,
  pendingAccountsAad,
  previousWebhookSecretsAad,
  webhookSecretAad,
} from '../crypto/aad.js';
import type { Keyring } from '../crypto/encryption.js';
import type { Db } from '../db/database.js';

/** How often one row is read again and retried when something else keeps changing it meanwhile. */
const MAX_ATTEMPTS = 5;

/** A row of any of those tables: every column they have is text (or null). */
type Row = Record<string, string | null>;

/** One table holding encrypted values: how to find its rows, and each value's column and associated data. */
interface EncryptedTable {
  table: 'app_credentials' | 'connections' | 'oauth_states' | 'connect_sessions' | 'webhook_endpoints';
  /** The columns identifying a row. */
  key: string[];
  /** Only rows that may hold an encrypted value (a cheap pre-filter). */
  holds: string;
  values: (row: Row) => Array<{ column: string; aad: string }>;
}

/** Every encrypted column in the database. A new one must be added here, or rotation leaves it behind. */
const ENCRYPTED: EncryptedTable[] = [
  {
    table: 'app_credentials',
    key: ['app_id', 'platform'],
    holds: 'client_secret_enc',
    values: (row) => [
      { column: 'client_secret_enc', aad: clientSecretAad(row.app_id!, row.platform as Platform) },
    ],
  },
  {
    table: 'connections',
    key: ['id'],
    holds: 'access_token_enc',
    values: (row) => [
      {
        column: 'access_token_enc',
        aad: connectionTokenAad('access_token', row.end_user_id!, row.platform as Platform),
      },
      {
        column: 'refresh_token_enc',
        aad: connectionTokenAad('refresh_token', row.end_user_id!, row.platform as Platform),
      },
    ],
  },
  {
    // Consumed states too: they are kept a day, and a retired key must not be needed (or left) for them.
    table: 'oauth_states',
    key: ['id'],
    holds: 'client_secret_enc',
    values: (row) => [
      { column: 'client_secret_enc', aad: oauthStateAad('client_secret', row.id!) },
      { column: 'code_verifier_enc', aad: oauthStateAad('code_verifier', row.id!) },
    ],
  },
  {
    table: 'connect_sessions',
    key: ['id'],
    holds: 'pending_accounts_enc',
    values: (row) => [{ column: 'pending_accounts_enc', aad: pendingAccountsAad(row.id!) }],
  },
  {
    table: 'webhook_endpoints',
    key: ['id'],
    holds: 'secret_enc',
    values: (row) => [
      { column: 'secret_enc', aad: webhookSecretAad(row.id!) },
      { column: 'previous_secrets_enc', aad: previousWebhookSecretsAad(row.id!) },
    ],
  },
];

/**
 * Re-encrypts every stored secret that is not under the current key (key rotation, security.md
 * item 21). Each value is decrypted with its own key id and written back under the current one,
 * row by row; values already current are left alone, so the command can be re-run safely.
 *
 * The server may be running meanwhile (the new key first, the old ones after it), so each UPDATE
 * applies only if the row still holds exactly the ciphertexts that were read: a token refreshed or
 * a client secret changed in between is never overwritten by the re-encrypted older value. Such a
 * row is read again and retried.
 */
export async function reencryptAll(
  db: Db,
  keyring: Keyring,
): Promise<{ rewritten: number; current: number }> {
  // The tables are named by data here, not in code, so the typed builder cannot follow.
  const anyDb = db as unknown as Kysely<Record<string, Row>>;
  let rewritten = 0;
  let current = 0;

  for (const spec of ENCRYPTED) {
    const byKey = (row: Row) => {
      let query = anyDb.selectFrom(spec.table).selectAll();
      for (const column of spec.key) query = query.where(column, '=', row[column]!);
      return query.executeTakeFirst() as Promise<Row | undefined>;
    };
    const rows = (await anyDb
      .selectFrom(spec.table)
      .selectAll()
      .where(spec.holds, 'is not', null)
      .execute()) as Row[];
    for (const first of rows) {
      let row: Row | undefined = first;
      for (let attempt = 1; row; attempt += 1) {
        const changes: Record<string, string> = {};
        let alreadyCurrent = 0;
        for (const { column, aad } of spec.values(row)) {
          const value = row[column];
          if (!value) continue;
          if (!keyring.needsReencryption(value)) {
            alreadyCurrent += 1;
            continue;
          }
          try {
            changes[column] = keyring.reencrypt(value, aad);
          } catch (error) {
            // Row ids are not secret; the value and the key never appear in the message.
            const where = spec.key.map((column) => `${column}=${row![column]}`).join(', ');
            throw new Error(
              `Cannot re-encrypt ${spec.table}.${column} (${where}): ${(error as Error).message}`,
            );
          }
        }
        const columns = Object.keys(changes);
        if (columns.length === 0) {
          current += alreadyCurrent;
          break;
        }
        let update = anyDb.updateTable(spec.table).set(changes);
        for (const column of spec.key) update = update.where(column, '=', row[column]!);
        for (const column of columns) update = update.where(column, '=', row[column]!);
        const result = await update.executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) {
          rewritten += columns.length;
          current += alreadyCurrent;
          break;
        }
        if (attempt >= MAX_ATTEMPTS) {
          throw new Error(`${spec.table} kept changing while it was re-encrypted; run the command again`);
        }
        // Changed (or deleted) since it was read: start again from what is stored now.
        row = await byKey(row);
      }
    }
  }
  return { rewritten, current };
}
