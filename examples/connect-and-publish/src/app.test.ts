import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The example against the real server, in process; the server's HTTP-level browser stand-in
// plays the end user on the hosted pages.
import { FlowClient } from '../../../packages/server/test/connect/flow-client.js';
import { startTestServer, type TestServer } from '../../../packages/server/test/harness.js';
import { type RunningExample, startExample } from './app.js';

describe('examples/connect-and-publish against a real sandbox server', () => {
  let server: TestServer;
  let app: RunningExample;

  beforeAll(async () => {
    server = await startTestServer();
    app = await startExample({
      apiKey: server.sandboxKey,
      baseUrl: `${server.baseUrl}/api`,
      port: 0,
      host: '127.0.0.1',
      adminToken: server.adminToken,
      serverUrl: server.baseUrl,
    });
  });

  afterAll(async () => {
    await app?.close();
    await server?.started.app.deps.publishing.idle();
    await server?.close();
  });

  it('upserts the user, connects through the hosted flow, handles the redirect and publishes', async () => {
    const home = await fetch(app.url);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('action="/connect"');

    // The form: upsert + connect session, answered with a redirect to the hosted page.
    const connect = await fetch(`${app.url}/connect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ externalUserId: 'example_user', platform: 'linkedin' }),
      redirect: 'manual',
    });
    expect(connect.status).toBe(303);
    const connectUrl = connect.headers.get('location') ?? '';
    expect(connectUrl).toMatch(new RegExp(`^${server.baseUrl}/connect/[0-9a-f-]{36}$`));

    // The end user approves on the sandbox consent page; the server sends them back to the app.
    const browser = new FlowClient(server);
    const authorize = await browser.start(connectUrl);
    const callback = await browser.sandboxDecide(authorize, 'approve');
    const back = await browser.fetch(callback);
    const redirect = back.location ?? '';
    expect(redirect.startsWith(`${app.redirectUri}?`)).toBe(true);

    const landed = await fetch(redirect);
    expect(landed.status).toBe(200);
    const publishForm = await landed.text();
    expect(publishForm).toContain('Connected linkedin');
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(publishForm)?.[1] ?? '';

    const form = new URLSearchParams({
      externalUserId: field('externalUserId'),
      platform: field('platform'),
      idempotencyKey: field('idempotencyKey'),
      title: 'Hello',
      content: 'Hello from the example test',
    });
    const publish = () =>
      fetch(`${app.url}/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
    const published = await publish();
    expect(published.status).toBe(200);
    const result = await published.text();
    expect(result).toContain('Post published');
    expect(result).toMatch(/linkedin: published \(<code>urn:li:share:sandbox-/);

    // Submitting the same form again replays the first publish instead of posting twice.
    const again = await (await publish()).text();
    const postId = (html: string) => /Post <code>([0-9a-f-]{36})<\/code>/.exec(html)?.[1];
    expect(postId(again)).toBe(postId(result));
  });

  it('shows a failed connection when the end user denies', async () => {
    const connect = await fetch(`${app.url}/connect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ externalUserId: 'example_user', platform: 'twitter' }),
      redirect: 'manual',
    });
    const browser = new FlowClient(server);
    const authorize = await browser.start(connect.headers.get('location') ?? '');
    const callback = await browser.sandboxDecide(authorize, 'deny');
    const back = await browser.fetch(callback);
    const page = await (await fetch(back.location ?? '')).text();
    expect(page).toContain('Not connected');
    expect(page).toContain('access_denied');
  });

  it('explains an API error, such as an empty user id', async () => {
    const response = await fetch(`${app.url}/connect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ externalUserId: '', platform: 'linkedin' }),
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('externalUserId');
  });
});
