import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIError, MyPostShare, type Platform, ValidationError } from '@mypostshare/sdk';
import { ConflictError, MyPostShareAdmin } from '@mypostshare/sdk/admin';

/*
 * A tiny web app on node:http and the SDK, nothing else:
 *
 *   GET  /          a form: which user, which platform
 *   POST /connect   upsert the end user, create a connect session, send the browser to connectUrl
 *   GET  /callback  where the hosted flow sends the browser back; the session is read back from
 *                   the API (the query string is only a hint) and a publish form is shown
 *   POST /publish   publish to the platform just connected
 *
 * A real app would take the user from its own login session and protect its forms against CSRF;
 * this one keeps to what the integration needs.
 */

export interface ExampleOptions {
  /** The app's API key (a sandbox key, `mps_test_...`, for a local server). */
  apiKey: string;
  /** The API base URL, e.g. `http://localhost:8787/api`. */
  baseUrl: string;
  /** Where this app listens; 0 picks a free port. */
  port?: number;
  /** The host name the browser uses for this app. Default `localhost`. */
  host?: string;
  /**
   * With the server's admin token, the app allowlists its own callback URL at start-up (connect
   * sessions only redirect to allowlisted URIs). Without it, allowlist the URI yourself.
   */
  adminToken?: string | undefined;
  /** The server origin for the admin API, e.g. `http://localhost:8787`. */
  serverUrl?: string | undefined;
}

export interface RunningExample {
  /** The app's own URL, e.g. `http://localhost:3000`. */
  url: string;
  /** The callback URL connect sessions send the browser back to. */
  redirectUri: string;
  close(): Promise<void>;
}

const PLATFORMS: Platform[] = ['linkedin', 'facebook', 'instagram', 'twitter', 'youtube'];

const html = (value: unknown) => String(value).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title>
<style>body{font:16px system-ui;max-width:40rem;margin:3rem auto;padding:0 1rem}
label,button,textarea,select,input{display:block;margin:.5rem 0}textarea{width:100%}</style>
</head><body><h1>${html(title)}</h1>${body}</body></html>`;
}

async function readForm(request: http.IncomingMessage): Promise<URLSearchParams> {
  let raw = '';
  for await (const chunk of request) {
    raw += chunk;
    if (raw.length > 100_000) throw new Error('form too large');
  }
  return new URLSearchParams(raw);
}

function send(response: http.ServerResponse, status: number, html: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(html);
}

/**
 * Makes sure `redirectUri` is on the allowlist of the app that `apiKey` belongs to, using the
 * admin API: the app is the one with a live key of the same prefix and last four characters.
 */
export async function allowlistRedirectUri(admin: MyPostShareAdmin, apiKey: string, redirectUri: string) {
  for await (const app of admin.apps.list()) {
    for await (const key of admin.apiKeys.list(app.id)) {
      if (key.revokedAt === null && apiKey.startsWith(key.prefix) && apiKey.endsWith(key.last4)) {
        try {
          await admin.redirectUris.add(app.id, { uri: redirectUri });
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error; // already allowlisted: fine
        }
        return app.id;
      }
    }
  }
  throw new Error('No app on this server has that API key');
}

/** Starts the example app and resolves once it listens (and its callback is allowlisted). */
export async function startExample(options: ExampleOptions): Promise<RunningExample> {
  const client = new MyPostShare({ apiKey: options.apiKey, baseUrl: options.baseUrl });
  const host = options.host ?? 'localhost';
  let redirectUri = '';

  const routes: Record<
    string,
    (request: http.IncomingMessage, response: http.ServerResponse, url: URL) => Promise<void>
  > = {
    'GET /': async (_request, response) => {
      const options = PLATFORMS.map((platform) => `<option>${platform}</option>`).join('');
      send(
        response,
        200,
        page(
          'Connect a social account',
          `<form method="post" action="/connect">
<label>Your user id <input name="externalUserId" value="demo_user" required></label>
<label>Platform <select name="platform">${options}</select></label>
<button>Connect</button></form>`,
        ),
      );
    },

    'POST /connect': async (request, response) => {
      const form = await readForm(request);
      const externalUserId = form.get('externalUserId') ?? '';
      const platform = (form.get('platform') ?? '') as Platform;
      // Upsert is idempotent: calling it on every connect keeps the user record current.
      await client.endUsers.upsert({ externalUserId });
      const session = await client.connectSessions.create({
        externalUserId,
        platform,
        redirectUri,
        display: { title: `Connect ${platform} to the example app` },
      });
      response.writeHead(303, { location: session.connectUrl });
      response.end();
    },

    'GET /callback': async (_request, response, url) => {
      const id = url.searchParams.get('connectSessionId') ?? '';
      // Never trust the query string: ask the API what happened to this session.
      const session = await client.connectSessions.retrieve(id);
      if (session.status !== 'connected') {
        send(
          response,
          200,
          page(
            'Not connected',
            `<p>The ${html(session.platform)} connection ${html(session.status)} (${html(session.errorCode)}).</p><p><a href="/">Try again</a></p>`,
          ),
        );
        return;
      }
      // One key per rendered form: a double-submitted form publishes once (the server replays).
      send(
        response,
        200,
        page(
          `Connected ${session.platform}`,
          `<p>${html(session.externalUserId)} connected ${html(session.platform)}. Now publish something:</p>
<form method="post" action="/publish">
<input type="hidden" name="externalUserId" value="${html(session.externalUserId)}">
<input type="hidden" name="platform" value="${html(session.platform)}">
<input type="hidden" name="idempotencyKey" value="${randomUUID()}">
<label>Title (YouTube needs one) <input name="title" value="Hello"></label>
<label>Content <textarea name="content" rows="4" required>Hello from the mypostshare example app</textarea></label>
<button>Publish</button></form>`,
        ),
      );
    },

    'POST /publish': async (request, response) => {
      const form = await readForm(request);
      const title = form.get('title') || undefined;
      const post = await client.posts.publish(
        {
          externalUserId: form.get('externalUserId') ?? '',
          content: form.get('content') ?? '',
          platforms: [(form.get('platform') ?? '') as Platform],
          ...(title ? { title } : {}),
        },
        { idempotencyKey: form.get('idempotencyKey') || undefined },
      );
      const results = post.platformResults
        .map(
          (result) =>
            `<li>${html(result.platform)}: ${html(result.status)}${
              result.externalId ? ` (<code>${html(result.externalId)}</code>)` : ''
            }${result.errorMessage ? ` ${html(result.errorMessage)}` : ''}</li>`,
        )
        .join('');
      send(
        response,
        200,
        page(
          `Post ${post.status}`,
          `<p>Post <code>${html(post.id)}</code>:</p><ul>${results}</ul><p><a href="/">Again</a></p>`,
        ),
      );
    },
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${host}`);
    const handler = routes[`${request.method} ${url.pathname}`];
    if (!handler) {
      send(response, 404, page('Not found', '<p><a href="/">Home</a></p>'));
      return;
    }
    handler(request, response, url).catch((error: unknown) => {
      // The SDK's errors say what went wrong and carry the request id to quote to support.
      const detail =
        error instanceof APIError
          ? `${error.status} ${error.code}: ${error.message} (request ${error.requestId})`
          : error instanceof Error
            ? error.message
            : String(error);
      // A ValidationError never reached the API: the form sent something the contract refuses.
      const clientFault =
        error instanceof ValidationError || (error instanceof APIError && error.status < 500);
      send(response, clientFault ? 400 : 502, page('Something went wrong', `<p>${html(detail)}</p>`));
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 3000, host, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  redirectUri = `${url}/callback`;
  if (options.adminToken) {
    const admin = new MyPostShareAdmin({ adminToken: options.adminToken, serverUrl: options.serverUrl });
    await allowlistRedirectUri(admin, options.apiKey, redirectUri);
  }
  return {
    url,
    redirectUri,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
