import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import {
  collectPages,
  createApp,
  detailFields,
  expectError,
  expectNewestFirst,
  ISO,
  MISSING_ID,
  readDatabaseFiles,
  sleep,
  UUID_V4,
} from './helpers.js';

const CREATED_FIELDS = ['createdAt', 'id', 'key', 'last4', 'name', 'prefix', 'revokedAt'];
const LISTED_FIELDS = ['createdAt', 'id', 'last4', 'name', 'prefix', 'revokedAt'];

describe('admin API: API keys', () => {
  let server: TestServer;
  /** Every key the tests were shown, for the at-rest check. */
  const issued: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  async function issue(appId: string, body: Record<string, unknown> = {}) {
    const response = await server.admin('POST', `/admin/v1/apps/${appId}/api-keys`, body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    issued.push(response.body.key);
    return response.body as {
      id: string;
      name: string | null;
      key: string;
      prefix: string;
      last4: string;
      createdAt: string;
      revokedAt: null;
    };
  }

  /** A public API call with this key; 200 when the key is live. */
  const callWith = (key: string, externalUserId = 'key_probe') =>
    server.request('POST', '/api/v1/end-users', { token: key, body: { externalUserId } });

  describe('POST /admin/v1/apps/:appId/api-keys', () => {
    it('issues an mps_live_ key for a live app: 201 {id, name, key, prefix, last4, createdAt}', async () => {
      const app = await createApp(server, { name: 'Live app' });
      const before = new Date().toISOString();
      const created = await issue(app.id, { name: 'Production backend' });
      expect(Object.keys(created).sort()).toEqual(CREATED_FIELDS);
      expect(created.id).toMatch(UUID_V4);
      expect(created.name).toBe('Production backend');
      expect(created.key).toMatch(/^mps_live_[A-Za-z0-9]{32}$/);
      expect(created.key.startsWith(created.prefix)).toBe(true);
      expect(created.prefix.startsWith('mps_live_')).toBe(true);
      expect(created.last4).toBe(created.key.slice(-4));
      expect(created.createdAt).toMatch(ISO);
      expect(created.createdAt >= before).toBe(true);
      expect(created.revokedAt).toBeNull();
      // What is listed (prefix, last four) leaves at least 128 random bits unknown.
      const hidden = created.key.length - created.prefix.length - created.last4.length;
      expect(hidden * Math.log2(62)).toBeGreaterThanOrEqual(128);
    });

    it('issues an mps_test_ key for a sandbox app', async () => {
      const app = await createApp(server, { name: 'Sandbox app', sandbox: true });
      const created = await issue(app.id, { name: 'dev' });
      expect(created.key).toMatch(/^mps_test_[A-Za-z0-9]{32}$/);
      expect(created.prefix.startsWith('mps_test_')).toBe(true);
      expect((await callWith(created.key)).status).toBe(200);
    });

    it('names are optional (null) and trimmed', async () => {
      const app = await createApp(server, { name: 'Names' });
      expect((await issue(app.id)).name).toBeNull();
      expect((await issue(app.id, { name: '  ci  ' })).name).toBe('ci');
      // A request with no body at all is a key without a name.
      const bare = await server.request('POST', `/admin/v1/apps/${app.id}/api-keys`, {
        token: server.adminToken,
      });
      expect(bare.status).toBe(201);
      issued.push(bare.body.key);
      expect(bare.body.name).toBeNull();
    });

    it('issues a key that works on the public API at once, for its own app', async () => {
      const app = await createApp(server, { name: 'Works' });
      const created = await issue(app.id);
      const response = await callWith(created.key, 'works_user');
      expect(response.status).toBe(200);
      const inventory = await server.admin('GET', `/admin/v1/apps/${app.id}/end-users`);
      expect(inventory.body.map((user: { externalUserId: string }) => user.externalUserId)).toEqual([
        'works_user',
      ]);
    });

    it('never issues the same key twice', async () => {
      const app = await createApp(server, { name: 'Many keys' });
      const keys = new Set<string>();
      const ids = new Set<string>();
      for (let index = 0; index < 20; index += 1) {
        const created = await issue(app.id);
        keys.add(created.key);
        ids.add(created.id);
      }
      expect(keys.size).toBe(20);
      expect(ids.size).toBe(20);
    });

    it.each([
      ['a name of the wrong type', { name: 5 }, ['name']],
      ['a blank name', { name: '   ' }, ['name']],
      ['a name over 100 characters', { name: 'k'.repeat(101) }, ['name']],
      ['an unknown field', { scopes: ['admin'] }, ['scopes']],
      ['a caller-chosen key', { key: 'mps_live_00000000000000000000000000000000' }, ['key']],
      [
        'several problems',
        { name: false, expiresAt: 'never', sandbox: true },
        ['expiresAt', 'name', 'sandbox'],
      ],
    ])(
      'refuses %s with 400 validation_error naming each field, nothing issued',
      async (_label, body, fields) => {
        const app = await createApp(server, { name: 'Validation' });
        const response = await server.admin('POST', `/admin/v1/apps/${app.id}/api-keys`, body);
        const error = expectError(response, 400, 'validation_error');
        expect(detailFields(error)).toEqual([...fields].sort());
        expect((await server.admin('GET', `/admin/v1/apps/${app.id}/api-keys`)).body).toEqual([]);
      },
    );

    it('answers 400 invalid_json for a malformed body', async () => {
      const app = await createApp(server, { name: 'Bad JSON' });
      const response = await server.request('POST', `/admin/v1/apps/${app.id}/api-keys`, {
        token: server.adminToken,
        rawBody: '{name: "x"}',
        headers: { 'Content-Type': 'application/json' },
      });
      expectError(response, 400, 'invalid_json');
      expect((await server.admin('GET', `/admin/v1/apps/${app.id}/api-keys`)).body).toEqual([]);
    });

    it('answers 404 for an unknown app, 400 for a malformed app id', async () => {
      expectError(await server.admin('POST', `/admin/v1/apps/${MISSING_ID}/api-keys`, {}), 404, 'not_found');
      const malformed = expectError(
        await server.admin('POST', '/admin/v1/apps/nope/api-keys', {}),
        400,
        'validation_error',
      );
      expect(detailFields(malformed)).toEqual(['appId']);
    });
  });

  describe('GET /admin/v1/apps/:appId/api-keys', () => {
    it('lists keys with prefix and last four only: never `key`, never the key text', async () => {
      const app = await createApp(server, { name: 'Listing' });
      const first = await issue(app.id, { name: 'first' });
      await sleep(3);
      const second = await issue(app.id, { name: 'second' });
      const response = await server.admin('GET', `/admin/v1/apps/${app.id}/api-keys`);
      expect(response.status).toBe(200);
      expect(response.body).toHaveLength(2);
      for (const listed of response.body) expect(Object.keys(listed).sort()).toEqual(LISTED_FIELDS);
      const text = JSON.stringify(response.body);
      expect(text).not.toContain(first.key);
      expect(text).not.toContain(second.key);
      expect(text).not.toContain('"key"');
      // Newest first, and matching what creation returned (minus the key).
      const { key: _k1, ...firstListed } = first;
      const { key: _k2, ...secondListed } = second;
      expect(response.body).toEqual([secondListed, firstListed]);
    });

    it("lists only this app's keys", async () => {
      const a = await createApp(server, { name: 'Tenant A' });
      const b = await createApp(server, { name: 'Tenant B' });
      const keyA = await issue(a.id);
      const keyB = await issue(b.id);
      const listA = await server.admin('GET', `/admin/v1/apps/${a.id}/api-keys`);
      expect(listA.body.map((key: { id: string }) => key.id)).toEqual([keyA.id]);
      const listB = await server.admin('GET', `/admin/v1/apps/${b.id}/api-keys`);
      expect(listB.body.map((key: { id: string }) => key.id)).toEqual([keyB.id]);
    });

    it('answers an empty array for an app without keys and 404 for an unknown app', async () => {
      const app = await createApp(server, { name: 'Keyless' });
      const empty = await server.admin('GET', `/admin/v1/apps/${app.id}/api-keys`);
      expect(empty.status).toBe(200);
      expect(empty.body).toEqual([]);
      expect(empty.headers.get('link')).toBeNull();
      expectError(await server.admin('GET', `/admin/v1/apps/${MISSING_ID}/api-keys`), 404, 'not_found');
    });

    it('paginates with Link rel="next": newest first, no duplicates, nothing missing', async () => {
      const app = await createApp(server, { name: 'Paged keys' });
      const created: string[] = [];
      for (let index = 0; index < 7; index += 1) {
        created.push((await issue(app.id, { name: `k${index}` })).id);
        await sleep(3);
      }
      const { items, pages } = await collectPages(server, `/admin/v1/apps/${app.id}/api-keys?limit=2`, 2);
      expect(pages.map((page) => page.length)).toEqual([2, 2, 2, 1]);
      expect(items.map((key: { id: string }) => key.id)).toEqual([...created].reverse());
      expectNewestFirst(items);
    });

    it('announces no next page when the last page is exactly full', async () => {
      const app = await createApp(server, { name: 'Exact pages' });
      for (let index = 0; index < 4; index += 1) await issue(app.id);
      const { pages } = await collectPages(server, `/admin/v1/apps/${app.id}/api-keys?limit=2`, 2);
      expect(pages.map((page) => page.length)).toEqual([2, 2]);
      const single = await server.admin('GET', `/admin/v1/apps/${app.id}/api-keys?limit=4`);
      expect(single.body).toHaveLength(4);
      expect(single.headers.get('link')).toBeNull();
    });

    it('refuses limit > 200 and a bogus cursor with 400', async () => {
      const app = await createApp(server, { name: 'Bad paging' });
      const tooMany = expectError(
        await server.admin('GET', `/admin/v1/apps/${app.id}/api-keys?limit=201`),
        400,
        'validation_error',
      );
      expect(detailFields(tooMany)).toEqual(['limit']);
      const bogus = expectError(
        await server.admin('GET', `/admin/v1/apps/${app.id}/api-keys?cursor=garbage`),
        400,
        'validation_error',
      );
      expect(detailFields(bogus)).toEqual(['cursor']);
    });
  });

  describe('DELETE /admin/v1/apps/:appId/api-keys/:keyId', () => {
    it('revokes: 204 empty, the next public request is 401, the list shows revokedAt', async () => {
      const app = await createApp(server, { name: 'Revoke' });
      const doomed = await issue(app.id, { name: 'doomed' });
      const kept = await issue(app.id, { name: 'kept' });
      expect((await callWith(doomed.key)).status).toBe(200);

      const response = await server.request('DELETE', `/admin/v1/apps/${app.id}/api-keys/${doomed.id}`, {
        token: server.adminToken,
      });
      expect(response.status).toBe(204);
      expect(response.text).toBe('');

      const refused = await callWith(doomed.key);
      const error = expectError(refused, 401, 'unauthorized');
      expect(JSON.stringify(error)).not.toContain(doomed.key);
      expectError(
        await server.request('GET', '/api/v1/end-users/key_probe', { token: doomed.key }),
        401,
        'unauthorized',
      );
      // The app's other key is unaffected.
      expect((await callWith(kept.key)).status).toBe(200);

      const list = await server.admin('GET', `/admin/v1/apps/${app.id}/api-keys`);
      const byId = new Map(list.body.map((key: { id: string }) => [key.id, key]));
      expect((byId.get(doomed.id) as { revokedAt: string }).revokedAt).toMatch(ISO);
      expect((byId.get(kept.id) as { revokedAt: null }).revokedAt).toBeNull();
    });

    it('is idempotent: revoking again is 204 and keeps the first revocation time', async () => {
      const app = await createApp(server, { name: 'Twice' });
      const key = await issue(app.id);
      expect((await server.admin('DELETE', `/admin/v1/apps/${app.id}/api-keys/${key.id}`)).status).toBe(204);
      const first = (await server.admin('GET', `/admin/v1/apps/${app.id}/api-keys`)).body[0].revokedAt;
      await sleep(5);
      expect((await server.admin('DELETE', `/admin/v1/apps/${app.id}/api-keys/${key.id}`)).status).toBe(204);
      const second = (await server.admin('GET', `/admin/v1/apps/${app.id}/api-keys`)).body[0].revokedAt;
      expect(second).toBe(first);
      expectError(await callWith(key.key), 401, 'unauthorized');
    });

    it("answers 404 for an unknown key, and for another app's key (which keeps working)", async () => {
      const a = await createApp(server, { name: 'Owner A' });
      const b = await createApp(server, { name: 'Owner B' });
      const keyB = await issue(b.id);
      expectError(
        await server.admin('DELETE', `/admin/v1/apps/${a.id}/api-keys/${MISSING_ID}`),
        404,
        'not_found',
      );
      expectError(
        await server.admin('DELETE', `/admin/v1/apps/${a.id}/api-keys/${keyB.id}`),
        404,
        'not_found',
      );
      expect((await callWith(keyB.key)).status).toBe(200);
      const listB = await server.admin('GET', `/admin/v1/apps/${b.id}/api-keys`);
      expect(listB.body[0].revokedAt).toBeNull();
    });

    it('answers 404 for an unknown app and 400 for a malformed key id', async () => {
      const app = await createApp(server, { name: 'Odd ids' });
      const key = await issue(app.id);
      expectError(
        await server.admin('DELETE', `/admin/v1/apps/${MISSING_ID}/api-keys/${key.id}`),
        404,
        'not_found',
      );
      const malformed = expectError(
        await server.admin('DELETE', `/admin/v1/apps/${app.id}/api-keys/${key.prefix}`),
        400,
        'validation_error',
      );
      expect(detailFields(malformed)).toEqual(['keyId']);
      expect((await callWith(key.key)).status).toBe(200);
    });

    it('refuses revoked keys with the same answer as unknown ones', async () => {
      const app = await createApp(server, { name: 'Same answer' });
      const key = await issue(app.id);
      await server.admin('DELETE', `/admin/v1/apps/${app.id}/api-keys/${key.id}`);
      const revoked = expectError(await callWith(key.key), 401, 'unauthorized');
      const unknown = expectError(
        await callWith(`${key.key.slice(0, -4)}${key.key.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`),
        401,
        'unauthorized',
      );
      expect(revoked.message).toBe(unknown.message);
    });
  });

  it('stores no API key in clear: neither the database file nor its WAL contains one (security 29)', async () => {
    const app = await createApp(server, { name: 'At rest marker app' });
    const fresh = await issue(app.id, { name: 'at-rest' });
    await callWith(fresh.key);
    const keys = [...issued, server.sandboxKey];
    expect(keys.length).toBeGreaterThanOrEqual(2);
    const stored = await readDatabaseFiles(server);
    // The search is meaningful: text that is stored in clear is found.
    expect(stored).toContain('At rest marker app');
    for (const key of keys) {
      expect(stored.includes(key), `key ${key.slice(0, 13)}… found in the database`).toBe(false);
      // Nor its secret part on its own.
      expect(stored.includes(key.slice(9))).toBe(false);
    }
  });
});
