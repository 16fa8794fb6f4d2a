import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/worker/scheduler.js';
import { FlowClient, newSession } from '../connect/flow-client.js';
import { startTestServer, type TestServer } from '../harness.js';
import { drain } from './helpers.js';

/*
 * The delivery engine with a live (non-sandbox) app and the real LinkedIn adapter, LinkedIn
 * faked at its HTTP boundary by msw (in-process; requests to this server on 127.0.0.1 pass
 * through). Covers the delivery semantics of DESIGN.md: error classes, bounded retries honouring
 * Retry-After, the one-retry on 401, and never repeating an attempt whose outcome is unknown.
 */

const CLIENT = { clientId: 'li-live-client', clientSecret: 'li-live-secret-9f8e7d6c5b4a' };
const ACCESS_TOKEN = 'li-live-access-token-0123456789';
type CreateResponder = (call: number) => Response | Promise<Response>;

let createCalls: Array<{ body: any; authorization: string | null }> = [];
let respondToCreate: CreateResponder = () =>
  new HttpResponse(null, { status: 201, headers: { 'x-restli-id': 'urn:li:share:1' } });

const mock = setupServer(
  http.post('https://www.linkedin.com/oauth/v2/accessToken', () =>
    HttpResponse.json({
      access_token: ACCESS_TOKEN,
      expires_in: 5_184_000,
      scope: 'openid,profile,email,w_member_social',
    }),
  ),
  http.get('https://api.linkedin.com/v2/userinfo', () =>
    HttpResponse.json({ sub: 'person-42', name: 'Alex Morgan', email: 'alex@example.com' }),
  ),
  http.post('https://api.linkedin.com/rest/posts', async ({ request }) => {
    createCalls.push({ body: await request.json(), authorization: request.headers.get('authorization') });
    return respondToCreate(createCalls.length);
  }),
);

describe('delivery engine with a live LinkedIn connection (msw)', () => {
  let server: TestServer;
  let scheduler: Scheduler;
  let key: string;
  let nowMs: number;
  const clock = { now: () => new Date(nowMs) };
  let userSeq = 0;

  beforeAll(() => {
    mock.listen({
      onUnhandledRequest(request, print) {
        if (new URL(request.url).hostname !== '127.0.0.1') print.error();
      },
    });
  });
  beforeEach(async () => {
    nowMs = Date.parse('2026-11-29T09:00:00.000Z');
    createCalls = [];
    respondToCreate = (call) =>
      new HttpResponse(null, { status: 201, headers: { 'x-restli-id': `urn:li:share:${7000 + call}` } });
    server = await startTestServer({ MYPOSTSHARE_PUBLISH_MAX_ATTEMPTS: '3' }, { clock });
    scheduler = new Scheduler(server.started.app.deps);
    const app = await server.createApp({ name: 'Live publisher' });
    key = app.key;
    const put = await server.admin('PUT', `/admin/v1/apps/${app.appId}/credentials/linkedin`, {
      mode: 'custom',
      ...CLIENT,
    });
    expect(put.status).toBe(200);
  });
  afterEach(async () => {
    await server.started.app.deps.publishing.idle();
    await server.close();
    mock.resetHandlers();
  });
  afterAll(() => mock.close());

  async function connectedUser(): Promise<string> {
    const user = `live_user_${++userSeq}`;
    const session = await newSession(server, key, { externalUserId: user, platform: 'linkedin' });
    const browser = new FlowClient(server);
    const state = new URL(await browser.start(session.connectUrl)).searchParams.get('state')!;
    const done = await browser.fetch(
      `/oauth/callback/linkedin?code=live-code&state=${encodeURIComponent(state)}`,
    );
    expect(new URL(done.location!).searchParams.get('status')).toBe('connected');
    return user;
  }
  const publish = (body: Record<string, unknown>) =>
    server.request('POST', '/api/v1/posts', { token: key, body });
  const getPost = (id: string) => server.request('GET', `/api/v1/posts/${id}`, { token: key });

  it('publishes through the real adapter: escaped commentary, id from x-restli-id, post URL', async () => {
    const user = await connectedUser();
    const response = await publish({
      externalUserId: user,
      content: 'Launch (today) #1',
      platforms: ['linkedin'],
    });
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('published');
    expect(response.body.platformResults[0]).toMatchObject({
      platform: 'linkedin',
      status: 'published',
      externalId: 'urn:li:share:7001',
      url: 'https://www.linkedin.com/feed/update/urn:li:share:7001',
      attempts: 1,
    });
    expect(createCalls).toHaveLength(1);
    expect(createCalls[0]!.body).toMatchObject({
      author: 'urn:li:person:person-42',
      commentary: 'Launch \\(today\\) \\#1',
      lifecycleState: 'PUBLISHED',
    });
    expect(createCalls[0]!.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
  });

  it('429: retries later honouring Retry-After, then gives up after the configured attempts', async () => {
    const user = await connectedUser();
    respondToCreate = () =>
      HttpResponse.json(
        { status: 429, message: 'Too many requests' },
        { status: 429, headers: { 'Retry-After': '120' } },
      );
    const response = await publish({ externalUserId: user, content: 'Busy day', platforms: ['linkedin'] });
    const first = response.body.platformResults[0];
    expect(first).toMatchObject({ status: 'retrying', attempts: 1 });
    const wait = Date.parse(first.nextAttemptAt) - nowMs;
    expect(wait).toBeGreaterThanOrEqual(120_000);
    expect(wait).toBeLessThanOrEqual(132_000);

    // Not due yet: nothing happens.
    await drain(scheduler);
    expect(createCalls).toHaveLength(1);
    nowMs += 132_000;
    await drain(scheduler);
    expect(createCalls).toHaveLength(2);
    nowMs += 132_000;
    await drain(scheduler);
    expect(createCalls).toHaveLength(3);
    const done = await getPost(response.body.id);
    expect(done.body.status).toBe('failed');
    expect(done.body.platformResults[0]).toMatchObject({
      status: 'failed',
      attempts: 3,
      errorCode: 'provider_unavailable',
    });
    nowMs += 3600_000;
    await drain(scheduler);
    expect(createCalls).toHaveLength(3);
  });

  it('a lost answer to the create call is never repeated: delivery_interrupted', async () => {
    const user = await connectedUser();
    respondToCreate = () => HttpResponse.error();
    const response = await publish({
      externalUserId: user,
      content: 'Did it land?',
      platforms: ['linkedin'],
    });
    expect(response.body.platformResults[0]).toMatchObject({
      status: 'failed',
      errorCode: 'delivery_interrupted',
    });
    nowMs += 24 * 3600_000;
    await drain(scheduler);
    expect(createCalls).toHaveLength(1);
  });

  it('401 once right after connecting is retried once and publishes (LinkedIn propagation delay)', async () => {
    const user = await connectedUser();
    respondToCreate = (call) =>
      call === 1
        ? HttpResponse.json(
            { status: 401, serviceErrorCode: 65600, message: 'Invalid access token' },
            { status: 401 },
          )
        : new HttpResponse(null, { status: 201, headers: { 'x-restli-id': 'urn:li:share:42' } });
    const response = await publish({
      externalUserId: user,
      content: 'Second time lucky',
      platforms: ['linkedin'],
    });
    expect(response.body.platformResults[0]).toMatchObject({
      status: 'published',
      externalId: 'urn:li:share:42',
    });
    expect(createCalls).toHaveLength(2);
  });

  it('401 twice expires the connection: connection_expired, and the connection shows expired', async () => {
    const user = await connectedUser();
    respondToCreate = () =>
      HttpResponse.json(
        { status: 401, serviceErrorCode: 65601, message: 'The token was revoked' },
        { status: 401 },
      );
    const response = await publish({ externalUserId: user, content: 'Revoked', platforms: ['linkedin'] });
    expect(response.body.platformResults[0]).toMatchObject({
      status: 'failed',
      errorCode: 'connection_expired',
    });
    expect(createCalls).toHaveLength(2);
    const connections = await server.request('GET', `/api/v1/end-users/${user}/connections`, { token: key });
    expect(connections.body[0].status).toBe('expired');
  });

  it('a permanent refusal is provider_rejected with the provider message and no token', async () => {
    const user = await connectedUser();
    respondToCreate = () =>
      HttpResponse.json(
        {
          status: 422,
          code: 'UNPROCESSABLE_ENTITY',
          message: `Content is duplicate (token ${ACCESS_TOKEN})`,
        },
        { status: 422 },
      );
    const response = await publish({ externalUserId: user, content: 'Dup', platforms: ['linkedin'] });
    const result = response.body.platformResults[0];
    expect(result).toMatchObject({ status: 'failed', errorCode: 'provider_rejected', attempts: 1 });
    expect(result.errorMessage).toContain('duplicate');
    expect(result.errorMessage).not.toContain(ACCESS_TOKEN);
    expect(createCalls).toHaveLength(1);
  });

  it('refuses media on private addresses for a live app (media_invalid), with no create call', async () => {
    const user = await connectedUser();
    const response = await publish({
      externalUserId: user,
      content: 'Internal photo',
      mediaUrl: 'http://169.254.169.254/latest/meta-data/photo.jpg',
      platforms: ['linkedin'],
    });
    expect(response.body.platformResults[0]).toMatchObject({ status: 'failed', errorCode: 'media_invalid' });
    expect(response.body.platformResults[0].errorMessage).toContain('private network');
    expect(createCalls).toHaveLength(0);
  });

  it('an attempt left in doubt by a dead worker is resolved, not repeated: delivery_interrupted', async () => {
    const user = await connectedUser();
    const scheduled = await server.request('POST', '/api/v1/posts/scheduled', {
      token: key,
      body: {
        externalUserId: user,
        content: 'In doubt',
        platforms: ['linkedin'],
        scheduleAt: new Date(nowMs + 60_000).toISOString(),
      },
    });
    // What a worker that died right after declaring the create call leaves behind.
    const db = server.started.database.db;
    await db
      .updateTable('post_deliveries')
      .set({
        status: 'publishing',
        phase: 'attempting',
        attempts: 1,
        lease_owner: 'proc_dead',
        lease_until: new Date(nowMs + 30_000).toISOString(),
      })
      .where('post_id', '=', scheduled.body.id)
      .execute();
    await db.updateTable('posts').set({ status: 'publishing' }).where('id', '=', scheduled.body.id).execute();

    // The lease has not lapsed: nobody touches it.
    nowMs += 10_000;
    await drain(scheduler);
    expect((await getPost(scheduled.body.id)).body.platformResults[0].status).toBe('publishing');

    nowMs += 60_000;
    await drain(scheduler);
    const done = await getPost(scheduled.body.id);
    expect(done.body.status).toBe('failed');
    expect(done.body.platformResults[0]).toMatchObject({ errorCode: 'delivery_interrupted' });
    expect(createCalls).toHaveLength(0);
  });

  it('logs no token, client secret, code, state or API key while connecting and publishing (security 27)', async () => {
    const user = await connectedUser();
    await publish({ externalUserId: user, content: 'Log check', platforms: ['linkedin'] });
    respondToCreate = () => HttpResponse.json({ status: 500, message: 'boom' }, { status: 500 });
    await publish({ externalUserId: user, content: 'Log check 2', platforms: ['linkedin'] });
    await server.started.app.deps.publishing.idle();
    const logs = server.logs.join('\n');
    expect(logs).toContain('published');
    for (const secret of [ACCESS_TOKEN, CLIENT.clientSecret, key, 'live-code', 'Bearer ']) {
      expect(logs).not.toContain(secret);
    }
  });
});
