import type dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { verifyWebhook } from '../../src/webhooks/signing.js';
import type { TestServer } from '../harness.js';

/** One request a receiver got. */
export interface Received {
  /** The request path (with query). */
  path: string;
  id: string;
  timestamp: string;
  signature: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Milliseconds since the epoch (real time) when it arrived. */
  at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

/**
 * A real local HTTP receiver on 127.0.0.1 (reachable only with MYPOSTSHARE_ALLOW_PRIVATE_NETWORK).
 * Records every request and answers with `reply` (by default 200 `ok`).
 */
export interface Receiver {
  url: string;
  received: Received[];
  reply: (request: Received, index: number) => Reply | Promise<Reply>;
  /** Requests in flight now, and the most at once so far. */
  inFlight: number;
  maxInFlight: number;
  /** TCP connections accepted, even those that never sent a request. */
  connections: number;
  close(): Promise<void>;
}

export async function startReceiver(path = '/hooks'): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    received: [],
    reply: () => ({ status: 200, body: 'ok' }),
    inFlight: 0,
    maxInFlight: 0,
    connections: 0,
    close: async () => undefined,
  };
  const server = http.createServer(async (req, res) => {
    receiver.inFlight += 1;
    receiver.maxInFlight = Math.max(receiver.maxInFlight, receiver.inFlight);
    try {
      let body = '';
      for await (const chunk of req) body += chunk;
      const request: Received = {
        path: req.url ?? '/',
        id: String(req.headers['webhook-id'] ?? ''),
        timestamp: String(req.headers['webhook-timestamp'] ?? ''),
        signature: String(req.headers['webhook-signature'] ?? ''),
        headers: req.headers,
        body,
        at: Date.now(),
      };
      const index = receiver.received.push(request) - 1;
      const reply = await receiver.reply(request, index);
      if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
    } finally {
      receiver.inFlight -= 1;
    }
  });
  server.on('connection', () => {
    receiver.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

/**
 * A DNS resolver for tests: answers the address mapped to a name (a function of the name, so a
 * test can change it between calls), ENOTFOUND otherwise.
 */
export function stubLookup(addresses: Record<string, string> | ((hostname: string) => string | undefined)) {
  const find = typeof addresses === 'function' ? addresses : (hostname: string) => addresses[hostname];
  return ((
    hostname: string,
    options: dns.LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void,
  ) => {
    const address = find(hostname);
    if (!address) {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      error.code = 'ENOTFOUND';
      process.nextTick(() => callback(error));
      return;
    }
    const family = address.includes(':') ? 6 : 4;
    process.nextTick(() =>
      options?.all ? callback(null, [{ address, family }]) : callback(null, address, family),
    );
  }) as unknown as typeof dns.lookup;
}

/** Runs dispatcher passes until nothing is due and nothing runs. */
export async function deliverAll(dispatcher: WebhookDispatcher): Promise<void> {
  for (let pass = 0; pass < 200; pass += 1) {
    const claimed = await dispatcher.runOnce();
    await dispatcher.idle();
    if (claimed === 0) return;
  }
  throw new Error('the webhook dispatcher did not drain');
}

/** Registers an endpoint through the public API; returns its id and secret. */
export async function createEndpoint(
  server: TestServer,
  key: string,
  body: { url: string; events?: string[]; description?: string },
): Promise<{ id: string; secret: string }> {
  const created = await server.request('POST', '/api/v1/webhook-endpoints', { token: key, body });
  expect(created.status, created.text).toBe(201);
  return { id: created.body.id, secret: created.body.secret };
}

/**
 * Verifies a received request against `secret` at the time of its own timestamp (the server's
 * clock may be injected) and returns the parsed event.
 */
export function verified(request: Received, secret: string): any {
  return verifyWebhook(request.body, request.headers as Record<string, string>, secret, {
    now: new Date(Number(request.timestamp) * 1000),
  });
}

/** The events a receiver got, verified, in arrival order. */
export const eventsOf = (receiver: Receiver, secret: string) =>
  receiver.received.map((request) => verified(request, secret));
