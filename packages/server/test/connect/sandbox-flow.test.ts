import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { FlowClient, newSession } from './flow-client.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('hosted connect flow (sandbox provider, HTTP level)', () => {
  let server: TestServer;
  let key: string;
  let userSeq = 0;
  const nextUser = () => `flow_user_${++userSeq}`;

  beforeAll(async () => {
    server = await startTestServer();
    key = server.sandboxKey;
  });
  afterAll(() => server.close());

  it('creates sessions with random UUID v4 ids and a connect URL on this server', async () => {
    const a = await newSession(server, key, { externalUserId: nextUser(), platform: 'linkedin' });
    const b = await newSession(server, key, { externalUserId: nextUser(), platform: 'linkedin' });
    expect(a.id).toMatch(UUID_V4);
    expect(b.id).not.toBe(a.id);
    expect(a).toMatchObject({
      status: 'pending',
      platform: 'linkedin',
      connectUrl: `${server.baseUrl}/connect/${a.id}`,
    });
  });

  it('approve: connects, redirects with safe fields only, and the connection appears', async () => {
    const user = nextUser();
    const session = await newSession(server, key, { externalUserId: user, platform: 'linkedin' });
    const browser = new FlowClient(server);
    const authorize = await browser.start(session.connectUrl);
    const callback = await browser.sandboxDecide(authorize, 'approve');
    const finished = await browser.fetch(callback);
    expect(finished.status).toBe(302);
    const landed = new URL(finished.location!);
    expect(`${landed.origin}${landed.pathname}`).toBe(`${server.baseUrl}/connect/complete`);
    expect(Object.fromEntries(landed.searchParams)).toEqual({
      connectSessionId: session.id,
      status: 'connected',
      platform: 'linkedin',
      externalUserId: user,
    });
    const status = await server.request('GET', `/api/v1/connect-sessions/${session.id}`, { token: key });
    expect(status.body).toMatchObject({
      id: session.id,
      status: 'connected',
      errorCode: null,
      externalUserId: user,
    });
    const summary = await server.request('GET', `/api/v1/end-users/${user}`, { token: key });
    expect(summary.body.connectionSummary).toMatchObject({ total: 1, connected: 1, failed: 0 });
  });

  it('sends strict security headers on the connect page and the callback, and loads nothing third-party', async () => {
    const session = await newSession(server, key, { externalUserId: nextUser(), platform: 'twitter' });
    const browser = new FlowClient(server);
    const page = await browser.fetch(session.connectUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.text).not.toMatch(/<script/i);
    expect(page.text).not.toMatch(/(src|href)="https?:/i);
    const cookie =
      page.headers.getSetCookie().find((value) => value.startsWith(`mps_bind_${session.id}=`)) ?? '';
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);

    const authorize = await browser.start(session.connectUrl);
    const callback = await browser.fetch(await browser.sandboxDecide(authorize, 'approve'));
    expect(callback.headers.get('referrer-policy')).toBe('no-referrer');
    expect(callback.headers.get('cache-control')).toBe('no-store');
  });

  it('mints a state of >= 128 bits, stored only as a hash, expiring within 10 minutes, with an S256 challenge', async () => {
    const session = await newSession(server, key, { externalUserId: nextUser(), platform: 'youtube' });
    const authorize = new URL(await new FlowClient(server).start(session.connectUrl));
    const state = authorize.searchParams.get('state')!;
    expect(Buffer.from(state, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await server.started.database.db
      .selectFrom('oauth_states')
      .selectAll()
      .where('session_id', '=', session.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(state);
    const lifetime = Date.parse(rows[0]!.expires_at) - Date.parse(rows[0]!.created_at);
    expect(lifetime).toBeGreaterThan(0);
    expect(lifetime).toBeLessThanOrEqual(10 * 60_000);
    expect(rows[0]).toMatchObject({ platform: 'youtube', credential_mode: 'sandbox' });
  });

  it('rejects a second callback with the same state', async () => {
    const session = await newSession(server, key, { externalUserId: nextUser(), platform: 'linkedin' });
    const browser = new FlowClient(server);
    const callback = await browser.sandboxDecide(await browser.start(session.connectUrl), 'approve');
    expect((await browser.fetch(callback)).status).toBe(302);
    const replay = await browser.fetch(callback);
    expect(replay.status).toBe(400);
    expect(replay.location).toBeNull();
  });

  it('lets exactly one of two concurrent callbacks with one state win', async () => {
    const user = nextUser();
    const session = await newSession(server, key, { externalUserId: user, platform: 'linkedin' });
    const browser = new FlowClient(server);
    const callback = await browser.sandboxDecide(await browser.start(session.connectUrl), 'approve');
    const results = await Promise.all([
      browser.fetch(callback),
      browser.fetch(callback),
      browser.fetch(callback),
    ]);
    expect(results.filter((result) => result.status === 302)).toHaveLength(1);
    expect(results.filter((result) => result.status === 400)).toHaveLength(2);
    const connections = await server.request('GET', `/api/v1/end-users/${user}/connections`, { token: key });
    expect(connections.body).toHaveLength(1);
  });

  it('answers unknown, missing and expired states with our own page: no redirect', async () => {
    const browser = new FlowClient(server);
    for (const query of ['?code=x&state=not-a-state-we-issued', '?code=x', '?error=access_denied']) {
      const response = await browser.fetch(`/oauth/callback/linkedin${query}`);
      expect(response.status).toBe(400);
      expect(response.location).toBeNull();
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
    }
    const session = await newSession(server, key, { externalUserId: nextUser(), platform: 'linkedin' });
    const authorize = await browser.start(session.connectUrl);
    const state = new URL(authorize).searchParams.get('state')!;
    await server.started.database.db
      .updateTable('oauth_states')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('session_id', '=', session.id)
      .execute();
    const expired = await browser.fetch(`/oauth/callback/linkedin?code=sbx_code_x.y.z&state=${state}`);
    expect(expired.status).toBe(400);
    expect(expired.location).toBeNull();
  });

  it('refuses a callback replayed from a fresh cookie jar, and does not burn the state', async () => {
    const session = await newSession(server, key, { externalUserId: nextUser(), platform: 'linkedin' });
    const browser = new FlowClient(server);
    const callback = await browser.sandboxDecide(await browser.start(session.connectUrl), 'approve');
    const stranger = await new FlowClient(server).fetch(callback);
    expect(stranger.status).toBe(400);
    expect(stranger.location).toBeNull();
    // The real person's browser can still finish.
    expect((await browser.fetch(callback)).status).toBe(302);
  });

  it('refuses a session already started in another browser (a leaked link)', async () => {
    const session = await newSession(server, key, { externalUserId: nextUser(), platform: 'linkedin' });
    await new FlowClient(server).start(session.connectUrl);
    const other = new FlowClient(server);
    const page = await other.fetch(session.connectUrl);
    expect(page.status).toBe(410);
    const start = await other.fetch(`/connect/${session.id}/start`, { method: 'POST', form: {} });
    expect(start.status).not.toBe(303);
    expect(start.location).toBeNull();
  });

  it('rejects a state minted for facebook arriving at the linkedin callback (mix-up)', async () => {
    const session = await newSession(server, key, { externalUserId: nextUser(), platform: 'facebook' });
    const browser = new FlowClient(server);
    const callback = new URL(await browser.sandboxDecide(await browser.start(session.connectUrl), 'approve'));
    const mixed = await browser.fetch(`/oauth/callback/linkedin${callback.search}`);
    expect(mixed.status).toBe(400);
    expect(mixed.location).toBeNull();
    const status = await server.request('GET', `/api/v1/connect-sessions/${session.id}`, { token: key });
    expect(status.body).toMatchObject({ status: 'failed', errorCode: 'invalid_state' });
  });

  it('access_denied consumes the state, fails the session and redirects with the error code', async () => {
    const session = await newSession(server, key, { externalUserId: nextUser(), platform: 'twitter' });
    const browser = new FlowClient(server);
    const callback = await browser.sandboxDecide(await browser.start(session.connectUrl), 'deny');
    const denied = await browser.fetch(callback);
    expect(denied.status).toBe(302);
    const landed = new URL(denied.location!);
    expect(landed.searchParams.get('status')).toBe('failed');
    expect(landed.searchParams.get('errorCode')).toBe('access_denied');
    expect((await browser.fetch(callback)).status).toBe(400);
    const status = await server.request('GET', `/api/v1/connect-sessions/${session.id}`, { token: key });
    expect(status.body).toMatchObject({ status: 'failed', errorCode: 'access_denied' });
  });

  it("creates no connection when session A's code is presented with session B's state", async () => {
    const userA = nextUser();
    const userB = nextUser();
    const sessionA = await newSession(server, key, { externalUserId: userA, platform: 'linkedin' });
    const sessionB = await newSession(server, key, { externalUserId: userB, platform: 'linkedin' });
    const browserA = new FlowClient(server);
    const browserB = new FlowClient(server);
    const codeA = new URL(
      await browserA.sandboxDecide(await browserA.start(sessionA.connectUrl), 'approve'),
    ).searchParams.get('code')!;
    const stateB = new URL(await browserB.start(sessionB.connectUrl)).searchParams.get('state')!;
    const crossed = await browserB.fetch(
      `/oauth/callback/linkedin?code=${encodeURIComponent(codeA)}&state=${stateB}`,
    );
    expect(new URL(crossed.location!).searchParams.get('status')).toBe('failed');
    const connections = await server.request('GET', `/api/v1/end-users/${userB}/connections`, { token: key });
    expect(connections.body).toEqual([]);
  });

  it('takes the destination only from the stored redirect URI, with no code, state or token in it', async () => {
    const session = await newSession(server, key, { externalUserId: nextUser(), platform: 'linkedin' });
    const browser = new FlowClient(server);
    const callback = await browser.sandboxDecide(await browser.start(session.connectUrl), 'approve');
    const tampered = `${callback}&redirect_uri=${encodeURIComponent('https://evil.example/steal')}&redirectUri=https://evil.example`;
    const finished = await browser.fetch(tampered);
    expect(finished.location!.startsWith(`${server.baseUrl}/connect/complete?`)).toBe(true);
    expect(finished.location).not.toMatch(/code=|state=|sbx_|token/);
  });

  it('updates the connection in place when the same account reconnects', async () => {
    const user = nextUser();
    const connect = async () => {
      const session = await newSession(server, key, { externalUserId: user, platform: 'linkedin' });
      const browser = new FlowClient(server);
      await browser.fetch(await browser.sandboxDecide(await browser.start(session.connectUrl), 'approve'));
      const connections = await server.request('GET', `/api/v1/end-users/${user}/connections`, {
        token: key,
      });
      return connections.body as Array<{ id: string; remoteAccountId: string; updatedAt: string }>;
    };
    const first = await connect();
    const second = await connect();
    expect(second).toHaveLength(1);
    expect(second[0]!.id).toBe(first[0]!.id);
    expect(second[0]!.remoteAccountId).toBe(first[0]!.remoteAccountId);
  });

  it('shows 410 for an expired session and never reaches the provider', async () => {
    const session = await newSession(server, key, { externalUserId: nextUser(), platform: 'linkedin' });
    await server.started.database.db
      .updateTable('connect_sessions')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', session.id)
      .execute();
    const browser = new FlowClient(server);
    expect((await browser.fetch(session.connectUrl)).status).toBe(410);
    const start = await browser.fetch(`/connect/${session.id}/start`, { method: 'POST', form: {} });
    expect(start.status).toBe(410);
    expect(start.location).toBeNull();
    const status = await server.request('GET', `/api/v1/connect-sessions/${session.id}`, { token: key });
    expect(status.body).toMatchObject({ status: 'expired', errorCode: 'session_expired' });
  });

  it('shows 410 for an already-used session and 404 for an unknown one', async () => {
    const session = await newSession(server, key, { externalUserId: nextUser(), platform: 'linkedin' });
    const browser = new FlowClient(server);
    await browser.fetch(await browser.sandboxDecide(await browser.start(session.connectUrl), 'approve'));
    expect((await browser.fetch(session.connectUrl)).status).toBe(410);
    expect((await browser.fetch('/connect/3b241101-e2bb-4255-8caf-4136c566a962')).status).toBe(404);
    expect((await browser.fetch('/connect/not-a-uuid')).status).toBe(404);
  });

  it('sets a Secure binding cookie when the public URL is https, even behind a plain-HTTP proxy hop', async () => {
    const tls = await startTestServer({ MYPOSTSHARE_PUBLIC_URL: 'https://social.example.com' });
    try {
      const session = await newSession(tls, tls.sandboxKey, {
        externalUserId: 'tls_user',
        platform: 'linkedin',
        redirectUri: 'https://social.example.com/connect/complete',
      });
      expect(session.connectUrl).toBe(`https://social.example.com/connect/${session.id}`);
      const page = await new FlowClient(tls).fetch(new URL(session.connectUrl).pathname);
      expect(page.status).toBe(200);
      const cookie =
        page.headers.getSetCookie().find((value) => value.startsWith(`mps_bind_${session.id}=`)) ?? '';
      expect(cookie).toMatch(/;\s*secure/i);
    } finally {
      await tls.close();
    }
  });
});
