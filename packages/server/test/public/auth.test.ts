import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { expectError } from '../http/expect-error.js';

const ROUTES = [
  ['POST', '/api/v1/end-users'],
  ['GET', '/api/v1/end-users/user_123'],
  ['GET', '/api/v1/end-users/user_123/connections'],
  ['DELETE', '/api/v1/end-users/user_123/connections/linkedin'],
] as const;

describe('public API authentication (security 29, 30)', () => {
  let server: TestServer;
  let app: { appId: string; key: string; keyId: string };
  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp({ name: 'Auth' });
    const created = await server.request('POST', '/api/v1/end-users', {
      token: app.key,
      body: { externalUserId: 'user_123' },
    });
    expect(created.status).toBe(200);
  });
  afterAll(() => server.close());

  /** Sends the request with the given Authorization header (or none) and expects the uniform 401. */
  async function expectUnauthorized(authorization: string | undefined) {
    for (const [method, route] of ROUTES) {
      const response = await server.request(method, route, {
        headers: authorization === undefined ? {} : { Authorization: authorization },
        ...(method === 'POST' ? { body: { externalUserId: 'intruder' } } : {}),
      });
      const error = expectError(response, 401, 'unauthorized');
      expect(error.details).toBeUndefined();
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      // No part of the credential is echoed back.
      for (const part of (authorization ?? '').split(/\s+/).filter((piece) => piece.length >= 16)) {
        expect(response.text).not.toContain(part);
      }
    }
  }

  /** Nothing any refused request tried to create was stored. */
  async function expectNoIntruder() {
    expectError(
      await server.request('GET', '/api/v1/end-users/intruder', { token: app.key }),
      404,
      'not_found',
    );
  }

  it('a key issued by the admin API has the documented format and works', async () => {
    expect(app.key).toMatch(/^mps_live_[A-Za-z0-9]{22,}$/);
    const sandbox = await server.createApp({ sandbox: true });
    expect(sandbox.key).toMatch(/^mps_test_[A-Za-z0-9]{22,}$/);
    expect((await server.request('GET', '/api/v1/end-users/user_123', { token: app.key })).status).toBe(200);
  });

  it('no Authorization header is 401', async () => {
    await expectUnauthorized(undefined);
    await expectNoIntruder();
  });

  it('a Bearer header with garbage is 401', async () => {
    await expectUnauthorized('Bearer garbage!!not-a-key');
    await expectUnauthorized('Bearer');
    await expectUnauthorized('Bearer ');
    await expectUnauthorized(`Bearer ${app.key} extra`);
    await expectUnauthorized(`Basic ${Buffer.from(`${app.key}:`).toString('base64')}`);
    await expectUnauthorized(app.key);
    await expectUnauthorized(`Bearer ${app.key}x`);
    await expectUnauthorized(`Bearer ${app.key.slice(0, -1)}`);
    await expectNoIntruder();
  });

  it('a well-formed but unknown key is 401', async () => {
    const unknown = `mps_live_${'A1b2C3d4E5'.repeat(4).slice(0, app.key.length - 'mps_live_'.length)}`;
    expect(unknown).toHaveLength(app.key.length);
    expect(unknown).not.toBe(app.key);
    await expectUnauthorized(`Bearer ${unknown}`);
    // The same random part under the other prefix is another key.
    await expectUnauthorized(`Bearer ${app.key.replace('mps_live_', 'mps_test_')}`);
    await expectNoIntruder();
  });

  it('the admin token is not an API key', async () => {
    await expectUnauthorized(`Bearer ${server.adminToken}`);
  });

  it('an API key is not an admin token', async () => {
    const response = await server.request('GET', '/admin/v1/apps', { token: app.key });
    expectError(response, 401, 'unauthorized');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
  });

  it('a revoked key is refused on its very next request, and the app’s other keys keep working', async () => {
    const revokable = await server.request('POST', `/admin/v1/apps/${app.appId}/api-keys`, {
      token: server.adminToken,
      body: { name: 'to revoke' },
    });
    expect(revokable.status).toBe(201);
    const key = revokable.body.key as string;
    expect((await server.request('GET', '/api/v1/end-users/user_123', { token: key })).status).toBe(200);

    const revoked = await server.admin('DELETE', `/admin/v1/apps/${app.appId}/api-keys/${revokable.body.id}`);
    expect(revoked.status).toBe(204);

    await expectUnauthorized(`Bearer ${key}`);
    await expectNoIntruder();
    expect((await server.request('GET', '/api/v1/end-users/user_123', { token: app.key })).status).toBe(200);
  });

  it('the Bearer scheme is case-insensitive, as HTTP auth schemes are', async () => {
    const response = await server.request('GET', '/api/v1/end-users/user_123', {
      headers: { Authorization: `bearer ${app.key}` },
    });
    expect(response.status).toBe(200);
  });

  it('a key of a deleted app is refused', async () => {
    const doomed = await server.createApp({ name: 'Doomed' });
    expect((await server.request('GET', '/api/v1/end-users/x', { token: doomed.key })).status).toBe(404);
    expect((await server.admin('DELETE', `/admin/v1/apps/${doomed.appId}`)).status).toBe(204);
    await expectUnauthorized(`Bearer ${doomed.key}`);
  });
});
