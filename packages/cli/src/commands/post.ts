import type { MyPostShare, Post, PublishPostRequest, ValidatePostResponse } from '@mypostshare/sdk';
import type { Command } from 'commander';
import { action, type Context } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { columns, table } from '../output.js';
import type { PlatformName } from '../platforms.js';
import { formatTime, parseDuration, parseFutureTime } from '../time.js';
import { jsonObject, platformName, repeatable } from './common.js';

interface PostFlags {
  platform?: string[];
  title?: string;
  mediaUrl?: string[];
  metadata?: Record<string, unknown>;
  at?: string;
  dryRun?: boolean;
  wait?: boolean;
  timeout?: string;
}

/** A post with its per-platform results, for people. */
export function postTable(post: Post): string {
  const head = table([
    ['id', post.id],
    ['status', post.status],
    ['user', post.externalUserId],
    ['platforms', post.platforms.join(', ')],
    ...(post.scheduleAt ? ([['scheduled for', formatTime(post.scheduleAt)]] as const) : []),
    ['content', post.content.length > 80 ? `${post.content.slice(0, 77)}...` : post.content],
  ]);
  if (post.platformResults.length === 0) return head;
  const results = columns(
    post.platformResults,
    [
      ['PLATFORM', (result) => result.platform],
      ['STATUS', (result) => result.status],
      [
        'DETAIL',
        (result) => result.url ?? result.errorMessage ?? result.errorCode ?? result.externalId ?? '-',
      ],
    ],
    '',
  );
  return `${head}\n\n${results}`;
}

/** The user's connected platforms, to post to when none is named. */
async function connectedPlatforms(client: MyPostShare, externalUserId: string): Promise<PlatformName[]> {
  const connections = await client.endUsers.listConnections(externalUserId);
  return connections
    .filter((connection) => connection.status === 'connected')
    .map((connection) => connection.platform);
}

async function choosePlatforms(ctx: Context, client: MyPostShare, user: string, given: string[]) {
  if (given.length > 0) return [...new Set(given.map((name) => platformName(name)))];
  const connected = await connectedPlatforms(client, user);
  if (connected.length === 0) {
    throw new CliError(`${user} has no connected platform to post to`, {
      exitCode: EXIT.usage,
      hint: `link one first: \`mypostshare connect ${user} linkedin\``,
    });
  }
  if (!ctx.interactive || connected.length === 1) return connected;
  const { askCheckbox } = await import('../prompts.js');
  return askCheckbox(
    'Post to which platforms?',
    connected.map((platform) => ({ value: platform, checked: true })),
  );
}

/** Polls a post until no platform is still publishing, or the time is up. */
async function settle(ctx: Context, client: MyPostShare, post: Post, timeoutMs: number): Promise<Post> {
  let current = post;
  const deadline = Date.now() + timeoutMs;
  const spinner = ctx.spinner('Publishing');
  try {
    while (current.status === 'publishing' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      current = await client.posts.retrieve(current.id);
    }
  } finally {
    spinner.stop();
  }
  return current;
}

function failure(post: Post): CliError {
  const failed = post.platformResults
    .filter((result) => result.status === 'failed')
    .map(
      (result) =>
        `${result.platform}: ${result.errorCode ?? 'failed'}${result.errorMessage ? ` (${result.errorMessage})` : ''}`,
    );
  return new CliError(
    `the post ${post.status === 'failed' ? 'failed' : 'was only partly published'}: ${failed.join('; ')}`,
    {
      exitCode: EXIT.failure,
      hint: `after fixing the cause, \`mypostshare posts retry ${post.id}\` retries the failed platforms`,
    },
  );
}

const validationTable = (result: ValidatePostResponse) =>
  columns(
    result.platforms,
    [
      ['PLATFORM', (entry) => entry.platform],
      ['VALID', (entry) => (entry.errors.length === 0 ? 'yes' : 'no')],
      [
        'PROBLEMS',
        (entry) =>
          [
            ...entry.errors,
            ...entry.warnings.map((warning) => ({ ...warning, message: `warning: ${warning.message}` })),
          ]
            .map((problem) => problem.message)
            .join('; ') || '-',
      ],
    ],
    'No platforms.',
  );

/**
 * `mypostshare post <user> [content]`: publish a test post now, schedule it with `--at`, or check it
 * with `--dry-run`.
 * Named and described in ../command-table.ts, which loads this module when the command runs.
 */
export function definePost(command: Command): void {
  command
    .argument('<externalUserId>', 'the end user to post as')
    .argument('[content]', 'the text (default: a dated test message)')
    .option(
      '-p, --platform <platform>',
      'a platform to post to; repeat for several (default: every connected one)',
      repeatable,
    )
    .option('--title <title>', 'a title, for platforms that take one (YouTube requires it)')
    .option('--media-url <url>', 'an image or video URL; repeat for several', repeatable)
    .option('--metadata <json>', 'a JSON object stored with the post', jsonObject('--metadata'))
    .option('--at <time>', 'schedule instead of publishing now: ISO 8601, or +10m / +2h / +1d')
    .option('--dry-run', "check the post against each platform's rules; nothing is sent")
    .option('--no-wait', 'do not wait for platforms still publishing')
    .option('--timeout <duration>', 'how long to wait for platforms still publishing (default 2m)')
    .action(
      action(async (ctx, externalUserId: string, content: string | undefined) => {
        const flags = ctx.opts<PostFlags>();
        const scheduleAt = flags.at === undefined ? undefined : parseFutureTime('--at', flags.at);
        const timeoutMs = parseDuration('--timeout', flags.timeout ?? '2m');
        const client = await ctx.client();
        const platforms = await choosePlatforms(ctx, client, externalUserId, flags.platform ?? []);
        const media = flags.mediaUrl ?? [];
        const body: PublishPostRequest = {
          externalUserId,
          content: content ?? `Test post from the mypostshare CLI (${new Date().toISOString()})`,
          platforms,
          ...(flags.title === undefined ? {} : { title: flags.title }),
          ...(media.length === 1 ? { mediaUrl: media[0]! } : media.length > 1 ? { mediaUrls: media } : {}),
          ...(flags.metadata === undefined ? {} : { metadata: flags.metadata }),
        };

        if (flags.dryRun) {
          const result = await client.posts.validate(body);
          ctx.print(result, validationTable);
          if (!result.valid) {
            throw new CliError('the post would be refused', {
              exitCode: EXIT.failure,
              hint: '`mypostshare platforms` lists each platform’s rules',
            });
          }
          return;
        }

        if (scheduleAt !== undefined) {
          const post = await client.posts.schedule({ ...body, scheduleAt });
          ctx.print(post, postTable);
          ctx.hint(`Cancel it with \`mypostshare posts cancel ${post.id}\`.`);
          return;
        }

        let post = await client.posts.publish(body);
        if (post.status === 'publishing' && flags.wait !== false)
          post = await settle(ctx, client, post, timeoutMs);
        ctx.print(post, postTable);
        if (post.status === 'failed' || post.status === 'partially_published') throw failure(post);
        if (post.status === 'publishing') {
          ctx.notice(`Still publishing; \`mypostshare posts get ${post.id}\` shows how it ends.`);
        }
      }),
    );
}
