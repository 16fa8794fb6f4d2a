import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, RETRY_SCHEDULE_MS } from '../../src/webhooks/deliver.js';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { startTestServer, type TestServer } from '../harness.js';
import { connectSandbox } from '../publishing/helpers.js';
import { createEndpoint, deliverAll, type Receiver, startReceiver, verified } from './helpers.js';

/*
 * Delivery semantics against a real local receiver, with an injected clock so a day of retries
 * takes no time: at-least-once with a stable webhook-id, the backoff schedule, Retry-After, 410,
 * the `failing` flag, redirects, per-endpoint concurrency and secret rotation.
 */

describe('webhook delivery', () => {
  let server: TestServer;
  let receiver: Receiver;
  let dispatcher: WebhookDispatcher;
  let key: string;
  let nowMs: number;
  const clock = { now: () => new Date(nowMs) };

  beforeEach(async () => {
    nowMs = Date.parse('2026-11-29T12:00:00.000Z');
    server = await startTestServer(
      { MYPOSTSHARE_ALLOW_PRIVATE_NETWORK: 'true', MYPOSTSHARE_RATE_LIMIT_RPS: '0' },
      { clock },
    );
    key = server.sandboxKey;
    receiver = await startReceiver();
    dispatcher = new WebhookDispatcher(server.started.app.deps);
  });
  afterEach(async () => {
    await dispatcher.idle();
    await server.close();
    await receiver.close();
  });

  /** Produces `count` real events (connection.deleted) for the sandbox app's endpoints, undelivered. */
  async function produceEvents(count: number): Promise<void> {
    const users: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const user = `delivery_user_${Math.random().toString(36).slice(2, 8)}`;
      await connectSandbox(server, key, user, ['twitter']);
      users.push(user);
    }
    // Whatever those connections emitted goes out first, apart from the events this is about.
    await deliverAll(dispatcher);
    for (const user of users) {
      const deleted = await server.request('DELETE', `/api/v1/end-users/${user}/connections/twitter`, {
        token: key,
      });
      expect(deleted.status).toBe(204);
    }
  }
  const produceEvent = () => produceEvents(1);
  const deliveries = async (endpointId: string) =>
    (await server.request('GET', `/api/v1/webhook-endpoints/${endpointId}/deliveries`, { token: key })).body;
  const endpoint = async (endpointId: string) =>
    (await server.request('GET', `/api/v1/webhook-endpoints/${endpointId}`, { token: key })).body;

  it('a receiver failing twice then succeeding gets the same webhook-id three times, validly signed', async () => {
    const { id, secret } = await createEndpoint(server, key, {
      url: receiver.url,
      events: ['connection.deleted'],
    });
    receiver.reply = (_request, index) =>
      index < 2 ? { status: 500, body: `{"error":"down ${index}"}` } : { status: 200, body: 'thanks' };
    await produceEvent();

    await deliverAll(dispatcher);
    expect(receiver.received).toHaveLength(1);
    let [delivery] = await deliveries(id);
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 1,
      responseStatus: 500,
      error: 'HTTP 500',
    });
    expect(delivery.responseBody).toBe('{"error":"down 0"}');
    // The first retry comes 5 s later (±20 %), and not before.
    const firstWait = Date.parse(delivery.nextAttemptAt) - nowMs;
    expect(firstWait).toBeGreaterThanOrEqual(4000);
    expect(firstWait).toBeLessThanOrEqual(6000);
    nowMs += firstWait - 1;
    await deliverAll(dispatcher);
    expect(receiver.received).toHaveLength(1);
    nowMs += 1;
    await deliverAll(dispatcher);
    expect(receiver.received).toHaveLength(2);
    [delivery] = await deliveries(id);
    const secondWait = Date.parse(delivery.nextAttemptAt) - nowMs;
    expect(secondWait).toBeGreaterThanOrEqual(4 * 60_000);
    expect(secondWait).toBeLessThanOrEqual(6 * 60_000);
    nowMs += secondWait;
    await deliverAll(dispatcher);
    expect(receiver.received).toHaveLength(3);

    const ids = receiver.received.map((request) => request.id);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^msg_/);
    // Each attempt is signed at its own time, and each signature verifies; the body never changes.
    const events = receiver.received.map((request) => verified(request, secret));
    expect(events.every((event) => event.id === ids[0] && event.type === 'connection.deleted')).toBe(true);
    expect(new Set(receiver.received.map((request) => request.body)).size).toBe(1);
    expect(new Set(receiver.received.map((request) => request.timestamp)).size).toBe(3);
    [delivery] = await deliveries(id);
    expect(delivery).toMatchObject({
      eventId: ids[0],
      status: 'succeeded',
      attempts: 3,
      responseStatus: 200,
      responseBody: 'thanks',
      error: null,
      nextAttemptAt: null,
    });
    expect(delivery.durationMs).toBeGreaterThanOrEqual(0);
    // Nothing more is sent.
    nowMs += 48 * 3600_000;
    await deliverAll(dispatcher);
    expect(receiver.received).toHaveLength(3);
  });

  it('retries on the schedule for about a day, then fails the delivery and flags the endpoint failing', async () => {
    const { id } = await createEndpoint(server, key, { url: receiver.url, events: ['connection.deleted'] });
    receiver.reply = () => ({ status: 503 });
    await produceEvent();
    const started = nowMs;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      await deliverAll(dispatcher);
      expect(receiver.received).toHaveLength(attempt);
      const [delivery] = await deliveries(id);
      expect(delivery.attempts).toBe(attempt);
      if (attempt < MAX_ATTEMPTS) {
        expect(delivery.status).toBe('pending');
        const wait = Date.parse(delivery.nextAttemptAt) - nowMs;
        const base = RETRY_SCHEDULE_MS[attempt - 1]!;
        expect(wait).toBeGreaterThanOrEqual(base * 0.8);
        expect(wait).toBeLessThanOrEqual(base * 1.2);
        expect((await endpoint(id)).status).toBe('active');
        nowMs += wait;
      } else {
        expect(delivery).toMatchObject({ status: 'failed', nextAttemptAt: null, responseStatus: 503 });
      }
    }
    const span = nowMs - started;
    expect(span).toBeGreaterThan(20 * 3600_000);
    expect(span).toBeLessThan(34 * 3600_000);
    expect((await endpoint(id)).status).toBe('failing');
    nowMs += 7 * 24 * 3600_000;
    await deliverAll(dispatcher);
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS);

    // A failing endpoint still gets new events; the next success clears the flag.
    receiver.reply = () => ({ status: 200 });
    await produceEvent();
    await deliverAll(dispatcher);
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS + 1);
    expect((await endpoint(id)).status).toBe('active');
  });

  it('honours Retry-After on 429 and 503: the next attempt comes no sooner than the receiver asked', async () => {
    const { id } = await createEndpoint(server, key, { url: receiver.url, events: ['connection.deleted'] });
    receiver.reply = (_request, index) =>
      index === 0
        ? { status: 429, headers: { 'Retry-After': '120' } }
        : index === 1
          ? { status: 503, headers: { 'Retry-After': new Date(nowMs + 3600_000).toUTCString() } }
          : { status: 200 };
    await produceEvent();
    await deliverAll(dispatcher);
    let [delivery] = await deliveries(id);
    expect(delivery).toMatchObject({ status: 'pending', responseStatus: 429 });
    let wait = Date.parse(delivery.nextAttemptAt) - nowMs;
    // 120 s (the scheduled 5 s would be far sooner), plus at most 10 % jitter.
    expect(wait).toBeGreaterThanOrEqual(120_000);
    expect(wait).toBeLessThanOrEqual(132_000);
    nowMs += 119_000;
    await deliverAll(dispatcher);
    expect(receiver.received).toHaveLength(1);
    nowMs += wait - 119_000;
    await deliverAll(dispatcher);
    expect(receiver.received).toHaveLength(2);
    [delivery] = await deliveries(id);
    wait = Date.parse(delivery.nextAttemptAt) - nowMs;
    expect(wait).toBeGreaterThanOrEqual(3600_000 - 1000);
    expect(wait).toBeLessThanOrEqual(3600_000 * 1.1);
    nowMs += wait;
    await deliverAll(dispatcher);
    expect(receiver.received).toHaveLength(3);
    expect((await deliveries(id))[0]).toMatchObject({ status: 'succeeded', attempts: 3 });
  });

  it('410 Gone disables the endpoint: its pending deliveries fail and nothing more is sent', async () => {
    const { id } = await createEndpoint(server, key, { url: receiver.url, events: ['connection.deleted'] });
    const other = await createEndpoint(server, key, {
      url: `${receiver.url}/other`,
      events: ['connection.deleted'],
    });
    const toFirst = (path: string) => path === '/hooks';
    // The first endpoint fails one event (left pending for a retry), then answers 410 to the next.
    let gone = false;
    receiver.reply = (request) =>
      !toFirst(request.path) ? { status: 200 } : gone ? { status: 410, body: 'gone' } : { status: 500 };
    await produceEvent();
    await deliverAll(dispatcher);
    expect((await deliveries(id))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    gone = true;
    nowMs += 1000;
    await produceEvent();
    await deliverAll(dispatcher);
    const log = await deliveries(id);
    expect(log).toHaveLength(2);
    const [newest, oldest] = log;
    expect(newest).toMatchObject({
      status: 'failed',
      responseStatus: 410,
      responseBody: 'gone',
      attempts: 1,
    });
    // The older one, which was waiting for its retry, is failed without being sent again.
    expect(oldest).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 500, nextAttemptAt: null });
    expect(oldest.error).toMatch(/410/);
    expect((await endpoint(id)).status).toBe('disabled');
    expect((await endpoint(other.id)).status).toBe('active');

    // New events are no longer stored for it, and time passing sends it nothing.
    const sentToFirst = () => receiver.received.filter((request) => toFirst(request.path)).length;
    const before = sentToFirst();
    await produceEvent();
    nowMs += 2 * 24 * 3600_000;
    await deliverAll(dispatcher);
    expect(await deliveries(id)).toHaveLength(2);
    expect(await deliveries(other.id)).toHaveLength(3);
    expect(sentToFirst()).toBe(before);

    // A successful test brings it back.
    gone = false;
    receiver.reply = () => ({ status: 200 });
    const tested = await server.request('POST', `/api/v1/webhook-endpoints/${id}/test`, { token: key });
    expect(tested.body.status).toBe('succeeded');
    expect((await endpoint(id)).status).toBe('active');
  });

  it('never follows a redirect: a 3xx is a failed attempt and the Location is not fetched', async () => {
    const target = await startReceiver('/elsewhere');
    try {
      const { id } = await createEndpoint(server, key, { url: receiver.url, events: ['connection.deleted'] });
      receiver.reply = () => ({ status: 307, headers: { Location: target.url } });
      await produceEvent();
      await deliverAll(dispatcher);
      expect(receiver.received).toHaveLength(1);
      expect(target.received).toHaveLength(0);
      expect(target.connections).toBe(0);
      const [delivery] = await deliveries(id);
      expect(delivery).toMatchObject({ status: 'pending', responseStatus: 307, attempts: 1 });
      expect(delivery.error).toMatch(/redirects are not followed/);
    } finally {
      await target.close();
    }
  });

  it('bounds concurrency per endpoint: at most 4 attempts in flight to one receiver', async () => {
    const slow = await startReceiver('/slow');
    try {
      await createEndpoint(server, key, { url: slow.url, events: ['connection.deleted'] });
      const fast = await createEndpoint(server, key, { url: receiver.url, events: ['connection.deleted'] });
      slow.reply = () => ({ status: 200, delayMs: 150 });
      await produceEvents(10);
      await deliverAll(dispatcher);
      expect(slow.received).toHaveLength(10);
      // Four at once (the bound), never more, although ten were due together.
      expect(slow.maxInFlight).toBe(4);
      // The other endpoint was not held up behind the slow one's queue.
      expect((await deliveries(fast.id)).every((delivery: any) => delivery.status === 'succeeded')).toBe(
        true,
      );
    } finally {
      await slow.close();
    }
  });

  it('rotation: both secrets sign for 24 hours, then only the new one', async () => {
    const { id, secret: oldSecret } = await createEndpoint(server, key, {
      url: receiver.url,
      events: ['connection.deleted'],
    });
    const rotated = await server.request('POST', `/api/v1/webhook-endpoints/${id}/rotate-secret`, {
      token: key,
    });
    const newSecret = rotated.body.secret as string;
    expect(rotated.body.previousSecretExpiresAt).toBe(new Date(nowMs + 24 * 3600_000).toISOString());

    await produceEvent();
    await deliverAll(dispatcher);
    const during = receiver.received.at(-1)!;
    const entries = during.signature.split(' ');
    expect(entries).toHaveLength(2);
    expect(entries.every((entry) => entry.startsWith('v1,'))).toBe(true);
    expect(verified(during, newSecret).type).toBe('connection.deleted');
    expect(verified(during, oldSecret).type).toBe('connection.deleted');

    nowMs += 24 * 3600_000 + 1000;
    expect((await endpoint(id)).previousSecretExpiresAt).toBeNull();
    await produceEvent();
    await deliverAll(dispatcher);
    const after = receiver.received.at(-1)!;
    expect(after.id).not.toBe(during.id);
    expect(after.signature.split(' ')).toHaveLength(1);
    expect(verified(after, newSecret).type).toBe('connection.deleted');
    expect(() => verified(after, oldSecret)).toThrow(/no matching signature/);
  });

  it('two rotations within a day keep every recent secret signing', async () => {
    const { id, secret: first } = await createEndpoint(server, key, {
      url: receiver.url,
      events: ['connection.deleted'],
    });
    const second = (
      await server.request('POST', `/api/v1/webhook-endpoints/${id}/rotate-secret`, { token: key })
    ).body.secret;
    nowMs += 3600_000;
    const third = (
      await server.request('POST', `/api/v1/webhook-endpoints/${id}/rotate-secret`, { token: key })
    ).body.secret;
    await produceEvent();
    await deliverAll(dispatcher);
    const request = receiver.received.at(-1)!;
    expect(request.signature.split(' ')).toHaveLength(3);
    for (const secret of [first, second, third])
      expect(verified(request, secret).type).toBe('connection.deleted');
  });
});
