import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { MyPostShare, type WebhookEndpointWithSecret, type WebhookEvent } from '@mypostshare/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookHeaders } from '../../../packages/server/src/webhooks/signing.js';
import { startWorker, type WorkerHandle } from '../../../packages/server/src/worker/index.js';
// The example against the real server, in process, with its real worker delivering the events;
// the server's HTTP-level browser stand-in approves the hosted connect flow.
import { FlowClient } from '../../../packages/server/test/connect/flow-client.js';
import { startTestServer, type TestServer } from '../../../packages/server/test/harness.js';
import { describeEvent, MAX_BODY_BYTES, type RunningReceiver, startReceiver } from './receiver.js';

/** Polls `find` until it returns something (the worker delivers within about a second). */
async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

describe('examples/webhook-receiver against a real sandbox server', () => {
  let server: TestServer;
  let worker: WorkerHandle;
  let client: MyPostShare;
  let receiver: RunningReceiver;
  let endpoint: WebhookEndpointWithSecret;
  let secret = '';
  /** What the receiver handed to onEvent, in order. */
  const handled: WebhookEvent[] = [];
  /** What it refused, as `status reason`. */
  const refused: string[] = [];
  const errors: unknown[] = [];

  const handledById = (id: string) => handled.filter((event) => event.id === id);

  /** Sends a test event through the server, and waits until the receiver has handled it. */
  async function sendTestEvent() {
    const delivery = await client.webhookEndpoints.test(endpoint.id);
    expect(delivery.responseStatus).toBe(204);
    return waitFor('the test event', () => handled.find((event) => event.id === delivery.eventId));
  }

  /** A request straight to the receiver, as the server would make it (headers from `webhookHeaders`). */
  function post(body: string, headers: Record<string, string>) {
    return fetch(receiver.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  }

  beforeAll(async () => {
    // A receiver on 127.0.0.1 is reachable only with private networks allowed (development).
    server = await startTestServer({ MYPOSTSHARE_ALLOW_PRIVATE_NETWORK: 'true' });
    worker = startWorker(server.started.app.deps);
    client = new MyPostShare({ apiKey: server.sandboxKey, baseUrl: `${server.baseUrl}/api` });
    receiver = await startReceiver({
      port: 0,
      secret: () => secret,
      onEvent: (event) => {
        handled.push(event);
      },
      onRejected: (status, reason) => refused.push(`${status} ${reason}`),
      onError: (error) => errors.push(error),
    });
    endpoint = await client.webhookEndpoints.create({ url: receiver.url });
    secret = endpoint.secret;
  });

  afterAll(async () => {
    await worker?.stop(1_000);
    await receiver?.close();
    await server?.close();
    expect(errors).toEqual([]);
  });

  it('verifies the test event the server sends and hands it to onEvent', async () => {
    const delivery = await client.webhookEndpoints.test(endpoint.id);
    expect(delivery).toMatchObject({ status: 'succeeded', responseStatus: 204, eventType: 'webhook.test' });
    const event = await waitFor('the test event', () => handled.find((item) => item.id === delivery.eventId));
    expect(event.type).toBe('webhook.test');
    if (event.type !== 'webhook.test') return;
    expect(event.data.endpointId).toBe(endpoint.id);
    expect(describeEvent(event)).toBe(`test event for endpoint ${endpoint.id}: ${event.data.message}`);
  });

  it('gets connect_session.completed and post.published from a real sandbox connect and publish', async () => {
    const externalUserId = 'receiver_user';
    await client.endUsers.upsert({ externalUserId });
    const session = await client.connectSessions.create({
      externalUserId,
      platform: 'linkedin',
      redirectUri: `${server.baseUrl}/connect/complete`,
    });
    // The end user opens the link and approves on the sandbox consent page.
    const browser = new FlowClient(server);
    const callback = await browser.sandboxDecide(await browser.start(session.connectUrl), 'approve');
    const back = await browser.fetch(callback);
    expect(new URL(back.location ?? 'http://invalid/').searchParams.get('status')).toBe('connected');

    const connected = await waitFor('connect_session.completed', () =>
      handled.find(
        (event) => event.type === 'connect_session.completed' && event.data.connectSessionId === session.id,
      ),
    );
    expect(connected.type === 'connect_session.completed' && connected.data.status).toBe('connected');

    const post = await client.posts.publish({
      externalUserId,
      content: 'Hello from the webhook receiver test',
      platforms: ['linkedin'],
    });
    const published = await waitFor('post.published', () =>
      handled.find((event) => event.type === 'post.published' && event.data.postId === post.id),
    );
    if (published.type !== 'post.published') throw new Error('unreachable');
    expect(published.data.externalUserId).toBe(externalUserId);
    expect(published.data.platformResults.map((result) => [result.platform, result.status])).toEqual([
      ['linkedin', 'published'],
    ]);
    expect(describeEvent(published)).toBe(
      `post ${post.id} published for ${externalUserId} (linkedin: published)`,
    );
    expect(handledById(published.id)).toHaveLength(1);
  });

  it('refuses a tampered body with 400 and hands nothing to onEvent', async () => {
    const id = `msg_tamper${Date.now()}`;
    const body = JSON.stringify({
      id,
      type: 'webhook.test',
      createdAt: new Date().toISOString(),
      data: { endpointId: endpoint.id, message: 'signed by the test' },
    });
    const headers = webhookHeaders([secret], id, Math.floor(Date.now() / 1000), body);
    const tampered = await post(body.replace('signed by the test', 'changed on the way'), headers);
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toMatch(/^no_matching_signature/);
    expect(refused.at(-1)).toMatch(/^400 no_matching_signature/);

    // The same delivery, unmodified, is accepted: the refusal was the tampering, and it did not
    // mark the id as seen.
    const original = await post(body, headers);
    expect(original.status).toBe(204);
    const event = await waitFor('the untampered delivery', () => handled.find((item) => item.id === id));
    expect(event.type === 'webhook.test' && event.data.message).toBe('signed by the test');
    expect(handledById(id)).toHaveLength(1);
  });

  it("refuses the server's deliveries with 400 when it has the wrong secret", async () => {
    const wrong: WebhookEvent[] = [];
    const wrongRefused: string[] = [];
    const misconfigured = await startReceiver({
      port: 0,
      secret: newSecret(), // not the one the server signs with
      onEvent: (event) => {
        wrong.push(event);
      },
      onRejected: (status, reason) => wrongRefused.push(`${status} ${reason}`),
    });
    const other = await client.webhookEndpoints.create({ url: misconfigured.url });
    try {
      const delivery = await client.webhookEndpoints.test(other.id);
      expect(delivery.responseStatus).toBe(400);
      expect(delivery.responseBody).toMatch(/^no_matching_signature/);
      expect(wrongRefused).toEqual([expect.stringMatching(/^400 no_matching_signature/)]);
      // Whatever it had handed over would be there by now: the delivery after it is.
      await sendTestEvent();
      expect(wrong).toEqual([]);
    } finally {
      await client.webhookEndpoints.delete(other.id);
      await misconfigured.close();
    }
  });

  it('acknowledges a re-delivered webhook-id with a 2xx but hands it to onEvent once', async () => {
    const first = await client.webhookEndpoints.test(endpoint.id);
    await waitFor('the first delivery', () => handled.find((event) => event.id === first.eventId));

    // The server sends the same event again (as it does when it never saw the first answer).
    const again = await client.webhookEndpoints.retryDelivery(endpoint.id, first.id);
    expect(again).toMatchObject({
      eventId: first.eventId,
      attempts: 2,
      status: 'succeeded',
      responseStatus: 204,
    });

    // And a copy of one delivery, sent twice straight to the receiver.
    const id = `msg_replay${Date.now()}`;
    const body = JSON.stringify({
      id,
      type: 'webhook.test',
      createdAt: new Date().toISOString(),
      data: { endpointId: endpoint.id, message: 'sent twice' },
    });
    const headers = webhookHeaders([secret], id, Math.floor(Date.now() / 1000), body);
    expect((await post(body, headers)).status).toBe(204);
    expect((await post(body, headers)).status).toBe(204);

    // Handling runs in arrival order: once a later event is handled, any duplicate would have been.
    await sendTestEvent();
    expect(handledById(first.eventId)).toHaveLength(1);
    expect(handledById(id)).toHaveLength(1);
  });

  it('answers 413 to a body over 1 MB and hands nothing to onEvent', async () => {
    const id = `msg_large${Date.now()}`;
    const body = JSON.stringify({
      id,
      type: 'webhook.test',
      createdAt: new Date().toISOString(),
      data: { endpointId: endpoint.id, message: 'x'.repeat(MAX_BODY_BYTES) },
    });
    // Validly signed: the size alone is refused.
    const headers = webhookHeaders([secret], id, Math.floor(Date.now() / 1000), body);
    const declared = await post(body, headers);
    expect(declared.status).toBe(413);
    expect(refused.at(-1)).toBe(`413 The body is over ${MAX_BODY_BYTES} bytes`);

    // Without a Content-Length (chunked), the cap applies while reading.
    refused.length = 0;
    const chunked = await new Promise<number>((resolve, reject) => {
      const request = http.request(receiver.url, { method: 'POST', headers }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      for (let offset = 0; offset < body.length; offset += 64 * 1024) {
        request.write(body.slice(offset, offset + 64 * 1024));
      }
      request.end();
    });
    expect(chunked).toBe(413);
    expect(refused).toEqual([`413 The body is over ${MAX_BODY_BYTES} bytes`]);

    // Handling runs in arrival order: once a later event is handled, this one would have been.
    await sendTestEvent();
    expect(handledById(id)).toEqual([]);
  });

  it('answers before handling: a slow or failing onEvent holds nothing up and is reported', async () => {
    const ownSecret = newSecret();
    let release = () => {};
    const started: string[] = [];
    const failures: [unknown, string | undefined][] = [];
    const slow = await startReceiver({
      port: 0,
      secret: ownSecret,
      onEvent: async (event) => {
        started.push(event.id);
        if (event.type === 'webhook.test' && event.data.message === 'fail') throw new Error('handler broke');
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      onError: (error, event) => failures.push([error, event?.id]),
    });
    const send = (id: string, message: string) => {
      const body = JSON.stringify({
        id,
        type: 'webhook.test',
        createdAt: new Date().toISOString(),
        data: { endpointId: endpoint.id, message },
      });
      const headers = webhookHeaders([ownSecret], id, Math.floor(Date.now() / 1000), body);
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no answer within 2 s')), 2_000).unref(),
      );
      return Promise.race([
        fetch(slow.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        }),
        timeout,
      ]);
    };
    try {
      expect((await send('msg_slow', 'slow')).status).toBe(204);
      await waitFor('the slow handler to start', () => (started.includes('msg_slow') ? true : undefined));
      // Still handling, and the next delivery is answered too.
      expect((await send('msg_fail', 'fail')).status).toBe(204);
      await waitFor('the failure to be reported', () => failures[0]);
      expect(failures).toEqual([[new Error('handler broke'), 'msg_fail']]);
    } finally {
      release();
      await slow.close();
    }
  });

  it('answers 404 elsewhere and 405 to anything but POST', async () => {
    expect(
      (await fetch(receiver.url.replace('/webhooks/mypostshare', '/other'), { method: 'POST' })).status,
    ).toBe(404);
    const get = await fetch(receiver.url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('runs as the README says: `npm start -- --register` prints events and removes its endpoint on Ctrl-C', async () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const { MYPOSTSHARE_WEBHOOK_SECRET: _ignored, ...env } = process.env;
    // `npm start` is `tsx src/main.ts`; spawning node with tsx directly skips npm's own start-up.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--port', '0', '--register'], {
      cwd,
      env: { ...env, MYPOSTSHARE_API_KEY: server.sandboxKey, MYPOSTSHARE_BASE_URL: `${server.baseUrl}/api` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await waitFor(
        'the test event and its outcome',
        () => (/ webhook\.test msg_/.test(stdout) && stdout.includes('Sent a test event') ? true : undefined),
        30_000,
      );
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');

    const endpointId =
      /Registered endpoint ([0-9a-f-]{36}) \(removed on Ctrl-C\); its secret: whsec_\S+/.exec(stdout)?.[1];
    expect(endpointId).toBeDefined();
    expect(stdout).toMatch(/^Receiving webhooks on http:\/\/127\.0\.0\.1:\d+\/webhooks\/mypostshare$/m);
    expect(stdout).toContain('Sent a test event: the receiver answered 204');
    expect(stdout).toMatch(
      new RegExp(`^\\S+Z webhook\\.test msg_\\w+ test event for endpoint ${endpointId}: .+$`, 'm'),
    );
    expect(stdout).toContain(`Deleted endpoint ${endpointId}`);
    const remaining: string[] = [];
    for await (const item of client.webhookEndpoints.list()) remaining.push(item.id);
    expect(remaining).toEqual([endpoint.id]);
  }, 60_000);
});
