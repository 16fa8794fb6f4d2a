import type { ListPostsQuery, UpdatePostRequest } from '@mypostshare/sdk';
import type { Command } from 'commander';
import { action } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { columns } from '../output.js';
import { POST_STATUSES } from '../platforms.js';
import { formatTime, parseFutureTime, parsePastTime } from '../time.js';
import {
  collect,
  type ListFlags,
  listOptions,
  oneOf,
  pageQuery,
  platformName,
  repeatable,
} from './common.js';
import { postTable } from './post.js';

interface ListPostFlags extends ListFlags {
  user?: string;
  status?: (typeof POST_STATUSES)[number];
  platform?: string;
  from?: string;
  to?: string;
}

interface UpdateFlags {
  content?: string;
  title?: string;
  platform?: string[];
  mediaUrl?: string[];
  at?: string;
}

/**
 * `mypostshare posts ...`: the app's post requests (API key).
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function definePosts(posts: Command): void {
  listOptions(
    posts
      .command('list')
      .description('list post requests, newest first')
      .option('--user <externalUserId>', 'only this end user’s')
      .option(
        '--status <status>',
        `only with this status (${POST_STATUSES.join(', ')})`,
        oneOf('--status', POST_STATUSES),
      )
      .option('--platform <platform>', 'only those to this platform')
      .option('--from <time>', 'from this time (ISO 8601, or 2h / 1d ago)')
      .option('--to <time>', 'up to this time (ISO 8601, or 2h / 1d ago)'),
  ).action(
    action(async (ctx) => {
      const flags = ctx.opts<ListPostFlags>();
      const query: ListPostsQuery = {
        ...pageQuery(flags),
        ...(flags.user === undefined ? {} : { externalUserId: flags.user }),
        ...(flags.status === undefined ? {} : { status: flags.status }),
        ...(flags.platform === undefined ? {} : { platform: platformName(flags.platform) }),
        ...(flags.from === undefined ? {} : { dateFrom: parsePastTime('--from', flags.from) }),
        ...(flags.to === undefined ? {} : { dateTo: parsePastTime('--to', flags.to) }),
      };
      const client = await ctx.client();
      const items = await collect(ctx, client.posts.list(query), flags);
      ctx.print(items, (list) =>
        columns(
          list,
          [
            ['ID', (post) => post.id],
            ['STATUS', (post) => post.status],
            ['USER', (post) => post.externalUserId],
            ['PLATFORMS', (post) => post.platforms.join(',')],
            ['WHEN', (post) => formatTime(post.scheduleAt ?? post.createdAt)],
          ],
          'No posts.',
        ),
      );
    }),
  );

  posts
    .command('get')
    .argument('<id>', 'post id')
    .description('show a post and each platform’s result')
    .action(
      action(async (ctx, id: string) => {
        const client = await ctx.client();
        ctx.print(await client.posts.retrieve(id), postTable);
      }),
    );

  posts
    .command('cancel')
    .argument('<id>', 'post id')
    .description('cancel a scheduled post')
    .action(
      action(async (ctx, id: string) => {
        const client = await ctx.client();
        ctx.print(await client.posts.cancel(id), postTable);
      }),
    );

  posts
    .command('retry')
    .argument('<id>', 'post id')
    .description('publish again to the platforms that failed')
    .action(
      action(async (ctx, id: string) => {
        const client = await ctx.client();
        ctx.print(await client.posts.retry(id), postTable);
      }),
    );

  posts
    .command('update')
    .argument('<id>', 'post id')
    .option('--content <text>', 'new text')
    .option('--title <title>', 'new title')
    .option('-p, --platform <platform>', 'the platforms to post to (repeat; replaces the list)', repeatable)
    .option('--media-url <url>', 'media URLs (repeat; replaces them)', repeatable)
    .option('--at <time>', 'new time: ISO 8601, or +10m / +2h / +1d')
    .description('edit a post that is still scheduled')
    .action(
      action(async (ctx, id: string) => {
        const flags = ctx.opts<UpdateFlags>();
        const media = flags.mediaUrl ?? [];
        const changes: UpdatePostRequest = {
          ...(flags.content === undefined ? {} : { content: flags.content }),
          ...(flags.title === undefined ? {} : { title: flags.title }),
          ...(flags.platform === undefined
            ? {}
            : { platforms: flags.platform.map((name) => platformName(name)) }),
          ...(media.length === 1 ? { mediaUrl: media[0]! } : media.length > 1 ? { mediaUrls: media } : {}),
          ...(flags.at === undefined ? {} : { scheduleAt: parseFutureTime('--at', flags.at) }),
        };
        if (Object.keys(changes).length === 0) {
          throw new CliError('nothing to change', {
            exitCode: EXIT.usage,
            hint: 'pass --content, --title, --platform, --media-url or --at',
          });
        }
        const client = await ctx.client();
        ctx.print(await client.posts.update(id, changes), postTable);
      }),
    );
}
