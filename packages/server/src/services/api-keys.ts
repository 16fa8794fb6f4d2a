import { randomUUID } from 'node:crypto';
import type { CreatedApiKey } from '@mypostshare/contract';
import { generateApiKey } from '../crypto/tokens.js';
import type { Db } from '../db/database.js';
import { insertApiKey, toApiKey } from '../db/repositories/api-keys.js';

/** Issues a key for an app; the returned `key` is the only copy that will ever exist in clear. */
export async function issueApiKey(
  db: Db,
  app: { id: string; sandbox: boolean },
  name: string | null,
  now: string,
): Promise<CreatedApiKey> {
  const generated = generateApiKey(app.sandbox);
  const row = await insertApiKey(db, {
    id: randomUUID(),
    app_id: app.id,
    name,
    prefix: generated.prefix,
    last4: generated.last4,
    key_hash: generated.hash,
    created_at: now,
    revoked_at: null,
  });
  return { ...toApiKey(row), key: generated.key };
}
