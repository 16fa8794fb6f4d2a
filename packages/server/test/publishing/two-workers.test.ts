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
 * DESIGN.md, Scheduler: claims are one atomic UPDATE setting a lease, "so two worker processes
 * never claim the same row". Two real main.ts processes (through tsx) share one SQLite file: the
 * first with every role, the second MYPOSTSHARE_ROLE=worker. Forty posts fall due at the same
 * instant; the local fake LinkedIn must receive exactly one create call per post, and both
 * processes must have done some of the work (each logs `published` with the delivery id).
 */

const CLIENTS = {
  linkedin: { clientId: 'li-workers-client', clientSecret: 'li-workers-secret-6f5e4d3c2b' },
  twitter: { clientId: 'x-workers-client', clientSecret: 'x-workers-secret-1a2b3c4d5e' },
};
const ADMIN_TOKEN = `workers-admin-${randomBytes(16).toString('hex')}`;
const POSTS = 40;
/** Per process: with a 100 ms provider, one process alone would need over a second for them all. */
const CONCURRENCY = 4;
const PUBLISH_DELAY_MS = 100;

configureProcesses({ adminToken: ADMIN_TOKEN, appName: 'Two workers test', clients: CLIENTS });
afterAll(cleanUpProcesses);

/** Delivery ids a process logged as published (pino JSON lines on its standard output). */
function publishedBy(proc: MainProcess): string[] {
  const ids: string[] = [];
  for (const line of proc.stdout().split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { msg?: string; deliveryId?: string };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (entry.msg === 'published' && entry.deliveryId) ids.push(entry.deliveryId);
  }
  return ids;
}

/** Log lines at level warn or above (a lost lease, a failed pass, a busy database...). */
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

describe('two worker processes on one SQLite file', () => {
  it('never publish the same post twice, and share the work', async () => {
    const fake = await startFake();
    fake.publishDelayMs = PUBLISH_DELAY_MS;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-workers-'));
    tempDirs.push(dataDir);
    const env = {
      MYPOSTSHARE_DATA_DIR: dataDir,
      MYPOSTSHARE_ADMIN_TOKEN: ADMIN_TOKEN,
      MYPOSTSHARE_LOG_LEVEL: 'info',
      MYPOSTSHARE_RATE_LIMIT_RPS: '0',
      MYPOSTSHARE_PUBLISH_CONCURRENCY: String(CONCURRENCY),
      MYPOSTSHARE_ALLOW_PRIVATE_NETWORK: 'true',
      ...fakeProviderEnv(fake.url),
    };

    // One after the other: the first start migrates the database and writes the encryption key.
    const api = await startMain('process A (role all)', env);
    const worker = await startMain('process B (role worker)', { ...env, MYPOSTSHARE_ROLE: 'worker' });
    const user = 'workers_user';
    const key = await liveLinkedInUser(api, user);

    const nonce = randomBytes(4).toString('hex');
    // Lead time for 40 requests, with room for a loaded machine (both database projects run at once).
    const scheduleAt = new Date(Date.now() + 5000).toISOString();
    const posts: Array<{ id: string; content: string }> = [];
    for (let index = 1; index <= POSTS; index += 1) {
      const content = `Two workers post ${index} of run ${nonce}`;
      const created = await call(api.baseUrl, 'POST', '/api/v1/posts/scheduled', {
        token: key,
        body: { externalUserId: user, content, platforms: ['linkedin'], scheduleAt },
        expect: 201,
      });
      posts.push({ id: created.id, content });
    }
    expect(Date.now(), 'scheduling took longer than the lead time').toBeLessThan(Date.parse(scheduleAt));

    const views = new Map<string, PostView>();
    await waitFor(
      async () => {
        for (const post of posts) {
          if (views.has(post.id) && terminal(views.get(post.id)!)) continue;
          views.set(post.id, await call(api.baseUrl, 'GET', `/api/v1/posts/${post.id}`, { token: key }));
        }
        return posts.every((post) => terminal(views.get(post.id)!));
      },
      30_000,
      () =>
        `every post to be terminal; not yet: ${JSON.stringify(
          [...views.values()]
            .filter((view) => !terminal(view))
            .map((view) => [view.content, view.status, view.platformResults]),
        )}`,
      250,
    );

    for (const post of posts) {
      const view = views.get(post.id)!;
      expect(view.status, post.content).toBe('published');
      expect(view.platformResults).toHaveLength(1);
      const calls = fake.published.filter((entry) => entry.text === post.content);
      expect(calls, `create calls for "${post.content}"`).toHaveLength(1);
      expect(view.platformResults[0]!.externalId).toBe(calls[0]!.id);
    }
    expect(fake.published).toHaveLength(POSTS);
    // None before it was due.
    expect(Math.min(...fake.published.map((entry) => entry.at))).toBeGreaterThanOrEqual(
      Date.parse(scheduleAt),
    );
    // Nothing else was published while the processes idle.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(fake.published).toHaveLength(POSTS);

    await stop(worker);
    await stop(api);
    const byApi = publishedBy(api);
    const byWorker = publishedBy(worker);
    // Every delivery recorded once, by exactly one process; and both processes did some of it.
    expect(byApi.length + byWorker.length).toBe(POSTS);
    expect(new Set([...byApi, ...byWorker]).size).toBe(POSTS);
    expect(byApi.length, 'deliveries published by process A').toBeGreaterThan(0);
    expect(byWorker.length, 'deliveries published by process B').toBeGreaterThan(0);
    // No SQLITE_BUSY, lost lease or failed pass along the way.
    expect(warnings(api)).toEqual([]);
    expect(warnings(worker)).toEqual([]);
  }, 90_000);
});
