import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { detailFields, expectError, sleep } from '../http/expect-error.js';
import { seedConnection } from './seed.js';

const run = promisify(execFile);

/** The reference's upsert example body, byte for byte as its `curl -d '...'` sends it. */
const REFERENCE_UPSERT_BODY = `{
    "externalUserId": "user_123",
    "displayName": "Alex Morgan",
    "email": "alex@example.com",
    "metadata": { "plan": "pro", "source": "web-app" }
  }`;

/** The reference's cURL example for the upsert, verbatim. */
const REFERENCE_UPSERT_CURL = `curl -X POST "https://mypostshare.com/api/v1/end-users" \\
  -H "Authorization: Bearer YOUR_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '${REFERENCE_UPSERT_BODY}'`;

/** The reference's cURL example for getting an end user, verbatim. */
const REFERENCE_GET_CURL = `curl -X GET "https://mypostshare.com/api/v1/end-users/user_123" \\
  -H "Authorization: Bearer YOUR_API_KEY"`;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('public API: end users, as the reference documents them', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  /** Only the host and the key of a reference example change. */
  const substitute = (example: string, key: string) =>
    example
      .replaceAll('https://mypostshare.com/api', `${server.baseUrl}/api`)
      .replaceAll('YOUR_API_KEY', key);

  describe('the reference cURL examples, sent verbatim', () => {
    let key: string;
    beforeAll(async () => {
      ({ key } = await server.createApp({ name: 'Reference examples' }));
    });

    it('POST /v1/end-users answers 200 with exactly the reference fields', async () => {
      const response = await server.request('POST', '/api/v1/end-users', {
        rawBody: REFERENCE_UPSERT_BODY,
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      });
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(
        ['createdAt', 'displayName', 'email', 'externalUserId', 'id', 'metadata', 'updatedAt'].sort(),
      );
      expect(response.body).toMatchObject({
        externalUserId: 'user_123',
        displayName: 'Alex Morgan',
        email: 'alex@example.com',
        metadata: { plan: 'pro', source: 'web-app' },
      });
      expect(response.body.id).toMatch(UUID_V4);
      expect(response.body.createdAt).toMatch(ISO);
      expect(response.body.updatedAt).toMatch(ISO);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    });

    it('GET /v1/end-users/:externalUserId includes connectionSummary {total, connected, failed}', async () => {
      const response = await server.request('GET', '/api/v1/end-users/user_123', {
        headers: { Authorization: `Bearer ${key}` },
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        externalUserId: 'user_123',
        displayName: 'Alex Morgan',
        email: 'alex@example.com',
        connectionSummary: { total: 0, connected: 0, failed: 0 },
      });
      expect(response.body.id).toMatch(UUID_V4);
      for (const field of ['total', 'connected', 'failed']) {
        expect(Number.isInteger(response.body.connectionSummary[field])).toBe(true);
      }
    });

    it('GET /v1/end-users/:externalUserId/connections answers an array', async () => {
      const response = await server.request('GET', '/api/v1/end-users/user_123/connections', {
        headers: { Authorization: `Bearer ${key}` },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual([]);
    });

    it('DELETE /v1/end-users/:externalUserId/connections/:platform answers 204 with an empty body', async () => {
      const { appId, key: otherKey } = await server.createApp({ name: 'Reference disconnect' });
      const user = await server.request('POST', '/api/v1/end-users', {
        rawBody: REFERENCE_UPSERT_BODY,
        headers: { Authorization: `Bearer ${otherKey}`, 'Content-Type': 'application/json' },
      });
      await seedConnection(server, {
        appId,
        endUserId: user.body.id,
        platform: 'linkedin',
        remoteAccountId: 'H8a9UFibz4',
        remoteUsername: 'ALEX_MORGAN',
      });
      const response = await server.request('DELETE', '/api/v1/end-users/user_123/connections/linkedin', {
        headers: { Authorization: `Bearer ${otherKey}` },
      });
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect(response.headers.get('x-request-id')).toMatch(/\S/);
    });

    it('a real curl process runs the reference upsert and get examples with only host and key changed', async () => {
      const { key: curlKey } = await server.createApp({ name: 'curl' });
      // Output options only (status on the last line); the request itself is the reference's.
      const upsert = await run('sh', [
        '-c',
        `${substitute(REFERENCE_UPSERT_CURL, curlKey)} -sS -w '\\n%{http_code}'`,
      ]);
      const [upsertBody, upsertStatus] = splitStatus(upsert.stdout);
      expect(upsertStatus).toBe(200);
      expect(JSON.parse(upsertBody)).toMatchObject({
        externalUserId: 'user_123',
        displayName: 'Alex Morgan',
        email: 'alex@example.com',
        metadata: { plan: 'pro', source: 'web-app' },
      });

      const get = await run('sh', [
        '-c',
        `${substitute(REFERENCE_GET_CURL, curlKey)} -sS -w '\\n%{http_code}'`,
      ]);
      const [getBody, getStatus] = splitStatus(get.stdout);
      expect(getStatus).toBe(200);
      expect(JSON.parse(getBody)).toMatchObject({
        id: JSON.parse(upsertBody).id,
        externalUserId: 'user_123',
        connectionSummary: { total: 0, connected: 0, failed: 0 },
      });
    });
  });

  it('curl -d without a Content-Type header (form-urlencoded by default) still upserts the JSON body', async () => {
    const { key } = await server.createApp({ name: 'curl default type' });
    const command = `curl -X POST "${server.baseUrl}/api/v1/end-users" -H "Authorization: Bearer ${key}" -d '{"externalUserId": "no_header"}' -sS -w '\\n%{http_code}'`;
    const [body, status] = splitStatus((await run('sh', ['-c', command])).stdout);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ externalUserId: 'no_header' });
  });

  describe('upsert semantics', () => {
    it('a second upsert with only displayName keeps email and metadata; id and createdAt stay, updatedAt moves', async () => {
      const { key } = await server.createApp();
      const first = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: {
          externalUserId: 'u1',
          displayName: 'First',
          email: 'first@example.com',
          metadata: { plan: 'pro' },
        },
      });
      expect(first.status).toBe(200);
      await sleep(15);
      const second = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: { externalUserId: 'u1', displayName: 'Second' },
      });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({
        id: first.body.id,
        externalUserId: 'u1',
        displayName: 'Second',
        email: 'first@example.com',
        metadata: { plan: 'pro' },
        createdAt: first.body.createdAt,
      });
      expect(second.body.updatedAt).not.toBe(first.body.updatedAt);
      expect(Date.parse(second.body.updatedAt)).toBeGreaterThan(Date.parse(first.body.updatedAt));

      // And it is what is stored, not only what was answered.
      const stored = await server.request('GET', '/api/v1/end-users/u1', { token: key });
      expect(stored.body).toMatchObject({
        id: first.body.id,
        displayName: 'Second',
        email: 'first@example.com',
        metadata: { plan: 'pro' },
        createdAt: first.body.createdAt,
        updatedAt: second.body.updatedAt,
      });
    });

    it('an upsert with only externalUserId changes nothing and still answers 200 with the stored user', async () => {
      const { key } = await server.createApp();
      const first = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: { externalUserId: 'same', displayName: 'Kept', email: 'kept@example.com', metadata: { a: 1 } },
      });
      await sleep(5);
      const again = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: { externalUserId: 'same' },
      });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
    });

    it('metadata given in an update replaces the stored metadata; null clears displayName and email', async () => {
      const { key } = await server.createApp();
      await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: { externalUserId: 'm', displayName: 'D', email: 'm@example.com', metadata: { a: 1, b: 2 } },
      });
      const updated = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: { externalUserId: 'm', displayName: null, email: null, metadata: { c: 3 } },
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ displayName: null, email: null, metadata: { c: 3 } });
    });

    it('concurrent upserts of one new externalUserId create exactly one user', async () => {
      const { appId, key } = await server.createApp();
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, index) =>
          server.request('POST', '/api/v1/end-users', {
            token: key,
            body: { externalUserId: 'racer', displayName: `Racer ${index}` },
          }),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(12).fill(200));
      expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
      const inventory = await server.admin('GET', `/admin/v1/apps/${appId}/end-users`);
      expect(inventory.body).toHaveLength(1);
    });

    it('a new end user without optional fields answers null fields and empty metadata', async () => {
      const { key } = await server.createApp();
      const created = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: { externalUserId: 'bare' },
      });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({
        externalUserId: 'bare',
        displayName: null,
        email: null,
        metadata: {},
      });
      expect(created.body.createdAt).toBe(created.body.updatedAt);
    });

    it('externalUserId with spaces, unicode and URL-reserved characters round-trips through the path', async () => {
      const { key } = await server.createApp();
      const externalUserId = 'user 42/ä@example?#%';
      const created = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: { externalUserId },
      });
      expect(created.status).toBe(200);
      const fetched = await server.request('GET', `/api/v1/end-users/${encodeURIComponent(externalUserId)}`, {
        token: key,
      });
      expect(fetched.status).toBe(200);
      expect(fetched.body.externalUserId).toBe(externalUserId);
      expect(fetched.body.id).toBe(created.body.id);
    });

    it('an unknown end user is 404 not_found on get, connections and disconnect', async () => {
      const { key } = await server.createApp();
      for (const [method, route] of [
        ['GET', '/api/v1/end-users/nobody'],
        ['GET', '/api/v1/end-users/nobody/connections'],
        ['DELETE', '/api/v1/end-users/nobody/connections/linkedin'],
      ] as const) {
        expectError(await server.request(method, route, { token: key }), 404, 'not_found');
      }
    });
  });

  describe('tenancy (security 18)', () => {
    it('the same externalUserId in two apps is two separate users', async () => {
      const a = await server.createApp({ name: 'A' });
      const b = await server.createApp({ name: 'B' });
      const inA = await server.request('POST', '/api/v1/end-users', {
        token: a.key,
        body: { externalUserId: 'shared_id', displayName: 'In A', email: 'a@example.com' },
      });
      const inB = await server.request('POST', '/api/v1/end-users', {
        token: b.key,
        body: { externalUserId: 'shared_id', displayName: 'In B' },
      });
      expect(inA.status).toBe(200);
      expect(inB.status).toBe(200);
      expect(inB.body.id).not.toBe(inA.body.id);
      // B's upsert neither updated A's user nor inherited A's fields.
      expect(inB.body.email).toBeNull();
      expect(inB.body.createdAt).not.toBeUndefined();
      const fromA = await server.request('GET', '/api/v1/end-users/shared_id', { token: a.key });
      const fromB = await server.request('GET', '/api/v1/end-users/shared_id', { token: b.key });
      expect(fromA.body).toMatchObject({ id: inA.body.id, displayName: 'In A', email: 'a@example.com' });
      expect(fromB.body).toMatchObject({ id: inB.body.id, displayName: 'In B', email: null });

      // And the operator's inventory of each app lists only its own user.
      const listA = await server.admin('GET', `/admin/v1/apps/${a.appId}/end-users`);
      const listB = await server.admin('GET', `/admin/v1/apps/${b.appId}/end-users`);
      expect(listA.body.map((user: { id: string }) => user.id)).toEqual([inA.body.id]);
      expect(listB.body.map((user: { id: string }) => user.id)).toEqual([inB.body.id]);
    });

    it("app B's key on app A's user is 404 for get, connections and disconnect", async () => {
      const a = await server.createApp({ name: 'A' });
      const b = await server.createApp({ name: 'B' });
      await server.request('POST', '/api/v1/end-users', {
        token: a.key,
        body: { externalUserId: 'only_in_a', email: 'private@example.com' },
      });
      for (const [method, route] of [
        ['GET', '/api/v1/end-users/only_in_a'],
        ['GET', '/api/v1/end-users/only_in_a/connections'],
        ['DELETE', '/api/v1/end-users/only_in_a/connections/linkedin'],
      ] as const) {
        const response = await server.request(method, route, { token: b.key });
        const error = expectError(response, 404, 'not_found');
        expect(response.text).not.toContain('private@example.com');
        expect(error.details).toBeUndefined();
      }
      // A still sees its user.
      expect((await server.request('GET', '/api/v1/end-users/only_in_a', { token: a.key })).status).toBe(200);
    });
  });

  describe('validation of the upsert body names each field', () => {
    it('missing externalUserId', async () => {
      const { key } = await server.createApp();
      const error = expectError(
        await server.request('POST', '/api/v1/end-users', { token: key, body: { displayName: 'No id' } }),
        400,
        'validation_error',
      );
      expect(detailFields(error)).toEqual(['externalUserId']);
    });
  });
});

function splitStatus(stdout: string): [string, number] {
  const cut = stdout.lastIndexOf('\n');
  return [stdout.slice(0, cut), Number(stdout.slice(cut + 1))];
}
