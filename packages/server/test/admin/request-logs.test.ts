import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestServer, type TestServer } from '../harness.js';
import {
  collectPages,
  detailFields,
  expectError,
  expectNewestFirst,
  ISO,
  MISSING_ID,
  nextLink,
  sleep,
  UUID,
} from './helpers.js';

const ENTRY_FIELDS = ['createdAt', 'durationMs', 'id', 'keyPrefix', 'method', 'path', 'requestId', 'status'];

interface LogEntry {
  id: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  requestId: string;
  keyPrefix: string | null;
  createdAt: string;
}

describe('admin API: request logs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  /** An app with a key, and that key's listed prefix. */
  async function appWithKey(name: string) {
    const created = await server.createApp({ name });
    const keys = await server.admin('GET', `/admin/v1/apps/${created.appId}/api-keys`);
    return { ...created, prefix: keys.body[0].prefix as string };
  }

  /** A public call; returns what the log entry should say about it. */
  async function call(key: string, method: string, route: string, body?: unknown) {
    const response = await server.request(method, route, { token: key, body });
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    return {
      method,
      path: new URL(route, server.baseUrl).pathname,
      status: response.status,
      requestId: requestId!,
    };
  }

  /** Reads the whole log of an app (every page). */
  async function readLog(appId: string, query = '') {
    const { items } = await collectPages(server, `/admin/v1/apps/${appId}/logs?limit=200${query}`, 200);
    return items as LogEntry[];
  }

  /** Waits (at most the second DESIGN.md promises) until the log holds every one of `requestIds`. */
  const logShows = (appId: string, requestIds: string[], query = '') =>
    eventually(async () => {
      const entries = await readLog(appId, query);
      const seen = new Set(entries.map((entry) => entry.requestId));
      for (const requestId of requestIds)
        expect(seen.has(requestId), `${requestId} not logged yet`).toBe(true);
      return entries;
    }, 1000);

  it('shows public API calls within a second with method, path, status, durationMs, requestId, keyPrefix', async () => {
    const app = await appWithKey('Logged');
    const calls = [
      await call(app.key, 'POST', '/api/v1/end-users', { externalUserId: 'logged_user' }),
      await call(app.key, 'GET', '/api/v1/end-users/logged_user'),
      await call(app.key, 'GET', '/api/v1/end-users/nobody_here'),
      await call(app.key, 'POST', '/api/v1/end-users', { externalUserId: 42 }),
      await call(app.key, 'GET', '/api/v1/end-users/logged_user/connections'),
    ];
    expect(calls.map((c) => c.status)).toEqual([200, 200, 404, 400, 200]);

    const entries = await logShows(
      app.appId,
      calls.map((c) => c.requestId),
    );
    expect(entries).toHaveLength(calls.length);
    for (const entry of entries) {
      expect(Object.keys(entry).sort()).toEqual(ENTRY_FIELDS);
      expect(entry.id).toMatch(UUID);
      expect(entry.createdAt).toMatch(ISO);
      expect(typeof entry.durationMs).toBe('number');
      expect(entry.durationMs).toBeGreaterThanOrEqual(0);
      expect(entry.durationMs).toBeLessThan(10_000);
      expect(entry.keyPrefix).toBe(app.prefix);
    }
    const byRequest = new Map(entries.map((entry) => [entry.requestId, entry]));
    for (const expected of calls) {
      expect(byRequest.get(expected.requestId)).toMatchObject({
        method: expected.method,
        path: expected.path,
        status: expected.status,
      });
    }
  });

  it('lists newest first: the reverse of the order the calls were made', async () => {
    const app = await appWithKey('Ordered');
    const requestIds: string[] = [];
    for (let index = 0; index < 12; index += 1) {
      requestIds.push((await call(app.key, 'GET', `/api/v1/end-users/ordered_${index}`)).requestId);
    }
    const entries = await logShows(app.appId, requestIds);
    expectNewestFirst(entries);
    expect(entries.map((entry) => entry.requestId)).toEqual([...requestIds].reverse());
    expect(entries.map((entry) => entry.path)).toEqual(
      requestIds.map((_id, index) => `/api/v1/end-users/ordered_${index}`).reverse(),
    );
  });

  describe('requests within the same millisecond', () => {
    let frozen: TestServer;
    beforeAll(async () => {
      // A clock that does not move: every entry gets the same timestamp, as under heavy load.
      const instant = new Date();
      frozen = await startTestServer({}, { clock: { now: () => new Date(instant) } });
    });
    afterAll(() => frozen.close());

    it('still lists newest first, in the reverse of the order they were made', async () => {
      const { appId, key } = await frozen.createApp({ name: 'Burst' });
      const requestIds: string[] = [];
      for (let index = 0; index < 12; index += 1) {
        const response = await frozen.request('GET', `/api/v1/end-users/burst_${index}`, { token: key });
        requestIds.push(response.headers.get('x-request-id')!);
      }
      const entries = await eventually(async () => {
        const response = await frozen.admin('GET', `/admin/v1/apps/${appId}/logs`);
        expect(response.body).toHaveLength(12);
        return response.body as LogEntry[];
      }, 1000);
      expect(new Set(entries.map((entry) => entry.createdAt)).size).toBe(1);
      expect(entries.map((entry) => entry.requestId)).toEqual([...requestIds].reverse());
      // And page by page too.
      const { items } = await collectPages(frozen, `/admin/v1/apps/${appId}/logs?limit=5`, 5);
      expect(items.map((entry: LogEntry) => entry.requestId)).toEqual([...requestIds].reverse());
    });
  });

  it('never records the query string, the body, or the key', async () => {
    const app = await appWithKey('Private');
    const calls = [
      await call(app.key, 'POST', '/api/v1/end-users?code=QUERY_CODE_marker&state=QUERY_STATE_marker', {
        externalUserId: 'private_user',
        displayName: 'BODY_NAME_marker',
        email: 'body_marker@example.com',
        metadata: { secret: 'BODY_METADATA_marker' },
      }),
      await call(app.key, 'GET', '/api/v1/end-users/private_user?access_token=QUERY_TOKEN_marker'),
    ];
    const entries = await logShows(
      app.appId,
      calls.map((c) => c.requestId),
    );
    expect(entries.map((entry) => entry.path).sort()).toEqual([
      '/api/v1/end-users',
      '/api/v1/end-users/private_user',
    ]);
    const texts = [JSON.stringify(entries), server.logs.join('')];
    for (const text of texts) {
      for (const marker of [
        'QUERY_CODE_marker',
        'QUERY_STATE_marker',
        'QUERY_TOKEN_marker',
        'BODY_NAME_marker',
        'body_marker@example.com',
        'BODY_METADATA_marker',
        app.key,
        app.key.slice(app.prefix.length),
      ]) {
        expect(text.includes(marker), `${marker} leaked`).toBe(false);
      }
    }
    for (const entry of entries) {
      expect(entry.path).not.toContain('?');
      expect(entry.keyPrefix!.length).toBeLessThan(app.key.length - 16);
    }
  });

  it("keeps apps apart: app A's log never shows app B's requests", async () => {
    const a = await appWithKey('Tenant A');
    const b = await appWithKey('Tenant B');
    const callA = await call(a.key, 'POST', '/api/v1/end-users', { externalUserId: 'only_a' });
    const callsB = [
      await call(b.key, 'POST', '/api/v1/end-users', { externalUserId: 'only_b' }),
      await call(b.key, 'GET', '/api/v1/end-users/only_b'),
      // B probing A's user is B's request (a 404), not A's.
      await call(b.key, 'GET', '/api/v1/end-users/only_a'),
    ];
    const entriesB = await logShows(
      b.appId,
      callsB.map((c) => c.requestId),
    );
    const entriesA = await logShows(a.appId, [callA.requestId]);
    expect(entriesA.map((entry) => entry.requestId)).toEqual([callA.requestId]);
    expect(entriesA.every((entry) => entry.keyPrefix === a.prefix)).toBe(true);
    expect(entriesB.map((entry) => entry.requestId).sort()).toEqual(callsB.map((c) => c.requestId).sort());
    expect(entriesB.every((entry) => entry.keyPrefix === b.prefix)).toBe(true);
    expect(entriesB.find((entry) => entry.path === '/api/v1/end-users/only_a')?.status).toBe(404);
  });

  it("records which of the app's keys made each request", async () => {
    const app = await appWithKey('Two keys');
    const second = await server.admin('POST', `/admin/v1/apps/${app.appId}/api-keys`, { name: 'second' });
    const first = await call(app.key, 'GET', '/api/v1/end-users/first_key');
    const other = await call(second.body.key, 'GET', '/api/v1/end-users/second_key');
    const entries = await logShows(app.appId, [first.requestId, other.requestId]);
    const byRequest = new Map(entries.map((entry) => [entry.requestId, entry]));
    expect(byRequest.get(first.requestId)?.keyPrefix).toBe(app.prefix);
    expect(byRequest.get(other.requestId)?.keyPrefix).toBe(second.body.prefix);
  });

  it('does not log admin calls or refused (401) calls in the app log', async () => {
    const app = await appWithKey('Quiet');
    const logged = await call(app.key, 'GET', '/api/v1/end-users/quiet_user');
    await server.admin('GET', `/admin/v1/apps/${app.appId}`);
    await server.admin('GET', `/admin/v1/apps/${app.appId}/api-keys`);
    await server.admin('DELETE', `/admin/v1/apps/${app.appId}/api-keys/${app.keyId}`);
    const refused = await call(app.key, 'GET', '/api/v1/end-users/quiet_user');
    expect(refused.status).toBe(401);
    const entries = await logShows(app.appId, [logged.requestId]);
    await sleep(400); // longer than a flush interval: anything else would have landed by now
    const after = await readLog(app.appId);
    expect(after).toHaveLength(entries.length);
    expect(after.map((entry) => entry.requestId)).toEqual([logged.requestId]);
    expect(after.some((entry) => entry.path.startsWith('/admin'))).toBe(false);
  });

  describe('since', () => {
    let app: Awaited<ReturnType<typeof appWithKey>>;
    let before: string[];
    let afterIds: string[];
    let boundary: Date;

    beforeAll(async () => {
      app = await appWithKey('Since');
      before = [];
      for (let index = 0; index < 3; index += 1) {
        before.push((await call(app.key, 'GET', `/api/v1/end-users/before_${index}`)).requestId);
      }
      // Cross a whole-second boundary so that `since` can be written without milliseconds too.
      const now = Date.now();
      boundary = new Date(Math.floor(now / 1000) * 1000 + 1000);
      await sleep(boundary.getTime() - now + 20);
      afterIds = [];
      for (let index = 0; index < 4; index += 1) {
        afterIds.push((await call(app.key, 'GET', `/api/v1/end-users/after_${index}`)).requestId);
      }
      await logShows(app.appId, [...before, ...afterIds]);
    });

    const expectOnlyAfter = (entries: LogEntry[]) => {
      expect(entries.map((entry) => entry.requestId).sort()).toEqual([...afterIds].sort());
      for (const entry of entries)
        expect(Date.parse(entry.createdAt)).toBeGreaterThanOrEqual(boundary.getTime());
    };

    it('returns only entries at or after `since` (ISO with milliseconds)', async () => {
      const all = await readLog(app.appId);
      expect(all).toHaveLength(7);
      expectOnlyAfter(await readLog(app.appId, `&since=${encodeURIComponent(boundary.toISOString())}`));
    });

    it('includes an entry stamped exactly at `since`', async () => {
      const all = await readLog(app.appId);
      const oldestAfter = all.filter((entry) => afterIds.includes(entry.requestId)).at(-1)!;
      const entries = await readLog(app.appId, `&since=${encodeURIComponent(oldestAfter.createdAt)}`);
      expect(entries.map((entry) => entry.requestId)).toContain(oldestAfter.requestId);
    });

    it('accepts `since` without milliseconds', async () => {
      const since = boundary.toISOString().replace('.000Z', 'Z');
      expect(since).toMatch(/:\d{2}Z$/);
      expectOnlyAfter(await readLog(app.appId, `&since=${encodeURIComponent(since)}`));
    });

    it('accepts `since` with a UTC offset', async () => {
      // The same instant written in +02:00.
      const shifted = new Date(boundary.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');
      expect(Date.parse(shifted)).toBe(boundary.getTime());
      expectOnlyAfter(await readLog(app.appId, `&since=${encodeURIComponent(shifted)}`));
    });

    it('returns nothing for a `since` in the future', async () => {
      const future = new Date(Date.now() + 3600_000).toISOString();
      expect(await readLog(app.appId, `&since=${encodeURIComponent(future)}`)).toEqual([]);
    });

    it('keeps `since` on the next-page link', async () => {
      const since = encodeURIComponent(boundary.toISOString());
      const first = await server.admin('GET', `/admin/v1/apps/${app.appId}/logs?limit=3&since=${since}`);
      expect(first.body).toHaveLength(3);
      const next = nextLink(server, first.headers);
      expect(new URL(next!, server.baseUrl).searchParams.get('since')).toBe(boundary.toISOString());
      const { items } = await collectPages(
        server,
        `/admin/v1/apps/${app.appId}/logs?limit=3&since=${since}`,
        3,
      );
      expectOnlyAfter(items);
    });

    it.each(['yesterday', '2026-13-01T00:00:00Z', '1700000000', ''])(
      'refuses the invalid since %j with 400 naming since',
      async (since) => {
        const response = await server.admin('GET', `/admin/v1/apps/${app.appId}/logs?since=${since}`);
        const error = expectError(response, 400, 'validation_error');
        expect(detailFields(error)).toEqual(['since']);
      },
    );
  });

  it('paginates with Link rel="next" until exhausted: newest first, no duplicates, nothing missing', async () => {
    const app = await appWithKey('Paged log');
    const requestIds: string[] = [];
    for (let index = 0; index < 11; index += 1) {
      requestIds.push((await call(app.key, 'GET', `/api/v1/end-users/paged_${index}`)).requestId);
    }
    await logShows(app.appId, requestIds);
    const { items, pages } = await collectPages(server, `/admin/v1/apps/${app.appId}/logs?limit=4`, 4);
    expect(pages.map((page) => page.length)).toEqual([4, 4, 3]);
    const ids = items.map((entry: LogEntry) => entry.id);
    expect(new Set(ids).size).toBe(11);
    expect(items.map((entry: LogEntry) => entry.requestId).sort()).toEqual([...requestIds].sort());
    expectNewestFirst(items);
  });

  it('refuses limit > 200, a bogus cursor and unknown parameters; 404 for an unknown app', async () => {
    const app = await appWithKey('Log errors');
    for (const [query, field] of [
      ['limit=201', 'limit'],
      ['cursor=%%%', 'cursor'],
      ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['status=500', 'status'],
    ] as const) {
      const response = await server.admin('GET', `/admin/v1/apps/${app.appId}/logs?${query}`);
      const error = expectError(response, 400, 'validation_error');
      expect(detailFields(error)).toEqual([field]);
    }
    expectError(await server.admin('GET', `/admin/v1/apps/${MISSING_ID}/logs`), 404, 'not_found');
  });

  it('is empty for an app that made no calls', async () => {
    const app = await appWithKey('Silent');
    const response = await server.admin('GET', `/admin/v1/apps/${app.appId}/logs`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual([]);
    expect(response.headers.get('link')).toBeNull();
  });
});
