import type { MyPostShare, Platform, Post } from '@mypostshare/sdk';

/*
 * A script's view of the API: make sure the end user has the platforms connected (printing a
 * connect link and waiting when they have not), schedule a post a little in the future, poll it
 * until the server's worker has published it, and list the user's latest posts.
 */

export interface ScheduleAndPollOptions {
  client: MyPostShare;
  externalUserId: string;
  platforms: Platform[];
  content: string;
  /** How far in the future to schedule the post. */
  delaySeconds: number;
  /** Called with each hosted connect URL the user must open (the script then waits). */
  onConnectUrl: (url: string, platform: Platform) => void | Promise<void>;
  /** Progress lines. */
  log: (line: string) => void;
  /** Milliseconds between two polls of the post. Default 1 000. */
  pollIntervalMs?: number;
  /** How long to wait for each connection, in milliseconds. Default 10 minutes. */
  connectTimeoutMs?: number;
}

const FINAL: ReadonlySet<Post['status']> = new Set([
  'published',
  'partially_published',
  'failed',
  'canceled',
]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the whole scenario and resolves with the post in its final state. */
export async function scheduleAndPoll(options: ScheduleAndPollOptions): Promise<Post> {
  const { client, externalUserId, platforms, log } = options;

  await client.endUsers.upsert({ externalUserId });
  const connected = new Set(
    (await client.endUsers.listConnections(externalUserId))
      .filter((connection) => connection.status === 'connected')
      .map((connection) => connection.platform),
  );
  for (const platform of platforms.filter((candidate) => !connected.has(candidate))) {
    // The server's own "you can close this window" page is always an allowed redirect: a script
    // has no web page of its own to come back to.
    const session = await client.connectSessions.create({
      externalUserId,
      platform,
      redirectUri: `${new URL(client.baseUrl).origin}/connect/complete`,
    });
    await options.onConnectUrl(session.connectUrl, platform);
    const done = await client.connectSessions.waitForCompletion(session.id, {
      timeout: options.connectTimeoutMs ?? 10 * 60_000,
    });
    if (done.status !== 'connected') {
      throw new Error(`Connecting ${platform} ended ${done.status} (${done.errorCode ?? 'no error code'})`);
    }
    log(`connected ${platform}`);
  }

  const scheduleAt = new Date(Date.now() + options.delaySeconds * 1000).toISOString();
  let post = await client.posts.schedule({ externalUserId, content: options.content, platforms, scheduleAt });
  log(`scheduled ${post.id} for ${scheduleAt}`);

  let last = post.status;
  while (!FINAL.has(post.status)) {
    await sleep(options.pollIntervalMs ?? 1_000);
    post = await client.posts.retrieve(post.id);
    if (post.status !== last) {
      last = post.status;
      log(`status: ${last}`);
    }
  }
  for (const result of post.platformResults) {
    log(
      `  ${result.platform}: ${result.status} ${result.url ?? result.externalId ?? result.errorMessage ?? ''}`.trimEnd(),
    );
  }

  // Async iteration follows the pages for us; stop after five.
  log('latest posts:');
  let shown = 0;
  for await (const item of client.posts.list({ externalUserId, limit: 5 })) {
    log(`  ${item.createdAt} ${item.status} ${item.id}`);
    if (++shown === 5) break;
  }
  return post;
}
