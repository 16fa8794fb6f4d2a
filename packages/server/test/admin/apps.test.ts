import http from 'node:http';
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

const APP_FIELDS = ['createdAt', 'id', 'name', 'sandbox', 'updatedAt'];

/** Sends a body by hand, optionally without Content-Length (chunked), and reads the answer. */
function rawPost(
  server: TestServer,
  route: string,
  body: Buffer,
  options: { chunked: boolean },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  return new Promise((resolve, reject) => {
    const url = new URL(route, server.baseUrl);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${server.adminToken}`,
      'Content-Type': 'application/json',
    };
    if (!options.chunked) headers['Content-Length'] = String(body.length);
    const request = http.request(url, { method: 'POST', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: text ? JSON.parse(text) : undefined,
        });
      });
      response.on('error', reject);
    });
    // The server may refuse and close before the whole body is sent; that is not a test failure.
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (options.chunked) {
      // Several writes without a length: the server has to count as it reads.
      const step = 64 * 1024;
      for (let offset = 0; offset < body.length; offset += step)
        request.write(body.subarray(offset, offset + step));
      request.end();
    } else {
      request.end(body);
    }
  });
}

describe('admin API: apps', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const appNames = async () => {
    const { items } = await collectPages(server, '/admin/v1/apps?limit=200', 200);
    return items.map((app: { name: string }) => app.name);
  };

  describe('POST /admin/v1/apps', () => {
    it('creates a live app: 201 {id, name, sandbox:false, createdAt, updatedAt}', async () => {
      const before = new Date().toISOString();
      const response = await server.admin('POST', '/admin/v1/apps', { name: 'Acme' });
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('x-request-id')).toMatch(/^\S{8,}$/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(Object.keys(response.body).sort()).toEqual(APP_FIELDS);
      expect(response.body).toMatchObject({ name: 'Acme', sandbox: false });
      expect(response.body.id).toMatch(UUID_V4);
      expect(response.body.createdAt).toMatch(ISO);
      expect(response.body.updatedAt).toBe(response.body.createdAt);
      expect(response.body.createdAt >= before).toBe(true);
      expect(response.body.createdAt <= new Date().toISOString()).toBe(true);
    });

    it('creates a sandbox app when asked', async () => {
      const response = await server.admin('POST', '/admin/v1/apps', { name: 'Playground', sandbox: true });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ name: 'Playground', sandbox: true });
      const fetched = await server.admin('GET', `/admin/v1/apps/${response.body.id}`);
      expect(fetched.body.sandbox).toBe(true);
    });

    it('accepts sandbox:false explicitly and trims the name', async () => {
      const response = await server.admin('POST', '/admin/v1/apps', { name: '  Trimmed  ', sandbox: false });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ name: 'Trimmed', sandbox: false });
    });

    it('gives every app its own id', async () => {
      const ids = new Set<string>();
      for (let index = 0; index < 5; index += 1) ids.add((await createApp(server, { name: `Twin` })).id);
      expect(ids.size).toBe(5);
    });

    it.each([
      ['a missing name', { sandbox: true }, ['name']],
      ['a name of the wrong type', { name: 42 }, ['name']],
      ['a null name', { name: null }, ['name']],
      ['a blank name', { name: '   ' }, ['name']],
      ['a name over 100 characters', { name: 'x'.repeat(101) }, ['name']],
      ['sandbox of the wrong type', { name: 'Typed', sandbox: 'yes' }, ['sandbox']],
      ['an unknown field', { name: 'Extra', owner: 'me' }, ['owner']],
      [
        'several problems at once',
        { sandbox: 1, owner: 'me', plan: 'pro' },
        ['name', 'owner', 'plan', 'sandbox'],
      ],
    ])('refuses %s: 400 validation_error naming each field, nothing stored', async (_label, body, fields) => {
      const before = await appNames();
      const response = await server.admin('POST', '/admin/v1/apps', body);
      const error = expectError(response, 400, 'validation_error');
      expect(detailFields(error)).toEqual([...fields].sort());
      for (const detail of error.details!) expect(detail.message.length).toBeGreaterThan(0);
      expect(await appNames()).toEqual(before);
    });

    it.each([
      ['an array', []],
      ['a string', 'Acme'],
      ['null', null],
      ['a number', 7],
    ])('refuses a body that is %s: 400 validation_error', async (_label, body) => {
      const response = await server.request('POST', '/admin/v1/apps', {
        token: server.adminToken,
        rawBody: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json' },
      });
      expectError(response, 400, 'validation_error');
    });

    it('refuses an empty body: name is required', async () => {
      const response = await server.request('POST', '/admin/v1/apps', { token: server.adminToken });
      const error = expectError(response, 400, 'validation_error');
      expect(detailFields(error)).toEqual(['name']);
    });

    it.each([
      ['truncated JSON', '{"name": "Broken"'],
      ['single quotes', "{'name': 'Broken'}"],
      ['a trailing comma', '{"name": "Broken",}'],
      ['plain text', 'name=Broken'],
    ])('answers 400 invalid_json for %s, nothing stored', async (_label, rawBody) => {
      const response = await server.request('POST', '/admin/v1/apps', {
        token: server.adminToken,
        rawBody,
        headers: { 'Content-Type': 'application/json' },
      });
      expectError(response, 400, 'invalid_json');
      expect(await appNames()).not.toContain('Broken');
    });

    it('refuses a non-JSON content type with 415 unsupported_media_type', async () => {
      const response = await server.request('POST', '/admin/v1/apps', {
        token: server.adminToken,
        rawBody: '{"name":"Text"}',
        headers: { 'Content-Type': 'text/plain' },
      });
      expectError(response, 415, 'unsupported_media_type');
    });

    it('refuses a body over 1 MB with 413 payload_too_large and keeps serving', async () => {
      const body = Buffer.from(JSON.stringify({ name: 'Huge', padding: 'x'.repeat(1_100_000) }));
      expect(body.length).toBeGreaterThan(1_048_576);
      for (const chunked of [false, true]) {
        const response = await rawPost(server, '/admin/v1/apps', body, { chunked });
        expect(response.status).toBe(413);
        expect(response.body.error.code).toBe('payload_too_large');
        expect(response.body.error.requestId).toBe(response.headers['x-request-id']);
      }
      // The same request through fetch (Content-Length declared).
      const viaFetch = await server.admin('POST', '/admin/v1/apps', {
        name: 'Huge',
        padding: 'x'.repeat(1_100_000),
      });
      expectError(viaFetch, 413, 'payload_too_large');
      // Still serving, and nothing was stored.
      const after = await server.admin('POST', '/admin/v1/apps', { name: 'After the big one' });
      expect(after.status).toBe(201);
      expect(await appNames()).not.toContain('Huge');
    });

    it('accepts a body just under the limit up to validation (400, not 413)', async () => {
      const response = await server.admin('POST', '/admin/v1/apps', {
        name: 'Big',
        padding: 'x'.repeat(1_000_000),
      });
      const error = expectError(response, 400, 'validation_error');
      expect(detailFields(error)).toEqual(['padding']);
    });
  });

  describe('GET /admin/v1/apps/:appId', () => {
    it('returns the app exactly as created', async () => {
      const created = await createApp(server, { name: 'Fetch me', sandbox: true });
      const response = await server.admin('GET', `/admin/v1/apps/${created.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(created);
    });

    it('answers 404 not_found for an unknown app', async () => {
      const response = await server.admin('GET', `/admin/v1/apps/${MISSING_ID}`);
      const error = expectError(response, 404, 'not_found');
      expect(error.message).toMatch(/app/i);
    });

    it.each([
      ['not-a-uuid'],
      ['..%2F..%2Fetc'],
      ['%00'],
      [`${MISSING_ID}%20`],
      ["1'%20OR%20'1'='1"],
      ['x'.repeat(300)],
    ])('answers a 4xx with the uniform body for the odd app id %s', async (id) => {
      const response = await server.admin('GET', `/admin/v1/apps/${id}`);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expectError(response, response.status, response.body.error.code);
    });

    it('answers 400 validation_error naming appId for an id that is not a UUID', async () => {
      const response = await server.admin('GET', '/admin/v1/apps/not-a-uuid');
      const error = expectError(response, 400, 'validation_error');
      expect(detailFields(error)).toEqual(['appId']);
    });
  });

  describe('PATCH /admin/v1/apps/:appId', () => {
    it('renames the app: 200 with the new name and a later updatedAt; sandbox and createdAt kept', async () => {
      const created = await createApp(server, { name: 'Old name', sandbox: true });
      await sleep(5);
      const response = await server.admin('PATCH', `/admin/v1/apps/${created.id}`, { name: 'New name' });
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(APP_FIELDS);
      expect(response.body).toMatchObject({
        id: created.id,
        name: 'New name',
        sandbox: true,
        createdAt: created.createdAt,
      });
      expect(response.body.updatedAt > created.updatedAt).toBe(true);
      const fetched = await server.admin('GET', `/admin/v1/apps/${created.id}`);
      expect(fetched.body).toEqual(response.body);
    });

    it('refuses changing sandbox (fixed at creation) with 400 naming the field', async () => {
      const created = await createApp(server, { name: 'Fixed' });
      const response = await server.admin('PATCH', `/admin/v1/apps/${created.id}`, {
        name: 'Fixed',
        sandbox: true,
      });
      const error = expectError(response, 400, 'validation_error');
      expect(detailFields(error)).toEqual(['sandbox']);
      expect((await server.admin('GET', `/admin/v1/apps/${created.id}`)).body).toEqual(created);
    });

    it('refuses an empty, blank or mistyped name', async () => {
      const created = await createApp(server, { name: 'Keep me' });
      for (const body of [{}, { name: '' }, { name: '  ' }, { name: ['x'] }]) {
        const response = await server.admin('PATCH', `/admin/v1/apps/${created.id}`, body);
        const error = expectError(response, 400, 'validation_error');
        expect(detailFields(error)).toEqual(['name']);
      }
      expect((await server.admin('GET', `/admin/v1/apps/${created.id}`)).body.name).toBe('Keep me');
    });

    it('answers 400 invalid_json for a malformed body', async () => {
      const created = await createApp(server, { name: 'Malformed' });
      const response = await server.request('PATCH', `/admin/v1/apps/${created.id}`, {
        token: server.adminToken,
        rawBody: '{"name":',
        headers: { 'Content-Type': 'application/json' },
      });
      expectError(response, 400, 'invalid_json');
    });

    it('answers 404 for an unknown app', async () => {
      const response = await server.admin('PATCH', `/admin/v1/apps/${MISSING_ID}`, { name: 'Ghost' });
      expectError(response, 404, 'not_found');
    });
  });

  describe('DELETE /admin/v1/apps/:appId', () => {
    it('deletes the app: 204 with an empty body, then 404 on get, patch and a second delete', async () => {
      const created = await createApp(server, { name: 'Doomed' });
      const response = await server.request('DELETE', `/admin/v1/apps/${created.id}`, {
        token: server.adminToken,
      });
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expectError(await server.admin('GET', `/admin/v1/apps/${created.id}`), 404, 'not_found');
      expectError(
        await server.admin('PATCH', `/admin/v1/apps/${created.id}`, { name: 'x' }),
        404,
        'not_found',
      );
      expectError(await server.admin('DELETE', `/admin/v1/apps/${created.id}`), 404, 'not_found');
      const { items } = await collectPages(server, '/admin/v1/apps?limit=200', 200);
      expect(items.map((app: { id: string }) => app.id)).not.toContain(created.id);
    });

    it('cascades: the app keys stop working (401), its sub-resources are 404, other apps are untouched', async () => {
      const doomed = await server.createApp({ name: 'Cascade' });
      const second = await server.admin('POST', `/admin/v1/apps/${doomed.appId}/api-keys`, {
        name: 'second',
      });
      const survivor = await server.createApp({ name: 'Survivor' });
      await server.admin('POST', `/admin/v1/apps/${doomed.appId}/redirect-uris`, {
        uri: 'https://cascade.example.com/cb',
      });
      await server.admin('PUT', `/admin/v1/apps/${doomed.appId}/credentials/linkedin`, {
        mode: 'custom',
        clientId: 'cascade-client',
        clientSecret: 'cascade-secret',
      });
      for (const key of [doomed.key, second.body.key]) {
        const ok = await server.request('POST', '/api/v1/end-users', {
          token: key,
          body: { externalUserId: 'u1' },
        });
        expect(ok.status).toBe(200);
      }

      expect((await server.admin('DELETE', `/admin/v1/apps/${doomed.appId}`)).status).toBe(204);

      for (const key of [doomed.key, second.body.key]) {
        const refused = await server.request('GET', '/api/v1/end-users/u1', { token: key });
        expectError(refused, 401, 'unauthorized');
      }
      for (const sub of ['api-keys', 'redirect-uris', 'credentials', 'logs', 'end-users']) {
        expectError(await server.admin('GET', `/admin/v1/apps/${doomed.appId}/${sub}`), 404, 'not_found');
      }
      const survivorCall = await server.request('POST', '/api/v1/end-users', {
        token: survivor.key,
        body: { externalUserId: 'u1' },
      });
      expect(survivorCall.status).toBe(200);
      expect((await server.admin('GET', `/admin/v1/apps/${survivor.appId}`)).status).toBe(200);
    });

    it('answers 404 for an unknown app', async () => {
      expectError(await server.admin('DELETE', `/admin/v1/apps/${MISSING_ID}`), 404, 'not_found');
    });
  });

  describe('GET /admin/v1/apps (list)', () => {
    it('lists apps as a bare array of app objects, including the first-run sandbox app', async () => {
      const response = await server.admin('GET', '/admin/v1/apps');
      expect(response.status).toBe(200);
      expect(Array.isArray(response.body)).toBe(true);
      for (const app of response.body) expect(Object.keys(app).sort()).toEqual(APP_FIELDS);
      expect(
        response.body.some(
          (app: { name: string; sandbox: boolean }) => app.name === 'Sandbox' && app.sandbox,
        ),
      ).toBe(true);
    });

    it('paginates with Link rel="next" until exhausted: newest first, every app once', async () => {
      const created: string[] = [];
      for (let index = 0; index < 7; index += 1) {
        created.push((await createApp(server, { name: `Paged ${index}` })).id);
        await sleep(3); // distinct creation times, so the expected order is unambiguous
      }
      const { items, pages, routes } = await collectPages(server, '/admin/v1/apps?limit=3', 3);
      const ids = items.map((app: { id: string }) => app.id);
      expect(new Set(ids).size).toBe(ids.length);
      expectNewestFirst(items);
      // The last seven created are the seven newest, in reverse order of creation.
      expect(ids.slice(0, 7)).toEqual([...created].reverse());
      // Same set as one big page.
      const whole = await server.admin('GET', '/admin/v1/apps?limit=200');
      expect(ids).toEqual(whole.body.map((app: { id: string }) => app.id));
      expect(pages.length).toBe(Math.ceil(whole.body.length / 3));
      // The next link keeps the page size.
      for (const route of routes.slice(1))
        expect(new URL(route, server.baseUrl).searchParams.get('limit')).toBe('3');
    });

    it('defaults to pages of 50', async () => {
      const { items } = await collectPages(server, '/admin/v1/apps?limit=200', 200);
      for (let index = items.length; index < 52; index += 1)
        await createApp(server, { name: `Filler ${index}` });
      const response = await server.admin('GET', '/admin/v1/apps');
      expect(response.body).toHaveLength(50);
      expect(response.headers.get('link')).toMatch(/rel="next"/);
    });

    it.each([
      ['limit=201', 'limit'],
      ['limit=0', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=2.5', 'limit'],
      ['limit=lots', 'limit'],
      ['cursor=bogus', 'cursor'],
      ['cursor=not%20a%20cursor', 'cursor'],
      [`cursor=${Buffer.from('{"a":1}').toString('base64url')}`, 'cursor'],
      ['sort=name', 'sort'],
    ])('refuses %s with 400 validation_error naming %s', async (query, field) => {
      const response = await server.admin('GET', `/admin/v1/apps?${query}`);
      const error = expectError(response, 400, 'validation_error');
      expect(detailFields(error)).toEqual([field]);
    });

    it('accepts limit=200', async () => {
      const response = await server.admin('GET', '/admin/v1/apps?limit=200');
      expect(response.status).toBe(200);
    });
  });

  it('answers 405 method_not_allowed for a method the route does not take', async () => {
    const response = await server.admin('PUT', '/admin/v1/apps', { name: 'Put' });
    expectError(response, 405, 'method_not_allowed');
  });
});
