import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';

describe('server start-up', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers /healthz with status and version', async () => {
    const response = await server.request('GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', version: '0.1.0' });
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('creates a sandbox app with a working test key on an empty database', async () => {
    expect(server.sandboxKey).toMatch(/^mps_test_[A-Za-z0-9]{32}$/);
    const response = await server.request('POST', '/api/v1/end-users', {
      token: server.sandboxKey,
      body: { externalUserId: 'user_123' },
    });
    expect(response.status).toBe(200);
    expect(response.body.externalUserId).toBe('user_123');
  });
});
