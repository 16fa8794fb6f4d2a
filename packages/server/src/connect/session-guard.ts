import { PLATFORM_LABELS, type Platform } from '@mypostshare/contract';
import type { Context } from 'koa';
import type { AppDeps } from '../app.js';
import { sha256Base64Url } from '../crypto/tokens.js';
import {
  type ConnectSessionWithContext,
  effectiveStatus,
  findConnectSessionWithContext,
} from '../db/repositories/connect-sessions.js';
import { bindingCookieName } from '../services/connect-flow.js';
import { sendMessagePage } from './html.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export const platformLabel = (platform: string) => PLATFORM_LABELS[platform as Platform] ?? platform;

/** The 410 page for a session bound to another browser: a leaked link must not let a stranger finish it. */
export function sendOpenedInAnotherBrowser(ctx: Context, appName: string): void {
  sendMessagePage(ctx, 410, {
    icon: '🔒',
    title: 'This link was opened in another browser',
    text: `For your security a connect link works in one browser only. Go back to ${appName} and start again.`,
  });
}

/**
 * Loads the session a hosted page addresses and answers the page itself when the session cannot
 * go on: unknown (404), expired, finished, or bound to another browser (410). Returns the session
 * and this browser's binding cookie (if any) when the flow may continue.
 */
export async function loadOpenSession(
  ctx: Context,
  deps: AppDeps,
  id: string,
): Promise<{ session: ConnectSessionWithContext; binding: string | undefined } | undefined> {
  const session = UUID.test(id) ? await findConnectSessionWithContext(deps.db, id) : undefined;
  if (!session) {
    sendMessagePage(ctx, 404, {
      title: 'This link is not valid',
      text: 'Check that you opened the whole link, or start again from the app that sent you here.',
    });
    return undefined;
  }
  const status = effectiveStatus(session, deps.clock.now());
  if (status === 'expired') {
    sendMessagePage(ctx, 410, {
      icon: '⌛',
      title: 'This link has expired',
      text: `Connect links are valid for a limited time. Go back to ${session.app_name} and start again.`,
    });
    return undefined;
  }
  if (status === 'connected') {
    sendMessagePage(ctx, 410, {
      icon: '✅',
      title: 'Already connected',
      text: `This link was already used to connect your ${platformLabel(session.platform)} account. You can close this window.`,
    });
    return undefined;
  }
  if (status === 'failed') {
    sendMessagePage(ctx, 410, {
      title: 'This connection attempt has ended',
      text: `It did not complete. Go back to ${session.app_name} to try again.`,
    });
    return undefined;
  }
  const binding = ctx.cookies.get(bindingCookieName(session.id));
  if (session.binding_hash && (!binding || sha256Base64Url(binding) !== session.binding_hash)) {
    // A leaked link must not let a stranger finish someone else's connection.
    sendOpenedInAnotherBrowser(ctx, session.app_name);
    return undefined;
  }
  return { session, binding };
}
