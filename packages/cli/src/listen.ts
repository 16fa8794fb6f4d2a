import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookEvent } from '@mypostshare/sdk';
import { webhookApi } from './commands/webhooks.js';
import type { Context } from './context.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { paint } from './output.js';
import { readStdinSecret } from './prompts.js';
import { formatTime } from './time.js';

// `mypostshare webhooks listen`, loaded only when it runs: a local receiver that verifies each
// delivery with the SDK and prints the event.

export interface ListenOptions {
  port?: number | undefined;
  host?: string | undefined;
  url?: string | undefined;
  events?: string[] | undefined;
  forwardTo?: string | undefined;
  secretStdin?: boolean | undefined;
}

/** Deliveries are small JSON documents; anything bigger is not one of ours. */
const MAX_BODY_BYTES = 1024 * 1024;

function readBody(request: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** One line saying what happened. */
export function describeEvent(event: WebhookEvent): string {
  switch (event.type) {
    case 'post.published':
    case 'post.partially_published':
    case 'post.failed':
    case 'post.canceled':
      return `post ${event.data.postId} ${event.data.status} for ${event.data.externalUserId} (${event.data.platformResults
        .map((result) => `${result.platform}: ${result.status}`)
        .join(', ')})`;
    case 'connect_session.completed':
    case 'connect_session.failed':
      return `${event.data.externalUserId} ${event.data.platform} ${event.data.status}${event.data.errorCode ? ` (${event.data.errorCode})` : ''}`;
    case 'connection.expiring':
    case 'connection.expired':
    case 'connection.deleted':
      return `${event.data.externalUserId} ${event.data.platform} connection ${event.data.status}${event.data.expiresAt ? `, expires ${formatTime(event.data.expiresAt)}` : ''}`;
    case 'webhook.test':
      return event.data.message;
    default:
      return '';
  }
}

const hostForUrl = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** Runs until Ctrl-C (or SIGTERM), then removes the temporary endpoint it registered. */
export async function listen(ctx: Context, options: ListenOptions): Promise<void> {
  const [{ webhooks }, { createServer }] = await Promise.all([
    import('@mypostshare/sdk'),
    import('node:http'),
  ]);
  const host = options.host ?? '127.0.0.1';
  let secret = options.secretStdin ? await readStdinSecret('webhook secret') : undefined;
  const seen = new Set<string>();
  const style = paint(process.stdout);
  const warn = paint(process.stderr);

  const server = createServer(async (request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const body = await readBody(request).catch(() => undefined);
    if (!body) {
      response.writeHead(413).end();
      return;
    }
    let event: WebhookEvent;
    try {
      event = await webhooks.verify(body, request.headers, secret ?? '');
    } catch (error) {
      const rejected = (error as Error).name === 'WebhookVerificationError';
      response
        .writeHead(rejected ? 400 : 500, { 'content-type': 'text/plain' })
        .end((error as Error).message);
      ctx.notice(`${warn.yellow('rejected a delivery:')} ${(error as Error).message}`);
      return;
    }
    response.writeHead(204).end();
    const again = seen.has(event.id);
    seen.add(event.id);
    if (ctx.json) {
      process.stdout.write(`${JSON.stringify(event)}\n`);
    } else {
      process.stdout.write(
        `${formatTime(event.createdAt)}  ${style.bold(event.type)}  ${style.dim(event.id)}${again ? ' (redelivered)' : ''}  ${describeEvent(event)}\n`,
      );
    }
    if (options.forwardTo) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      try {
        const forwarded = await fetch(options.forwardTo, {
          method: 'POST',
          headers,
          body: new Uint8Array(body),
        });
        ctx.notice(`forwarded ${event.id} to ${options.forwardTo}: ${forwarded.status}`);
      } catch (error) {
        ctx.notice(
          `${warn.yellow('could not forward')} ${event.id} to ${options.forwardTo}: ${(error as Error).message}`,
        );
      }
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new CliError(`cannot listen on ${host}:${options.port ?? 0} (${error.code ?? error.message})`, {
          exitCode: EXIT.usage,
          hint: 'pick another --port',
        }),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const localUrl = `http://${hostForUrl(host)}:${port}/`;

  let temporary: { id: string; url: string; remove: () => Promise<void> } | undefined;
  try {
    if (secret === undefined) {
      const api = await webhookApi(ctx);
      const endpoint = await api
        .create({
          url: options.url ?? localUrl,
          ...(options.events?.length ? { events: options.events as never } : {}),
          description: 'mypostshare webhooks listen (temporary)',
        })
        .catch((error: unknown) => {
          const { status, details } = error as { status?: number; details?: { field?: string }[] };
          if (status === 400 && details?.some((detail) => detail.field === 'url')) {
            throw new CliError(
              `the server refused ${options.url ?? localUrl} as a webhook URL: ${(error as Error).message}`,
              {
                exitCode: EXIT.usage,
                hint: 'a local URL needs MYPOSTSHARE_ALLOW_PRIVATE_NETWORK=true on the server; otherwise tunnel this port and pass --url https://...',
                cause: error,
              },
            );
          }
          throw error;
        });
      secret = endpoint.secret;
      temporary = { id: endpoint.id, url: endpoint.url, remove: () => api.delete(endpoint.id) };
    }
  } catch (error) {
    server.close();
    throw error;
  }

  ctx.notice(
    temporary
      ? `Listening on ${localUrl} for endpoint ${temporary.id} (${temporary.url}), removed when you stop (Ctrl-C)`
      : `Listening on ${localUrl} (Ctrl-C to stop)`,
  );

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  if (temporary) {
    await temporary.remove().then(
      () => ctx.notice(`Removed the temporary endpoint ${temporary.id}.`),
      (error: unknown) =>
        ctx.notice(
          `could not remove endpoint ${temporary.id} (${(error as Error).message}): \`mypostshare webhooks delete ${temporary.id}\``,
        ),
    );
  }
}
