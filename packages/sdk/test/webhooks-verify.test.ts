import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/harness.js';
import {
  MyPostShare,
  MyPostShareError,
  type WebhookEvent,
  WebhookVerificationError,
  type WebhookVerificationFailure,
  webhooks,
} from '../src/index.js';

// The Standard Webhooks test vector (docs/security.md, "Outbound webhooks").
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const AT_TIMESTAMP = { now: TIMESTAMP * 1000 };

const vectorHeaders = (overrides: Record<string, string> = {}) => ({
  'webhook-id': ID,
  'webhook-timestamp': String(TIMESTAMP),
  'webhook-signature': SIGNATURE,
  ...overrides,
});

/** Signs like a sender would, with Node's own HMAC (an implementation independent of the SDK's). */
function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

async function failure(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  const error = await promise.then(
    () => {
      throw new Error('expected verification to fail');
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  expect(error).toBeInstanceOf(MyPostShareError);
  return error as WebhookVerificationError;
}

const reasonOf = async (promise: Promise<unknown>): Promise<WebhookVerificationFailure> =>
  (await failure(promise)).reason;

describe('webhooks.verify', () => {
  it('verifies the Standard Webhooks test vector and returns the parsed body', async () => {
    await expect(webhooks.verify(BODY, vectorHeaders(), SECRET, AT_TIMESTAMP)).resolves.toEqual({
      test: 2432232314,
    });
  });

  it('takes the body as bytes, and the headers as a Headers object', async () => {
    const bytes = new TextEncoder().encode(BODY);
    await expect(webhooks.verify(bytes, new Headers(vectorHeaders()), SECRET, AT_TIMESTAMP)).resolves.toEqual(
      { test: 2432232314 },
    );
    await expect(webhooks.verify(bytes.buffer, vectorHeaders(), SECRET, AT_TIMESTAMP)).resolves.toEqual({
      test: 2432232314,
    });
  });

  it("reads Node's header objects whatever their letter case", async () => {
    const headers = {
      'Webhook-Id': ID,
      'WEBHOOK-TIMESTAMP': String(TIMESTAMP),
      'webhook-signature': [SIGNATURE],
    };
    await expect(webhooks.verify(BODY, headers, SECRET, AT_TIMESTAMP)).resolves.toEqual({
      test: 2432232314,
    });
  });

  it('refuses a tampered body', async () => {
    expect(
      await reasonOf(webhooks.verify('{"test": 2432232315}', vectorHeaders(), SECRET, AT_TIMESTAMP)),
    ).toBe('no_matching_signature');
  });

  it('refuses a wrong secret', async () => {
    const other = `whsec_${Buffer.from('another secret of 32 bytes.....!').toString('base64')}`;
    expect(await reasonOf(webhooks.verify(BODY, vectorHeaders(), other, AT_TIMESTAMP))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses a changed id or timestamp (both are signed)', async () => {
    expect(
      await reasonOf(
        webhooks.verify(BODY, vectorHeaders({ 'webhook-id': 'msg_other' }), SECRET, AT_TIMESTAMP),
      ),
    ).toBe('no_matching_signature');
    expect(
      await reasonOf(
        webhooks.verify(BODY, vectorHeaders({ 'webhook-timestamp': String(TIMESTAMP + 1) }), SECRET, {
          now: TIMESTAMP * 1000,
        }),
      ),
    ).toBe('no_matching_signature');
  });

  it('refuses a timestamp more than 5 minutes old or ahead, and accepts one just inside', async () => {
    // The test vector's own timestamp, against the real clock: years old.
    const old = await failure(webhooks.verify(BODY, vectorHeaders(), SECRET));
    expect(old.reason).toBe('timestamp_out_of_tolerance');
    expect(old.message).toMatch(/300 seconds/);

    expect(
      await reasonOf(webhooks.verify(BODY, vectorHeaders(), SECRET, { now: (TIMESTAMP + 301) * 1000 })),
    ).toBe('timestamp_out_of_tolerance');
    expect(
      await reasonOf(webhooks.verify(BODY, vectorHeaders(), SECRET, { now: (TIMESTAMP - 301) * 1000 })),
    ).toBe('timestamp_out_of_tolerance');
    await expect(
      webhooks.verify(BODY, vectorHeaders(), SECRET, { now: new Date((TIMESTAMP + 300) * 1000) }),
    ).resolves.toBeDefined();
    await expect(
      webhooks.verify(BODY, vectorHeaders(), SECRET, {
        now: (TIMESTAMP + 3600) * 1000,
        toleranceSeconds: 3600,
      }),
    ).resolves.toBeDefined();
  });

  it('accepts any one matching signature among several (secret rotation)', async () => {
    const previous = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ id: 'msg_1', type: 'post.published', createdAt: '', data: {} });
    const both = `${sign(SECRET, 'msg_1', now, body)} ${sign(previous, 'msg_1', now, body)}`;
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': both };
    await expect(webhooks.verify(body, headers, SECRET)).resolves.toMatchObject({ type: 'post.published' });
    await expect(webhooks.verify(body, headers, previous)).resolves.toMatchObject({ type: 'post.published' });
    // Entries of another version, or malformed ones, are skipped rather than fatal.
    const mixed = `v2,abc garbage v1,!!! ${sign(SECRET, 'msg_1', now, body)}`;
    await expect(
      webhooks.verify(body, { ...headers, 'webhook-signature': mixed }, SECRET),
    ).resolves.toBeDefined();
  });

  it('refuses a delivery with a header missing or a malformed timestamp', async () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const headers: Record<string, string> = vectorHeaders();
      delete headers[name];
      const error = await failure(webhooks.verify(BODY, headers, SECRET, AT_TIMESTAMP));
      expect(error.reason).toBe('missing_header');
      expect(error.message).toContain(name);
    }
    expect(
      await reasonOf(
        webhooks.verify(BODY, vectorHeaders({ 'webhook-timestamp': '2021-02-25' }), SECRET, AT_TIMESTAMP),
      ),
    ).toBe('invalid_timestamp');
  });

  it('refuses a signed body that is not JSON', async () => {
    const now = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'msg_2', 'webhook-timestamp': String(now) };
    const signature = sign(SECRET, 'msg_2', now, 'not json');
    expect(
      await reasonOf(webhooks.verify('not json', { ...headers, 'webhook-signature': signature }, SECRET)),
    ).toBe('invalid_body');
  });

  it('reports a malformed secret as a configuration error, not as a bad delivery', async () => {
    const error = await webhooks.verify(BODY, vectorHeaders(), 'whsec_', AT_TIMESTAMP).catch((e) => e);
    expect(error).toBeInstanceOf(MyPostShareError);
    expect(error).not.toBeInstanceOf(WebhookVerificationError);
    expect(error.message).toMatch(/whsec_/);
  });
});

describe('webhooks.verify against a delivery from the real server', () => {
  let server: TestServer;
  let receiver: http.Server;
  const received: { body: string; headers: http.IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    server = await startTestServer({ MYPOSTSHARE_ALLOW_PRIVATE_NETWORK: 'true' });
    receiver = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ body, headers: request.headers });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
    await server.close();
  });

  it("verifies the server's test event with the endpoint's secret, before and after a rotation", async () => {
    const client = new MyPostShare({ apiKey: server.sandboxKey, baseUrl: `${server.baseUrl}/api` });
    const { port } = receiver.address() as AddressInfo;
    const endpoint = await client.webhookEndpoints.create({ url: `http://127.0.0.1:${port}/hooks` });

    const delivery = await client.webhookEndpoints.test(endpoint.id);
    expect(delivery.status).toBe('succeeded');
    const first = received.at(-1)!;
    const event: WebhookEvent = await webhooks.verify(first.body, first.headers, endpoint.secret);
    expect(event).toMatchObject({ id: first.headers['webhook-id'], type: 'webhook.test' });
    if (event.type === 'webhook.test') expect(event.data.endpointId).toBe(endpoint.id);

    // During the overlap both secrets sign: the old one still verifies, and so does the new one.
    const rotated = await client.webhookEndpoints.rotateSecret(endpoint.id);
    await client.webhookEndpoints.test(endpoint.id);
    const second = received.at(-1)!;
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(2);
    await expect(webhooks.verify(second.body, second.headers, rotated.secret)).resolves.toMatchObject({
      type: 'webhook.test',
    });
    await expect(webhooks.verify(second.body, second.headers, endpoint.secret)).resolves.toBeDefined();
    expect(await reasonOf(webhooks.verify(`${second.body} `, second.headers, rotated.secret))).toBe(
      'no_matching_signature',
    );
  });
});
