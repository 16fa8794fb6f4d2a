import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { expectError, sleep } from './expect-error.js';

describe('rate limiting per API key (RPS 2, burst 3)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ MYPOSTSHARE_RATE_LIMIT_RPS: '2', MYPOSTSHARE_RATE_LIMIT_BURST: '3' });
  });
  afterAll(() => server.close());

  const get = (key: string) => server.request('GET', '/api/v1/end-users/nobody', { token: key });

  it('lets a burst of 3 through with RateLimit headers, then answers 429 rate_limited with Retry-After', async () => {
    const { key } = await server.createApp();
    const passed = [await get(key), await get(key), await get(key)];
    for (const [index, response] of passed.entries()) {
      // The route itself answers 404 for an unknown user: the limiter let it through.
      expect(response.status).toBe(404);
      expect(response.headers.get('ratelimit-limit')).toBe('3');
      expect(response.headers.get('ratelimit-remaining')).toBe(String(2 - index));
      const reset = Number(response.headers.get('ratelimit-reset'));
      expect(Number.isInteger(reset)).toBe(true);
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(2);
    }

    const limited = await get(key);
    const error = expectError(limited, 429, 'rate_limited');
    expect(error.message).not.toContain(key);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('ratelimit-limit')).toBe('3');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-request-id')).toBe(error.requestId);
  });

  it('a refused request stores nothing', async () => {
    const { appId, key } = await server.createApp();
    for (let index = 0; index < 3; index += 1) await get(key);
    const refused = await server.request('POST', '/api/v1/end-users', {
      token: key,
      body: { externalUserId: 'while_limited' },
    });
    expectError(refused, 429, 'rate_limited');
    const inventory = await server.admin('GET', `/admin/v1/apps/${appId}/end-users`);
    expect(inventory.body).toEqual([]);
  });

  it('another key, of the same app or of another, is not affected', async () => {
    const first = await server.createApp();
    for (let index = 0; index < 4; index += 1) await get(first.key);
    expectError(await get(first.key), 429, 'rate_limited');

    const sibling = await server.request('POST', `/admin/v1/apps/${first.appId}/api-keys`, {
      token: server.adminToken,
      body: { name: 'second key' },
    });
    expect(sibling.status).toBe(201);
    const fromSibling = await get(sibling.body.key);
    expect(fromSibling.status).toBe(404);
    expect(fromSibling.headers.get('ratelimit-remaining')).toBe('2');

    const other = await server.createApp();
    const fromOther = await get(other.key);
    expect(fromOther.status).toBe(404);
    expect(fromOther.headers.get('ratelimit-remaining')).toBe('2');
  });

  it('refills at the sustained rate: after a pause the key is served again', async () => {
    const { key } = await server.createApp();
    for (let index = 0; index < 3; index += 1) await get(key);
    const limited = await get(key);
    expectError(limited, 429, 'rate_limited');
    // 2 requests per second: within Retry-After at least one token is back.
    await sleep(Number(limited.headers.get('retry-after')) * 1000 + 50);
    expect((await get(key)).status).toBe(404);
  });

  it('does not limit unauthenticated requests by key, nor the ops endpoints', async () => {
    for (let index = 0; index < 10; index += 1) {
      expect((await server.request('GET', '/healthz')).status).toBe(200);
      expectError(await server.request('GET', '/api/v1/end-users/x'), 401, 'unauthorized');
    }
  });
});

describe('rate limiting switched off (RPS 0)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ MYPOSTSHARE_RATE_LIMIT_RPS: '0' });
  });
  afterAll(() => server.close());

  it('answers 300 rapid requests from one key without a single 429', async () => {
    const { key } = await server.createApp();
    const statuses: number[] = [];
    for (let batch = 0; batch < 15; batch += 1) {
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => server.request('GET', '/api/v1/end-users/nobody', { token: key })),
      );
      statuses.push(...responses.map((response) => response.status));
    }
    expect(statuses).toHaveLength(300);
    expect(statuses.filter((status) => status === 429)).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set([404]));
  });
});
