import type { Context } from 'koa';
import type { AppDeps } from '../app.js';
import { readPendingAccounts } from '../services/connect-flow.js';
import { html, sendMessagePage, sendPage } from './html.js';
import { loadOpenSession, platformLabel } from './session-guard.js';

/**
 * `GET /connect/:id/select`: when the login granted several Facebook Pages or Instagram accounts,
 * the person picks one (radio options, the first preselected).
 */
export async function showPicker(ctx: Context, deps: AppDeps): Promise<void> {
  const open = await loadOpenSession(ctx, deps, ctx.params.id as string);
  if (!open) return;
  const { session } = open;
  const pending = open.binding ? readPendingAccounts(deps, session) : undefined;
  if (!pending) {
    sendMessagePage(ctx, 400, {
      title: 'Nothing to choose yet',
      text: `Start from the connect link ${session.app_name} gave you.`,
    });
    return;
  }
  const label = platformLabel(session.platform);
  const noun = session.platform === 'facebook' ? 'Page' : 'account';
  sendPage(ctx, 200, {
    title: `Choose a ${label} ${noun} · ${session.app_name}`,
    body: html`<div class="app">${session.app_name}</div>
<h1>Choose the ${label} ${noun} to connect</h1>
<form method="post" action="/connect/${session.id}/select">
  <fieldset>
    <legend>Your ${label} ${noun}s</legend>
    ${pending.accounts.map(
      (account, index) =>
        html`<label><input type="radio" name="account" value="${account.remoteAccountId}"${
          index === 0 ? html` checked` : ''
        }> <span>${account.displayName ?? account.remoteUsername ?? account.remoteAccountId}</span></label>`,
    )}
  </fieldset>
  <button type="submit">Continue</button>
</form>`,
  });
}
