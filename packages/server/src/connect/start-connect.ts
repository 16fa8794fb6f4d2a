import type { Context } from 'koa';
import type { AppDeps } from '../app.js';
import { sha256Base64Url } from '../crypto/tokens.js';
import { claimSessionForBrowser } from '../db/repositories/connect-sessions.js';
import { finalRedirectUrl, startProviderFlow } from '../services/connect-flow.js';
import { failConnectSessionWithEvent } from '../webhooks/events.js';
import { sendMessagePage, setHostedPageHeaders } from './html.js';
import { loadOpenSession, sendOpenedInAnotherBrowser } from './session-guard.js';

/**
 * `POST /connect/:id/start`: binds the session to this browser (first browser wins) and sends it to
 * the provider with a fresh state. A POST, so link previews and prefetchers never start a flow.
 */
export async function startConnect(ctx: Context, deps: AppDeps): Promise<void> {
  const open = await loadOpenSession(ctx, deps, ctx.params.id as string);
  if (!open) return;
  const { session, binding } = open;
  if (!binding) {
    sendMessagePage(ctx, 400, {
      title: 'Cookies are needed to continue',
      text: 'Allow cookies for this site, then open the connect link again.',
    });
    return;
  }
  const now = deps.clock.now().toISOString();
  if (!(await claimSessionForBrowser(deps.db, session.id, sha256Base64Url(binding), now))) {
    sendOpenedInAnotherBrowser(ctx, session.app_name);
    return;
  }
  const authorizeUrl = await startProviderFlow(deps, session, binding);
  setHostedPageHeaders(ctx);
  ctx.status = 303;
  if (!authorizeUrl) {
    // The app's credentials were removed after the session was created.
    await failConnectSessionWithEvent(deps.db, session, 'provider_error', deps.clock.now());
    ctx.redirect(finalRedirectUrl(session, { status: 'failed', errorCode: 'provider_error' }));
    return;
  }
  ctx.redirect(authorizeUrl);
}
