import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeProviderEnv } from '../fake-provider.js';
import {
  call,
  cleanUpProcesses,
  configureProcesses,
  liveLinkedInUser,
  type MainProcess,
  type PostView,
  startFake,
  startMain,
  tails,
  tempDirs,
  terminal,
  waitFor,
} from './processes.js';

/*
 * DESIGN.md, Publishing: "An attempt whose outcome is unknown (the process died mid-call) is never
 * blindly repeated". The server runs as a real child process (main.ts through tsx) against a slow
 * local fake LinkedIn; it is killed with SIGKILL while two create calls are in flight and others
 * are still queued, then restarted on the same data directory. Every post must end `published`
 * exactly once or `failed` with `delivery_interrupted`: none published twice, none stuck.
 */

const CLIENTS = {
  linkedin: { clientId: 'li-crash-client', clientSecret: 'li-crash-secret-5e4d3c2b1a' },
  twitter: { clientId: 'x-crash-client', clientSecret: 'x-crash-secret-0a1b2c3d4e' },
};
const ADMIN_TOKEN = `crash-admin-${randomBytes(16).toString('hex')}`;
const POSTS = 6;
const CONCURRENCY = 2;
const PUBLISH_DELAY_MS = 1500;

configureProcesses({ adminToken: ADMIN_TOKEN, appName: 'Crash test', clients: CLIENTS });
/** Log lines at level warn or above (pino JSON on standard output). */
function warnings(proc: MainProcess): string[] {
  return proc
    .stdout()
    .split('\n')
    .filter((line) => /^\{.*"level":(4|5|6)0[,}]/.test(line));
}

/** SIGTERM, bounded: shutdown flushes the buffered log lines. */
async function stop(proc: MainProcess): Promise<void> {
  proc.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${proc.name} did not exit on SIGTERM\n${tails()}`)), 20_000);
  });
  try {
    await Promise.race([proc.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
  expect(proc.child.exitCode, `${proc.name} exit code\n${tails()}`).toBe(0);
}

afterAll(cleanUpProcesses);

describe('crash recovery of scheduled deliveries (main.ts as a child process, SIGKILL)', () => {
  it('ends every post published exactly once or failed with delivery_interrupted after a SIGKILL mid-dispatch', async () => {
    const fake = await startFake();
    fake.publishDelayMs = PUBLISH_DELAY_MS;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-crash-'));
    tempDirs.push(dataDir);
    const env = {
      MYPOSTSHARE_DATA_DIR: dataDir,
      MYPOSTSHARE_ADMIN_TOKEN: ADMIN_TOKEN,
      MYPOSTSHARE_LOG_LEVEL: 'warn',
      MYPOSTSHARE_RATE_LIMIT_RPS: '0',
      MYPOSTSHARE_PUBLISH_LEASE_SECONDS: '2',
      MYPOSTSHARE_PUBLISH_CONCURRENCY: String(CONCURRENCY),
      MYPOSTSHARE_ALLOW_PRIVATE_NETWORK: 'true',
      ...fakeProviderEnv(fake.url),
    };

    const first = await startMain('first process', env);
    const user = 'crash_user';
    const key = await liveLinkedInUser(first, user);

    // Distinct content per post (no LinkedIn "little text" reserved characters, so the fake's
    // commentary is the content verbatim), all due at the same instant.
    const nonce = randomBytes(4).toString('hex');
    const scheduleAt = new Date(Date.now() + 1500).toISOString();
    const posts: Array<{ id: string; content: string }> = [];
    for (let index = 1; index <= POSTS; index += 1) {
      const content = `Crash test post ${index} of run ${nonce}`;
      const created = await call(first.baseUrl, 'POST', '/api/v1/posts/scheduled', {
        token: key,
        body: { externalUserId: user, content, platforms: ['linkedin'], scheduleAt },
        expect: 201,
      });
      expect(created.status).toBe('scheduled');
      posts.push({ id: created.id, content });
    }
    expect(fake.published).toEqual([]);

    // The fake has received the create calls (and so created those posts): kill mid-dispatch.
    await waitFor(() => fake!.published.length >= CONCURRENCY, 15_000, 'create calls to reach the fake', 5);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    // Bytes the process sent before it died are still read by the fake: let them land.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const inFlightAtKill = fake.published.map((post) => post.text);
    const killedAt = Date.now();
    // The per-platform pool is bounded: exactly CONCURRENCY calls were out, the rest still queued.
    expect(inFlightAtKill).toHaveLength(CONCURRENCY);
    for (const text of inFlightAtKill) expect(posts.map((post) => post.content)).toContain(text);

    const restarted = await startMain('restarted process', env);
    const views = new Map<string, PostView>();
    await waitFor(
      async () => {
        for (const post of posts) {
          if (views.has(post.id) && terminal(views.get(post.id)!)) continue;
          views.set(
            post.id,
            await call(restarted.baseUrl, 'GET', `/api/v1/posts/${post.id}`, { token: key }),
          );
        }
        return posts.every((post) => terminal(views.get(post.id)!));
      },
      30_000,
      () =>
        `every post to be terminal; now: ${JSON.stringify(
          [...views.values()].map((view) => [view.content, view.status, view.platformResults]),
        )}`,
      250,
    );

    const received = (text: string) => fake!.published.filter((post) => post.text === text);
    let publishedAfterRestart = 0;
    let interrupted = 0;
    for (const post of posts) {
      const view = views.get(post.id)!;
      expect(view.platformResults).toHaveLength(1);
      const result = view.platformResults[0]!;
      const calls = received(post.content);
      // Terminal means published or failed; a failure may only be delivery_interrupted.
      if (result.status === 'failed') expect(result.errorCode, post.content).toBe('delivery_interrupted');
      // Never published twice: the provider saw each post at most once.
      expect(calls.length, `create calls for "${post.content}"`).toBeLessThanOrEqual(1);
      if (inFlightAtKill.includes(post.content)) {
        // The create call went out and no answer came back; LinkedIn cannot be asked whether it
        // landed, so the attempt is not repeated: it ends delivery_interrupted.
        expect(result, post.content).toMatchObject({ status: 'failed', errorCode: 'delivery_interrupted' });
        expect(view.status).toBe('failed');
        interrupted += 1;
      } else {
        // Still queued at the kill: the restarted process publishes it, once.
        expect(result, post.content).toMatchObject({ status: 'published', errorCode: null });
        expect(view.status).toBe('published');
        expect(calls).toHaveLength(1);
        expect(result.externalId).toBe(calls[0]!.id);
        expect(calls[0]!.at).toBeGreaterThan(killedAt);
        publishedAfterRestart += 1;
      }
    }
    // Both paths were exercised, and every post reached the provider exactly once in all.
    expect(publishedAfterRestart).toBe(POSTS - CONCURRENCY);
    expect(interrupted).toBe(CONCURRENCY);
    expect(fake.published).toHaveLength(POSTS);
    expect(new Set(fake.published.map((post) => post.text)).size).toBe(POSTS);
    // Nothing was published after the fact, and the restarted process logged no warning or error.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(fake.published).toHaveLength(POSTS);
    await stop(restarted);
    expect(warnings(restarted)).toEqual([]);
  }, 90_000);
});
