import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { seedConnection } from '../public/seed.js';
import { expectError } from './expect-error.js';

/** Writes a raw HTTP/1.1 request (to send what fetch refuses to) and returns the raw response. */
function rawRequest(baseUrl: string, text: string): Promise<string> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (part) => {
      out += part;
    });
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(3000, () => socket.destroy(new Error('raw request timed out')));
  });
}

describe('X-Request-Id on every response', () => {
  let server: TestServer;
  let app: { appId: string; key: string };
  beforeAll(async () => {
    server = await startTestServer({ MYPOSTSHARE_BODY_LIMIT_BYTES: '4096' });
    app = await server.createApp();
  });
  afterAll(() => server.close());

  it('is present on successes and on every kind of error, and matches the error body', async () => {
    const user = await server.request('POST', '/api/v1/end-users', {
      token: app.key,
      body: { externalUserId: 'rid' },
    });
    await seedConnection(server, { appId: app.appId, endUserId: user.body.id, platform: 'twitter' });
    const responses = {
      upsert: user,
      get: await server.request('GET', '/api/v1/end-users/rid', { token: app.key }),
      list: await server.request('GET', '/api/v1/end-users/rid/connections', { token: app.key }),
      disconnect: await server.request('DELETE', '/api/v1/end-users/rid/connections/twitter', {
        token: app.key,
      }),
      healthz: await server.request('GET', '/healthz'),
      readyz: await server.request('GET', '/readyz'),
      openapi: await server.request('GET', '/api/openapi.json'),
      admin: await server.admin('GET', '/admin/v1/apps'),
      unauthorized: await server.request('GET', '/api/v1/end-users/rid'),
      notFound: await server.request('GET', '/api/v1/end-users/nobody', { token: app.key }),
      noRoute: await server.request('GET', '/no/such/route'),
      methodNotAllowed: await server.request('PUT', '/api/v1/end-users', { token: app.key }),
      invalidJson: await server.request('POST', '/api/v1/end-users', {
        token: app.key,
        rawBody: '{',
        headers: { 'Content-Type': 'application/json' },
      }),
      validation: await server.request('POST', '/api/v1/end-users', { token: app.key, body: {} }),
      tooLarge: await server.request('POST', '/api/v1/end-users', {
        token: app.key,
        body: { externalUserId: 'x', displayName: 'x'.repeat(10_000) },
      }),
      unsupported: await server.request('POST', '/api/v1/end-users', {
        token: app.key,
        rawBody: 'x',
        headers: { 'Content-Type': 'text/plain' },
      }),
    };
    expect(responses.disconnect.status).toBe(204);
    const ids = new Set<string>();
    for (const [name, response] of Object.entries(responses)) {
      const id = response.headers.get('x-request-id');
      expect(id, name).toMatch(/^req_[A-Za-z0-9_-]{12,}$/);
      ids.add(id!);
      if (response.status >= 400) expect(response.body?.error?.requestId, name).toBe(id);
    }
    // A fresh id for each request.
    expect(ids.size).toBe(Object.keys(responses).length);
  });

  it('echoes a valid incoming X-Request-Id in the header, the error body and the log line', async () => {
    for (const incoming of [
      'trace-0001abcd',
      '6f1c0f7e-5b0e-4c7a-9a53-0e8f7b0f3f11',
      'svc:checkout.v2_42',
      'a'.repeat(128),
    ]) {
      const ok = await server.request('GET', '/api/v1/end-users/rid', {
        token: app.key,
        headers: { 'X-Request-Id': incoming },
      });
      expect(ok.headers.get('x-request-id')).toBe(incoming);
      const failed = await server.request('GET', '/api/v1/end-users/nobody', {
        token: app.key,
        headers: { 'X-Request-Id': incoming },
      });
      expect(expectError(failed, 404, 'not_found').requestId).toBe(incoming);
    }
    expect(server.logs.some((line) => line.includes('"requestId":"trace-0001abcd"'))).toBe(true);
  });

  it('replaces a malicious or oversized incoming X-Request-Id', async () => {
    const hostile = [
      'x'.repeat(500),
      'a'.repeat(129),
      'short',
      'has spaces in it',
      '<script>alert(1)</script>',
      'tab\there-12345',
      'quote"and\\backslash',
      `\${jndi:ldap://evil}`,
      'évènement-12345',
    ];
    for (const incoming of hostile) {
      const headers = { 'X-Request-Id': incoming };
      const ok = await server.request('GET', '/healthz', { headers });
      const failed = await server.request('GET', '/api/v1/end-users/rid', { headers });
      for (const response of [ok, failed]) {
        const id = response.headers.get('x-request-id');
        expect(id).toMatch(/^req_[A-Za-z0-9_-]{12,}$/);
        expect(id).not.toBe(incoming);
        expect(response.text).not.toContain(incoming);
      }
      expect(expectError(failed, 401, 'unauthorized').requestId).toBe(failed.headers.get('x-request-id'));
    }
    const logs = server.logs.join('');
    for (const incoming of hostile.filter((value) => value.length > 6)) expect(logs).not.toContain(incoming);
  });

  it('a header carrying a newline never reaches the application or comes back as a header', async () => {
    for (const injection of [
      'X-Request-Id: abcdefghij\nX-Injected: yes\r\n',
      'X-Request-Id: abcdefghij\rX-Injected: yes\r\n',
      'X-Request-Id: abcdefghij\r\n X-Injected: yes\r\n',
    ]) {
      const response = await rawRequest(
        server.baseUrl,
        `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${injection}Connection: close\r\n\r\n`,
      );
      const statusLine = response.split('\r\n', 1)[0]!;
      const [head] = response.split('\r\n\r\n');
      if (/^HTTP\/1\.1 2/.test(statusLine)) {
        // If the parser let it through, the app must not have echoed the folded value.
        expect(head).not.toMatch(/x-request-id: abcdefghij/i);
      } else {
        expect(statusLine).toMatch(/^HTTP\/1\.1 4\d\d/);
      }
      expect(head).not.toMatch(/^X-Injected/im);
    }
    expect((await server.request('GET', '/healthz')).status).toBe(200);
  });
});
