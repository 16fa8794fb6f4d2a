import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { expectError } from './expect-error.js';

describe('unknown routes and wrong methods', () => {
  let server: TestServer;
  let key: string;
  beforeAll(async () => {
    server = await startTestServer();
    ({ key } = await server.createApp());
  });
  afterAll(() => server.close());

  it('an unknown route is 404 not_found with the uniform body', async () => {
    for (const route of ['/nope', '/api/v2/end-users']) {
      for (const token of [undefined, key]) {
        const error = expectError(await server.request('GET', route, { token }), 404, 'not_found');
        expect(error.details).toBeUndefined();
      }
    }
    // Under the API prefixes only an authenticated caller learns that a route does not exist.
    for (const route of ['/api/v1/nope', '/api/v1/end-users/a/b/c/d']) {
      expectError(await server.request('GET', route, { token: key }), 404, 'not_found');
      expectError(await server.request('GET', route), 401, 'unauthorized');
    }
    expectError(
      await server.request('GET', '/admin/v1/nope', { token: server.adminToken }),
      404,
      'not_found',
    );
    expectError(await server.request('GET', '/admin/v1/nope'), 401, 'unauthorized');
    expectError(await server.request('GET', '/admin/v1/nope', { token: key }), 401, 'unauthorized');
  });

  it('the public API lives under /api/v1 only (the reference path without /api is not served)', async () => {
    expectError(await server.request('GET', '/v1/end-users/user_123', { token: key }), 404, 'not_found');
  });

  it('a wrong method on a known route is 405 method_not_allowed with the uniform body', async () => {
    for (const [method, route, accepted] of [
      ['PUT', '/api/v1/end-users', 'POST'],
      ['GET', '/api/v1/end-users', 'POST'],
      ['PATCH', '/api/v1/end-users/user_123', 'GET'],
      ['POST', '/api/v1/end-users/user_123/connections', 'GET'],
      ['GET', '/api/v1/end-users/user_123/connections/linkedin', 'DELETE'],
      ['POST', '/healthz', 'GET'],
      ['DELETE', '/readyz', 'GET'],
      ['POST', '/api/openapi.json', 'GET'],
    ] as const) {
      const response = await server.request(method, route, { token: key });
      expectError(response, 405, 'method_not_allowed');
      // RFC 9110: a 405 says which methods the path does accept.
      const allow = (response.headers.get('allow') ?? '').split(/,\s*/);
      expect(allow, `${method} ${route}`).toContain(accepted);
      expect(allow).not.toContain(method);
    }
  });

  it('a 405 without a key still answers with the uniform body and stores nothing', async () => {
    const response = await server.request('PUT', '/api/v1/end-users', {
      body: { externalUserId: 'via_put' },
    });
    expect([401, 405]).toContain(response.status);
    expectError(response, response.status, response.status === 401 ? 'unauthorized' : 'method_not_allowed');
    expectError(await server.request('GET', '/api/v1/end-users/via_put', { token: key }), 404, 'not_found');
  });

  it('HEAD and OPTIONS do not crash and are not 5xx', async () => {
    for (const method of ['HEAD', 'OPTIONS']) {
      const response = await server.request(method, '/api/v1/end-users/user_123', { token: key });
      expect(response.status).toBeLessThan(500);
      expect(response.headers.get('x-request-id')).toBeTruthy();
    }
  });

  it('API responses are not cacheable and not sniffable', async () => {
    const response = await server.request('GET', '/api/v1/end-users/user_123', { token: key });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
