import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { configureWebhooks } from '../../src/webhooks/runtime.js';
import { startTestServer, type TestServer } from '../harness.js';
import { connectSandbox } from '../publishing/helpers.js';
import { createEndpoint, deliverAll, type Receiver, startReceiver, stubLookup } from './helpers.js';

/*
 * SSRF at send time (registration is covered in endpoints-api.test.ts): with
 * MYPOSTSHARE_ALLOW_PRIVATE_NETWORK off, a delivery never reaches loopback or metadata addresses,
 * whether the URL names them literally (registered while an operator allowed it, then the opt-in
 * was turned off) or through a DNS name that resolved publicly at registration and privately now
 * (rebinding; a stub resolver). Redirects are refused whatever the opt-in (delivery.test.ts).
 */

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mps-ssrf-'));
const receivers: Receiver[] = [];

afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Produces a connection.deleted event for every endpoint of the sandbox app. */
async function produceEvent(server: TestServer, key: string, dispatcher?: WebhookDispatcher) {
  const user = `ssrf_user_${Math.random().toString(36).slice(2, 8)}`;
  await connectSandbox(server, key, user, ['twitter']);
  if (dispatcher) await deliverAll(dispatcher);
  const deleted = await server.request('DELETE', `/api/v1/end-users/${user}/connections/twitter`, {
    token: key,
  });
  expect(deleted.status).toBe(204);
}

describe('webhook delivery refuses private targets when the opt-in is off', () => {
  it('refuses http://127.0.0.1, http://169.254.169.254 and their https forms registered under the opt-in', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const port = new URL(receiver.url).port;
    const targets = [
      receiver.url,
      'http://169.254.169.254/latest/meta-data/',
      `https://127.0.0.1:${port}/hooks`,
      'https://169.254.169.254/latest/meta-data/',
    ];

    // An operator allowed private networks for a while: the endpoints register, an event is stored.
    const permissive = await startTestServer(
      { MYPOSTSHARE_ALLOW_PRIVATE_NETWORK: 'true', MYPOSTSHARE_RATE_LIMIT_RPS: '0' },
      { dataDir },
    );
    const key = permissive.sandboxKey;
    const ids: string[] = [];
    for (const url of targets)
      ids.push((await createEndpoint(permissive, key, { url, events: ['connection.deleted'] })).id);
    await produceEvent(permissive, key);
    await permissive.close();

    // Restarted without the opt-in: the stored deliveries are attempted and refused before connecting.
    const strict = await startTestServer({ MYPOSTSHARE_RATE_LIMIT_RPS: '0' }, { dataDir });
    const dispatcher = new WebhookDispatcher(strict.started.app.deps);
    try {
      await deliverAll(dispatcher);
      expect(receiver.received).toHaveLength(0);
      expect(receiver.connections).toBe(0);
      for (const [index, id] of ids.entries()) {
        const [delivery] = (
          await strict.request('GET', `/api/v1/webhook-endpoints/${id}/deliveries`, { token: key })
        ).body;
        expect(delivery, targets[index]).toMatchObject({
          status: 'pending',
          attempts: 1,
          responseStatus: null,
        });
        expect(delivery.error, targets[index]).toMatch(
          index < 2
            ? /^refused: the URL must be an https URL/
            : /^refused: .*loopback, private, link-local or metadata/,
        );
      }
      // A manual test is refused the same way.
      const tested = await strict.request('POST', `/api/v1/webhook-endpoints/${ids[2]}/test`, { token: key });
      expect(tested.body).toMatchObject({ status: 'failed', responseStatus: null });
      expect(receiver.connections).toBe(0);
    } finally {
      await dispatcher.idle();
      await strict.close();
    }
  });

  it('refuses a name that resolved publicly at registration and privately at send time (stub resolver)', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const port = new URL(receiver.url).port;
    let address = '93.184.216.34';
    const server = await startTestServer({ MYPOSTSHARE_RATE_LIMIT_RPS: '0' });
    configureWebhooks(server.started.app.deps, {
      resolve: stubLookup((hostname) => (hostname === 'hooks.rebind.example' ? address : undefined)),
    });
    const dispatcher = new WebhookDispatcher(server.started.app.deps);
    try {
      const key = server.sandboxKey;
      const { id } = await createEndpoint(server, key, {
        url: `https://hooks.rebind.example:${port}/hooks`,
        events: ['connection.deleted'],
      });
      // Now the name points at this machine.
      address = '127.0.0.1';
      await produceEvent(server, key, dispatcher);
      await deliverAll(dispatcher);
      expect(receiver.connections).toBe(0);
      const [delivery] = (
        await server.request('GET', `/api/v1/webhook-endpoints/${id}/deliveries`, { token: key })
      ).body;
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1, responseStatus: null });
      expect(delivery.error).toBe(
        'refused: the host resolves to a loopback, private, link-local or metadata address',
      );
      // The metadata address by name is refused the same way.
      address = '169.254.169.254';
      const retried = await server.request(
        'POST',
        `/api/v1/webhook-endpoints/${id}/deliveries/${delivery.id}/retry`,
        {
          token: key,
        },
      );
      expect(retried.body.error).toMatch(/^refused: the host resolves/);
      // Registering while it resolves privately is refused outright.
      const again = await server.request('POST', '/api/v1/webhook-endpoints', {
        token: key,
        body: { url: `https://hooks.rebind.example:${port}/other` },
      });
      expect(again.status).toBe(400);
      expect(receiver.connections).toBe(0);
    } finally {
      await dispatcher.idle();
      await server.close();
    }
  });
});
