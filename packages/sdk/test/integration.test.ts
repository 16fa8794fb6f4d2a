import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../../server/src/worker/scheduler.js';
// End to end: the real server (the same bootstrap as main.ts, a fresh SQLite file, the first-run
// sandbox app) driven through the SDK only. The hosted connect pages are a browser's job; the
// server's own HTTP-level browser stand-in plays that part.
import { FlowClient } from '../../server/test/connect/flow-client.js';
import { startTestServer, type TestServer } from '../../server/test/harness.js';
import { connectSandbox, drain } from '../../server/test/publishing/helpers.js';
import { MyPostShareAdmin } from '../src/admin.js';
import {
  AuthenticationError,
  ConflictError,
  MyPostShare,
  NotFoundError,
  UnprocessableEntityError,
  ValidationError,
} from '../src/index.js';

const HOUR = 3_600_000;

describe('the SDK against the real server (sandbox app)', () => {
  let server: TestServer;
  let client: MyPostShare;
  let admin: MyPostShareAdmin;
  let scheduler: Scheduler;
  // The server's clock, so scheduled posts come due without waiting.
  let nowMs = Date.parse('2026-11-29T10:00:00.000Z');
  const clock = { now: () => new Date(nowMs) };
  const user = 'sdk_user_1';

  beforeAll(async () => {
    server = await startTestServer({}, { clock });
    scheduler = new Scheduler(server.started.app.deps);
    client = new MyPostShare({ apiKey: server.sandboxKey, baseUrl: `${server.baseUrl}/api` });
    admin = new MyPostShareAdmin({ adminToken: server.adminToken, serverUrl: server.baseUrl });
  });

  afterAll(async () => {
    await server.started.app.deps.publishing.idle();
    await server.close();
  });

  it('upserts an end user', async () => {
    const created = await client.endUsers.upsert({
      externalUserId: user,
      displayName: 'Alex Morgan',
      email: 'alex@example.com',
      metadata: { plan: 'pro' },
    });
    expect(created).toMatchObject({
      externalUserId: user,
      displayName: 'Alex Morgan',
      metadata: { plan: 'pro' },
    });
    const fetched = await client.endUsers.retrieve(user);
    expect(fetched.connectionSummary).toMatchObject({ total: 0, connected: 0 });
  });

  it('connects LinkedIn through a connect session the SDK created, and waits for it', async () => {
    const session = await client.connectSessions.create({
      externalUserId: user,
      platform: 'linkedin',
      redirectUri: `${server.baseUrl}/connect/complete`,
    });
    expect(session.status).toBe('pending');
    expect(session.connectUrl).toBe(`${server.baseUrl}/connect/${session.id}`);

    const waiting = client.connectSessions.waitForCompletion(session.id, {
      pollInterval: 20,
      timeout: 15_000,
    });
    // The end user's browser: the hosted page, the sandbox consent, the callback, the redirect.
    const browser = new FlowClient(server);
    const authorize = await browser.start(session.connectUrl);
    const callback = await browser.sandboxDecide(authorize, 'approve');
    const landed = await browser.fetch(callback);
    const redirect = new URL(landed.location ?? 'http://invalid/');
    expect(redirect.searchParams.get('status')).toBe('connected');
    expect(redirect.searchParams.get('connectSessionId')).toBe(session.id);

    const completed = await waiting;
    expect(completed).toMatchObject({
      id: session.id,
      status: 'connected',
      externalUserId: user,
      errorCode: null,
    });
  });

  it('connects X with the sandbox flow helper and lists both connections', async () => {
    await connectSandbox(server, server.sandboxKey, user, ['twitter']);
    const connections = await client.endUsers.listConnections(user);
    expect(connections.map((connection) => [connection.platform, connection.status]).sort()).toEqual([
      ['linkedin', 'connected'],
      ['twitter', 'connected'],
    ]);
    expect((await client.endUsers.retrieve(user)).connectionSummary).toMatchObject({
      total: 2,
      connected: 2,
    });
  });

  it('lists the platforms and validates a post', async () => {
    const platforms = await client.platforms.list();
    expect(platforms.map((platform) => platform.platform).sort()).toEqual([
      'facebook',
      'instagram',
      'linkedin',
      'twitter',
      'youtube',
    ]);
    const verdict = await client.posts.validate({
      externalUserId: user,
      content: 'x'.repeat(300),
      platforms: ['twitter', 'linkedin'],
    });
    expect(verdict.valid).toBe(false);
    expect(verdict.platforms.find((entry) => entry.platform === 'twitter')?.errors.length).toBeGreaterThan(0);
    expect(verdict.platforms.find((entry) => entry.platform === 'linkedin')?.errors).toEqual([]);
  });

  it('publishes the reference post and retrieves it', async () => {
    const post = await client.posts.publish({
      externalUserId: user,
      title: 'Launch update',
      content: 'Testing mypostshare direct posting from docs.',
      platforms: ['linkedin'],
      metadata: { source: 'api-docs' },
    });
    expect(post).toMatchObject({
      mode: 'immediate',
      status: 'published',
      externalUserId: user,
      platformResults: [{ platform: 'linkedin', status: 'published' }],
    });
    expect(post.platformResults[0]?.externalId).toMatch(/^urn:li:share:sandbox-/);
    expect(await client.posts.retrieve(post.id)).toEqual(post);
  });

  it('replays a publish sent twice with the same Idempotency-Key instead of posting twice', async () => {
    const body = { externalUserId: user, content: 'Only once', platforms: ['twitter' as const] };
    const first = await client.posts.publish(body, { idempotencyKey: 'sdk-integration-once' });
    const second = await client.posts.publish(body, { idempotencyKey: 'sdk-integration-once' });
    expect(second.id).toBe(first.id);
    const other = await client.posts.publish(body);
    expect(other.id).not.toBe(first.id);
  });

  it('schedules, edits and cancels a post', async () => {
    const scheduled = await client.posts.schedule({
      externalUserId: user,
      content: 'Scheduled via mypostshare docs page.',
      platforms: ['linkedin', 'twitter'],
      scheduleAt: new Date(nowMs + HOUR).toISOString(),
      metadata: { campaign: 'launch-week' },
    });
    expect(scheduled).toMatchObject({ mode: 'scheduled', status: 'scheduled', platformResults: [] });

    const edited = await client.posts.update(scheduled.id, { content: 'Edited before it went out' });
    expect(edited.content).toBe('Edited before it went out');

    const canceled = await client.posts.cancel(scheduled.id);
    expect(canceled.status).toBe('canceled');
    // Canceling again (a retry after a lost answer) answers the same.
    expect((await client.posts.cancel(scheduled.id)).status).toBe('canceled');
    expect((await client.posts.retrieve(scheduled.id)).status).toBe('canceled');
    // Editing a canceled post is a conflict.
    await expect(client.posts.update(scheduled.id, { content: 'Too late' })).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('publishes a scheduled post when it comes due', async () => {
    const scheduled = await client.posts.schedule({
      externalUserId: user,
      content: 'Due in an hour',
      platforms: ['twitter'],
      scheduleAt: new Date(nowMs + HOUR).toISOString(),
    });
    nowMs += 2 * HOUR;
    await drain(scheduler);
    const published = await client.posts.retrieve(scheduled.id);
    expect(published.status).toBe('published');
    expect(published.platformResults).toMatchObject([{ platform: 'twitter', status: 'published' }]);
  });

  it('lists posts with filters, page by page and item by item, following the Link headers', async () => {
    const all = await client.posts.list({ externalUserId: user, limit: 200 });
    expect(all.hasNextPage()).toBe(false);
    // Five so far: pages of two make three pages.
    expect(all.data).toHaveLength(5);

    const first = await client.posts.list({ externalUserId: user, limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.hasNextPage()).toBe(true);
    const second = await first.nextPage();
    expect(second.data.map((post) => post.id)).toEqual(all.data.slice(2, 4).map((post) => post.id));

    const ids: string[] = [];
    for await (const post of client.posts.list({ externalUserId: user, limit: 2 })) ids.push(post.id);
    expect(ids).toEqual(all.data.map((post) => post.id));

    const canceled = await client.posts.list({ externalUserId: user, status: 'canceled' });
    expect(canceled.data.map((post) => post.status)).toEqual(['canceled']);
    const onLinkedIn = await client.posts.list({ externalUserId: user, platform: 'linkedin' });
    expect(onLinkedIn.data.every((post) => post.platforms.includes('linkedin'))).toBe(true);
  });

  it('retries the failed platform of a post', async () => {
    const failed = await client.posts.publish({
      externalUserId: user,
      content: 'This one fails [sandbox:fail]',
      platforms: ['twitter'],
    });
    expect(failed.status).toBe('failed');
    expect(failed.platformResults[0]?.errorCode).toBe('provider_rejected');
    const retried = await client.posts.retry(failed.id);
    expect(retried.id).toBe(failed.id);
    expect(['publishing', 'failed']).toContain(retried.status);
  });

  it('turns the server errors into the SDK error classes', async () => {
    await expect(client.posts.retrieve('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const notConnected = await client.posts
      .publish({ externalUserId: user, content: 'Hi', platforms: ['youtube'], title: 'Hi' })
      .catch((error: unknown) => error);
    expect(notConnected).toBeInstanceOf(UnprocessableEntityError);
    expect((notConnected as UnprocessableEntityError).requestId).toBeTruthy();
    const tooLong = await client.posts
      .publish({ externalUserId: user, content: 'x'.repeat(300), platforms: ['twitter'] })
      .catch((error: unknown) => error);
    expect(tooLong).toBeInstanceOf(UnprocessableEntityError);
    expect((tooLong as UnprocessableEntityError).code).toBe('content_invalid');
    const wrongKey = new MyPostShare({ apiKey: 'mps_test_not_a_real_key', baseUrl: `${server.baseUrl}/api` });
    await expect(wrongKey.endUsers.retrieve(user)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(
      client.posts.publish({ externalUserId: user, content: 'x', platforms: [] }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('drives the admin API', async () => {
    expect((await admin.health()).status).toBe('ok');
    expect(['ready', 'not_ready']).toContain((await admin.readiness()).status);

    const apps: string[] = [];
    for await (const app of admin.apps.list({ limit: 1 })) apps.push(app.id);
    expect(apps.length).toBeGreaterThanOrEqual(1);
    const appId = server.started.banner.sandbox?.appId ?? '';
    expect(apps).toContain(appId);
    expect((await admin.apps.retrieve(appId)).sandbox).toBe(true);

    const created = await admin.apps.create({ name: 'SDK test app', sandbox: true });
    const renamed = await admin.apps.update(created.id, { name: 'Renamed' });
    expect(renamed.name).toBe('Renamed');
    const key = await admin.apiKeys.create(created.id, { name: 'ci' });
    expect(key.key).toMatch(/^mps_test_/);
    const uri = await admin.redirectUris.add(created.id, { uri: 'http://localhost:3000/callback' });
    await expect(
      admin.redirectUris.add(created.id, { uri: 'http://localhost:3000/callback' }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await admin.redirectUris.list(created.id)).data.map((entry) => entry.uri)).toEqual([
      'http://localhost:3000/callback',
    ]);
    await admin.redirectUris.remove(created.id, uri.id);
    expect((await admin.credentials.list(created.id)).map((setting) => setting.mode)).toEqual(
      Array(5).fill('managed'),
    );
    const keys = await admin.apiKeys.list(created.id);
    expect(keys.data.map((entry) => entry.last4)).toEqual([key.key.slice(-4)]);
    await admin.apiKeys.revoke(created.id, key.id);
    const revoked = new MyPostShare({ apiKey: key.key, baseUrl: `${server.baseUrl}/api` });
    await expect(revoked.platforms.list()).rejects.toBeInstanceOf(AuthenticationError);

    const users = await admin.endUsers.list(appId);
    expect(users.data.map((entry) => entry.externalUserId)).toContain(user);
    await expect
      .poll(async () => (await admin.logs.list(appId, { limit: 5 })).data.length, { timeout: 5_000 })
      .toBeGreaterThan(0);

    await admin.apps.delete(created.id);
    await expect(admin.apps.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('disconnects a platform and erases the end user', async () => {
    await client.endUsers.disconnect(user, 'twitter');
    expect((await client.endUsers.listConnections(user)).map((connection) => connection.platform)).toEqual([
      'linkedin',
    ]);
    await client.endUsers.delete(user);
    await expect(client.endUsers.retrieve(user)).rejects.toBeInstanceOf(NotFoundError);
  });
});
