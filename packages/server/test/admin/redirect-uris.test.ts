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
  sleep,
  UUID_V4,
} from './helpers.js';

const URI_FIELDS = ['createdAt', 'id', 'uri'];

describe('admin API: redirect URIs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const add = (appId: string, uri: unknown) =>
    server.admin('POST', `/admin/v1/apps/${appId}/redirect-uris`, { uri });
  const listUris = async (appId: string) => {
    const { items } = await collectPages(server, `/admin/v1/apps/${appId}/redirect-uris?limit=200`, 200);
    return items.map((item: { uri: string }) => item.uri);
  };

  describe('POST /admin/v1/apps/:appId/redirect-uris', () => {
    it('allowlists an https URI: 201 {id, uri, createdAt}', async () => {
      const app = await createApp(server, { name: 'Redirects' });
      const response = await add(app.id, 'https://app.example.com/oauth/done');
      expect(response.status).toBe(201);
      expect(Object.keys(response.body).sort()).toEqual(URI_FIELDS);
      expect(response.body.id).toMatch(UUID_V4);
      expect(response.body.uri).toBe('https://app.example.com/oauth/done');
      expect(response.body.createdAt).toMatch(ISO);
      expect(await listUris(app.id)).toEqual(['https://app.example.com/oauth/done']);
    });

    it.each([
      'http://localhost:3000/cb',
      'http://localhost/cb',
      'http://127.0.0.1:8080/callback',
      'http://[::1]:3000/cb',
      'https://localhost:8443/cb',
      'https://app.example.com/cb?source=mypostshare',
      'https://app.example.com:8443/deep/path/cb',
    ])('accepts %s', async (uri) => {
      const app = await createApp(server, { name: 'Accepts' });
      const response = await add(app.id, uri);
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body.uri).toBe(uri);
    });

    it('stores the canonical form: lower-case scheme and host, default port dropped', async () => {
      const app = await createApp(server, { name: 'Canonical' });
      const response = await add(app.id, 'HTTPS://App.Example.COM:443/Callback');
      expect(response.status).toBe(201);
      expect(response.body.uri).toBe('https://app.example.com/Callback');
      // The path keeps its case: it is a different URI.
      expect((await add(app.id, 'https://app.example.com/callback')).status).toBe(201);
    });

    it.each([
      ['http on a public host', 'http://example.com/cb'],
      ['http on a look-alike of localhost', 'http://localhost.evil.com/cb'],
      ['http on a loopback look-alike', 'http://127.0.0.1.nip.io/cb'],
      ['userinfo', 'https://user@example.com/cb'],
      ['userinfo with password', 'https://user:pass@example.com/cb'],
      ['userinfo hiding the real host', 'https://app.example.com@evil.com/cb'],
      ['a backslash before @', 'https://app.example.com\\@evil.com/cb'],
      ['a fragment', 'https://example.com/cb#frag'],
      ['an empty fragment', 'https://example.com/cb#'],
      ['a .. segment', 'https://example.com/cb/../admin'],
      ['a trailing .. segment', 'https://example.com/cb/..'],
      ['a . segment', 'https://example.com/./cb'],
      ['an encoded .. segment', 'https://example.com/cb/%2e%2e/admin'],
      ['an encoded slash', 'https://example.com/cb%2Fadmin'],
      ['a relative URI', '/oauth/callback'],
      ['no scheme', 'example.com/cb'],
      ['javascript:', 'javascript:alert(1)'],
      ['data:', 'data:text/html,<script>alert(1)</script>'],
      ['ftp:', 'ftp://example.com/cb'],
      ['a custom scheme', 'myapp://callback'],
      ['a space in the host', 'https://exa mple.com/cb'],
    ])('refuses %s with 400 validation_error on uri (nothing stored)', async (_label, uri) => {
      const app = await createApp(server, { name: 'Refuses' });
      const response = await add(app.id, uri);
      const error = expectError(response, 400, 'validation_error');
      expect(detailFields(error)).toEqual(['uri']);
      expect(await listUris(app.id)).toEqual([]);
    });

    it.each([
      ['a missing uri', {}, ['uri']],
      ['an empty uri', { uri: '' }, ['uri']],
      ['a uri of the wrong type', { uri: ['https://example.com/cb'] }, ['uri']],
      ['a uri over 2048 characters', { uri: `https://example.com/${'a'.repeat(2100)}` }, ['uri']],
      ['an unknown field', { uri: 'https://example.com/cb', prefixMatch: true }, ['prefixMatch']],
      ['several problems', { url: 'https://example.com/cb', note: 'x' }, ['note', 'uri', 'url']],
    ])('refuses %s with 400 naming each field', async (_label, body, fields) => {
      const app = await createApp(server, { name: 'Schema' });
      const response = await server.admin('POST', `/admin/v1/apps/${app.id}/redirect-uris`, body);
      const error = expectError(response, 400, 'validation_error');
      expect(detailFields(error)).toEqual([...fields].sort());
      expect(await listUris(app.id)).toEqual([]);
    });

    it('answers 400 invalid_json for a malformed body', async () => {
      const app = await createApp(server, { name: 'Bad JSON' });
      const response = await server.request('POST', `/admin/v1/apps/${app.id}/redirect-uris`, {
        token: server.adminToken,
        rawBody: '{"uri": "https://example.com/cb"',
        headers: { 'Content-Type': 'application/json' },
      });
      expectError(response, 400, 'invalid_json');
      expect(await listUris(app.id)).toEqual([]);
    });

    it('refuses a duplicate with 409 conflict, also when spelled differently', async () => {
      const app = await createApp(server, { name: 'Duplicates' });
      expect((await add(app.id, 'https://dup.example.com/cb')).status).toBe(201);
      expectError(await add(app.id, 'https://dup.example.com/cb'), 409, 'conflict');
      expectError(await add(app.id, 'https://DUP.example.com:443/cb'), 409, 'conflict');
      expect(await listUris(app.id)).toEqual(['https://dup.example.com/cb']);
    });

    it('answers concurrent duplicates with one 201 and 409s, never a 500', async () => {
      const app = await createApp(server, { name: 'Race' });
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => add(app.id, 'https://race.example.com/cb')),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      for (const response of responses.filter((r) => r.status === 409))
        expectError(response, 409, 'conflict');
      expect(await listUris(app.id)).toEqual(['https://race.example.com/cb']);
    });

    it('scopes the allowlist per app: the same URI may be added to two apps', async () => {
      const a = await createApp(server, { name: 'Scope A' });
      const b = await createApp(server, { name: 'Scope B' });
      expect((await add(a.id, 'https://shared.example.com/cb')).status).toBe(201);
      expect((await add(b.id, 'https://shared.example.com/cb')).status).toBe(201);
      expect((await add(a.id, 'https://only-a.example.com/cb')).status).toBe(201);
      expect(await listUris(b.id)).toEqual(['https://shared.example.com/cb']);
    });

    it('answers 404 for an unknown app', async () => {
      expectError(await add(MISSING_ID, 'https://example.com/cb'), 404, 'not_found');
    });
  });

  describe('GET /admin/v1/apps/:appId/redirect-uris', () => {
    it('lists newest first with exact shapes', async () => {
      const app = await createApp(server, { name: 'List' });
      const first = (await add(app.id, 'https://one.example.com/cb')).body;
      await sleep(3);
      const second = (await add(app.id, 'http://localhost:3000/cb')).body;
      const response = await server.admin('GET', `/admin/v1/apps/${app.id}/redirect-uris`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual([second, first]);
    });

    it('paginates with Link rel="next" until exhausted: newest first, no duplicates', async () => {
      const app = await createApp(server, { name: 'Paged' });
      const created: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        created.push((await add(app.id, `https://paged.example.com/cb/${index}`)).body.id);
        await sleep(3);
      }
      const { items, pages } = await collectPages(
        server,
        `/admin/v1/apps/${app.id}/redirect-uris?limit=2`,
        2,
      );
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(items.map((item: { id: string }) => item.id)).toEqual([...created].reverse());
      expectNewestFirst(items);
    });

    it('refuses limit > 200 and a bogus cursor; 404 for an unknown app', async () => {
      const app = await createApp(server, { name: 'Paging errors' });
      const limit = expectError(
        await server.admin('GET', `/admin/v1/apps/${app.id}/redirect-uris?limit=500`),
        400,
        'validation_error',
      );
      expect(detailFields(limit)).toEqual(['limit']);
      const cursor = expectError(
        await server.admin('GET', `/admin/v1/apps/${app.id}/redirect-uris?cursor=AAAA`),
        400,
        'validation_error',
      );
      expect(detailFields(cursor)).toEqual(['cursor']);
      expectError(await server.admin('GET', `/admin/v1/apps/${MISSING_ID}/redirect-uris`), 404, 'not_found');
    });
  });

  describe('DELETE /admin/v1/apps/:appId/redirect-uris/:id', () => {
    it('removes the URI: 204 empty, gone from the list, and it can be added again', async () => {
      const app = await createApp(server, { name: 'Remove' });
      const kept = (await add(app.id, 'https://kept.example.com/cb')).body;
      const removed = (await add(app.id, 'https://removed.example.com/cb')).body;
      const response = await server.request(
        'DELETE',
        `/admin/v1/apps/${app.id}/redirect-uris/${removed.id}`,
        {
          token: server.adminToken,
        },
      );
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect(await listUris(app.id)).toEqual([kept.uri]);
      expectError(
        await server.admin('DELETE', `/admin/v1/apps/${app.id}/redirect-uris/${removed.id}`),
        404,
        'not_found',
      );
      expect((await add(app.id, 'https://removed.example.com/cb')).status).toBe(201);
    });

    it("answers 404 for an unknown id and for another app's URI, which stays", async () => {
      const a = await createApp(server, { name: 'Remove A' });
      const b = await createApp(server, { name: 'Remove B' });
      const ofB = (await add(b.id, 'https://b.example.com/cb')).body;
      expectError(
        await server.admin('DELETE', `/admin/v1/apps/${a.id}/redirect-uris/${MISSING_ID}`),
        404,
        'not_found',
      );
      expectError(
        await server.admin('DELETE', `/admin/v1/apps/${a.id}/redirect-uris/${ofB.id}`),
        404,
        'not_found',
      );
      expectError(
        await server.admin('DELETE', `/admin/v1/apps/${MISSING_ID}/redirect-uris/${ofB.id}`),
        404,
        'not_found',
      );
      expect(await listUris(b.id)).toEqual(['https://b.example.com/cb']);
    });

    it('answers 400 naming the field for a malformed id', async () => {
      const app = await createApp(server, { name: 'Malformed' });
      const error = expectError(
        await server.admin('DELETE', `/admin/v1/apps/${app.id}/redirect-uris/not-an-id`),
        400,
        'validation_error',
      );
      expect(detailFields(error)).toEqual(['id']);
    });
  });
});
