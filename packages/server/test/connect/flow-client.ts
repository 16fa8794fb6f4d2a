import type { TestServer } from '../harness.js';

/**
 * A tiny browser stand-in for HTTP-level tests of the hosted flow: a cookie jar, manual redirects,
 * and form posts. Real-browser behaviour is covered by the Chromium tests in test/e2e.
 */
export class FlowClient {
  readonly cookies = new Map<string, string>();

  constructor(private readonly server: TestServer) {}

  async fetch(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const target = url.startsWith('http') ? url : `${this.server.baseUrl}${url}`;
    const headers: Record<string, string> = {};
    const jar = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (jar && new URL(target).origin === this.server.baseUrl) headers.Cookie = jar;
    let body: string | undefined;
    if (init.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(target, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const index = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, index), pair!.slice(index + 1));
    }
    return {
      status: response.status,
      headers: response.headers,
      location: response.headers.get('location'),
      text: await response.text(),
    };
  }

  /** Opens the connect page and presses the continue button; returns the provider authorize URL. */
  async start(connectUrl: string): Promise<string> {
    const page = await this.fetch(connectUrl);
    if (page.status !== 200) throw new Error(`connect page answered ${page.status}`);
    const started = await this.fetch(`${new URL(connectUrl).pathname}/start`, { method: 'POST', form: {} });
    if (started.status !== 303 || !started.location)
      throw new Error(`start answered ${started.status}: ${started.text}`);
    return started.location;
  }

  /** For sandbox apps: approves (or denies) on the simulated consent page; returns the callback URL. */
  async sandboxDecide(authorizeUrl: string, decision: 'approve' | 'deny'): Promise<string> {
    const url = new URL(authorizeUrl);
    const decided = await this.fetch('/connect/sandbox/decide', {
      form: {
        state: url.searchParams.get('state') ?? '',
        code_challenge: url.searchParams.get('code_challenge') ?? '',
        decision,
      },
    });
    if (decided.status !== 303 || !decided.location) throw new Error(`decide answered ${decided.status}`);
    return decided.location;
  }
}

/** Creates an end user and a connect session; returns the session as created. */
export async function newSession(
  server: TestServer,
  key: string,
  body: { externalUserId: string; platform: string; redirectUri?: string },
) {
  await server.request('POST', '/api/v1/end-users', {
    token: key,
    body: { externalUserId: body.externalUserId },
  });
  const created = await server.request('POST', '/api/v1/connect-sessions', {
    token: key,
    body: { redirectUri: `${server.baseUrl}/connect/complete`, ...body },
  });
  if (created.status !== 201) throw new Error(`create session answered ${created.status}: ${created.text}`);
  return created.body as { id: string; connectUrl: string; status: string; platform: string };
}
