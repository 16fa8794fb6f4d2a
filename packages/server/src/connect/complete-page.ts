import type { Context } from 'koa';
import { html, sendPage } from './html.js';

/**
 * `GET /connect/complete`: the landing page that is always an allowed redirect URI, for the CLI
 * and for integrations that only poll. It shows the outcome fields it was given and nothing else.
 */
export async function showCompletePage(ctx: Context): Promise<void> {
  const connected = ctx.query.status === 'connected';
  const errorCode = typeof ctx.query.errorCode === 'string' ? ctx.query.errorCode.slice(0, 40) : undefined;
  sendPage(ctx, 200, {
    title: connected ? 'Connected' : 'Not connected',
    body: connected
      ? html`<div class="status" aria-hidden="true">✅</div>
<h1>Connected — you can close this window</h1>
<p>Your account is linked. Return to the app you came from.</p>`
      : html`<div class="status" aria-hidden="true">⚠️</div>
<h1>The account was not connected</h1>
<p>${errorCode === 'access_denied' ? 'You declined the request.' : 'Something went wrong while connecting.'} You can close this window and try again from the app.</p>
${errorCode ? html`<p class="small">Reason: <code>${errorCode}</code></p>` : ''}`,
  });
}
