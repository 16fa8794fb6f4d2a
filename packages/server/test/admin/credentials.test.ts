import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import {
  createApp,
  detailFields,
  expectError,
  ISO,
  MISSING_ID,
  readDatabaseFiles,
  sleep,
} from './helpers.js';

const PLATFORMS = ['linkedin', 'facebook', 'instagram', 'twitter', 'youtube'];
const MANAGED_FIELDS = ['callbackUrl', 'mode', 'platform', 'updatedAt'];
const CUSTOM_FIELDS = ['callbackUrl', 'clientId', 'mode', 'platform', 'updatedAt'];

/** A client secret no test could produce by accident. */
const newSecret = () => `cs_${randomBytes(24).toString('hex')}`;

describe('admin API: credentials', () => {
  let server: TestServer;
  /** Every client secret the tests sent, for the leak checks at the end. */
  const secrets: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const setCustom = (appId: string, platform: string, clientId: string, clientSecret = newSecret()) => {
    secrets.push(clientSecret);
    return server.admin('PUT', `/admin/v1/apps/${appId}/credentials/${platform}`, {
      mode: 'custom',
      clientId,
      clientSecret,
    });
  };
  const list = async (appId: string) => {
    const response = await server.admin('GET', `/admin/v1/apps/${appId}/credentials`);
    expect(response.status).toBe(200);
    return response.body as { platform: string; mode: string; clientId?: string; callbackUrl: string }[];
  };
  const callbackUrl = (platform: string) => `${server.baseUrl}/oauth/callback/${platform}`;

  describe('GET /admin/v1/apps/:appId/credentials', () => {
    it('lists all five platforms, managed by default, each with its fixed callback URL', async () => {
      const app = await createApp(server, { name: 'Defaults' });
      const response = await server.admin('GET', `/admin/v1/apps/${app.id}/credentials`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(
        PLATFORMS.map((platform) => ({
          platform,
          mode: 'managed',
          callbackUrl: callbackUrl(platform),
          updatedAt: null,
        })),
      );
      for (const entry of response.body) expect(Object.keys(entry).sort()).toEqual(MANAGED_FIELDS);
    });

    it('answers 404 for an unknown app and 400 for a malformed app id', async () => {
      expectError(await server.admin('GET', `/admin/v1/apps/${MISSING_ID}/credentials`), 404, 'not_found');
      const error = expectError(
        await server.admin('GET', '/admin/v1/apps/x/credentials'),
        400,
        'validation_error',
      );
      expect(detailFields(error)).toEqual(['appId']);
    });
  });

  describe('PUT /admin/v1/apps/:appId/credentials/:platform', () => {
    it('sets custom credentials: 200 {platform, mode, clientId, callbackUrl} without the secret', async () => {
      const app = await createApp(server, { name: 'Custom' });
      const secret = newSecret();
      const response = await setCustom(app.id, 'linkedin', 'li-client-123', secret);
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(CUSTOM_FIELDS);
      expect(response.body).toMatchObject({
        platform: 'linkedin',
        mode: 'custom',
        clientId: 'li-client-123',
        callbackUrl: callbackUrl('linkedin'),
      });
      expect(response.body.updatedAt).toMatch(ISO);
      expect(JSON.stringify(response.body)).not.toContain(secret);
      expect(JSON.stringify(response.headers)).not.toContain(secret);

      const listed = await list(app.id);
      expect(JSON.stringify(listed)).not.toContain(secret);
      expect(listed.find((entry) => entry.platform === 'linkedin')).toEqual(response.body);
      // The other four are still managed.
      expect(listed.filter((entry) => entry.mode === 'managed').map((entry) => entry.platform)).toEqual(
        PLATFORMS.filter((platform) => platform !== 'linkedin'),
      );
    });

    it.each(PLATFORMS)('accepts custom credentials for %s with its own callback URL', async (platform) => {
      const app = await createApp(server, { name: `Custom ${platform}` });
      const response = await setCustom(app.id, platform, `${platform}-client`);
      expect(response.status).toBe(200);
      expect(response.body.callbackUrl).toBe(callbackUrl(platform));
      expect(response.body.platform).toBe(platform);
    });

    it('replaces custom credentials: new clientId, later updatedAt, old values gone', async () => {
      const app = await createApp(server, { name: 'Replace' });
      const first = await setCustom(app.id, 'twitter', 'old-client');
      await sleep(5);
      const second = await setCustom(app.id, 'twitter', 'new-client');
      expect(second.status).toBe(200);
      expect(second.body.clientId).toBe('new-client');
      expect(second.body.updatedAt > first.body.updatedAt).toBe(true);
      const twitter = (await list(app.id)).find((entry) => entry.platform === 'twitter');
      expect(twitter).toMatchObject({ mode: 'custom', clientId: 'new-client' });
    });

    it('trims the client id', async () => {
      const app = await createApp(server, { name: 'Trim' });
      const response = await setCustom(app.id, 'youtube', '  yt-client  ');
      expect(response.body.clientId).toBe('yt-client');
    });

    it('sets a platform back to managed with {mode:"managed"}: no clientId', async () => {
      const app = await createApp(server, { name: 'Back to managed' });
      await setCustom(app.id, 'facebook', 'fb-client');
      const response = await server.admin('PUT', `/admin/v1/apps/${app.id}/credentials/facebook`, {
        mode: 'managed',
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        platform: 'facebook',
        mode: 'managed',
        callbackUrl: callbackUrl('facebook'),
      });
      expect(response.body).not.toHaveProperty('clientId');
      const facebook = (await list(app.id)).find((entry) => entry.platform === 'facebook');
      expect(facebook).toMatchObject({ mode: 'managed' });
      expect(facebook).not.toHaveProperty('clientId');
    });

    it.each([
      ['custom without clientSecret', { mode: 'custom', clientId: 'abc' }, ['clientSecret']],
      ['custom without clientId', { mode: 'custom', clientSecret: 'shh' }, ['clientId']],
      [
        'custom with an empty secret',
        { mode: 'custom', clientId: 'abc', clientSecret: '' },
        ['clientSecret'],
      ],
      [
        'custom with a blank clientId',
        { mode: 'custom', clientId: '   ', clientSecret: 'shh' },
        ['clientId'],
      ],
      [
        'a secret of the wrong type',
        { mode: 'custom', clientId: 'abc', clientSecret: 1234 },
        ['clientSecret'],
      ],
      [
        'a secret over 4096 characters',
        { mode: 'custom', clientId: 'abc', clientSecret: 's'.repeat(4097) },
        ['clientSecret'],
      ],
      ['managed with a clientId', { mode: 'managed', clientId: 'abc' }, ['clientId']],
      [
        'an unknown field',
        { mode: 'custom', clientId: 'abc', clientSecret: 'shh', scopes: 'all' },
        ['scopes'],
      ],
      ['a missing mode', { clientId: 'abc', clientSecret: 'shh' }, ['mode']],
      ['an unknown mode', { mode: 'shared' }, ['mode']],
    ])(
      'refuses %s with 400 validation_error naming the field, nothing stored',
      async (_label, body, fields) => {
        const app = await createApp(server, { name: 'Invalid credentials' });
        const response = await server.admin('PUT', `/admin/v1/apps/${app.id}/credentials/linkedin`, body);
        const error = expectError(response, 400, 'validation_error');
        expect(detailFields(error)).toEqual(fields);
        expect(JSON.stringify(response.body)).not.toContain('shh');
        expect((await list(app.id)).every((entry) => entry.mode === 'managed')).toBe(true);
      },
    );

    it('answers 400 invalid_json for a malformed body', async () => {
      const app = await createApp(server, { name: 'Bad JSON' });
      const response = await server.request('PUT', `/admin/v1/apps/${app.id}/credentials/linkedin`, {
        token: server.adminToken,
        rawBody: '{"mode":"custom","clientId":"a","clientSecret":',
        headers: { 'Content-Type': 'application/json' },
      });
      expectError(response, 400, 'invalid_json');
      expect((await list(app.id)).every((entry) => entry.mode === 'managed')).toBe(true);
    });

    it('refuses a body over 1 MB with 413 payload_too_large, stores nothing, keeps serving', async () => {
      const app = await createApp(server, { name: 'Oversized' });
      const secret = `huge_${newSecret()}_${'s'.repeat(1_100_000)}`;
      const response = await server.admin('PUT', `/admin/v1/apps/${app.id}/credentials/linkedin`, {
        mode: 'custom',
        clientId: 'huge-client',
        clientSecret: secret,
      });
      expectError(response, 413, 'payload_too_large');
      expect(JSON.stringify(response.body)).not.toContain(secret.slice(0, 40));
      expect((await list(app.id)).every((entry) => entry.mode === 'managed')).toBe(true);
      expect(await readDatabaseFiles(server)).not.toContain(secret.slice(0, 40));
    });

    it.each(['tiktok', 'LinkedIn', 'x', 'linkedin%20', 'linkedin.'])(
      'refuses the unknown platform %s with 400 naming platform',
      async (platform) => {
        const app = await createApp(server, { name: 'Unknown platform' });
        const response = await server.admin('PUT', `/admin/v1/apps/${app.id}/credentials/${platform}`, {
          mode: 'custom',
          clientId: 'abc',
          clientSecret: 'shh',
        });
        const error = expectError(response, 400, 'validation_error');
        expect(detailFields(error)).toEqual(['platform']);
        expect(await list(app.id)).toHaveLength(5);
      },
    );

    it('answers 404 for an unknown app', async () => {
      const response = await setCustom(MISSING_ID, 'linkedin', 'abc');
      expectError(response, 404, 'not_found');
    });

    it("keeps apps apart: one app's custom credentials never show on another", async () => {
      const a = await createApp(server, { name: 'Tenant A' });
      const b = await createApp(server, { name: 'Tenant B' });
      await setCustom(a.id, 'instagram', 'only-for-a');
      const listedB = await list(b.id);
      expect(listedB.every((entry) => entry.mode === 'managed')).toBe(true);
      expect(JSON.stringify(listedB)).not.toContain('only-for-a');
    });
  });

  describe('DELETE /admin/v1/apps/:appId/credentials/:platform', () => {
    it('returns the platform to managed: 204 empty', async () => {
      const app = await createApp(server, { name: 'Reset' });
      await setCustom(app.id, 'linkedin', 'li-client');
      await setCustom(app.id, 'youtube', 'yt-client');
      const response = await server.request('DELETE', `/admin/v1/apps/${app.id}/credentials/linkedin`, {
        token: server.adminToken,
      });
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      const listed = await list(app.id);
      expect(listed.find((entry) => entry.platform === 'linkedin')).toEqual({
        platform: 'linkedin',
        mode: 'managed',
        callbackUrl: callbackUrl('linkedin'),
        updatedAt: null,
      });
      // Only that platform changed.
      expect(listed.find((entry) => entry.platform === 'youtube')).toMatchObject({
        mode: 'custom',
        clientId: 'yt-client',
      });
    });

    it('is idempotent: resetting a managed platform is 204', async () => {
      const app = await createApp(server, { name: 'Reset twice' });
      expect((await server.admin('DELETE', `/admin/v1/apps/${app.id}/credentials/twitter`)).status).toBe(204);
      expect((await server.admin('DELETE', `/admin/v1/apps/${app.id}/credentials/twitter`)).status).toBe(204);
      expect((await list(app.id)).every((entry) => entry.mode === 'managed')).toBe(true);
    });

    it('answers 400 for an unknown platform and 404 for an unknown app', async () => {
      const app = await createApp(server, { name: 'Reset errors' });
      const error = expectError(
        await server.admin('DELETE', `/admin/v1/apps/${app.id}/credentials/myspace`),
        400,
        'validation_error',
      );
      expect(detailFields(error)).toEqual(['platform']);
      expectError(
        await server.admin('DELETE', `/admin/v1/apps/${MISSING_ID}/credentials/linkedin`),
        404,
        'not_found',
      );
    });

    it("does not reset another app's credentials", async () => {
      const a = await createApp(server, { name: 'Reset A' });
      const b = await createApp(server, { name: 'Reset B' });
      await setCustom(b.id, 'linkedin', 'b-client');
      expect((await server.admin('DELETE', `/admin/v1/apps/${a.id}/credentials/linkedin`)).status).toBe(204);
      expect((await list(b.id)).find((entry) => entry.platform === 'linkedin')).toMatchObject({
        mode: 'custom',
        clientId: 'b-client',
      });
    });
  });

  describe('callback URLs follow MYPOSTSHARE_PUBLIC_URL', () => {
    let other: TestServer;
    beforeAll(async () => {
      other = await startTestServer({ MYPOSTSHARE_PUBLIC_URL: 'https://posts.example.com' });
    });
    afterAll(() => other.close());

    it('lists <publicUrl>/oauth/callback/<platform>', async () => {
      const app = await createApp(other, { name: 'Public URL' });
      const response = await other.admin('GET', `/admin/v1/apps/${app.id}/credentials`);
      expect(response.body.map((entry: { callbackUrl: string }) => entry.callbackUrl)).toEqual(
        PLATFORMS.map((platform) => `https://posts.example.com/oauth/callback/${platform}`),
      );
    });
  });

  describe('client secrets at rest (security 20 and 23)', () => {
    it('encrypts each write with a fresh nonce: the same secret twice gives two different ciphertexts', async () => {
      const app = await createApp(server, { name: 'Nonces' });
      const secret = newSecret();
      await setCustom(app.id, 'linkedin', 'same', secret);
      await setCustom(app.id, 'facebook', 'same', secret);
      const rows = await server.started.database.db
        .selectFrom('app_credentials')
        .select(['platform', 'client_secret_enc'])
        .where('app_id', '=', app.id)
        .execute();
      expect(rows).toHaveLength(2);
      const [first, second] = rows.map((row) => row.client_secret_enc ?? '');
      expect(first).not.toBe(second);
      for (const value of [first, second]) {
        expect(value).not.toContain(secret);
        // Versioned, with the key id stored alongside the ciphertext.
        expect(value).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      }
    });

    it('drops the stored secret when a platform goes back to managed', async () => {
      const app = await createApp(server, { name: 'Drop secret' });
      await setCustom(app.id, 'twitter', 'tw');
      await server.admin('PUT', `/admin/v1/apps/${app.id}/credentials/twitter`, { mode: 'managed' });
      const row = await server.started.database.db
        .selectFrom('app_credentials')
        .select(['client_id', 'client_secret_enc'])
        .where('app_id', '=', app.id)
        .where('platform', '=', 'twitter')
        .executeTakeFirst();
      expect(row?.client_secret_enc ?? null).toBeNull();
      expect(row?.client_id ?? null).toBeNull();
    });

    it('neither the database file nor its WAL nor the server log contains any client secret', async () => {
      const app = await createApp(server, { name: 'At rest' });
      await setCustom(app.id, 'linkedin', 'marker-client-id-at-rest');
      expect(secrets.length).toBeGreaterThanOrEqual(1);
      const stored = await readDatabaseFiles(server);
      // The search is meaningful: the client id, stored in clear, is found.
      expect(stored).toContain('marker-client-id-at-rest');
      const logs = server.logs.join('');
      for (const secret of secrets) {
        expect(stored.includes(secret), 'client secret found in the database files').toBe(false);
        expect(logs.includes(secret), 'client secret found in the server log').toBe(false);
      }
    });
  });
});
