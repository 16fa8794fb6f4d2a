import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { seedConnection } from '../public/seed.js';
import { expectError } from './expect-error.js';

describe('no secrets or personal data in logs or error bodies (security 27)', () => {
  let server: TestServer;
  let app: { appId: string; key: string; keyId: string };
  const secrets = {
    email: 'leak.check.person@example.com',
    displayName: 'Leaky McLeakface',
    metadataValue: 'metadata-value-9d8e7f',
    accessToken: 'access-token-plaintext-4c3b2a',
    refreshToken: 'refresh-token-plaintext-1a2b3c',
  };
  const errorBodies: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ MYPOSTSHARE_LOG_LEVEL: 'trace' });
    app = await server.createApp({ name: 'Leak check' });
  });
  afterAll(() => server.close());

  it('a full end-user session at trace level logs no key, Authorization header, admin token or body value', async () => {
    const upsert = await server.request('POST', '/api/v1/end-users', {
      token: app.key,
      body: {
        externalUserId: 'leak_user',
        displayName: secrets.displayName,
        email: secrets.email,
        metadata: { note: secrets.metadataValue },
      },
    });
    expect(upsert.status).toBe(200);
    await seedConnection(server, {
      appId: app.appId,
      endUserId: upsert.body.id,
      platform: 'linkedin',
      accessToken: secrets.accessToken,
      refreshToken: secrets.refreshToken,
    });
    expect((await server.request('GET', '/api/v1/end-users/leak_user', { token: app.key })).status).toBe(200);
    const connections = await server.request('GET', '/api/v1/end-users/leak_user/connections', {
      token: app.key,
    });
    expect(connections.status).toBe(200);
    expect(connections.text).not.toContain(secrets.accessToken);
    const disconnected = await server.request('DELETE', '/api/v1/end-users/leak_user/connections/linkedin', {
      token: app.key,
    });
    expect(disconnected.status).toBe(204);

    // Failures too: validation errors that echo nothing of the body, a refused body, 404s, bad keys.
    const failures = [
      await server.request('POST', '/api/v1/end-users', {
        token: app.key,
        body: {
          externalUserId: 'leak_user',
          email: `not-an-email ${secrets.email}`,
          unknown: secrets.metadataValue,
        },
      }),
      await server.request('POST', '/api/v1/end-users', {
        token: app.key,
        rawBody: `{"email": "${secrets.email}"`,
        headers: { 'Content-Type': 'application/json' },
      }),
      await server.request('GET', '/api/v1/end-users/nobody', { token: app.key }),
      await server.request('GET', '/api/v1/end-users/leak_user', { token: `${app.key}Z` }),
      await server.request('GET', '/api/v1/end-users/leak_user', {
        token: app.key.replace('mps_live_', 'mps_test_'),
      }),
      await server.request('GET', '/admin/v1/apps', { token: app.key }),
      await server.request('GET', '/admin/v1/apps', { token: `${server.adminToken}x` }),
    ];
    for (const failure of failures) {
      expect(failure.status).toBeGreaterThanOrEqual(400);
      errorBodies.push(failure.text);
    }
    expect((await server.admin('GET', `/admin/v1/apps/${app.appId}/end-users`)).status).toBe(200);

    const logs = server.logs.join('\n');
    // The logs are not empty: the requests above were logged, by id.
    expect(logs).toContain(upsert.headers.get('x-request-id')!);
    expect(logs).toContain(disconnected.headers.get('x-request-id')!);
    expect(logs).not.toContain(app.key);
    expect(logs).not.toContain(app.key.slice('mps_live_'.length));
    expect(logs).not.toContain(server.adminToken);
    expect(logs).not.toMatch(/authorization/i);
    expect(logs).not.toMatch(/Bearer /);
    for (const value of Object.values(secrets)) expect(logs).not.toContain(value);
  });

  it('no error body contains the key, the admin token or the submitted values', () => {
    expect(errorBodies.length).toBeGreaterThan(0);
    for (const body of errorBodies) {
      expect(body).not.toContain(app.key.slice('mps_live_'.length));
      expect(body).not.toContain(server.adminToken);
      expect(body).not.toContain(secrets.email);
      expect(body).not.toContain(secrets.metadataValue);
    }
  });

  it('a 401 for any credential never echoes the credential', async () => {
    const candidates = [
      app.key,
      `${app.key}extra`,
      'mps_live_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345',
      'not-a-key-but-a-long-secret-looking-string',
    ];
    await server.admin('DELETE', `/admin/v1/apps/${app.appId}/api-keys/${app.keyId}`);
    for (const credential of candidates) {
      const response = await server.request('GET', '/api/v1/end-users/leak_user', { token: credential });
      expectError(response, 401, 'unauthorized');
      expect(response.text).not.toContain(credential);
      expect([...response.headers.values()].join('\n')).not.toContain(credential);
    }
    expect(server.logs.join('\n')).not.toContain(app.key);
  });
});
