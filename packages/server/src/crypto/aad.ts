import type { Platform } from '@mypostshare/contract';

/*
 * The associated data each encrypted column is sealed with: `<table>.<column>:<row key>`. A value
 * only decrypts with the string it was encrypted under, so a ciphertext copied to another row or
 * column fails. These strings are part of the stored data: changing one makes existing rows
 * unreadable (services/reencrypt.ts rewrites every column with them on key rotation).
 */

/** An app's encrypted OAuth client secret, bound to the app and platform. */
export const clientSecretAad = (appId: string, platform: Platform) =>
  `app_credentials.client_secret:${appId}:${platform}`;

/**
 * A connection's encrypted tokens. Bound to the end user and platform, which identify the row for
 * its whole life (reconnects update it in place), so a token copied to another row does not decrypt.
 */
export const connectionTokenAad = (column: string, endUserId: string, platform: Platform) =>
  `connections.${column}:${endUserId}:${platform}`;

/** The client secret and PKCE verifier recorded with an OAuth state, bound to the state row. */
export const oauthStateAad = (column: 'client_secret' | 'code_verifier', stateId: string) =>
  `oauth_states.${column}:${stateId}`;

/** The accounts a connect session holds for the picker, bound to the session. */
export const pendingAccountsAad = (sessionId: string) => `connect_sessions.pending_accounts:${sessionId}`;

/** A webhook endpoint's signing secret, and the rotated-out ones still signing, bound to the endpoint. */
export const webhookSecretAad = (endpointId: string) => `webhook_endpoints.secret:${endpointId}`;
export const previousWebhookSecretsAad = (endpointId: string) =>
  `webhook_endpoints.previous_secrets:${endpointId}`;
