import { PLATFORM_LABELS, PLATFORMS, type Platform } from '@mypostshare/contract';
import type { Context } from 'koa';
import type { AppDeps } from '../app.js';
import { html, sendMessagePage, sendPage } from './html.js';

/**
 * `GET /sandbox/:platform/posts/:externalId`: the simulated provider's "public post", the `url`
 * a sandbox delivery reports, so the link a customer stores and shows actually opens something.
 * Only sandbox deliveries are served; the external id is random, like a real post's.
 */
export async function showSandboxPost(ctx: Context, deps: AppDeps): Promise<void> {
  const platform = ctx.params.platform as string;
  const externalId = ctx.params.externalId as string;
  const found =
    (PLATFORMS as readonly string[]).includes(platform) && externalId.length <= 200
      ? await deps.db
          .selectFrom('post_deliveries')
          .innerJoin('posts', 'posts.id', 'post_deliveries.post_id')
          .select(['posts.content', 'posts.title', 'posts.platform_options', 'post_deliveries.published_at'])
          .where('post_deliveries.sandbox', '=', 1)
          .where('post_deliveries.platform', '=', platform)
          .where('post_deliveries.external_id', '=', externalId)
          .where('post_deliveries.status', '=', 'published')
          .executeTakeFirst()
      : undefined;
  if (!found) {
    sendMessagePage(ctx, 404, { title: 'No such sandbox post', text: 'This simulated post does not exist.' });
    return;
  }
  const options = JSON.parse(found.platform_options) as Partial<Record<Platform, { content?: string }>>;
  const text = options[platform as Platform]?.content ?? found.content;
  const label = PLATFORM_LABELS[platform as Platform];
  sendPage(ctx, 200, {
    title: `Sandbox ${label} post`,
    body: html`<p class="small">Simulated ${label} post (sandbox app: nothing was sent to ${label})</p>
${found.title ? html`<h1>${found.title}</h1>` : ''}
<p class="post-text">${text}</p>
<p class="small">Published ${found.published_at ?? ''} · <code>${externalId}</code></p>`,
  });
}
