import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorker, type WorkerHandle } from '../../server/src/worker/index.js';
import { startTestServer, type TestServer } from '../../server/test/harness.js';
import { connectSandbox } from '../../server/test/publishing/helpers.js';
import { assertBuilt, Home, json } from './helpers.js';

// Each step runs the binary in a child process: slow machines need more than the default 20 s.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

// `mypostshare webhooks ...` against the real server, which may send to 127.0.0.1 here
// (MYPOSTSHARE_ALLOW_PRIVATE_NETWORK, as for local development), with its worker delivering events.

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver answering 204 that records what it got. */
async function receiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let server: TestServer;
let worker: WorkerHandle;
let home: Home;
let sink: Awaited<ReturnType<typeof receiver>>;

beforeAll(async () => {
  assertBuilt();
  server = await startTestServer({ MYPOSTSHARE_ALLOW_PRIVATE_NETWORK: 'true' });
  worker = startWorker(server.started.app.deps);
  home = new Home({ MYPOSTSHARE_SERVER_URL: server.baseUrl, MYPOSTSHARE_API_KEY: server.sandboxKey });
  sink = await receiver();
});
afterAll(async () => {
  await worker.stop(1_000);
  await server.started.app.deps.publishing.idle();
  await sink.close();
  home.remove();
  await server.close();
});

describe('webhook endpoints', () => {
  let endpointId: string;
  let secret: string;

  it('creates an endpoint and shows its secret once', async () => {
    const run = await home.run([
      'webhooks',
      'create',
      sink.url,
      '--event',
      'post.published',
      '--event',
      'post.failed',
      '--description',
      'CLI test',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const endpoint = json(run);
    expect(endpoint).toMatchObject({
      url: sink.url,
      events: ['post.published', 'post.failed'],
      status: 'active',
      description: 'CLI test',
      secret: expect.stringMatching(/^whsec_/),
    });
    endpointId = endpoint.id;
    secret = endpoint.secret;
  });

  it('lists and gets endpoints without their secrets', async () => {
    let run = await home.run(['webhooks', 'list', '--json']);
    expect(json(run)).toEqual([expect.objectContaining({ id: endpointId, url: sink.url })]);
    expect(run.stdout).not.toContain(secret);
    run = await home.run(['webhooks', 'get', endpointId, '--json']);
    expect(json(run)).toMatchObject({ id: endpointId, status: 'active' });
    expect(json(run).secret).toBeUndefined();
  });

  it('sends a test event, lists the deliveries and retries one', async () => {
    let run = await home.run(['webhooks', 'test', endpointId, '--json']);
    expect(run.code).toBe(0);
    const delivery = json(run);
    expect(delivery).toMatchObject({
      endpointId,
      eventType: 'webhook.test',
      status: 'succeeded',
      responseStatus: 204,
    });
    expect(sink.received.at(-1)?.headers['webhook-id']).toBe(delivery.eventId);

    run = await home.run(['webhooks', 'deliveries', endpointId, '--json', '--status', 'succeeded']);
    expect(json(run)).toEqual([expect.objectContaining({ id: delivery.id })]);
    run = await home.run(['webhooks', 'deliveries', endpointId]);
    expect(run.stdout.split('\n')[0]).toMatch(/^ID +EVENT +STATUS +ATTEMPTS +RESPONSE +WHEN$/);

    run = await home.run(['webhooks', 'retry', endpointId, delivery.id, '--json']);
    expect(json(run)).toMatchObject({ id: delivery.id, status: 'succeeded', attempts: 2 });
    // The retry carries the same webhook-id.
    expect(sink.received.at(-1)?.headers['webhook-id']).toBe(delivery.eventId);
  });

  it('rotates the secret', async () => {
    const run = await home.run(['webhooks', 'rotate', endpointId, '--json']);
    const rotated = json(run);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.previousSecretExpiresAt).toEqual(expect.any(String));
  });

  it('goes through the admin API when an app is named', async () => {
    const appId = server.started.banner.sandbox!.appId;
    const run = await home.run(['webhooks', 'list', '--json', '--app', appId], {
      env: { MYPOSTSHARE_ADMIN_TOKEN: server.adminToken, MYPOSTSHARE_API_KEY: '' },
    });
    expect(run.code).toBe(0);
    expect(json(run)).toEqual([expect.objectContaining({ id: endpointId })]);
  });

  it('refuses unknown event types, and deletes with --yes', async () => {
    let run = await home.run(['webhooks', 'create', sink.url, '--event', 'post.exploded']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --event must be one of connect_session\.completed/);

    run = await home.run(['webhooks', 'delete', endpointId]);
    expect(run.code).toBe(2);
    run = await home.run(['webhooks', 'delete', endpointId, '--yes', '--json']);
    expect(json(run)).toEqual({ id: endpointId, deleted: true });
    run = await home.run(['webhooks', 'get', endpointId]);
    expect(run.code).toBe(4);
  });
});

describe('webhooks listen', () => {
  it('registers a temporary endpoint, prints verified events, rejects forged ones, and cleans up', async () => {
    const listen = home.background(['webhooks', 'listen', '--json']);
    const ready = await listen.waitFor(
      'stderr',
      /Listening on (http:\/\/127\.0\.0\.1:\d+\/) for endpoint (\S+) /,
    );
    const [, localUrl, endpointId] = ready as unknown as [string, string, string];

    // A test event, through the CLI.
    const test = await home.run(['webhooks', 'test', endpointId, '--json']);
    expect(json(test)).toMatchObject({ status: 'succeeded', responseStatus: 204 });
    await listen.waitFor('stdout', /"type":"webhook\.test"/);

    // A real event: a post published by the sandbox, delivered by the worker.
    await connectSandbox(server, server.sandboxKey, 'hook_user', ['linkedin']);
    const post = await home.run(['post', 'hook_user', 'Webhook me', '-p', 'linkedin', '--json']);
    expect(post.code).toBe(0);
    await listen.waitFor('stdout', /"type":"post\.published"/, 20_000);
    await listen.waitFor('stdout', /"type":"connect_session\.completed"/, 20_000);

    // Anyone else posting to the port is turned away.
    const forged = await fetch(localUrl, {
      method: 'POST',
      headers: {
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      },
      body: '{"id":"msg_forged","type":"post.published","createdAt":"","data":{}}',
    });
    expect(forged.status).toBe(400);
    await listen.waitFor('stderr', /rejected a delivery: No webhook-signature matches/);

    const done = await listen.stop('SIGINT');
    expect(done.code).toBe(0);
    expect(done.stderr).toContain(`Removed the temporary endpoint ${endpointId}.`);
    const events = done.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // The sandbox connect's own event comes too (the temporary endpoint takes every type).
    expect(events.map((event) => event.type).sort()).toEqual([
      'connect_session.completed',
      'post.published',
      'webhook.test',
    ]);
    expect(events.find((event) => event.type === 'post.published').data).toMatchObject({
      postId: json(post).id,
      status: 'published',
      externalUserId: 'hook_user',
    });
    expect(events.some((event) => event.id === 'msg_forged')).toBe(false);

    const list = await home.run(['webhooks', 'list', '--json']);
    expect(json<{ id: string }[]>(list).map((endpoint) => endpoint.id)).not.toContain(endpointId);
  });

  it('verifies with a secret piped on stdin for an endpoint registered beforehand, and forwards', async () => {
    const port = await freePort();
    const created = json(await home.run(['webhooks', 'create', `http://127.0.0.1:${port}/`, '--json']));
    const forward = await receiver();
    try {
      const listen = home.background(
        ['webhooks', 'listen', '--port', String(port), '--secret-stdin', '--forward-to', forward.url],
        { input: `${created.secret}\n` },
      );
      await listen.waitFor(
        'stderr',
        new RegExp(`Listening on http://127\\.0\\.0\\.1:${port}/ \\(Ctrl-C to stop\\)`),
      );
      await home.run(['webhooks', 'test', created.id]);
      const line = await listen.waitFor('stdout', /^.*webhook\.test.*$/m);
      expect(line[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}webhook\.test {2}msg_\w+ {2}\S/);
      await listen.waitFor('stderr', /forwarded msg_\w+ to .*: 204/);
      expect(forward.received.at(-1)?.headers['webhook-signature']).toMatch(/^v1,/);
      const done = await listen.stop('SIGTERM');
      expect(done.code).toBe(0);
      // It was not the listener's to remove.
      const still = await home.run(['webhooks', 'get', created.id, '--json']);
      expect(still.code).toBe(0);
    } finally {
      await forward.close();
    }
  });

  it('explains a server that refuses local URLs', async () => {
    const strict = await startTestServer();
    try {
      const run = await home.run(['webhooks', 'listen'], {
        env: { MYPOSTSHARE_SERVER_URL: strict.baseUrl, MYPOSTSHARE_API_KEY: strict.sandboxKey },
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^error: the server refused http:\/\/127\.0\.0\.1:\d+\/ as a webhook URL: .*\nhint: .*MYPOSTSHARE_ALLOW_PRIVATE_NETWORK=true.*--url https/,
      );
    } finally {
      await strict.close();
    }
  });
});
