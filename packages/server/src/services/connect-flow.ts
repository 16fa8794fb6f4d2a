import { randomBytes, randomUUID } from 'node:crypto';
import type { ConnectErrorCode, Platform } from '@mypostshare/contract';
import type { Context } from 'koa';
import type { AppDeps } from '../app.js';
import { connectionTokenAad, oauthStateAad, pendingAccountsAad } from '../crypto/aad.js';
import { sha256Base64Url } from '../crypto/tokens.js';
import { type ConnectSessionWithContext, setPendingAccounts } from '../db/repositories/connect-sessions.js';
import { upsertConnection } from '../db/repositories/connections.js';
import { insertOauthState } from '../db/repositories/oauth-states.js';
import { createPkceVerifier, pkceChallenge } from '../providers/pkce.js';
import { adapterFor } from '../providers/registry.js';
import type { LinkableAccount } from '../providers/types.js';
import { connectSessionEventData, emitWebhookEvent } from '../webhooks/events.js';
import { resolveClient } from './credentials.js';

/** OAuth states live ten minutes (security.md item 5). */
export const STATE_TTL_MS = 10 * 60_000;

/** The browser-binding cookie of one session. Per session, so two tabs never clobber each other. */
export const bindingCookieName = (sessionId: string) => `mps_bind_${sessionId}`;

export function setBindingCookie(ctx: Context, deps: AppDeps, sessionId: string, value: string): void {
  const secure = deps.config.publicUrl.startsWith('https:');
  // Behind a TLS-terminating proxy the hop to us is plain HTTP; the public URL is what the browser
  // sees, so trust it rather than the socket (the cookies library refuses Secure otherwise).
  if (secure) ctx.cookies.secure = true;
  ctx.cookies.set(bindingCookieName(sessionId), value, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    // As long as the session can live, so a bound session never locks out its own browser.
    maxAge: deps.config.connectSessionTtlMs,
    overwrite: true,
  });
}

/** The fixed callback URL for a platform: where providers send the browser back, registered in their consoles. */
export const callbackUrl = (publicUrl: string, platform: Platform) =>
  `${publicUrl}/oauth/callback/${platform}`;

/**
 * Mints a fresh state for the session (>= 128 random bits, stored only as a hash, single use,
 * ten-minute expiry, bound to the session, platform, credential set, PKCE verifier and browser)
 * and returns the provider's authorize URL. Undefined when the platform has no OAuth client.
 */
export async function startProviderFlow(
  deps: AppDeps,
  session: ConnectSessionWithContext,
  bindingValue: string,
): Promise<string | undefined> {
  const platform = session.platform as Platform;
  const sandbox = session.sandbox === 1;
  const client = await resolveClient(deps, { id: session.app_id, sandbox }, platform);
  if (!client) return undefined;
  const state = randomBytes(32).toString('base64url');
  const verifier = createPkceVerifier();
  const stateId = randomUUID();
  const now = deps.clock.now();
  const redirectUri = callbackUrl(deps.config.publicUrl, platform);
  await insertOauthState(deps.db, {
    id: stateId,
    state_hash: sha256Base64Url(state),
    session_id: session.id,
    platform,
    credential_mode: client.mode,
    client_id: client.clientId,
    client_secret_enc: deps.secrets.encrypt(client.clientSecret, oauthStateAad('client_secret', stateId)),
    code_verifier_enc: deps.secrets.encrypt(verifier, oauthStateAad('code_verifier', stateId)),
    callback_url: redirectUri,
    binding_hash: sha256Base64Url(bindingValue),
    expires_at: new Date(now.getTime() + STATE_TTL_MS).toISOString(),
    consumed_at: null,
    created_at: now.toISOString(),
  });
  const adapter = adapterFor(deps.config, platform, { sandbox, now: () => deps.clock.now() });
  return adapter.authorizeUrl({
    client,
    redirectUri,
    state,
    codeChallenge: pkceChallenge(verifier),
  });
}

/** The customer's redirect URI with the safe outcome fields only: never a code, token or provider state. */
export function finalRedirectUrl(
  session: { id: string; redirect_uri: string; platform: string; external_user_id: string },
  outcome: { status: 'connected' } | { status: 'failed'; errorCode: ConnectErrorCode },
): string {
  const url = new URL(session.redirect_uri);
  url.searchParams.set('connectSessionId', session.id);
  url.searchParams.set('status', outcome.status);
  url.searchParams.set('platform', session.platform);
  url.searchParams.set('externalUserId', session.external_user_id);
  if (outcome.status === 'failed') url.searchParams.set('errorCode', outcome.errorCode);
  return url.toString();
}

export interface CredentialRecord {
  mode: string;
  clientId: string;
}

/**
 * Stores the chosen account as the end user's connection for the platform (updating it in place
 * on reconnect), with tokens encrypted and the credential set that minted them, and completes the
 * session, emitting `connect_session.completed` in the same transaction. Undefined (and nothing
 * linked) when the session is no longer pending.
 */
export async function linkAccount(
  deps: AppDeps,
  session: ConnectSessionWithContext,
  account: LinkableAccount,
  credential: CredentialRecord,
): Promise<string | undefined> {
  const at = deps.clock.now();
  const now = at.toISOString();
  const platform = session.platform as Platform;
  const aad = (column: string) => connectionTokenAad(column, session.end_user_id, platform);
  // Encrypted before the transaction opens, so it holds the database for the writes only.
  const accessTokenEnc = deps.secrets.encrypt(account.tokens.accessToken, aad('access_token'));
  const refreshTokenEnc = account.tokens.refreshToken
    ? deps.secrets.encrypt(account.tokens.refreshToken, aad('refresh_token'))
    : null;
  return deps.db.transaction().execute(async (trx) => {
    // Claim the session first: of a slow exchange racing its expiry, or two picker submits, only the
    // one that ends the pending session links an account.
    const claimed = await trx
      .updateTable('connect_sessions')
      .set({ status: 'connected', error_code: null, pending_accounts_enc: null, updated_at: now })
      .where('id', '=', session.id)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return undefined;
    const row = await upsertConnection(trx, {
      id: randomUUID(),
      app_id: session.app_id,
      end_user_id: session.end_user_id,
      platform,
      status: 'connected',
      remote_account_id: account.remoteAccountId,
      remote_username: account.remoteUsername,
      account_type: account.accountType,
      display_name: account.displayName,
      scopes: JSON.stringify(account.tokens.scopes),
      access_token_enc: accessTokenEnc,
      refresh_token_enc: refreshTokenEnc,
      expires_at: account.tokens.expiresAt?.toISOString() ?? null,
      refresh_expires_at: account.tokens.refreshExpiresAt?.toISOString() ?? null,
      // A new grant, a new expiry: `connection.expiring` may be sent again for it.
      expiry_warned_for: null,
      credential_mode: credential.mode,
      credential_client_id: credential.clientId,
      created_at: now,
      updated_at: now,
    });
    await trx
      .updateTable('connect_sessions')
      .set({ connection_id: row.id })
      .where('id', '=', session.id)
      .execute();
    await emitWebhookEvent(trx, {
      appId: session.app_id,
      type: 'connect_session.completed',
      data: connectSessionEventData(session, { status: 'connected', connectionId: row.id }),
      now: at,
    });
    return row.id;
  });
}

/** Accounts waiting for the picker, encrypted on the session row with the credential that minted them. */
interface PendingAccounts {
  credential: CredentialRecord;
  accounts: Array<
    Omit<LinkableAccount, 'tokens'> & {
      tokens: { accessToken: string; refreshToken?: string; expiresAt?: string; scopes: string[] };
    }
  >;
}

export async function savePendingAccounts(
  deps: AppDeps,
  sessionId: string,
  accounts: LinkableAccount[],
  credential: CredentialRecord,
): Promise<void> {
  const pending: PendingAccounts = {
    credential,
    accounts: accounts.map((account) => ({
      ...account,
      tokens: {
        accessToken: account.tokens.accessToken,
        ...(account.tokens.refreshToken ? { refreshToken: account.tokens.refreshToken } : {}),
        ...(account.tokens.expiresAt ? { expiresAt: account.tokens.expiresAt.toISOString() } : {}),
        scopes: account.tokens.scopes,
      },
    })),
  };
  await setPendingAccounts(
    deps.db,
    sessionId,
    deps.secrets.encrypt(JSON.stringify(pending), pendingAccountsAad(sessionId)),
    deps.clock.now().toISOString(),
  );
}

export function readPendingAccounts(
  deps: AppDeps,
  session: ConnectSessionWithContext,
): { credential: CredentialRecord; accounts: LinkableAccount[] } | undefined {
  if (!session.pending_accounts_enc) return undefined;
  const pending = JSON.parse(
    deps.secrets.decrypt(session.pending_accounts_enc, pendingAccountsAad(session.id)),
  ) as PendingAccounts;
  return {
    credential: pending.credential,
    accounts: pending.accounts.map((account) => ({
      ...account,
      tokens: {
        accessToken: account.tokens.accessToken,
        refreshToken: account.tokens.refreshToken,
        expiresAt: account.tokens.expiresAt ? new Date(account.tokens.expiresAt) : undefined,
        scopes: account.tokens.scopes,
      },
    })),
  };
}
