import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { AppDeps } from '../app.js';
import { setBindingCookie } from '../services/connect-flow.js';
import { html, sendPage } from './html.js';
import { loadOpenSession, platformLabel } from './session-guard.js';

/** `GET /connect/:id`: the hosted connect screen, with one button to continue to the provider. */
export async function showConnectPage(ctx: Context, deps: AppDeps): Promise<void> {
  const open = await loadOpenSession(ctx, deps, ctx.params.id as string);
  if (!open) return;
  const { session } = open;
  if (!open.binding) setBindingCookie(ctx, deps, session.id, randomBytes(32).toString('base64url'));
  const label = platformLabel(session.platform);
  const display = session.display
    ? (JSON.parse(session.display) as { title?: string; description?: string; accentColor?: string })
    : {};
  sendPage(ctx, 200, {
    title: `Connect ${label} · ${session.app_name}`,
    ...(display.accentColor ? { accentColor: display.accentColor } : {}),
    body: html`<div class="app">${session.app_name}</div>
<h1>${display.title ?? `Connect your ${label} account`}</h1>
<p>${display.description ?? `${session.app_name} would like to publish to ${label} on your behalf.`}</p>
<form method="post" action="/connect/${session.id}/start">
  <button type="submit">Continue with ${label}</button>
</form>
<p class="small">You will sign in on ${label}${session.sandbox === 1 ? ' (sandbox: a simulated sign-in, nothing real is connected)' : ''}. Your password is never shared with ${session.app_name}.</p>`,
  });
}
