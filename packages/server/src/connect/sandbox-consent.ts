import type { Context } from 'koa';
import type { AppDeps } from '../app.js';
import { sha256Base64Url } from '../crypto/tokens.js';
import { findConnectSessionWithContext } from '../db/repositories/connect-sessions.js';
import { findOauthState } from '../db/repositories/oauth-states.js';
import { sandboxCode } from '../providers/sandbox/adapter.js';
import { firstQueryValue, readForm } from './form.js';
import { html, sendMessagePage, sendPage } from './html.js';
import { platformLabel } from './session-guard.js';

/**
 * `GET /connect/sandbox/authorize`: the simulated provider's consent screen for sandbox apps, with
 * Approve and Deny. It plays the provider's part: the answer goes to our own fixed callback with a
 * code (or `error=access_denied`) and the state, through the same machinery as a real provider.
 */
export async function showSandboxConsent(ctx: Context, deps: AppDeps): Promise<void> {
  const state = firstQueryValue(ctx.query.state) ?? '';
  const challenge = firstQueryValue(ctx.query.code_challenge) ?? '';
  const record = state ? await findOauthState(deps.db, sha256Base64Url(state)) : undefined;
  const session = record ? await findConnectSessionWithContext(deps.db, record.session_id) : undefined;
  if (!record || !session || session.sandbox !== 1 || !/^[A-Za-z0-9_-]{43,128}$/.test(challenge)) {
    sendMessagePage(ctx, 400, {
      title: 'Sandbox sign-in unavailable',
      text: 'Start again from the connect link.',
    });
    return;
  }
  const label = platformLabel(record.platform);
  sendPage(ctx, 200, {
    title: `Sandbox ${label} sign-in`,
    body: html`<div class="app">Sandbox ${label}</div>
<h1>Allow ${session.app_name} to post for you?</h1>
<p>This is the sandbox: a simulated ${label} consent screen. Nothing real is connected.</p>
<form method="post" action="/connect/sandbox/decide">
  <input type="hidden" name="state" value="${state}">
  <input type="hidden" name="code_challenge" value="${challenge}">
  <button type="submit" name="decision" value="approve">Approve</button>
  <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  });
}

/** `POST /connect/sandbox/decide`: sends the simulated provider's answer to our fixed callback. */
export async function decideSandboxConsent(ctx: Context, deps: AppDeps): Promise<void> {
  const form = await readForm(ctx);
  const state = form.get('state') ?? '';
  const challenge = form.get('code_challenge') ?? '';
  const record = state ? await findOauthState(deps.db, sha256Base64Url(state)) : undefined;
  const session = record ? await findConnectSessionWithContext(deps.db, record.session_id) : undefined;
  if (!record || !session || session.sandbox !== 1) {
    sendMessagePage(ctx, 400, {
      title: 'Sandbox sign-in unavailable',
      text: 'Start again from the connect link.',
    });
    return;
  }
  const callback = new URL(record.callback_url);
  if (form.get('decision') === 'approve') {
    callback.searchParams.set('code', sandboxCode(session.end_user_id, challenge));
  } else {
    callback.searchParams.set('error', 'access_denied');
    callback.searchParams.set('error_description', 'The user denied the request');
  }
  callback.searchParams.set('state', state);
  ctx.status = 303;
  ctx.redirect(callback.toString());
}
