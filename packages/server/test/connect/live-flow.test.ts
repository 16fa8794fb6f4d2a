import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readStoredText, startTestServer, type TestServer } from '../harness.js';
import { FlowClient, newSession } from './flow-client.js';

/*
 * A live app against X's real adapter, with X faked at its HTTP boundary by msw (in-process: the
 * server under test runs in this process, so its outgoing calls are intercepted; calls to the
 * server itself on 127.0.0.1 pass through).
 */
const X_TOKEN = 'https://api.x.com/2/oauth2/token';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

const tokenCalls: Array<{ authorization: string | null; form: URLSearchParams }> = [];
let tokenSeq = 0;
const issued: string[] = [];

const mock = setupServer(
  http.post(X_TOKEN, async ({ request }) => {
    const form = new URLSearchParams(await request.text());
    tokenCalls.push({ authorization: request.headers.get('authorization'), form });
    tokenSeq += 1;
    const accessToken = `x-access-token-${tokenSeq}-secretvalue`;
    const refreshToken = `x-refresh-token-${tokenSeq}-secretvalue`;
    issued.push(accessToken, refreshToken);
    return HttpResponse.json({
      token_type: 'bearer',
      expires_in: 7200,
      access_token: accessToken,
      refresh_token: refreshToken,
      scope: 'tweet.read tweet.write users.read offline.access media.write',
    });
  }),
  http.get('https://api.x.com/2/users/me', () =>
    HttpResponse.json({ data: { id: '2244994945', name: 'Alex Morgan', username: 'alexmorgan' } }),
  ),
);

describe('hosted connect flow with a live app (X adapter, msw)', () => {
  let server: TestServer;

  beforeAll(async () => {
    mock.listen({
      onUnhandledRequest(request, print) {
        if (new URL(request.url).hostname !== '127.0.0.1') print.error();
      },
    });
    server = await startTestServer({ MYPOSTSHARE_LOG_LEVEL: 'trace' });
  });
  afterEach(() => {
    tokenCalls.length = 0;
  });
  afterAll(async () => {
    await server.close();
    mock.close();
  });

  async function liveApp(clientId: string, clientSecret: string) {
    const app = await server.createApp({ name: 'Live app' });
    const put = await server.admin('PUT', `/admin/v1/apps/${app.appId}/credentials/twitter`, {
      mode: 'custom',
      clientId,
      clientSecret,
    });
    expect(put.status).toBe(200);
    return app;
  }

  it('refuses to create a session for a platform with no OAuth client', async () => {
    const app = await server.createApp({ name: 'No credentials' });
    await server.request('POST', '/api/v1/end-users', { token: app.key, body: { externalUserId: 'u1' } });
    const created = await server.request('POST', '/api/v1/connect-sessions', {
      token: app.key,
      body: { externalUserId: 'u1', platform: 'linkedin', redirectUri: `${server.baseUrl}/connect/complete` },
    });
    expect(created.status).toBe(422);
    expect(created.body.error.code).toBe('platform_not_configured');
  });

  it('exchanges the code once, with Basic auth and the PKCE verifier, and records the credential set', async () => {
    const app = await liveApp('x-client-1', 'x-secret-1');
    const session = await newSession(server, app.key, { externalUserId: 'live_1', platform: 'twitter' });
    const browser = new FlowClient(server);
    const authorize = new URL(await browser.start(session.connectUrl));
    expect(`${authorize.origin}${authorize.pathname}`).toBe('https://x.com/i/oauth2/authorize');
    expect(authorize.searchParams.get('client_id')).toBe('x-client-1');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${server.baseUrl}/oauth/callback/twitter`);
    const callback = `/oauth/callback/twitter?code=provider-code-1&state=${authorize.searchParams.get('state')}`;
    const finished = await browser.fetch(callback);
    expect(new URL(finished.location!).searchParams.get('status')).toBe('connected');
    // A replay is refused before any second token request.
    expect((await browser.fetch(callback)).status).toBe(400);
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]!.authorization).toBe(basic('x-client-1', 'x-secret-1'));
    expect(tokenCalls[0]!.form.get('code')).toBe('provider-code-1');
    expect(tokenCalls[0]!.form.get('redirect_uri')).toBe(`${server.baseUrl}/oauth/callback/twitter`);
    expect(tokenCalls[0]!.form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);

    const row = await server.started.database.db
      .selectFrom('connections')
      .selectAll()
      .where('app_id', '=', app.appId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      credential_mode: 'custom',
      credential_client_id: 'x-client-1',
      remote_account_id: '2244994945',
    });
  });

  it('uses the credential set recorded with the state even if the app changes it mid-flow', async () => {
    const app = await liveApp('x-client-old', 'x-secret-old');
    const session = await newSession(server, app.key, { externalUserId: 'live_2', platform: 'twitter' });
    const browser = new FlowClient(server);
    const state = new URL(await browser.start(session.connectUrl)).searchParams.get('state');
    await server.admin('PUT', `/admin/v1/apps/${app.appId}/credentials/twitter`, {
      mode: 'custom',
      clientId: 'x-client-new',
      clientSecret: 'x-secret-new',
    });
    await browser.fetch(`/oauth/callback/twitter?code=provider-code-2&state=${state}`);
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]!.authorization).toBe(basic('x-client-old', 'x-secret-old'));
  });

  it('keeps tokens and client secrets out of the database file, its WAL, API responses and logs', async () => {
    const app = await liveApp('x-client-3', 'x-secret-never-in-clear');
    const session = await newSession(server, app.key, { externalUserId: 'live_3', platform: 'twitter' });
    const browser = new FlowClient(server);
    const state = new URL(await browser.start(session.connectUrl)).searchParams.get('state')!;
    await browser.fetch(`/oauth/callback/twitter?code=provider-code-3&state=${state}`);
    const connections = await server.request('GET', '/api/v1/end-users/live_3/connections', {
      token: app.key,
    });
    expect(connections.body).toHaveLength(1);

    // The SQLite file and its WAL; on PostgreSQL every stored row.
    const stored = await readStoredText(server);
    const logs = server.logs.join('');
    const secrets = [...issued, 'x-secret-never-in-clear', app.key, state, 'provider-code-3'];
    for (const secret of secrets) {
      expect(stored).not.toContain(secret);
      expect(logs).not.toContain(secret);
      expect(JSON.stringify(connections.body)).not.toContain(secret);
    }
  });
});
