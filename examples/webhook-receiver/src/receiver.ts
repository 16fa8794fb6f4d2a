import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PlatformResult, type WebhookEvent, WebhookVerificationError, webhooks } from '@mypostshare/sdk';

/*
 * A webhook receiver on node:http and the SDK, nothing else. The server POSTs each event as JSON
 * with Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`); for
 * each request, in this order:
 *
 *   1. read the raw body, capped (413 past 1 MB: events are a few KB)
 *   2. verify the signature over exactly those bytes with `webhooks.verify` (400 if it fails):
 *      parsing and re-serialising the JSON first would break it
 *   3. de-duplicate on `webhook-id`: delivery is at least once, a retry carries the same id
 *   4. answer 204 at once: anything but a 2xx within 15 seconds is retried
 *   5. then handle the event
 *
 * In a framework, the same steps apply; what matters is getting the raw body (e.g. Express's
 * `express.raw({ type: 'application/json' })`, or `await request.text()` in a fetch handler).
 */

/** The path this receiver answers on. */
export const WEBHOOK_PATH = '/webhooks/mypostshare';

/** The default cap on a delivery's body. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface ReceiverOptions {
  /**
   * The endpoint's signing secret (`whsec_...`), or a function returning it, read for each request
   * (from your configuration, or once the endpoint has been registered).
   */
  secret: string | (() => string);
  /** Each verified event, once per `webhook-id`, called after the response has been sent. */
  onEvent: (event: WebhookEvent) => void | Promise<void>;
  /** A request that was refused (400, 404, 405, 413), with the reason. Default: nothing. */
  onRejected?: (status: number, reason: string) => void;
  /** `onEvent` threw, or the receiver failed (500). Default: `console.error`. */
  onError?: (error: unknown, event?: WebhookEvent) => void;
  /** Default {@link MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
  /** How many recent `webhook-id`s to remember for de-duplication. Default 10 000. */
  rememberIds?: number;
}

/**
 * The ids of the deliveries already accepted, the oldest forgotten first. In memory, this is lost
 * on a restart and not shared between instances: a real app stores the id in its database (a
 * unique key on the event id, written in the same transaction as what the event changes), and
 * skips an event whose id is already there.
 */
class RecentIds {
  readonly #ids = new Set<string>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Remembers `id`; false when it was already known. */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.#limit) {
      const oldest = this.#ids.values().next().value;
      if (oldest !== undefined) this.#ids.delete(oldest);
    }
    return true;
  }
}

class BodyTooLargeError extends Error {}

/** The body as sent, as bytes; rejects with {@link BodyTooLargeError} past `limit` bytes. */
function readRawBody(request: http.IncomingMessage, limit: number): Promise<Buffer> {
  // A declared length over the cap is refused before reading anything.
  if (Number(request.headers['content-length']) > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', reject);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', reject);
  });
}

/** `name`'s value: Node gives a repeated header as an array. */
const header = (request: http.IncomingMessage, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(' ') : (value ?? '');
};

/**
 * The receiver as a `node:http` request listener: `http.createServer(createReceiver(options))`,
 * or call it from your own server's handler for {@link WEBHOOK_PATH}.
 */
export function createReceiver(options: ReceiverOptions): http.RequestListener {
  const seen = new RecentIds(options.rememberIds ?? 10_000);
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  const secret = typeof options.secret === 'function' ? options.secret : () => options.secret as string;

  const refuse = (response: http.ServerResponse, status: number, reason: string, extra = {}) => {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...extra });
    response.end(reason);
    options.onRejected?.(status, reason);
  };

  async function receive(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    if (new URL(request.url ?? '/', 'http://receiver').pathname !== WEBHOOK_PATH) {
      refuse(response, 404, 'Not found');
      return;
    }
    if (request.method !== 'POST') {
      refuse(response, 405, 'Method not allowed', { allow: 'POST' });
      return;
    }

    let rawBody: Buffer;
    try {
      rawBody = await readRawBody(request, maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      // Read and discard the rest, so the sender gets this answer rather than a reset connection.
      request.resume();
      refuse(response, 413, `The body is over ${maxBodyBytes} bytes`);
      return;
    }

    let event: WebhookEvent;
    try {
      event = await webhooks.verify(rawBody, request.headers, secret());
    } catch (error) {
      // Not from mypostshare, modified on the way, signed with another secret, or replayed more
      // than 5 minutes later: do not act on it. Any other error (e.g. a malformed secret) is a
      // configuration problem, answered 500 below, so it is retried once fixed.
      if (!(error instanceof WebhookVerificationError)) throw error;
      refuse(response, 400, `${error.reason}: ${error.message}`);
      return;
    }

    // The `webhook-id` header (the same as `event.id`) is covered by the signature, so it can be
    // trusted now. A delivery already accepted is acknowledged again (the first answer may have been
    // lost on the way back, which is why it came again) and not handled twice.
    const firstTime = seen.add(header(request, 'webhook-id'));
    response.writeHead(204);
    response.end();
    if (!firstTime) return;

    // Handled after answering: the server waits at most 15 s for the answer. This work is lost if
    // the process dies now, and the server will not send the event again (it got its 2xx): a real
    // app writes the event to its database or a queue before answering, and works from there.
    setImmediate(() => {
      Promise.resolve()
        .then(() => options.onEvent(event))
        .catch((error: unknown) => onError(error, event));
    });
  }

  return (request, response) => {
    receive(request, response).catch((error: unknown) => {
      onError(error);
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('Internal error');
      }
    });
  };
}

export interface RunningReceiver {
  /** The URL to register as the webhook endpoint, e.g. `http://127.0.0.1:4000/webhooks/mypostshare`. */
  url: string;
  close(): Promise<void>;
}

/** Starts a `node:http` server with the receiver and resolves once it listens. */
export async function startReceiver(
  options: ReceiverOptions & {
    /** 0 picks a free port. Default 4000. */
    port?: number;
    /** Default `127.0.0.1`. */
    host?: string;
  },
): Promise<RunningReceiver> {
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer(createReceiver(options));
  // The server gives up on a delivery after 15 s; nobody else needs longer to send a request.
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4000, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${WEBHOOK_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const results = (platformResults: PlatformResult[]) =>
  platformResults
    .map(
      (result) => `${result.platform}: ${result.status}${result.errorCode ? ` (${result.errorCode})` : ''}`,
    )
    .join(', ');

/**
 * What this example does with each event: one line saying what happened. The comments say what a
 * real app would do instead. The `switch` covers every type the SDK knows; a type added to the API
 * later fails to compile here (`never`) once the SDK is upgraded, and until then lands in `default`.
 */
export function describeEvent(event: WebhookEvent): string {
  switch (event.type) {
    case 'post.published':
      // Every platform published: mark the post live, show its links (platformResults[].url).
      return `post ${event.data.postId} published for ${event.data.externalUserId} (${results(event.data.platformResults)})`;
    case 'post.partially_published':
      // Tell the user which platforms failed and why; offer to post there again.
      return `post ${event.data.postId} partially published for ${event.data.externalUserId} (${results(event.data.platformResults)})`;
    case 'post.failed':
      // Nothing was published: tell the user (errorCode and errorMessage per platform).
      return `post ${event.data.postId} failed for ${event.data.externalUserId} (${results(event.data.platformResults)})`;
    case 'post.canceled':
      // A scheduled post will not go out: take it off the user's calendar.
      return `post ${event.data.postId} canceled for ${event.data.externalUserId}`;
    case 'connect_session.completed':
      // The end user connected an account: show it as connected, enable publishing to it.
      return `${event.data.externalUserId} connected ${event.data.platform} (connection ${event.data.connectionId})`;
    case 'connect_session.failed':
      // The hosted flow ended without a connection (denied, error, or the session expired unused).
      return `${event.data.externalUserId} did not connect ${event.data.platform}: ${event.data.status}${event.data.errorCode ? ` (${event.data.errorCode})` : ''}`;
    case 'connection.expiring':
      // A token that cannot be refreshed expires soon: ask the user to reconnect before it does.
      return `${event.data.externalUserId}'s ${event.data.platform} connection expires at ${event.data.expiresAt}`;
    case 'connection.expired':
      // Publishing to it fails until the user reconnects: ask them to.
      return `${event.data.externalUserId}'s ${event.data.platform} connection expired: reconnect needed`;
    case 'connection.deleted':
      // Disconnected, or the end user was erased: forget the connection.
      return `${event.data.externalUserId}'s ${event.data.platform} connection deleted (${event.data.reason ?? 'deleted'})`;
    case 'webhook.test':
      // Sent by "send a test event": describes nothing that happened. Acknowledge, do nothing else.
      return `test event for endpoint ${event.data.endpointId}: ${event.data.message}`;
    default: {
      const unknown: never = event;
      return `an event type this version does not know: ${(unknown as { type: string }).type}`;
    }
  }
}
