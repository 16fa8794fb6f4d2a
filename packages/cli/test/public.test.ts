import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness.js';
import { assertBuilt, completeSandboxConnect, connectUrlOf, Home, json } from './helpers.js';

// Each step runs the binary in a child process: slow machines need more than the default 20 s.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

// The developer's commands (an app's API key), against the real server's first-run sandbox app,
// configured through the environment only (no profile): --json output and exit codes.

let server: TestServer;
let home: Home;

beforeAll(async () => {
  assertBuilt();
  server = await startTestServer();
  home = new Home({ MYPOSTSHARE_SERVER_URL: server.baseUrl, MYPOSTSHARE_API_KEY: server.sandboxKey });
});
afterAll(async () => {
  await server.started.app.deps.publishing.idle();
  home.remove();
  await server.close();
});

describe('users', () => {
  it('upserts, gets, and erases an end user', async () => {
    let run = await home.run([
      'users',
      'upsert',
      'user_a',
      '--name',
      'Alex Morgan',
      '--email',
      'alex@example.com',
      '--metadata',
      '{"plan":"pro"}',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({
      externalUserId: 'user_a',
      displayName: 'Alex Morgan',
      email: 'alex@example.com',
      metadata: { plan: 'pro' },
    });
    // Fields left out are kept.
    run = await home.run(['users', 'upsert', 'user_a', '--json']);
    expect(json(run)).toMatchObject({ displayName: 'Alex Morgan' });

    run = await home.run(['users', 'get', 'user_a', '--json']);
    expect(json(run)).toMatchObject({
      externalUserId: 'user_a',
      connectionSummary: { total: 0, connected: 0 },
    });
    run = await home.run(['users', 'get', 'user_a']);
    expect(run.stdout).toMatch(/^external user id +user_a$/m);

    run = await home.run(['users', 'delete', 'user_a']);
    expect(run.code).toBe(2);
    run = await home.run(['users', 'delete', 'user_a', '--yes', '--json']);
    expect(json(run)).toEqual({ externalUserId: 'user_a', deleted: true });
    run = await home.run(['users', 'get', 'user_a']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error: End user not found \[not_found, request req_[\w-]+\]/);
  });

  it('refuses bad input before sending it', async () => {
    let run = await home.run(['users', 'upsert', 'user_b', '--metadata', '[1]']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--metadata must be a JSON object/);
    run = await home.run(['users', 'upsert', 'user_b', '--email', 'not-an-email']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: Invalid request: email/);
  });

  it('needs an API key (auth exit code), and reports a refused one', async () => {
    let run = await home.run(['users', 'get', 'x'], { env: { MYPOSTSHARE_API_KEY: '' } });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: no API key for .*\nhint: .*keys create --save/);
    run = await home.run(['users', 'get', 'x'], { env: { MYPOSTSHARE_API_KEY: 'mps_test_revoked' } });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/\nhint: the API key \(from MYPOSTSHARE_API_KEY\) was refused/);
  });
});

describe('connect', () => {
  it('prints the connect URL, waits, and reports the connection once the sandbox flow is approved', async () => {
    await home.run(['users', 'upsert', 'user_c']);
    const connect = home.background(['connect', 'user_c', 'linkedin', '--json']);
    const url = await connectUrlOf(connect);
    expect(url).toMatch(new RegExp(`^${server.baseUrl}/connect/[0-9a-f-]{36}$`));
    // The end user's browser lands on the server's own completion page.
    const landed = await completeSandboxConnect(server, url);
    expect(`${landed.origin}${landed.pathname}`).toBe(`${server.baseUrl}/connect/complete`);
    const done = await connect.done;
    expect(done.code).toBe(0);
    expect(json(done)).toMatchObject({ platform: 'linkedin', status: 'connected', externalUserId: 'user_c' });

    const connections = await home.run(['users', 'connections', 'user_c', '--json']);
    expect(json(connections)).toEqual([
      expect.objectContaining({ platform: 'linkedin', status: 'connected' }),
    ]);
  });

  it('exits 1 with the error code when the user denies', async () => {
    const connect = home.background(['connect', 'user_c', 'twitter', '--json']);
    await completeSandboxConnect(server, await connectUrlOf(connect), 'deny');
    const done = await connect.done;
    expect(done.code).toBe(1);
    expect(json(done)).toMatchObject({ status: 'failed', errorCode: 'access_denied' });
    expect(done.stderr).toMatch(/error: connecting twitter for user_c failed \(access_denied\)/);
  });

  it('--no-wait prints the session and exits; --open hands the URL to $BROWSER', async () => {
    let run = await home.run(['connect', 'user_c', 'youtube', '--no-wait', '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({
      platform: 'youtube',
      status: 'pending',
      connectUrl: expect.any(String),
    });

    const opened = path.join(home.dir, 'opened-url');
    const browser = path.join(home.dir, 'browser.sh');
    fs.writeFileSync(browser, `#!/bin/sh\nprintf %s "$1" > "${opened}"\n`, { mode: 0o755 });
    run = await home.run(['connect', 'user_c', 'youtube', '--open', '--no-wait', '--json'], {
      env: { BROWSER: browser },
    });
    expect(run.code).toBe(0);
    for (let i = 0; i < 50 && !fs.existsSync(opened); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.readFileSync(opened, 'utf8')).toBe(json(run).connectUrl);
  });

  it('explains an unknown user, an unknown platform and a redirect URI not allowlisted', async () => {
    let run = await home.run(['connect', 'nobody', 'linkedin']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error: there is no end user "nobody" .*\nhint: .*users upsert nobody/);
    run = await home.run(['connect', 'user_c', 'myspace']);
    expect(run.code).toBe(2);
    run = await home.run(['connect', 'user_c', 'linkedin', '--redirect-uri', 'https://evil.example.com/cb']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /redirect_uri_not_allowed.*\nhint: allowlist it with `mypostshare redirects add/,
    );
  });

  it('needs the platform without a terminal', async () => {
    const run = await home.run(['connect', 'user_c']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: missing the platform argument/);
  });
});

describe('post and posts', () => {
  let published: string;
  let scheduled: string;

  it('publishes now to the platforms named, and prints the result', async () => {
    const run = await home.run([
      'post',
      'user_c',
      'Hello from the CLI test',
      '--platform',
      'linkedin',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const post = json(run);
    expect(post).toMatchObject({
      status: 'published',
      externalUserId: 'user_c',
      content: 'Hello from the CLI test',
      platformResults: [expect.objectContaining({ platform: 'linkedin', status: 'published' })],
    });
    published = post.id;
  });

  it('posts to every connected platform by default, with a dated test message', async () => {
    const run = await home.run(['post', 'user_c']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^status +published$/m);
    expect(run.stdout).toMatch(/^content +Test post from the mypostshare CLI \(/m);
    expect(run.stdout).toMatch(/^linkedin +published +/m);
  });

  it('schedules with --at, edits and cancels the scheduled post', async () => {
    let run = await home.run([
      'post',
      'user_c',
      'Later',
      '-p',
      'linkedin',
      '--at',
      '+2h',
      '--media-url',
      'https://cdn.example.com/a.png',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const post = json(run);
    expect(post).toMatchObject({ status: 'scheduled', mediaUrl: 'https://cdn.example.com/a.png' });
    const inTwoHours = Date.now() + 2 * 3_600_000;
    expect(Math.abs(Date.parse(post.scheduleAt) - inTwoHours)).toBeLessThan(60_000);
    scheduled = post.id;

    const later = new Date(Date.now() + 3 * 86_400_000).toISOString();
    run = await home.run([
      'posts',
      'update',
      scheduled,
      '--content',
      'Later, edited',
      '--at',
      later,
      '--json',
    ]);
    expect(json(run)).toMatchObject({ content: 'Later, edited', scheduleAt: later });
    run = await home.run(['posts', 'update', scheduled]);
    expect(run.code).toBe(2);

    run = await home.run(['posts', 'cancel', scheduled, '--json']);
    expect(json(run)).toMatchObject({ id: scheduled, status: 'canceled' });
    // Too late to edit: a 409, exit 1.
    run = await home.run(['posts', 'update', scheduled, '--content', 'Too late']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*\[\w+, request req_[\w-]+\]/);

    run = await home.run(['post', 'user_c', 'x', '-p', 'linkedin', '--at', 'tomorrow-ish']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--at must be an ISO 8601 time/);
  });

  it('--dry-run checks the post and exits 1 when a platform would refuse it', async () => {
    let run = await home.run([
      'post',
      'user_c',
      'x'.repeat(300),
      '-p',
      'linkedin',
      '-p',
      'twitter',
      '--dry-run',
      '--json',
    ]);
    expect(run.code).toBe(1);
    const result = json(run);
    expect(result.valid).toBe(false);
    expect(result.platforms.find((entry: any) => entry.platform === 'twitter').errors).not.toEqual([]);
    expect(run.stderr).toMatch(/^error: the post would be refused/);

    run = await home.run(['post', 'user_c', 'short', '-p', 'linkedin', '--dry-run', '--json']);
    expect(run.code).toBe(0);
    expect(json(run).valid).toBe(true);
  });

  it('exits 1 when the post fails, and retries it', async () => {
    let run = await home.run(['post', 'user_c', 'Boom [sandbox:fail]', '-p', 'linkedin', '--json']);
    expect(run.code).toBe(1);
    const post = json(run);
    expect(post).toMatchObject({
      status: 'failed',
      platformResults: [expect.objectContaining({ status: 'failed', errorCode: 'provider_rejected' })],
    });
    expect(run.stderr).toMatch(/^error: the post failed: linkedin: provider_rejected.*\nhint: .*posts retry/);

    run = await home.run(['posts', 'retry', post.id, '--json']);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ id: post.id });

    run = await home.run(['post', 'user_c', 'Hello', '-p', 'facebook']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/platform_not_connected/);
  });

  it('lists posts with filters, and gets one', async () => {
    let run = await home.run(['posts', 'list', '--json']);
    const all = json<{ id: string; status: string }[]>(run);
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(all.map((post) => post.id)).toContain(published);

    run = await home.run(['posts', 'list', '--json', '--status', 'canceled']);
    expect(json<{ id: string }[]>(run).map((post) => post.id)).toEqual([scheduled]);
    run = await home.run([
      'posts',
      'list',
      '--json',
      '--user',
      'user_c',
      '--platform',
      'linkedin',
      '--from',
      '1h',
    ]);
    expect(json<unknown[]>(run).length).toBeGreaterThanOrEqual(3);
    run = await home.run(['posts', 'list', '--json', '--to', '2000-01-01T00:00:00Z']);
    expect(json(run)).toEqual([]);
    run = await home.run(['posts', 'list', '--status', 'lost']);
    expect(run.code).toBe(2);

    run = await home.run(['posts', 'get', published, '--json']);
    expect(json(run)).toMatchObject({ id: published, status: 'published' });
    run = await home.run(['posts', 'get', '00000000-0000-4000-8000-000000000000']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/hint: .*mypostshare posts list/);
  });

  it('lists the platforms and their rules', async () => {
    const run = await home.run(['platforms', '--json']);
    expect(run.code).toBe(0);
    expect(json<{ platform: string }[]>(run).map((info) => info.platform)).toEqual([
      'linkedin',
      'facebook',
      'instagram',
      'twitter',
      'youtube',
    ]);
  });

  it('disconnects a platform', async () => {
    const run = await home.run(['users', 'disconnect', 'user_c', 'linkedin', '--json']);
    expect(json(run)).toEqual({ externalUserId: 'user_c', platform: 'linkedin', disconnected: true });
    const connections = await home.run(['users', 'connections', 'user_c', '--json']);
    expect(json(connections)).toEqual([]);
    const post = await home.run(['post', 'user_c']);
    expect(post.code).toBe(2);
    expect(post.stderr).toMatch(/^error: user_c has no connected platform to post to/);
  });
});
