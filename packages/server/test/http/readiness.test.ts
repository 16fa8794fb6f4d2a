import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { expectError } from './expect-error.js';

describe('/readyz', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers 200 ready with the database check, without authentication', async () => {
    const response = await server.request('GET', '/readyz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ready',
      checks: { database: { status: 'ok' }, worker: { status: 'ok', detail: 'no tick yet' } },
    });
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it("reports the worker's last tick, and is not ready when the worker stopped ticking", async () => {
    const worker = server.started.app.deps.worker;
    worker.lastTickAt = new Date();
    const fresh = await server.request('GET', '/readyz');
    expect(fresh.status).toBe(200);
    expect(fresh.body.checks.worker).toEqual({
      status: 'ok',
      detail: `last tick ${worker.lastTickAt.toISOString()}`,
    });
    worker.lastTickAt = new Date(Date.now() - 10 * 60_000);
    const stale = await server.request('GET', '/readyz');
    expect(stale.status).toBe(503);
    expect(stale.body).toMatchObject({ status: 'not_ready', checks: { worker: { status: 'failing' } } });
    worker.lastTickAt = undefined;
  });

  it('answers 503 not_ready once the app has begun shutting down, while liveness stays up', async () => {
    await server.started.app.close();
    const response = await server.request('GET', '/readyz');
    expect(response.status).toBe(503);
    expect(response.body.status).toBe('not_ready');
    expect(response.body.checks.database).toEqual({ status: 'ok' });
    expect(response.headers.get('x-request-id')).toBeTruthy();
    // Draining: the connection is not kept for another request.
    expect(response.headers.get('connection')).toBe('close');
    expect((await server.request('GET', '/healthz')).status).toBe(200);
  });
});

describe('an unexpected failure (the database has gone away)', () => {
  let server: TestServer;
  let key: string;
  beforeAll(async () => {
    server = await startTestServer();
    ({ key } = await server.createApp());
    expect(
      (await server.request('POST', '/api/v1/end-users', { token: key, body: { externalUserId: 'u' } }))
        .status,
    ).toBe(200);
    await server.started.database.close();
  });
  afterAll(() => server.close());

  it('is 500 internal_error with the uniform body, a request id and nothing internal', async () => {
    const response = await server.request('GET', '/api/v1/end-users/u', { token: key });
    const error = expectError(response, 500, 'internal_error');
    expect(error.details).toBeUndefined();
    expect(response.text).not.toMatch(
      /driver|destroyed|sqlite|kysely|stack|\bat\s+\S+\s+\(|node_modules|\/work\//i,
    );
    // The log line carries the cause under the same request id, for the operator.
    const logged = server.logs.find(
      (line) => line.includes(error.requestId) && line.includes('unhandled error'),
    );
    expect(logged).toBeDefined();
    expect(logged).not.toContain(key);
  });

  it('readyz reports the database as failing with 503', async () => {
    const response = await server.request('GET', '/readyz');
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ status: 'not_ready', checks: { database: { status: 'failing' } } });
  });

  it('the process keeps answering liveness', async () => {
    expect((await server.request('GET', '/healthz')).status).toBe(200);
  });
});
