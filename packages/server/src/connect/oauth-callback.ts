import { type ConnectErrorCode, Platform } from '@mypostshare/contract';
import type { Context } from 'koa';
import type { AppDeps } from '../app.js';
import { oauthStateAad } from '../crypto/aad.js';
import { sha256Base64Url } from '../crypto/tokens.js';
import { findConnectSessionWithContext } from '../db/repositories/connect-sessions.js';
import { consumeOauthState, findOauthState } from '../db/repositories/oauth-states.js';
import { adapterFor } from '../providers/registry.js';
import { AccountNotEligibleError, ProviderError } from '../providers/types.js';
import {
  bindingCookieName,
  finalRedirectUrl,
  linkAccount,
  savePendingAccounts,
} from '../services/connect-flow.js';
import { failConnectSessionWithEvent } from '../webhooks/events.js';
import { firstQueryValue } from './form.js';
import { sendMessagePage, setHostedPageHeaders } from './html.js';

const invalidLink = (ctx: Context, text: string) =>
  sendMessagePage(ctx, 400, { title: 'This sign-in could not be completed', text });

/**
 * `GET /oauth/callback/:platform`: where every provider sends the browser back. Checks the state
 * (known, unexpired, unused, minted for this platform, presented by the browser it was minted
 * for), consumes it atomically, exchanges the code with the credential set recorded in the state,
 * links the account, and redirects to the customer's URI with safe fields only. Anything wrong
 * with the state itself gets our own page: no redirect to the customer, no token request.
 */
export async function handleOauthCallback(ctx: Context, deps: AppDeps): Promise<void> {
  setHostedPageHeaders(ctx);
  const platform = Platform.safeParse(ctx.params.platform);
  if (!platform.success) {
    sendMessagePage(ctx, 404, {
      title: 'Unknown provider',
      text: 'This callback address is not one of ours.',
    });
    return;
  }
  const state = firstQueryValue(ctx.query.state);
  if (!state || state.length > 512) {
    invalidLink(ctx, 'The provider sent you back without the information we need. Start again from the app.');
    return;
  }
  const stateHash = sha256Base64Url(state);
  const record = await findOauthState(deps.db, stateHash);
  const now = deps.clock.now();
  if (!record) {
    invalidLink(ctx, 'This sign-in link is not one we issued. Start again from the app.');
    return;
  }
  if (record.consumed_at) {
    invalidLink(ctx, 'This sign-in was already completed. You can close this window.');
    return;
  }
  if (record.expires_at <= now.toISOString()) {
    invalidLink(ctx, 'This sign-in took too long and expired. Start again from the app.');
    return;
  }
  const binding = ctx.cookies.get(bindingCookieName(record.session_id));
  if (deps.config.connectBrowserBinding && (!binding || sha256Base64Url(binding) !== record.binding_hash)) {
    // Checked before consuming, so a replay from another browser cannot burn the real user's state.
    invalidLink(ctx, 'Finish signing in in the browser where you started. Start again from the app.');
    return;
  }
  const consumed = await consumeOauthState(deps.db, stateHash, now.toISOString());
  if (!consumed) {
    invalidLink(ctx, 'This sign-in was already completed. You can close this window.');
    return;
  }
  const session = await findConnectSessionWithContext(deps.db, consumed.session_id);
  if (!session) {
    invalidLink(ctx, 'This connect session no longer exists. Start again from the app.');
    return;
  }

  const fail = async (errorCode: ConnectErrorCode, redirect = true) => {
    await failConnectSessionWithEvent(deps.db, session, errorCode, deps.clock.now());
    if (!redirect) return;
    ctx.status = 302;
    ctx.redirect(finalRedirectUrl(session, { status: 'failed', errorCode }));
  };

  if (consumed.platform !== platform.data) {
    // Mix-up: a state minted for one provider came back through another's callback.
    await fail('invalid_state', false);
    invalidLink(
      ctx,
      'The provider that sent you back is not the one you signed in with. Start again from the app.',
    );
    return;
  }
  if (session.status !== 'pending') {
    invalidLink(ctx, 'This connect session has already ended. You can close this window.');
    return;
  }
  if (session.expires_at <= now.toISOString()) return fail('session_expired');

  const providerError = firstQueryValue(ctx.query.error);
  if (providerError) return fail(providerError === 'access_denied' ? 'access_denied' : 'provider_error');
  const code = firstQueryValue(ctx.query.code);
  if (!code) return fail('provider_error');

  const sandbox = session.sandbox === 1;
  const adapter = adapterFor(deps.config, platform.data, { sandbox, now: () => deps.clock.now() });
  const credential = { mode: consumed.credential_mode, clientId: consumed.client_id };
  let accounts: Awaited<ReturnType<typeof adapter.exchangeCode>>['accounts'];
  try {
    const exchanged = await adapter.exchangeCode({
      // The credential set and redirect URI recorded with the state, even if the app's changed since.
      client: {
        clientId: consumed.client_id,
        clientSecret: deps.secrets.decrypt(
          consumed.client_secret_enc,
          oauthStateAad('client_secret', consumed.id),
        ),
      },
      redirectUri: consumed.callback_url,
      code,
      codeVerifier: deps.secrets.decrypt(
        consumed.code_verifier_enc,
        oauthStateAad('code_verifier', consumed.id),
      ),
    });
    accounts = exchanged.accounts;
  } catch (error) {
    if (error instanceof AccountNotEligibleError) return fail('account_not_eligible');
    if (error instanceof ProviderError) {
      deps.logger.warn(
        {
          sessionId: session.id,
          platform: platform.data,
          providerCode: error.providerCode,
          status: error.status,
        },
        'provider refused the code exchange',
      );
      return fail('provider_error');
    }
    throw error;
  }
  if (accounts.length === 0) return fail('account_not_eligible');

  if (accounts.length > 1) {
    // Several pages or accounts: let the person choose, in this same browser.
    await savePendingAccounts(deps, session.id, accounts, credential);
    ctx.status = 303;
    ctx.redirect(`/connect/${session.id}/select`);
    return;
  }
  const linked = await linkAccount(deps, session, accounts[0]!, credential);
  if (!linked) {
    sendMessagePage(ctx, 410, {
      title: 'This connection attempt has ended',
      text: 'It expired or was already completed. Go back to the app to try again.',
    });
    return;
  }
  ctx.status = 302;
  ctx.redirect(finalRedirectUrl(session, { status: 'connected' }));
}
