import { randomUUID } from 'node:crypto';
import type { Platform } from '@mypostshare/contract';
import { connectionTokenAad } from '../../src/crypto/aad.js';
import { upsertConnection } from '../../src/db/repositories/connections.js';
import type { ConnectionsTable } from '../../src/db/schema.js';
import type { TestServer } from '../harness.js';

/**
 * Stores a connection through the storage layer (no public write route exists for connections:
 * they come from the hosted OAuth flow). Tokens are encrypted with the server's own keyring,
 * exactly as the connect flow stores them.
 */
export async function seedConnection(
  server: TestServer,
  input: {
    appId: string;
    endUserId: string;
    platform: Platform;
    status?: 'connected' | 'expired' | 'failed';
    accessToken?: string;
    refreshToken?: string;
    createdAt?: string;
    remoteAccountId?: string;
    remoteUsername?: string | null;
    accountType?: string | null;
  },
): Promise<ConnectionsTable> {
  const now = input.createdAt ?? new Date().toISOString();
  const aad = (column: string) => connectionTokenAad(column, input.endUserId, input.platform);
  const keyring = server.started.keyring;
  return upsertConnection(server.started.database.db, {
    id: randomUUID(),
    app_id: input.appId,
    end_user_id: input.endUserId,
    platform: input.platform,
    status: input.status ?? 'connected',
    remote_account_id: input.remoteAccountId ?? `remote-${input.platform}`,
    remote_username: input.remoteUsername === undefined ? `user_on_${input.platform}` : input.remoteUsername,
    account_type: input.accountType === undefined ? 'person' : input.accountType,
    display_name: 'Seeded account',
    scopes: JSON.stringify(['read', 'write']),
    access_token_enc: keyring.encrypt(input.accessToken ?? `at-${randomUUID()}`, aad('access_token')),
    refresh_token_enc: input.refreshToken ? keyring.encrypt(input.refreshToken, aad('refresh_token')) : null,
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    refresh_expires_at: null,
    credential_mode: 'managed',
    credential_client_id: null,
    created_at: now,
    updated_at: now,
  });
}
