import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { detailFields, expectError } from '../http/expect-error.js';
import { seedConnection } from './seed.js';

const REFERENCE_CONNECTION_FIELDS = [
  'id',
  'platform',
  'status',
  'remoteAccountId',
  'remoteUsername',
  'accountType',
];

describe('public API: an end user’s connections', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  /** A fresh app with one end user. */
  async function appWithUser(externalUserId = 'user_123') {
    const app = await server.createApp();
    const user = await server.request('POST', '/api/v1/end-users', {
      token: app.key,
      body: { externalUserId },
    });
    expect(user.status).toBe(200);
    return { ...app, endUserId: user.body.id as string, externalUserId };
  }

  it('lists connections with the reference fields and never a token, even though tokens are stored', async () => {
    const { appId, key, endUserId } = await appWithUser();
    const accessToken = 'ACCESS-TOKEN-plain-7f3a9c';
    const refreshToken = 'REFRESH-TOKEN-plain-2b8d1e';
    const row = await seedConnection(server, {
      appId,
      endUserId,
      platform: 'linkedin',
      accessToken,
      refreshToken,
      remoteAccountId: 'H8a9UFibz4',
      remoteUsername: 'ALEX_MORGAN',
      accountType: 'person',
    });
    expect(row.access_token_enc).toBeTruthy();
    expect(row.refresh_token_enc).toBeTruthy();

    const response = await server.request('GET', '/api/v1/end-users/user_123/connections', { token: key });
    expect(response.status).toBe(200);
    expect(Array.isArray(response.body)).toBe(true);
    expect(response.body).toHaveLength(1);
    const [connection] = response.body;
    for (const field of REFERENCE_CONNECTION_FIELDS) expect(connection).toHaveProperty(field);
    expect(connection).toMatchObject({
      id: row.id,
      platform: 'linkedin',
      status: 'connected',
      remoteAccountId: 'H8a9UFibz4',
      remoteUsername: 'ALEX_MORGAN',
      accountType: 'person',
    });
    for (const field of Object.keys(connection)) expect(field).not.toMatch(/token|secret|_enc|credential/i);
    for (const secret of [accessToken, refreshToken, row.access_token_enc!, row.refresh_token_enc!]) {
      expect(response.text).not.toContain(secret);
    }
    // The end-user view does not carry them either.
    const user = await server.request('GET', '/api/v1/end-users/user_123', { token: key });
    for (const secret of [accessToken, refreshToken, row.access_token_enc!])
      expect(user.text).not.toContain(secret);
  });

  it('keeps remoteUsername and accountType as null when the provider gave none', async () => {
    const { appId, key, endUserId } = await appWithUser();
    await seedConnection(server, {
      appId,
      endUserId,
      platform: 'youtube',
      remoteUsername: null,
      accountType: null,
    });
    const response = await server.request('GET', '/api/v1/end-users/user_123/connections', { token: key });
    expect(response.body[0]).toMatchObject({ platform: 'youtube', remoteUsername: null, accountType: null });
  });

  it('lists the newest connection first', async () => {
    const { appId, key, endUserId } = await appWithUser();
    await seedConnection(server, {
      appId,
      endUserId,
      platform: 'twitter',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    await seedConnection(server, {
      appId,
      endUserId,
      platform: 'facebook',
      createdAt: '2026-03-01T00:00:00.000Z',
    });
    await seedConnection(server, {
      appId,
      endUserId,
      platform: 'linkedin',
      createdAt: '2026-02-01T00:00:00.000Z',
    });
    const response = await server.request('GET', '/api/v1/end-users/user_123/connections', { token: key });
    expect(response.body.map((connection: { platform: string }) => connection.platform)).toEqual([
      'facebook',
      'linkedin',
      'twitter',
    ]);
  });

  it('counts connections per status in connectionSummary', async () => {
    const { appId, key, endUserId } = await appWithUser();
    await seedConnection(server, { appId, endUserId, platform: 'linkedin', status: 'connected' });
    await seedConnection(server, { appId, endUserId, platform: 'facebook', status: 'connected' });
    await seedConnection(server, { appId, endUserId, platform: 'twitter', status: 'failed' });
    await seedConnection(server, { appId, endUserId, platform: 'youtube', status: 'expired' });
    // Another user's connection in the same app must not be counted.
    const other = await server.request('POST', '/api/v1/end-users', {
      token: key,
      body: { externalUserId: 'other' },
    });
    await seedConnection(server, {
      appId,
      endUserId: other.body.id,
      platform: 'instagram',
      status: 'failed',
    });

    const response = await server.request('GET', '/api/v1/end-users/user_123', { token: key });
    expect(response.status).toBe(200);
    expect(response.body.connectionSummary).toMatchObject({ total: 4, connected: 2, failed: 1 });
    const otherSummary = await server.request('GET', '/api/v1/end-users/other', { token: key });
    expect(otherSummary.body.connectionSummary).toMatchObject({ total: 1, connected: 0, failed: 1 });
  });

  it('disconnect answers 204 with an empty body, removes the connection, and a second disconnect is 404', async () => {
    const { appId, key, endUserId } = await appWithUser();
    await seedConnection(server, { appId, endUserId, platform: 'linkedin' });
    await seedConnection(server, { appId, endUserId, platform: 'twitter' });

    const removed = await server.request('DELETE', '/api/v1/end-users/user_123/connections/linkedin', {
      token: key,
    });
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expect(removed.headers.get('content-type')).toBeNull();

    const list = await server.request('GET', '/api/v1/end-users/user_123/connections', { token: key });
    expect(list.body.map((connection: { platform: string }) => connection.platform)).toEqual(['twitter']);
    const summary = await server.request('GET', '/api/v1/end-users/user_123', { token: key });
    expect(summary.body.connectionSummary).toMatchObject({ total: 1, connected: 1, failed: 0 });

    const again = await server.request('DELETE', '/api/v1/end-users/user_123/connections/linkedin', {
      token: key,
    });
    expectError(again, 404, 'not_found');
    // The other platform was not touched by the second attempt either.
    const after = await server.request('GET', '/api/v1/end-users/user_123/connections', { token: key });
    expect(after.body).toHaveLength(1);
  });

  it('disconnecting a platform the user never connected is 404', async () => {
    const { key } = await appWithUser();
    expectError(
      await server.request('DELETE', '/api/v1/end-users/user_123/connections/youtube', { token: key }),
      404,
      'not_found',
    );
  });

  it('an unknown platform in the path is 400 validation_error naming platform', async () => {
    const { appId, key, endUserId } = await appWithUser();
    await seedConnection(server, { appId, endUserId, platform: 'linkedin' });
    for (const platform of ['myspace', 'LinkedIn', 'linkedin%20', '%00']) {
      const response = await server.request('DELETE', `/api/v1/end-users/user_123/connections/${platform}`, {
        token: key,
      });
      const error = expectError(response, 400, 'validation_error');
      expect(detailFields(error)).toEqual(['platform']);
    }
    const list = await server.request('GET', '/api/v1/end-users/user_123/connections', { token: key });
    expect(list.body).toHaveLength(1);
  });

  it("another app's key cannot list or disconnect this app's connections (404), and nothing is removed", async () => {
    const a = await appWithUser('shared');
    await seedConnection(server, { appId: a.appId, endUserId: a.endUserId, platform: 'linkedin' });
    const b = await server.createApp({ name: 'B' });
    expectError(
      await server.request('GET', '/api/v1/end-users/shared/connections', { token: b.key }),
      404,
      'not_found',
    );
    expectError(
      await server.request('DELETE', '/api/v1/end-users/shared/connections/linkedin', { token: b.key }),
      404,
      'not_found',
    );
    // Even when B has its own user with the same external id, B sees only B's (empty) connections.
    await server.request('POST', '/api/v1/end-users', { token: b.key, body: { externalUserId: 'shared' } });
    const fromB = await server.request('GET', '/api/v1/end-users/shared/connections', { token: b.key });
    expect(fromB.status).toBe(200);
    expect(fromB.body).toEqual([]);
    expectError(
      await server.request('DELETE', '/api/v1/end-users/shared/connections/linkedin', { token: b.key }),
      404,
      'not_found',
    );
    const fromA = await server.request('GET', '/api/v1/end-users/shared/connections', { token: a.key });
    expect(fromA.body).toHaveLength(1);
    expect(
      (await server.request('GET', '/api/v1/end-users/shared', { token: b.key })).body.connectionSummary,
    ).toMatchObject({ total: 0, connected: 0, failed: 0 });
  });
});
