import type { Platform } from '@mypostshare/contract';
import type { AppDeps } from '../app.js';
import { connectionTokenAad } from '../crypto/aad.js';
import type { ConnectionsTable } from '../db/schema.js';
import { adapterFor } from '../providers/registry.js';
import { resolveClient } from './credentials.js';

/**
 * The client that minted a connection, if the app still has it: a connection is refreshed and
 * revoked with exactly the credential set that created it, never another one.
 */
export async function clientForConnection(deps: AppDeps, connection: ConnectionsTable, sandbox: boolean) {
  const client = await resolveClient(
    deps,
    { id: connection.app_id, sandbox },
    connection.platform as Platform,
  );
  if (
    !client ||
    client.mode !== connection.credential_mode ||
    client.clientId !== connection.credential_client_id
  ) {
    return undefined;
  }
  return client;
}

export function decryptConnectionTokens(deps: AppDeps, connection: ConnectionsTable) {
  const platform = connection.platform as Platform;
  const aad = (column: string) => connectionTokenAad(column, connection.end_user_id, platform);
  return {
    accessToken: connection.access_token_enc
      ? deps.secrets.decrypt(connection.access_token_enc, aad('access_token'))
      : '',
    refreshToken: connection.refresh_token_enc
      ? deps.secrets.decrypt(connection.refresh_token_enc, aad('refresh_token'))
      : undefined,
    expiresAt: connection.expires_at ? new Date(connection.expires_at) : undefined,
    scopes: JSON.parse(connection.scopes) as string[],
  };
}

/**
 * Revokes a connection's grant at the provider where the provider has an endpoint for it. Best
 * effort: the local linkage is deleted whatever happens here, and failures are only logged.
 */
export async function revokeAtProvider(
  deps: AppDeps,
  connection: ConnectionsTable,
  sandbox: boolean,
): Promise<void> {
  try {
    const adapter = adapterFor(deps.config, connection.platform as Platform, {
      sandbox,
      now: () => deps.clock.now(),
    });
    if (!adapter.revoke) return;
    const client = await clientForConnection(deps, connection, sandbox);
    if (!client) return;
    await adapter.revoke({ client, tokens: decryptConnectionTokens(deps, connection) });
  } catch (error) {
    deps.logger.warn(
      { connectionId: connection.id, platform: connection.platform, err: (error as Error).message },
      'revocation at the provider failed; the connection was deleted locally',
    );
  }
}
