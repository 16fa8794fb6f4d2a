import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { createApp, expectError, MISSING_ID } from './helpers.js';

/** Every admin route, with ids filled in by `ids` (existing ones, so only auth can refuse). */
const adminRoutes = (ids: { appId: string; keyId: string; uriId: string }): [string, string, unknown?][] => [
  ['POST', '/admin/v1/apps', { name: 'Should not exist' }],
  ['GET', '/admin/v1/apps'],
  ['GET', `/admin/v1/apps/${ids.appId}`],
  ['PATCH', `/admin/v1/apps/${ids.appId}`, { name: 'Should not be renamed' }],
  ['DELETE', `/admin/v1/apps/${ids.appId}`],
  ['POST', `/admin/v1/apps/${ids.appId}/api-keys`, {}],
  ['GET', `/admin/v1/apps/${ids.appId}/api-keys`],
  ['DELETE', `/admin/v1/apps/${ids.appId}/api-keys/${ids.keyId}`],
  ['POST', `/admin/v1/apps/${ids.appId}/redirect-uris`, { uri: 'https://unauth.example.com/cb' }],
  ['GET', `/admin/v1/apps/${ids.appId}/redirect-uris`],
  ['DELETE', `/admin/v1/apps/${ids.appId}/redirect-uris/${ids.uriId}`],
  [
    'PUT',
    `/admin/v1/apps/${ids.appId}/credentials/linkedin`,
    { mode: 'custom', clientId: 'x', clientSecret: 'y' },
  ],
  ['GET', `/admin/v1/apps/${ids.appId}/credentials`],
  ['DELETE', `/admin/v1/apps/${ids.appId}/credentials/linkedin`],
  ['GET', `/admin/v1/apps/${ids.appId}/logs`],
  ['GET', `/admin/v1/apps/${ids.appId}/end-users`],
];

describe('admin API authentication', () => {
  let server: TestServer;
  let ids: { appId: string; keyId: string; uriId: string };
  let liveKey: string;

  beforeAll(async () => {
    server = await startTestServer();
    const created = await server.createApp({ name: 'Auth target' });
    liveKey = created.key;
    const uri = await server.admin('POST', `/admin/v1/apps/${created.appId}/redirect-uris`, {
      uri: 'https://auth.example.com/cb',
    });
    expect(uri.status).toBe(201);
    ids = { appId: created.appId, keyId: created.keyId, uriId: uri.body.id };
  });
  afterAll(() => server.close());

  /** Nothing an unauthenticated request tried may have happened. */
  async function expectNothingChanged() {
    const app = await server.admin('GET', `/admin/v1/apps/${ids.appId}`);
    expect(app.status).toBe(200);
    expect(app.body.name).toBe('Auth target');
    const apps = await server.admin('GET', '/admin/v1/apps');
    expect(apps.body.map((a: { name: string }) => a.name)).not.toContain('Should not exist');
    const keys = await server.admin('GET', `/admin/v1/apps/${ids.appId}/api-keys`);
    expect(keys.body).toHaveLength(1);
    expect(keys.body[0].revokedAt).toBeNull();
    const uris = await server.admin('GET', `/admin/v1/apps/${ids.appId}/redirect-uris`);
    expect(uris.body.map((u: { uri: string }) => u.uri)).toEqual(['https://auth.example.com/cb']);
    const credentials = await server.admin('GET', `/admin/v1/apps/${ids.appId}/credentials`);
    expect(credentials.body.every((c: { mode: string }) => c.mode === 'managed')).toBe(true);
    // The live key still works: it was neither revoked nor cascaded away.
    const publicCall = await server.request('POST', '/api/v1/end-users', {
      token: liveKey,
      body: { externalUserId: 'still_works' },
    });
    expect(publicCall.status).toBe(200);
  }

  it('refuses every admin route without an Authorization header (401, WWW-Authenticate: Bearer)', async () => {
    for (const [method, route, body] of adminRoutes(ids)) {
      const response = await server.request(method, route, { body });
      const error = expectError(response, 401, 'unauthorized');
      expect(response.headers.get('www-authenticate'), `${method} ${route}`).toMatch(/^Bearer/);
      expect(error.message).toMatch(/admin token/i);
    }
    await expectNothingChanged();
  });

  it('refuses every admin route with a wrong token', async () => {
    for (const [method, route, body] of adminRoutes(ids)) {
      const response = await server.request(method, route, { token: 'mps_admin_wrong', body });
      expectError(response, 401, 'unauthorized');
    }
    await expectNothingChanged();
  });

  it("refuses an app's API key (live or sandbox) used as the admin token", async () => {
    for (const key of [liveKey, server.sandboxKey]) {
      expect(key).toMatch(/^mps_(live|test)_/);
      for (const [method, route, body] of adminRoutes(ids)) {
        const response = await server.request(method, route, { token: key, body });
        expectError(response, 401, 'unauthorized');
        // The refused credential is not echoed back.
        expect(JSON.stringify(response.body)).not.toContain(key);
      }
    }
    await expectNothingChanged();
  });

  it('refuses near misses of the admin token: truncated, extended, other case, other scheme', async () => {
    const token = server.adminToken;
    const attempts: Record<string, string>[] = [
      { Authorization: `Bearer ${token.slice(0, -1)}` },
      { Authorization: `Bearer ${token}x` },
      { Authorization: `Bearer ${token.toUpperCase()}` },
      { Authorization: `Basic ${Buffer.from(`admin:${token}`).toString('base64')}` },
      { Authorization: token },
      { Authorization: 'Bearer' },
      { Authorization: 'Bearer ' },
      { Authorization: `Bearer ${token} extra` },
      { 'X-Admin-Token': token },
    ];
    for (const headers of attempts) {
      const response = await server.request('GET', '/admin/v1/apps', { headers });
      expectError(response, 401, 'unauthorized');
      expect(JSON.stringify(response.body)).not.toContain(token);
    }
  });

  it('does not accept the admin token in the query string', async () => {
    const response = await server.request('GET', `/admin/v1/apps?token=${server.adminToken}`);
    expectError(response, 401, 'unauthorized');
  });

  it('checks the token before reading the body: invalid JSON without a token is 401, not 400', async () => {
    const response = await server.request('POST', '/admin/v1/apps', {
      rawBody: '{"name": ',
      headers: { 'Content-Type': 'application/json' },
    });
    expectError(response, 401, 'unauthorized');
  });

  it('accepts the admin token with the scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const response = await server.request('GET', '/admin/v1/apps', {
        headers: { Authorization: `${scheme} ${server.adminToken}` },
      });
      expect(response.status).toBe(200);
    }
  });

  it('does not let the admin token call the public API', async () => {
    const response = await server.request('POST', '/api/v1/end-users', {
      token: server.adminToken,
      body: { externalUserId: 'admin_is_not_an_app' },
    });
    expectError(response, 401, 'unauthorized');
    expect(JSON.stringify(response.body)).not.toContain(server.adminToken);
  });

  it('answers 404 (authenticated) for an unknown app id on every per-app route', async () => {
    const missing = { appId: MISSING_ID, keyId: MISSING_ID, uriId: MISSING_ID };
    for (const [method, route, body] of adminRoutes(missing).filter(
      ([, route]) => route !== '/admin/v1/apps',
    )) {
      const response = await server.admin(method, route, body);
      expectError(response, 404, 'not_found');
    }
  });

  it('stores the generated admin token in the data directory with mode 0600', () => {
    const file = path.join(server.dataDir, 'admin-token');
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(server.adminToken);
    expect(server.adminToken).toMatch(/^mps_admin_[A-Za-z0-9]{40}$/);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('never writes the admin token or an API key to the server log', () => {
    const logs = server.logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(server.adminToken);
    expect(logs).not.toContain(liveKey);
    expect(logs).not.toContain(server.sandboxKey);
  });
});

describe('admin API with MYPOSTSHARE_ADMIN_TOKEN set', () => {
  const configured = 'configured-admin-token-0123456789abcdef';
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ MYPOSTSHARE_ADMIN_TOKEN: configured });
  });
  afterAll(() => server.close());

  it('accepts the configured token and generates no token file', async () => {
    expect(server.adminToken).toBe(configured);
    const app = await createApp(server, { name: 'Configured' });
    const response = await server.request('GET', `/admin/v1/apps/${app.id}`, { token: configured });
    expect(response.status).toBe(200);
    expect(fs.existsSync(path.join(server.dataDir, 'admin-token'))).toBe(false);
  });

  it('refuses any other token', async () => {
    const response = await server.request('GET', '/admin/v1/apps', { token: 'mps_admin_something_else' });
    expectError(response, 401, 'unauthorized');
  });
});
