import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AppDeps } from '../app.js';
import type { AppState } from '../types.js';
import { showCompletePage } from './complete-page.js';
import { handleOauthCallback } from './oauth-callback.js';
import { decideSandboxConsent, showSandboxConsent } from './sandbox-consent.js';
import { showSandboxPost } from './sandbox-post-page.js';
import { showConnectPage } from './show-connect-page.js';
import { showPicker } from './show-picker.js';
import { startConnect } from './start-connect.js';
import { submitPicker } from './submit-picker.js';

/** The hosted pages (`/connect/...`) and the fixed provider callback (`/oauth/callback/:platform`). */
export function mountHostedPages(router: Router<AppState>, deps: AppDeps): void {
  const bind = (handler: (ctx: Context, deps: AppDeps) => Promise<void>) => (ctx: Context) =>
    handler(ctx, deps);
  // Fixed paths first: they must not be taken for a session id.
  router.get(
    '/connect/complete',
    bind(async (ctx) => showCompletePage(ctx)),
  );
  router.get('/connect/sandbox/authorize', bind(showSandboxConsent));
  router.post('/connect/sandbox/decide', bind(decideSandboxConsent));
  router.get('/connect/:id', bind(showConnectPage));
  router.post('/connect/:id/start', bind(startConnect));
  router.get('/connect/:id/select', bind(showPicker));
  router.post('/connect/:id/select', bind(submitPicker));
  router.get('/oauth/callback/:platform', bind(handleOauthCallback));
  router.get('/sandbox/:platform/posts/:externalId', bind(showSandboxPost));
}
