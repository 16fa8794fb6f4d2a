import type { Context } from 'koa';
import type { AppDeps } from '../app.js';
import { finalRedirectUrl, linkAccount, readPendingAccounts } from '../services/connect-flow.js';
import { readForm } from './form.js';
import { sendMessagePage, setHostedPageHeaders } from './html.js';
import { loadOpenSession } from './session-guard.js';

/** `POST /connect/:id/select`: links the chosen page or account and returns to the customer. */
export async function submitPicker(ctx: Context, deps: AppDeps): Promise<void> {
  const open = await loadOpenSession(ctx, deps, ctx.params.id as string);
  if (!open) return;
  const { session } = open;
  // The binding cookie is SameSite=Lax, so it is absent on a cross-site POST: that is our CSRF check.
  const pending = open.binding ? readPendingAccounts(deps, session) : undefined;
  const choice = (await readForm(ctx)).get('account');
  const chosen = pending?.accounts.find((account) => account.remoteAccountId === choice);
  if (!pending || !chosen) {
    sendMessagePage(ctx, 400, {
      title: 'Choose one of the options',
      text: 'Go back and pick an account to connect.',
    });
    return;
  }
  const linked = await linkAccount(deps, session, chosen, pending.credential);
  if (!linked) {
    sendMessagePage(ctx, 410, {
      title: 'This connection attempt has ended',
      text: 'It expired or was already completed. Go back to the app to try again.',
    });
    return;
  }
  setHostedPageHeaders(ctx);
  ctx.status = 303;
  ctx.redirect(finalRedirectUrl(session, { status: 'connected' }));
}
