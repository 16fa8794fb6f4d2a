import { randomUUID } from 'node:crypto';
import type { Platform } from '@mypostshare/contract';
import type { PublishAdapter } from '../publishing.js';
import { ProviderError } from '../types.js';

/** Text markers that make the simulated provider misbehave, so customers can test every path. */
export const SANDBOX_MARKERS = {
  fail: '[sandbox:fail]',
  retry: '[sandbox:retry]',
  expire: '[sandbox:expire]',
} as const;

/** The simulated provider's hint for `[sandbox:retry]`: short, so the retry is quick to watch. */
export const SANDBOX_RETRY_AFTER_MS = 2000;

const ID_PREFIX: Record<Platform, string> = {
  linkedin: 'urn:li:share:sandbox-',
  facebook: 'sandbox_page_post_',
  instagram: 'sandbox_ig_media_',
  twitter: 'sandbox_tweet_',
  youtube: 'sandbox_video_',
};

/**
 * Publishing of sandbox apps: never leaves the machine, returns fake external ids, and obeys the
 * markers: `[sandbox:fail]` is a permanent rejection, `[sandbox:retry]` fails transiently once
 * (the checkpoint remembers it), `[sandbox:expire]` reports an expired token (the connection
 * becomes `expired`). Media is still fetched and probed by the engine first, so media rules apply.
 */
export function createSandboxPublisher(platform: Platform, options: { publicUrl: string }): PublishAdapter {
  return {
    platform,
    async publish(ctx) {
      const text = `${ctx.content.title ?? ''}\n${ctx.content.text}`;
      if (text.includes(SANDBOX_MARKERS.expire)) {
        throw new ProviderError(
          platform,
          {
            kind: 'reconnect',
            message: 'the sandbox provider reports the token as expired ([sandbox:expire])',
          },
          401,
          'sandbox_expired',
        );
      }
      if (text.includes(SANDBOX_MARKERS.fail)) {
        throw new ProviderError(
          platform,
          { kind: 'permanent', message: 'the sandbox provider rejected the post ([sandbox:fail])' },
          400,
          'sandbox_rejected',
        );
      }
      if (text.includes(SANDBOX_MARKERS.retry) && ctx.checkpoint.failedOnce !== true) {
        await ctx.save({ ...ctx.checkpoint, failedOnce: true });
        throw new ProviderError(
          platform,
          {
            kind: 'retry',
            message: 'the sandbox provider is temporarily unavailable ([sandbox:retry])',
            retryAfterMs: SANDBOX_RETRY_AFTER_MS,
          },
          503,
          'sandbox_unavailable',
        );
      }
      // No beforeCreate: nothing leaves this machine, so an interrupted attempt is never in doubt
      // (recover() says so), and a backlog of sandbox posts drains without that extra write.
      const externalId = `${ID_PREFIX[platform]}${randomUUID()}`;
      return {
        externalId,
        url: `${options.publicUrl}/sandbox/${platform}/posts/${encodeURIComponent(externalId)}`,
      };
    },
    async recover() {
      // Nothing was ever sent anywhere: the simulated post certainly does not exist.
      return { outcome: 'not_published' };
    },
  };
}
