import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { detailFields, expectError } from '../http/expect-error.js';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/**
 * Sends a body in several chunks without a Content-Length (chunked transfer encoding), so the
 * server only learns the size while reading. Resolves with the response even if the server
 * answers (and closes) before the upload finishes.
 */
function postChunked(url: string, headers: Record<string, string>, chunks: string[]) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>(
    (resolve, reject) => {
      const request = http.request(url, {
        method: 'POST',
        headers: { ...headers, 'Transfer-Encoding': 'chunked' },
      });
      request.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (part) => {
          text += part;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text }),
        );
      });
      request.on('error', reject);
      const writeNext = (index: number) => {
        if (index === chunks.length) {
          request.end();
          return;
        }
        request.write(chunks[index], () => setTimeout(() => writeNext(index + 1), 5));
      };
      writeNext(0);
    },
  );
}

describe('bad input to the public API (security 31)', () => {
  let server: TestServer;
  let app: { appId: string; key: string };

  beforeAll(async () => {
    server = await startTestServer();
    app = await server.createApp({ name: 'Bad input' });
  });
  afterAll(() => server.close());

  const upsertRaw = (rawBody: string, headers: Record<string, string> = JSON_HEADERS) =>
    server.request('POST', '/api/v1/end-users', { token: app.key, rawBody, headers });
  const upsert = (body: unknown) => server.request('POST', '/api/v1/end-users', { token: app.key, body });

  /** Nothing was stored for that id, and the server still answers normal requests. */
  async function expectNothingStoredAndServing(externalUserId?: string) {
    if (externalUserId !== undefined) {
      const lookup = await server.request('GET', `/api/v1/end-users/${encodeURIComponent(externalUserId)}`, {
        token: app.key,
      });
      expect([400, 404]).toContain(lookup.status);
    }
    const inventory = await server.admin('GET', `/admin/v1/apps/${app.appId}/end-users`);
    expect(inventory.status).toBe(200);
    expect(inventory.body).toEqual([]);
    expect((await server.request('GET', '/healthz')).status).toBe(200);
  }

  describe('malformed bodies', () => {
    for (const [label, raw] of [
      ['an unterminated object', '{"externalUserId": "broken_1"'],
      ['a trailing comma', '{"externalUserId": "broken_2",}'],
      ['single quotes', "{'externalUserId': 'broken_3'}"],
      ['bare words', 'externalUserId=broken_4'],
      ['a comment', '{"externalUserId": "broken_5" /* hi */}'],
      ['two documents', '{"externalUserId": "broken_6"}{"externalUserId": "broken_7"}'],
    ] as const) {
      it(`malformed JSON (${label}) is 400 invalid_json`, async () => {
        const error = expectError(await upsertRaw(raw), 400, 'invalid_json');
        expect(error.message).not.toMatch(/position|Unexpected token|SyntaxError/);
        await expectNothingStoredAndServing('broken_1');
        await expectNothingStoredAndServing('broken_6');
      });
    }

    for (const [label, raw] of [
      ['a JSON array', '[{"externalUserId": "in_array"}]'],
      ['null', 'null'],
      ['a string', '"in_string"'],
      ['a number', '42'],
      ['true', 'true'],
    ] as const) {
      it(`a body that is ${label} is 400 validation_error`, async () => {
        expectError(await upsertRaw(raw), 400, 'validation_error');
        await expectNothingStoredAndServing('in_array');
      });
    }

    it('an empty body is 400 validation_error for the missing externalUserId', async () => {
      const error = expectError(await upsertRaw(''), 400, 'validation_error');
      expect(detailFields(error)).toEqual(['externalUserId']);
      await expectNothingStoredAndServing();
    });

    it('Content-Type: text/plain is 415 unsupported_media_type', async () => {
      for (const type of [
        'text/plain',
        'text/plain; charset=utf-8',
        'application/xml',
        'multipart/form-data',
      ]) {
        expectError(
          await upsertRaw('{"externalUserId": "plain_text"}', { 'Content-Type': type }),
          415,
          'unsupported_media_type',
        );
      }
      await expectNothingStoredAndServing('plain_text');
    });
  });

  describe('schema violations name each field in details', () => {
    it('missing externalUserId', async () => {
      const error = expectError(
        await upsert({ displayName: 'Nobody', email: 'n@example.com' }),
        400,
        'validation_error',
      );
      expect(detailFields(error)).toEqual(['externalUserId']);
      await expectNothingStoredAndServing();
    });

    it('wrong types, each field named', async () => {
      const error = expectError(
        await upsert({ externalUserId: 123, displayName: 42, email: true, metadata: 'plan=pro' }),
        400,
        'validation_error',
      );
      expect(detailFields(error)).toEqual(['displayName', 'email', 'externalUserId', 'metadata']);
      await expectNothingStoredAndServing('123');
    });

    it('a wrongly typed field is reported as mistyped, not as missing', async () => {
      const error = expectError(
        await upsert({ externalUserId: 'typed', displayName: 42, metadata: ['a'] }),
        400,
        'validation_error',
      );
      expect(detailFields(error)).toEqual(['displayName', 'metadata']);
      for (const detail of error.details!) expect(detail.message).not.toBe('required');
      await expectNothingStoredAndServing('typed');
    });

    it('unknown fields are each named', async () => {
      const error = expectError(
        await upsert({
          externalUserId: 'unknown_fields',
          displayname: 'typo',
          role: 'admin',
          appId: 'other',
        }),
        400,
        'validation_error',
      );
      expect(detailFields(error)).toEqual(['appId', 'displayname', 'role']);
      for (const detail of error.details!) expect(detail.message).toMatch(/unknown/i);
      await expectNothingStoredAndServing('unknown_fields');
    });

    it('unknown fields and wrong types together are all reported at once', async () => {
      const error = expectError(
        await upsert({ externalUserId: 'mixed', email: 'not-an-email', extra: 1 }),
        400,
        'validation_error',
      );
      expect(detailFields(error)).toEqual(['email', 'extra']);
      await expectNothingStoredAndServing('mixed');
    });

    it('an empty or 300-character externalUserId', async () => {
      const long = 'x'.repeat(300);
      expect(
        detailFields(expectError(await upsert({ externalUserId: long }), 400, 'validation_error')),
      ).toEqual(['externalUserId']);
      expect(
        detailFields(expectError(await upsert({ externalUserId: '' }), 400, 'validation_error')),
      ).toEqual(['externalUserId']);
      await expectNothingStoredAndServing(long);
    });

    it('control characters in externalUserId', async () => {
      for (const externalUserId of ['a\u0000b', 'line\nbreak', 'tab\there', 'del\u007f']) {
        const error = expectError(await upsert({ externalUserId }), 400, 'validation_error');
        expect(detailFields(error)).toEqual(['externalUserId']);
      }
      await expectNothingStoredAndServing();
    });

    it('an invalid email', async () => {
      for (const email of [
        'not-an-email',
        'a@',
        '@example.com',
        'a b@example.com',
        `${'a'.repeat(400)}@example.com`,
      ]) {
        const error = expectError(
          await upsert({ externalUserId: 'bad_email', email }),
          400,
          'validation_error',
        );
        expect(detailFields(error)).toEqual(['email']);
      }
      await expectNothingStoredAndServing('bad_email');
    });

    it('a displayName longer than 255 characters', async () => {
      const error = expectError(
        await upsert({ externalUserId: 'long_name', displayName: 'n'.repeat(256) }),
        400,
        'validation_error',
      );
      expect(detailFields(error)).toEqual(['displayName']);
      await expectNothingStoredAndServing('long_name');
    });

    it('metadata over 16 KB, and metadata that is not an object', async () => {
      const big = { blob: 'm'.repeat(17_000) };
      expect(
        detailFields(
          expectError(await upsert({ externalUserId: 'big_meta', metadata: big }), 400, 'validation_error'),
        ),
      ).toEqual(['metadata']);
      for (const metadata of [[], 'text', 5, null]) {
        const error = expectError(
          await upsert({ externalUserId: 'big_meta', metadata }),
          400,
          'validation_error',
        );
        expect(detailFields(error)).toEqual(['metadata']);
      }
      await expectNothingStoredAndServing('big_meta');
    });

    it('metadata just under 16 KB is accepted (the bound is the documented one)', async () => {
      const { key } = await server.createApp();
      const metadata = { blob: 'm'.repeat(16_000) };
      const response = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: { externalUserId: 'near_limit', metadata },
      });
      expect(response.status).toBe(200);
      expect(response.body.metadata).toEqual(metadata);
    });

    it('deeply nested metadata is a 4xx, not a crash', async () => {
      const depth = 100_000;
      const raw = `{"externalUserId":"deep","metadata":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
      const response = await upsertRaw(raw);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expectError(response, response.status, response.body.error.code);
      await expectNothingStoredAndServing('deep');
    });

    it('a __proto__ key in metadata is refused rather than silently dropped', async () => {
      const response = await upsertRaw(
        '{"externalUserId":"proto","metadata":{"__proto__":{"isAdmin":true},"plan":"pro"}}',
      );
      const error = expectError(response, 400, 'validation_error');
      expect(detailFields(error)).toEqual(['metadata.__proto__']);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      await expectNothingStoredAndServing('proto');
    });

    it('a "__proto__" inside a string value is ordinary data', async () => {
      const { key } = await server.createApp();
      const response = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: {
          externalUserId: 'proto_text',
          displayName: '__proto__',
          metadata: { note: '{"__proto__":1}' },
        },
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        displayName: '__proto__',
        metadata: { note: '{"__proto__":1}' },
      });
    });
  });

  describe('oversized bodies', () => {
    it('a 2 MB string is 413 payload_too_large under the default 1 MB limit', async () => {
      const response = await upsert({ externalUserId: 'huge', displayName: 'h'.repeat(2 * 1024 * 1024) });
      const error = expectError(response, 413, 'payload_too_large');
      expect(error.message).toContain('1048576');
      await expectNothingStoredAndServing('huge');
    });

    it('a body just under 1 MB is read (and then judged by the schema, not the size)', async () => {
      const response = await upsert({ externalUserId: 'almost', metadata: { blob: 'a'.repeat(1_000_000) } });
      const error = expectError(response, 400, 'validation_error');
      expect(detailFields(error)).toEqual(['metadata']);
      await expectNothingStoredAndServing('almost');
    });
  });

  describe('odd characters in path parameters', () => {
    const cases = [
      ['%00', 'a%00b'],
      ['%0A', 'a%0Ab'],
      ['%0D%0A header injection', 'a%0D%0ASet-Cookie:%20x=1'],
      ['%7F', 'a%7Fb'],
      ['%1B escape', '%1B%5B31m'],
      ['5000 characters', 'a'.repeat(5000)],
      ['256 characters', 'a'.repeat(256)],
    ] as const;
    for (const [label, segment] of cases) {
      it(`${label} is 400 validation_error on every end-user route`, async () => {
        for (const [method, route] of [
          ['GET', `/api/v1/end-users/${segment}`],
          ['GET', `/api/v1/end-users/${segment}/connections`],
          ['DELETE', `/api/v1/end-users/${segment}/connections/linkedin`],
        ] as const) {
          const response = await server.request(method, route, { token: app.key });
          const error = expectError(response, 400, 'validation_error');
          expect(detailFields(error)).toEqual(['externalUserId']);
          expect(response.headers.get('set-cookie')).toBeNull();
        }
        await expectNothingStoredAndServing();
      });
    }

    for (const [label, segment] of [
      ['a malformed percent escape', 'a%ZZb'],
      ['a truncated UTF-8 escape', '%E0%A4%A'],
      ['an encoded slash', 'a%2Fb'],
      ['encoded dot segments', '%2E%2E'],
      ['unicode', '%F0%9F%98%80'],
    ] as const) {
      it(`${label} is answered with a 4xx, not a 500`, async () => {
        const response = await server.request('GET', `/api/v1/end-users/${segment}`, { token: app.key });
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expectError(response, response.status, response.body.error.code);
        await expectNothingStoredAndServing();
      });
    }

    it('a URL too long for the HTTP parser is refused with a 4xx and the server keeps serving', async () => {
      const response = await server.request('GET', `/api/v1/end-users/${'a'.repeat(20_000)}`, {
        token: app.key,
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      await expectNothingStoredAndServing();
    });
  });
});

describe('a lower body limit from MYPOSTSHARE_BODY_LIMIT_BYTES', () => {
  let server: TestServer;
  let key: string;
  beforeAll(async () => {
    server = await startTestServer({ MYPOSTSHARE_BODY_LIMIT_BYTES: '2048' });
    ({ key } = await server.createApp());
  });
  afterAll(() => server.close());

  it('accepts a body under the configured limit', async () => {
    const response = await server.request('POST', '/api/v1/end-users', {
      token: key,
      body: { externalUserId: 'small', metadata: { blob: 's'.repeat(1500) } },
    });
    expect(response.status).toBe(200);
  });

  it('refuses a body over the configured limit with 413 and stores nothing', async () => {
    const response = await server.request('POST', '/api/v1/end-users', {
      token: key,
      body: { externalUserId: 'over', metadata: { blob: 'o'.repeat(3000) } },
    });
    const error = expectError(response, 413, 'payload_too_large');
    expect(error.message).toContain('2048');
    expect((await server.request('GET', '/api/v1/end-users/over', { token: key })).status).toBe(404);
  });

  it('refuses an over-limit body sent without Content-Length (chunked) while reading it', async () => {
    const body = JSON.stringify({ externalUserId: 'chunked', metadata: { blob: 'c'.repeat(4000) } });
    const third = Math.ceil(body.length / 3);
    const response = await postChunked(
      `${server.baseUrl}/api/v1/end-users`,
      { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      [body.slice(0, third), body.slice(third, 2 * third), body.slice(2 * third)],
    );
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text).error.code).toBe('payload_too_large');
    expect(response.headers['x-request-id']).toBe(JSON.parse(response.text).error.requestId);
    expect((await server.request('GET', '/api/v1/end-users/chunked', { token: key })).status).toBe(404);
    expect((await server.request('GET', '/healthz')).status).toBe(200);
  });

  it('accepts an under-limit chunked body', async () => {
    const body = JSON.stringify({ externalUserId: 'chunked_ok', displayName: 'Chunked' });
    const response = await postChunked(
      `${server.baseUrl}/api/v1/end-users`,
      { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      [body.slice(0, 10), body.slice(10)],
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({ externalUserId: 'chunked_ok', displayName: 'Chunked' });
  });
});
