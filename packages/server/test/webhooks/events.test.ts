import { WEBHOOK_EVENT_TYPES, WebhookEvent } from '@mypostshare/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { runHousekeeping } from '../../src/worker/housekeeping.js';
import { Scheduler } from '../../src/worker/scheduler.js';
import { FlowClient, newSession } from '../connect/flow-client.js';
import { startTestServer, type TestServer } from '../harness.js';
import { connectSandbox, drain } from '../publishing/helpers.js';
import { createEndpoint, deliverAll, eventsOf, type Receiver, startReceiver } from './helpers.js';

/*
 * Every event type, produced by driving the real flows of a sandbox app over HTTP (hosted connect
 * approve and deny, publish, partial, fail, schedule and cancel, an expired token, disconnect,
 * erasure, a session left to expire), delivered by the dispatcher to a real receiver, signed, and
 * shaped as the contract says. `connection.expiring` needs a token that cannot be refreshed, which
 * the sandbox never issues: see expiring.test.ts.
 */

describe('webhook events from the real flows (sandbox app)', () => {
  let server: TestServer;
  let key: string;
  let scheduler: Scheduler;
  let dispatcher: WebhookDispatcher;
  let receiver: Receiver;
  let onlyFailures: Receiver;
  let secret: string;
  let failuresSecret: string;
  let nowMs = Date.parse('2026-11-29T10:00:00.000Z');
  const clock = { now: () => new Date(nowMs) };
  let userSeq = 0;
  const nextUser = () => `hook_user_${++userSeq}`;

  /** Delivers everything due, then returns the verified events received since `from`. */
  async function eventsSince(from: number): Promise<any[]> {
    await deliverAll(dispatcher);
    return eventsOf(receiver, secret).slice(from);
  }
  /** Delivers everything due so far and returns the receiver's position after it. */
  async function mark(): Promise<number> {
    await deliverAll(dispatcher);
    return receiver.received.length;
  }
  const post = (route: string, body: unknown) => server.request('POST', route, { token: key, body });

  beforeAll(async () => {
    server = await startTestServer(
      { MYPOSTSHARE_ALLOW_PRIVATE_NETWORK: 'true', MYPOSTSHARE_RATE_LIMIT_RPS: '0' },
      { clock },
    );
    key = server.sandboxKey;
    scheduler = new Scheduler(server.started.app.deps);
    dispatcher = new WebhookDispatcher(server.started.app.deps);
    receiver = await startReceiver();
    onlyFailures = await startReceiver('/failures');
    ({ secret } = await createEndpoint(server, key, { url: receiver.url }));
    ({ secret: failuresSecret } = await createEndpoint(server, key, {
      url: onlyFailures.url,
      events: ['post.failed', 'connect_session.failed'],
    }));
  });
  afterAll(async () => {
    await server.started.app.deps.publishing.idle();
    await dispatcher.idle();
    await server.close();
    await receiver.close();
    await onlyFailures.close();
  });

  it('connect_session.completed when the end user approves', async () => {
    const from = await mark();
    const user = nextUser();
    await connectSandbox(server, key, user, ['linkedin']);
    const events = await eventsSince(from);
    expect(events.map((event) => event.type)).toEqual(['connect_session.completed']);
    const connections = await server.request('GET', `/api/v1/end-users/${user}/connections`, { token: key });
    expect(events[0].data).toEqual({
      connectSessionId: expect.any(String),
      status: 'connected',
      platform: 'linkedin',
      endUserId: expect.any(String),
      externalUserId: user,
      connectionId: connections.body[0].id,
      errorCode: null,
    });
    const session = await server.request(
      'GET',
      `/api/v1/connect-sessions/${events[0].data.connectSessionId}`,
      {
        token: key,
      },
    );
    expect(session.body).toMatchObject({ status: 'connected', externalUserId: user });
  });

  it('connect_session.failed when the end user denies', async () => {
    const from = await mark();
    const user = nextUser();
    const session = await newSession(server, key, { externalUserId: user, platform: 'twitter' });
    const browser = new FlowClient(server);
    const callback = await browser.sandboxDecide(await browser.start(session.connectUrl), 'deny');
    const landed = await browser.fetch(callback);
    expect(new URL(landed.location!).searchParams.get('errorCode')).toBe('access_denied');
    const events = await eventsSince(from);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'connect_session.failed',
      data: {
        connectSessionId: session.id,
        status: 'failed',
        platform: 'twitter',
        externalUserId: user,
        connectionId: null,
        errorCode: 'access_denied',
      },
    });
  });

  it('post.published, post.partially_published and post.failed with platform results', async () => {
    const user = nextUser();
    await connectSandbox(server, key, user, ['linkedin', 'twitter']);
    const from = await mark();
    const published = await post('/api/v1/posts', {
      externalUserId: user,
      content: 'All good',
      platforms: ['linkedin', 'twitter'],
      metadata: { ref: 'launch-42' },
    });
    const partial = await post('/api/v1/posts', {
      externalUserId: user,
      content: 'Half good',
      platforms: ['linkedin', 'twitter'],
      platformOptions: { twitter: { content: 'Half good [sandbox:fail]' } },
    });
    const failed = await post('/api/v1/posts', {
      externalUserId: user,
      content: 'No good [sandbox:fail]',
      platforms: ['linkedin'],
    });
    expect([published.body.status, partial.body.status, failed.body.status]).toEqual([
      'published',
      'partially_published',
      'failed',
    ]);
    const events = await eventsSince(from);
    const byPost = new Map(events.map((event) => [event.data.postId, event]));
    expect(events).toHaveLength(3);

    expect(byPost.get(published.body.id)).toMatchObject({
      type: 'post.published',
      data: {
        status: 'published',
        mode: 'immediate',
        externalUserId: user,
        scheduleAt: null,
        platforms: ['linkedin', 'twitter'],
        metadata: { ref: 'launch-42' },
      },
    });
    const results = byPost.get(published.body.id).data.platformResults;
    expect(results).toEqual(
      (await server.request('GET', `/api/v1/posts/${published.body.id}`, { token: key })).body
        .platformResults,
    );
    expect(results.map((result: any) => [result.platform, result.status])).toEqual([
      ['linkedin', 'published'],
      ['twitter', 'published'],
    ]);

    expect(byPost.get(partial.body.id)).toMatchObject({ type: 'post.partially_published' });
    expect(byPost.get(partial.body.id).data.platformResults).toMatchObject([
      { platform: 'linkedin', status: 'published' },
      { platform: 'twitter', status: 'failed', errorCode: 'provider_rejected' },
    ]);
    expect(byPost.get(failed.body.id)).toMatchObject({
      type: 'post.failed',
      data: { status: 'failed', platformResults: [{ platform: 'linkedin', status: 'failed' }] },
    });
  });

  it('post.canceled when a scheduled post is canceled; nothing when it would have published', async () => {
    const user = nextUser();
    await connectSandbox(server, key, user, ['linkedin']);
    const from = await mark();
    const scheduled = await post('/api/v1/posts/scheduled', {
      externalUserId: user,
      content: 'Later, maybe',
      platforms: ['linkedin'],
      scheduleAt: new Date(nowMs + 3600_000).toISOString(),
    });
    const canceled = await server.request('DELETE', `/api/v1/posts/${scheduled.body.id}`, { token: key });
    expect(canceled.body.status).toBe('canceled');
    // Canceling again answers the canceled post (a safe retry), and emits nothing more.
    const again = await server.request('DELETE', `/api/v1/posts/${scheduled.body.id}`, { token: key });
    expect(again.body?.status).toBe('canceled');
    nowMs += 3600_000;
    await drain(scheduler);
    const events = await eventsSince(from);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'post.canceled',
      data: { postId: scheduled.body.id, status: 'canceled', mode: 'scheduled', platformResults: [] },
    });
    expect(events[0].data.scheduleAt).toBe(scheduled.body.scheduleAt);
  });

  it('a scheduled post emits its event when the scheduler publishes it', async () => {
    const user = nextUser();
    await connectSandbox(server, key, user, ['twitter']);
    const from = await mark();
    const scheduled = await post('/api/v1/posts/scheduled', {
      externalUserId: user,
      content: 'On time',
      platforms: ['twitter'],
      scheduleAt: new Date(nowMs + 60_000).toISOString(),
    });
    expect(await eventsSince(from)).toEqual([]);
    nowMs += 60_000;
    await drain(scheduler);
    const events = await eventsSince(from);
    expect(events.map((event) => [event.type, event.data.postId])).toEqual([
      ['post.published', scheduled.body.id],
    ]);
  });

  it('connection.expired when the provider reports the token expired ([sandbox:expire])', async () => {
    const user = nextUser();
    await connectSandbox(server, key, user, ['linkedin']);
    const from = await mark();
    const response = await post('/api/v1/posts', {
      externalUserId: user,
      content: 'Token trouble [sandbox:expire]',
      platforms: ['linkedin'],
    });
    expect(response.body.platformResults[0]).toMatchObject({
      status: 'failed',
      errorCode: 'connection_expired',
    });
    const events = await eventsSince(from);
    expect(events.map((event) => event.type).sort()).toEqual(['connection.expired', 'post.failed']);
    const expired = events.find((event) => event.type === 'connection.expired');
    const connections = await server.request('GET', `/api/v1/end-users/${user}/connections`, { token: key });
    expect(connections.body[0].status).toBe('expired');
    expect(expired.data).toEqual({
      connectionId: connections.body[0].id,
      platform: 'linkedin',
      endUserId: expect.any(String),
      externalUserId: user,
      status: 'expired',
      remoteAccountId: connections.body[0].remoteAccountId,
      expiresAt: connections.body[0].expiresAt,
    });
  });

  it('connection.deleted on disconnect and on erasure (with the scheduled posts erasure cancels)', async () => {
    const user = nextUser();
    await connectSandbox(server, key, user, ['linkedin', 'youtube']);
    const connections = (await server.request('GET', `/api/v1/end-users/${user}/connections`, { token: key }))
      .body;
    const linkedin = connections.find((connection: any) => connection.platform === 'linkedin');
    const youtube = connections.find((connection: any) => connection.platform === 'youtube');
    const from = await mark();
    const disconnected = await server.request('DELETE', `/api/v1/end-users/${user}/connections/linkedin`, {
      token: key,
    });
    expect(disconnected.status).toBe(204);
    let events = await eventsSince(from);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'connection.deleted',
      data: {
        connectionId: linkedin.id,
        platform: 'linkedin',
        externalUserId: user,
        status: 'deleted',
        reason: 'disconnected',
      },
    });

    const scheduled = await post('/api/v1/posts/scheduled', {
      externalUserId: user,
      title: 'A video',
      content: 'Later',
      platforms: ['youtube'],
      mediaUrl: 'https://media.example.com/clip.mp4',
      scheduleAt: new Date(nowMs + 3600_000).toISOString(),
    });
    expect(scheduled.status).toBe(201);
    const next = await mark();
    expect((await server.request('DELETE', `/api/v1/end-users/${user}`, { token: key })).status).toBe(204);
    events = await eventsSince(next);
    expect(events.map((event) => event.type).sort()).toEqual(['connection.deleted', 'post.canceled']);
    expect(events.find((event) => event.type === 'connection.deleted').data).toMatchObject({
      connectionId: youtube.id,
      platform: 'youtube',
      externalUserId: '[erased]',
      status: 'deleted',
      reason: 'end_user_deleted',
    });
    // After erasure, events carry no more of the end user than the stored post keeps.
    expect(events.find((event) => event.type === 'post.canceled').data).toMatchObject({
      postId: scheduled.body.id,
      externalUserId: '[erased]',
      metadata: {},
    });
  });

  it('connect_session.failed (expired) when a session is left to expire', async () => {
    const user = nextUser();
    const session = await newSession(server, key, { externalUserId: user, platform: 'facebook' });
    const from = await mark();
    nowMs += 31 * 60_000;
    const pass = await runHousekeeping(server.started.app.deps);
    expect(pass.expiredSessions).toBeGreaterThanOrEqual(1);
    const events = await eventsSince(from);
    const mine = events.filter((event) => event.data.connectSessionId === session.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      type: 'connect_session.failed',
      data: { status: 'expired', errorCode: 'session_expired', externalUserId: user, platform: 'facebook' },
    });
    // A second pass changes nothing and emits nothing.
    await runHousekeeping(server.started.app.deps);
    expect(
      (await eventsSince(from)).filter((event) => event.data.connectSessionId === session.id),
    ).toHaveLength(1);
  });

  it('every event was delivered once, signed, shaped as the contract says, and carries no token', async () => {
    await deliverAll(dispatcher);
    const events = eventsOf(receiver, secret);
    const types = new Set(events.map((event) => event.type));
    for (const type of WEBHOOK_EVENT_TYPES.filter((type) => type !== 'connection.expiring')) {
      expect(types, type).toContain(type);
    }
    for (const event of events) {
      expect(WebhookEvent.parse(event)).toBeTruthy();
      expect(event.id).toMatch(/^msg_/);
      expect(event.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    }
    // One delivery per event: the receiver answered 200 every time, so no id came twice.
    const ids = receiver.received.map((request) => request.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(events.map((event) => event.id));
    // No access or refresh token of any connection is in any payload.
    const bodies = receiver.received.map((request) => request.body).join('\n');
    expect(bodies).not.toMatch(/sbx_at_|sbx_rt_/);
    expect(bodies).not.toMatch(/accessToken|refreshToken|access_token/);
  });

  it('an endpoint gets only the event types it subscribed to', async () => {
    await deliverAll(dispatcher);
    const events = eventsOf(onlyFailures, failuresSecret);
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(new Set(events.map((event) => event.type))).toEqual(
      new Set(['post.failed', 'connect_session.failed']),
    );
    // The same events the catch-all endpoint got for those types, with the same ids.
    const all = eventsOf(receiver, secret).filter((event) =>
      ['post.failed', 'connect_session.failed'].includes(event.type),
    );
    expect(events.map((event) => event.id).sort()).toEqual(all.map((event) => event.id).sort());
  });

  it('emits each post event exactly once, even when housekeeping reconciles statuses again', async () => {
    await runHousekeeping(server.started.app.deps);
    await deliverAll(dispatcher);
    const postEvents = eventsOf(receiver, secret).filter((event) => event.type.startsWith('post.'));
    const keys = postEvents.map((event) => `${event.type}:${event.data.postId}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('stores nothing for an app without endpoints: the publishing fast path', async () => {
    const app = await server.createApp({ name: 'No hooks', sandbox: true });
    const user = 'quiet_user';
    await connectSandbox(server, app.key, user, ['linkedin']);
    const response = await server.request('POST', '/api/v1/posts', {
      token: app.key,
      body: { externalUserId: user, content: 'Quietly', platforms: ['linkedin'] },
    });
    expect(response.body.status).toBe('published');
    const stored = await server.started.database.db
      .selectFrom('webhook_events')
      .select('id')
      .where('app_id', '=', app.appId)
      .execute();
    expect(stored).toEqual([]);
  });
});
