import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { FlowClient, newSession } from './flow-client.js';

/*
 * End-user erasure and platform disconnect, over HTTP. Sandbox apps for the data side; a live app
 * with X faked at its HTTP boundary by msw (in-process, 127.0.0.1 passes through) for revocation.
 */
const X_TOKEN = 'https://api.x.com/2/oauth2/token';
const X_ME = 'https://api.x.com/2/users/me';
const X_REVOKE = 'https://api.x.com/2/oauth2/revoke';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

let tokenSeq = 0;
/** Every token the fake X issued, for leak checks. */
const issued: string[] = [];
/** The last token response, so a test knows which tokens its connection holds. */
let lastIssued: { accessToken: string; refreshToken: string } | undefined;
const revokeCalls: Array<{ authorization: string | null; form: URLSearchParams }> = [];
let revokeStatus = 200;

const mock = setupServer(
  http.post(X_TOKEN, async () => {
    tokenSeq += 1;
    const accessToken = `x-erasure-access-${tokenSeq}-secretvalue`;
    const refreshToken = `x-erasure-refresh-${tokenSeq}-secretvalue`;
    issued.push(accessToken, refreshToken);
    lastIssued = { accessToken, refreshToken };
    return HttpResponse.json({
      token_type: 'bearer',
      expires_in: 7200,
      access_token: accessToken,
      refresh_token: refreshToken,
      scope: 'tweet.read tweet.write users.read offline.access media.write',
    });
  }),
  http.get(X_ME, () =>
    HttpResponse.json({ data: { id: '783214', name: 'Erin Example', username: 'erin_x' } }),
  ),
  http.post(X_REVOKE, async ({ request }) => {
    revokeCalls.push({
      authorization: request.headers.get('authorization'),
      form: new URLSearchParams(await request.text()),
    });
    return revokeStatus === 200
      ? HttpResponse.json({ revoked: true })
      : HttpResponse.json({ title: 'Internal Server Error' }, { status: revokeStatus });
  }),
);

describe('end-user erasure and platform disconnect', () => {
  let server: TestServer;

  beforeAll(async () => {
    mock.listen({
      onUnhandledRequest(request, print) {
        if (new URL(request.url).hostname !== '127.0.0.1') print.error();
      },
    });
    server = await startTestServer({ MYPOSTSHARE_RATE_LIMIT_RPS: '0' });
  });
  beforeEach(() => {
    revokeCalls.length = 0;
    revokeStatus = 200;
  });
  afterAll(async () => {
    await server.close();
    mock.close();
  });

  const db = () => server.started.database.db;
  const endUserRow = (appId: string, externalUserId: string) =>
    db()
      .selectFrom('end_users')
      .selectAll()
      .where('app_id', '=', appId)
      .where('external_user_id', '=', externalUserId)
      .executeTakeFirst();
  const connectionsOf = (endUserId: string) =>
    db().selectFrom('connections').selectAll().where('end_user_id', '=', endUserId).execute();
  const sessionsOf = (endUserId: string) =>
    db().selectFrom('connect_sessions').selectAll().where('end_user_id', '=', endUserId).execute();

  /** Runs the sandbox flow to the end for one platform. */
  async function connectSandbox(key: string, externalUserId: string, platform: string) {
    const session = await newSession(server, key, { externalUserId, platform });
    const browser = new FlowClient(server);
    const finished = await browser.fetch(
      await browser.sandboxDecide(await browser.start(session.connectUrl), 'approve'),
    );
    expect(new URL(finished.location!).searchParams.get('status')).toBe('connected');
    return session;
  }

  async function liveXApp(clientId: string, clientSecret: string) {
    const app = await server.createApp({ name: `Live X ${clientId}` });
    const put = await server.admin('PUT', `/admin/v1/apps/${app.appId}/credentials/twitter`, {
      mode: 'custom',
      clientId,
      clientSecret,
    });
    expect(put.status).toBe(200);
    return app;
  }

  /** Runs the live X flow (msw plays X); returns the session and the tokens X issued for it. */
  async function connectX(key: string, externalUserId: string) {
    const session = await newSession(server, key, { externalUserId, platform: 'twitter' });
    const browser = new FlowClient(server);
    const authorize = new URL(await browser.start(session.connectUrl));
    lastIssued = undefined;
    const finished = await browser.fetch(
      `/oauth/callback/twitter?code=x-code-${externalUserId}&state=${authorize.searchParams.get('state')}`,
    );
    expect(new URL(finished.location!).searchParams.get('status')).toBe('connected');
    expect(lastIssued).toBeDefined();
    return { session, tokens: lastIssued! };
  }

  describe('DELETE /api/v1/end-users/:externalUserId', () => {
    it('erases the end user, their connections and connect sessions; the id can start afresh', async () => {
      const app = await server.createApp({ name: 'Erasure', sandbox: true });
      const upserted = await server.request('POST', '/api/v1/end-users', {
        token: app.key,
        body: {
          externalUserId: 'erase_me',
          displayName: 'Erin Example',
          email: 'erin@example.com',
          metadata: { plan: 'pro' },
        },
      });
      expect(upserted.status).toBe(200);
      const endUserId: string = upserted.body.id;
      const linkedin = await connectSandbox(app.key, 'erase_me', 'linkedin');
      const twitter = await connectSandbox(app.key, 'erase_me', 'twitter');
      // A session still in its provider flow, with a live state.
      const pending = await newSession(server, app.key, { externalUserId: 'erase_me', platform: 'youtube' });
      const browser = new FlowClient(server);
      await browser.start(pending.connectUrl);
      // A neighbour in the same app who must survive.
      await connectSandbox(app.key, 'keep_me', 'linkedin');
      const keepId = (await endUserRow(app.appId, 'keep_me'))!.id;

      expect(await connectionsOf(endUserId)).toHaveLength(2);
      expect(await sessionsOf(endUserId)).toHaveLength(3);
      const sessionIds = [linkedin.id, twitter.id, pending.id];
      const statesBefore = await db()
        .selectFrom('oauth_states')
        .select('id')
        .where('session_id', 'in', sessionIds)
        .execute();
      expect(statesBefore.length).toBeGreaterThanOrEqual(3);

      const erased = await server.request('DELETE', '/api/v1/end-users/erase_me', { token: app.key });
      expect(erased.status).toBe(204);
      expect(erased.text).toBe('');

      expect((await server.request('GET', '/api/v1/end-users/erase_me', { token: app.key })).status).toBe(
        404,
      );
      const connections = await server.request('GET', '/api/v1/end-users/erase_me/connections', {
        token: app.key,
      });
      expect(connections.status).toBe(404);
      for (const id of sessionIds) {
        expect(
          (await server.request('GET', `/api/v1/connect-sessions/${id}`, { token: app.key })).status,
        ).toBe(404);
      }
      expect(await endUserRow(app.appId, 'erase_me')).toBeUndefined();
      expect(await connectionsOf(endUserId)).toEqual([]);
      expect(await sessionsOf(endUserId)).toEqual([]);
      expect(
        await db().selectFrom('connect_sessions').select('id').where('id', 'in', sessionIds).execute(),
      ).toEqual([]);
      expect(
        await db().selectFrom('oauth_states').select('id').where('session_id', 'in', sessionIds).execute(),
      ).toEqual([]);
      // The half-finished flow cannot resurrect anything: its page is gone.
      expect((await browser.fetch(pending.connectUrl)).status).toBe(404);

      // The neighbour is untouched.
      expect(await connectionsOf(keepId)).toHaveLength(1);
      expect((await server.request('GET', '/api/v1/end-users/keep_me', { token: app.key })).status).toBe(200);

      // The same external id starts again as a new, empty end user.
      const again = await server.request('POST', '/api/v1/end-users', {
        token: app.key,
        body: { externalUserId: 'erase_me' },
      });
      expect(again.status).toBe(200);
      expect(again.body.id).not.toBe(endUserId);
      expect(again.body.displayName ?? null).toBeNull();
      expect(again.body.email ?? null).toBeNull();
      expect(again.body.metadata ?? {}).toEqual({});
      const fresh = await server.request('GET', '/api/v1/end-users/erase_me', { token: app.key });
      expect(fresh.body.connectionSummary).toMatchObject({ total: 0, connected: 0, failed: 0 });
      const freshConnections = await server.request('GET', '/api/v1/end-users/erase_me/connections', {
        token: app.key,
      });
      expect(freshConnections.body).toEqual([]);
      expect(await connectionsOf(again.body.id)).toEqual([]);

      // Erasing twice: the second time there is nobody to erase... until the fresh one is erased.
      expect((await server.request('DELETE', '/api/v1/end-users/erase_me', { token: app.key })).status).toBe(
        204,
      );
      const twice = await server.request('DELETE', '/api/v1/end-users/erase_me', { token: app.key });
      expect(twice.status).toBe(404);
      expect(twice.body.error.code).toBe('not_found');
    });

    it('leaves no stored idempotent response with their personal data, and a retried upsert is not replayed', async () => {
      const app = await server.createApp({ name: 'Erasure idempotency', sandbox: true });
      const body = { externalUserId: 'idem_erase', displayName: 'Ida Erase', email: 'ida.erase@example.com' };
      const headers = { 'Idempotency-Key': 'upsert-idem-erase-1' };
      const first = await server.request('POST', '/api/v1/end-users', { token: app.key, body, headers });
      expect(first.status).toBe(200);
      const stored = async () =>
        (
          await db()
            .selectFrom('idempotency_keys')
            .select('response_body')
            .where('app_id', '=', app.appId)
            .execute()
        )
          .map((row) => row.response_body ?? '')
          .join('\n');
      expect(await stored()).toContain('ida.erase@example.com');

      expect(
        (await server.request('DELETE', '/api/v1/end-users/idem_erase', { token: app.key })).status,
      ).toBe(204);
      expect(await stored()).not.toContain('ida.erase@example.com');
      expect(await stored()).not.toContain('Ida Erase');

      // The same request again creates the user afresh rather than replaying an erased id.
      const retried = await server.request('POST', '/api/v1/end-users', { token: app.key, body, headers });
      expect(retried.status).toBe(200);
      expect(retried.headers.get('idempotent-replayed')).toBeNull();
      expect(retried.body.id).not.toBe(first.body.id);
      expect((await endUserRow(app.appId, 'idem_erase'))!.id).toBe(retried.body.id);
    });

    it('answers 404 for an unknown end user', async () => {
      const app = await server.createApp({ name: 'Erasure unknown', sandbox: true });
      const missing = await server.request('DELETE', '/api/v1/end-users/nobody_at_all', { token: app.key });
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({
        code: 'not_found',
        requestId: missing.headers.get('x-request-id'),
      });
    });

    it("answers 404 to another app's key and deletes nothing; the same external id in two apps is two users", async () => {
      const a = await server.createApp({ name: 'Tenant A', sandbox: true });
      const b = await server.createApp({ name: 'Tenant B', sandbox: true });
      await connectSandbox(a.key, 'tenant_user', 'linkedin');
      const aUser = (await endUserRow(a.appId, 'tenant_user'))!;

      const foreign = await server.request('DELETE', '/api/v1/end-users/tenant_user', { token: b.key });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('not_found');
      const foreignDisconnect = await server.request(
        'DELETE',
        '/api/v1/end-users/tenant_user/connections/linkedin',
        {
          token: b.key,
        },
      );
      expect(foreignDisconnect.status).toBe(404);
      expect(await endUserRow(a.appId, 'tenant_user')).toBeDefined();
      expect(await connectionsOf(aUser.id)).toHaveLength(1);
      expect(await sessionsOf(aUser.id)).toHaveLength(1);

      // B gets its own tenant_user; erasing it leaves A's alone.
      await connectSandbox(b.key, 'tenant_user', 'linkedin');
      const bUser = (await endUserRow(b.appId, 'tenant_user'))!;
      expect(bUser.id).not.toBe(aUser.id);
      expect((await server.request('DELETE', '/api/v1/end-users/tenant_user', { token: b.key })).status).toBe(
        204,
      );
      expect(await endUserRow(b.appId, 'tenant_user')).toBeUndefined();
      expect(await connectionsOf(bUser.id)).toEqual([]);
      expect(await connectionsOf(aUser.id)).toHaveLength(1);
      const aView = await server.request('GET', '/api/v1/end-users/tenant_user', { token: a.key });
      expect(aView.status).toBe(200);
      expect(aView.body.connectionSummary).toMatchObject({ total: 1, connected: 1 });
    });
  });

  describe('DELETE /api/v1/end-users/:externalUserId/connections/:platform', () => {
    it('removes one sandbox connection (204, empty body), keeps the others, and 404s the second time', async () => {
      const app = await server.createApp({ name: 'Disconnect sandbox', sandbox: true });
      await connectSandbox(app.key, 'disc_user', 'linkedin');
      await connectSandbox(app.key, 'disc_user', 'youtube');
      const removed = await server.request('DELETE', '/api/v1/end-users/disc_user/connections/linkedin', {
        token: app.key,
      });
      expect(removed.status).toBe(204);
      expect(removed.text).toBe('');
      const left = await server.request('GET', '/api/v1/end-users/disc_user/connections', { token: app.key });
      expect(left.body.map((connection: { platform: string }) => connection.platform)).toEqual(['youtube']);
      const again = await server.request('DELETE', '/api/v1/end-users/disc_user/connections/linkedin', {
        token: app.key,
      });
      expect(again.status).toBe(404);
      expect(again.body.error.code).toBe('not_found');
      const unknownUser = await server.request('DELETE', '/api/v1/end-users/nobody/connections/youtube', {
        token: app.key,
      });
      expect(unknownUser.status).toBe(404);
      const badPlatform = await server.request('DELETE', '/api/v1/end-users/disc_user/connections/myspace', {
        token: app.key,
      });
      expect(badPlatform.status).toBe(400);
      expect(badPlatform.body.error.code).toBe('validation_error');
      expect(
        (await server.request('GET', '/api/v1/end-users/disc_user/connections', { token: app.key })).body,
      ).toHaveLength(1);
    });

    it('revokes a live X connection at the provider with the stored tokens and the recorded client', async () => {
      const app = await liveXApp('x-erasure-client', 'x-erasure-secret');
      const { session, tokens } = await connectX(app.key, 'x_user');
      const responses: string[] = [];
      for (const route of [
        '/api/v1/end-users/x_user',
        '/api/v1/end-users/x_user/connections',
        `/api/v1/connect-sessions/${session.id}`,
      ]) {
        const response = await server.request('GET', route, { token: app.key });
        expect(response.status, route).toBe(200);
        responses.push(response.text);
      }
      expect(revokeCalls).toEqual([]);

      const removed = await server.request('DELETE', '/api/v1/end-users/x_user/connections/twitter', {
        token: app.key,
      });
      expect(removed.status).toBe(204);
      expect(removed.text).toBe('');
      responses.push(removed.text);

      expect(revokeCalls.length).toBeGreaterThanOrEqual(1);
      for (const call of revokeCalls) {
        expect(call.authorization).toBe(basic('x-erasure-client', 'x-erasure-secret'));
        expect(call.form.get('client_secret')).toBeNull();
      }
      const revoked = revokeCalls.map((call) => call.form.get('token'));
      expect(revoked).toContain(tokens.refreshToken);
      expect(new Set(revoked)).toEqual(new Set([tokens.refreshToken, tokens.accessToken]));

      const after = await server.request('GET', '/api/v1/end-users/x_user/connections', { token: app.key });
      expect(after.body).toEqual([]);
      responses.push(after.text);
      // Security 28: no API response ever carried a provider token.
      for (const text of responses) {
        for (const token of issued) expect(text).not.toContain(token);
      }
    });

    it('still disconnects (204, connection gone) when the revoke endpoint answers 500', async () => {
      const app = await liveXApp('x-erasure-client-2', 'x-erasure-secret-2');
      await connectX(app.key, 'x_flaky');
      const endUserId = (await endUserRow(app.appId, 'x_flaky'))!.id;
      revokeStatus = 500;
      const removed = await server.request('DELETE', '/api/v1/end-users/x_flaky/connections/twitter', {
        token: app.key,
      });
      expect(removed.status).toBe(204);
      expect(removed.text).toBe('');
      expect(revokeCalls.length).toBeGreaterThanOrEqual(1);
      expect(await connectionsOf(endUserId)).toEqual([]);
      const after = await server.request('GET', '/api/v1/end-users/x_flaky/connections', { token: app.key });
      expect(after.body).toEqual([]);
    });
  });

  it('erasing an end user with a live X connection revokes it at the provider too', async () => {
    const app = await liveXApp('x-erasure-client-3', 'x-erasure-secret-3');
    const { tokens } = await connectX(app.key, 'x_erased');
    const endUserId = (await endUserRow(app.appId, 'x_erased'))!.id;
    const erased = await server.request('DELETE', '/api/v1/end-users/x_erased', { token: app.key });
    expect(erased.status).toBe(204);
    expect(erased.text).toBe('');
    const revoked = new Set(revokeCalls.map((call) => call.form.get('token')));
    expect(revoked).toEqual(new Set([tokens.refreshToken, tokens.accessToken]));
    for (const call of revokeCalls)
      expect(call.authorization).toBe(basic('x-erasure-client-3', 'x-erasure-secret-3'));
    expect(await connectionsOf(endUserId)).toEqual([]);
    expect(await endUserRow(app.appId, 'x_erased')).toBeUndefined();

    // And with the provider failing, erasure still completes.
    await connectX(app.key, 'x_erased_2');
    revokeStatus = 503;
    expect((await server.request('DELETE', '/api/v1/end-users/x_erased_2', { token: app.key })).status).toBe(
      204,
    );
    expect(await endUserRow(app.appId, 'x_erased_2')).toBeUndefined();
  });

  it("blanks an erased end user's id out of the operator request log, whole segments only", async () => {
    const app = await server.createApp({ name: 'Log erasure' });
    const erased = 'erin@example.com';
    const neighbour = 'erin@example.com2';
    for (const externalUserId of [erased, neighbour]) {
      await server.request('POST', '/api/v1/end-users', { token: app.key, body: { externalUserId } });
      await server.request('GET', `/api/v1/end-users/${encodeURIComponent(externalUserId)}`, {
        token: app.key,
      });
      await server.request('GET', `/api/v1/end-users/${encodeURIComponent(externalUserId)}/connections`, {
        token: app.key,
      });
    }
    const deleted = await server.request('DELETE', `/api/v1/end-users/${encodeURIComponent(erased)}`, {
      token: app.key,
    });
    expect(deleted.status).toBe(204);
    await server.started.app.requestLog.flush();
    const logs = await server.admin('GET', `/admin/v1/apps/${app.appId}/logs?limit=200`);
    const paths = (logs.body as Array<{ path: string }>).map((entry) => entry.path);
    expect(paths).toContain('/api/v1/end-users/[erased]');
    expect(paths).toContain('/api/v1/end-users/[erased]/connections');
    expect(paths).toContain(`/api/v1/end-users/${encodeURIComponent(neighbour)}`);
    const mentionsErased = paths.filter(
      (path) =>
        path.endsWith(`/${encodeURIComponent(erased)}`) || path.includes(`/${encodeURIComponent(erased)}/`),
    );
    expect(mentionsErased).toEqual([]);
  });
});
