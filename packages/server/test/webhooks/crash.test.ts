import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectSandbox } from '../publishing/helpers.js';
import {
  asTestServer,
  cleanUpProcesses,
  startMain,
  tails,
  tempDirs,
  waitFor,
} from '../publishing/processes.js';
import { type Receiver, startReceiver, verified } from './helpers.js';

/*
 * At least once, across a crash: the server runs as a real child process (main.ts through tsx),
 * delivering events to a receiver that holds every request open. It is killed with SIGKILL while
 * four attempts are in flight and the rest are still pending, then restarted on the same data
 * directory: every event arrives (the in-flight ones again, with the same webhook-id), none is lost.
 */

const ADMIN_TOKEN = `hooks-admin-${randomBytes(16).toString('hex')}`;
const POSTS = 10;

let receiver: Receiver | undefined;

afterAll(async () => {
  await cleanUpProcesses();
  await receiver?.close();
});

describe('webhook delivery across a crash (main.ts as a child process, SIGKILL)', () => {
  it('delivers every event after a restart, the interrupted ones again with the same webhook-id', async () => {
    receiver = await startReceiver();
    const acknowledged = new Set<string>();
    let hold = true;
    const held: Array<() => void> = [];
    receiver.reply = (request) => {
      if (hold) return new Promise((resolve) => held.push(() => resolve({ status: 200 })));
      acknowledged.add(request.id);
      return { status: 200, body: 'ok' };
    };

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-hooks-crash-'));
    tempDirs.push(dataDir);
    const env = {
      MYPOSTSHARE_DATA_DIR: dataDir,
      MYPOSTSHARE_ADMIN_TOKEN: ADMIN_TOKEN,
      MYPOSTSHARE_LOG_LEVEL: 'warn',
      MYPOSTSHARE_RATE_LIMIT_RPS: '0',
      // Leases lapse quickly, so the restarted process recovers the interrupted attempts at once.
      MYPOSTSHARE_PUBLISH_LEASE_SECONDS: '2',
      MYPOSTSHARE_ALLOW_PRIVATE_NETWORK: 'true',
    };

    const first = await startMain('first process', env);
    const key = /API key \(shown once\): (mps_test_\w+)/.exec(first.stdout())?.[1];
    expect(key, tails()).toBeDefined();
    const api = asTestServer(first);
    await connectSandbox(api, key!, 'crash_hooks_user', ['twitter']);
    const endpoint = await api.request('POST', '/api/v1/webhook-endpoints', {
      token: key,
      body: { url: receiver.url, events: ['post.published'] },
    });
    expect(endpoint.status, endpoint.text).toBe(201);
    const secret = endpoint.body.secret as string;

    const postIds: string[] = [];
    for (let index = 1; index <= POSTS; index += 1) {
      const published = await api.request('POST', '/api/v1/posts', {
        token: key,
        body: { externalUserId: 'crash_hooks_user', content: `Crash hooks ${index}`, platforms: ['twitter'] },
      });
      expect(published.body?.status, published.text).toBe('published');
      postIds.push(published.body.id);
    }

    // Four attempts (the per-endpoint bound) are held open by the receiver; six are still pending.
    await waitFor(
      () => receiver!.received.length >= 4,
      15_000,
      () => `4 attempts, got ${receiver!.received.length}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(4);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    const interrupted = receiver.received.map((request) => request.id);
    hold = false;
    for (const release of held) release();

    const restarted = await startMain('restarted process', env);
    await waitFor(
      () => acknowledged.size >= POSTS,
      30_000,
      () => `every event acknowledged; got ${acknowledged.size} of ${POSTS}`,
    );

    // Every event, once per post, validly signed; none lost.
    const events = receiver.received
      .filter((request) => acknowledged.has(request.id))
      .map((request) => verified(request, secret));
    const byId = new Map(events.map((event) => [event.id, event]));
    expect(byId.size).toBe(POSTS);
    expect([...byId.values()].map((event) => event.data.postId).sort()).toEqual([...postIds].sort());
    for (const event of byId.values()) expect(event.type).toBe('post.published');
    // The interrupted attempts were made again, with the same webhook-id (at least once).
    for (const id of interrupted) {
      expect(receiver.received.filter((request) => request.id === id).length).toBeGreaterThanOrEqual(2);
      expect(acknowledged.has(id)).toBe(true);
    }

    // The delivery log agrees: ten deliveries, all succeeded.
    const log = await asTestServer(restarted).request(
      'GET',
      `/api/v1/webhook-endpoints/${endpoint.body.id}/deliveries?limit=50`,
      { token: key },
    );
    expect(log.body).toHaveLength(POSTS);
    expect(log.body.every((delivery: { status: string }) => delivery.status === 'succeeded')).toBe(true);

    restarted.child.kill('SIGTERM');
    await restarted.exited;
    expect(restarted.child.exitCode, tails()).toBe(0);
    const warnings = restarted
      .stdout()
      .split('\n')
      .filter((line) => /^\{.*"level":(4|5|6)0[,}]/.test(line));
    expect(warnings).toEqual([]);
  }, 90_000);
});
