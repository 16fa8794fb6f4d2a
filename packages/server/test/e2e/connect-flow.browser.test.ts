import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, browserAvailable, launchBrowser } from '../browser.js';
import { type FakeProvider, fakeProviderEnv, startFakeProvider } from '../fake-provider.js';
import { startTestServer, type TestServer } from '../harness.js';

const canRun = browserAvailable();

describe.skipIf(!canRun)('hosted connect flow in Chromium', () => {
  let browser: Browser;
  let server: TestServer;
  let fake: FakeProvider;
  const clients = {
    linkedin: { clientId: 'li-client', clientSecret: 'li-secret-value-123' },
    twitter: { clientId: 'x-client', clientSecret: 'x-secret-value-456' },
  };

  beforeAll(async () => {
    fake = await startFakeProvider(clients);
    server = await startTestServer(fakeProviderEnv(fake.url));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fake?.close();
  });

  async function createSession(key: string, platform: string, externalUserId: string, redirectUri?: string) {
    await server.request('POST', '/api/v1/end-users', { token: key, body: { externalUserId } });
    const created = await server.request('POST', '/api/v1/connect-sessions', {
      token: key,
      body: {
        externalUserId,
        platform,
        redirectUri: redirectUri ?? `${server.baseUrl}/connect/complete`,
        display: {
          title: 'Connect your account to Acme',
          description: 'So Acme can share your launch posts.',
        },
      },
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; connectUrl: string };
  }

  it('sandbox: approve links an account and lands on the redirect page with safe fields only', async () => {
    const session = await createSession(server.sandboxKey, 'linkedin', 'browser_user_1');
    const page = await browser.newPage();
    await page.goto(session.connectUrl);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Connect your account to Acme',
    );
    await page.screenshot({ path: artifactPath('connect-screen-sandbox-linkedin.png'), fullPage: true });
    await page.getByRole('button', { name: 'Continue with LinkedIn' }).click();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(/\/connect\/complete\?/);
    const landed = new URL(page.url());
    expect(Object.fromEntries(landed.searchParams)).toEqual({
      connectSessionId: session.id,
      status: 'connected',
      platform: 'linkedin',
      externalUserId: 'browser_user_1',
    });
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Connected');
    await page.close();

    const status = await server.request('GET', `/api/v1/connect-sessions/${session.id}`, {
      token: server.sandboxKey,
    });
    expect(status.body).toMatchObject({
      status: 'connected',
      errorCode: null,
      externalUserId: 'browser_user_1',
    });
    const connections = await server.request('GET', '/api/v1/end-users/browser_user_1/connections', {
      token: server.sandboxKey,
    });
    expect(connections.body).toHaveLength(1);
    expect(connections.body[0]).toMatchObject({
      platform: 'linkedin',
      status: 'connected',
      accountType: 'person',
    });
  });

  it('the connect screen fits a phone screen', async () => {
    const session = await createSession(server.sandboxKey, 'instagram', 'browser_user_mobile');
    const page = await browser.newPage({ viewport: { width: 375, height: 667 }, deviceScaleFactor: 2 });
    await page.goto(session.connectUrl);
    const button = page.getByRole('button', { name: 'Continue with Instagram' });
    const box = await button.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    // No horizontal scrolling on a narrow screen.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.screenshot({ path: artifactPath('connect-screen-mobile.png'), fullPage: true });
    await page.close();
  });

  it('sandbox: deny fails the session with access_denied and redirects the same way', async () => {
    const session = await createSession(server.sandboxKey, 'twitter', 'browser_user_2');
    const page = await browser.newPage();
    await page.goto(session.connectUrl);
    await page.getByRole('button', { name: 'Continue with X' }).click();
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL(/\/connect\/complete\?/);
    const landed = new URL(page.url());
    expect(landed.searchParams.get('status')).toBe('failed');
    expect(landed.searchParams.get('errorCode')).toBe('access_denied');
    await page.close();
    const status = await server.request('GET', `/api/v1/connect-sessions/${session.id}`, {
      token: server.sandboxKey,
    });
    expect(status.body).toMatchObject({ status: 'failed', errorCode: 'access_denied' });
  });

  it('sandbox: a Facebook login with several pages shows the picker, first preselected', async () => {
    const session = await createSession(server.sandboxKey, 'facebook', 'browser_user_3');
    const page = await browser.newPage();
    await page.goto(session.connectUrl);
    await page.getByRole('button', { name: 'Continue with Facebook' }).click();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(/\/select$/);
    const radios = page.getByRole('radio');
    await expect(radios.count()).resolves.toBe(2);
    await expect(radios.first().isChecked()).resolves.toBe(true);
    await page.screenshot({ path: artifactPath('connect-picker-sandbox-facebook.png'), fullPage: true });
    await radios.nth(1).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/connect\/complete\?/);
    await page.close();
    const connections = await server.request('GET', '/api/v1/end-users/browser_user_3/connections', {
      token: server.sandboxKey,
    });
    expect(connections.body[0]).toMatchObject({
      platform: 'facebook',
      displayName: 'Sandbox facebook account 2',
    });
  });

  it("returns to the customer's own origin after the form posts (CSP lets the redirect chain through)", async () => {
    // A customer app on another origin (another port is another origin).
    const customer = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>Customer</title><h1>Customer app</h1>');
    });
    await new Promise<void>((resolve) => customer.listen(0, '127.0.0.1', resolve));
    const redirectUri = `http://127.0.0.1:${(customer.address() as AddressInfo).port}/oauth/callback`;
    try {
      const apps = await server.admin('GET', '/admin/v1/apps');
      const sandboxApp = (apps.body as Array<{ id: string; sandbox: boolean }>).find((app) => app.sandbox)!;
      expect(
        (await server.admin('POST', `/admin/v1/apps/${sandboxApp.id}/redirect-uris`, { uri: redirectUri }))
          .status,
      ).toBe(201);
      for (const platform of ['linkedin', 'facebook'] as const) {
        const session = await createSession(
          server.sandboxKey,
          platform,
          `cross_origin_${platform}`,
          redirectUri,
        );
        const page = await browser.newPage();
        await page.goto(session.connectUrl);
        await page.getByRole('button', { name: /^Continue with/ }).click();
        await page.getByRole('button', { name: 'Approve' }).click();
        if (platform === 'facebook') await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForURL((url) => url.toString().startsWith(`${redirectUri}?`));
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Customer app');
        expect(new URL(page.url()).searchParams.get('status')).toBe('connected');
        await page.close();
      }
    } finally {
      await new Promise<void>((resolve) => customer.close(() => resolve()));
    }
  });

  for (const platform of ['twitter', 'linkedin'] as const) {
    it(`live app with custom credentials: the real ${platform} adapter against a local fake provider`, async () => {
      const app = await server.createApp({ name: `Live ${platform} app` });
      const credentials = clients[platform];
      const put = await server.admin('PUT', `/admin/v1/apps/${app.appId}/credentials/${platform}`, {
        mode: 'custom',
        ...credentials,
      });
      expect(put.status).toBe(200);
      const redirectUri = `${server.baseUrl}/connect/complete`;
      const session = await createSession(app.key, platform, `live_${platform}_user`, redirectUri);
      const before = fake.requests.length;

      const page = await browser.newPage();
      await page.goto(session.connectUrl);
      await page.screenshot({ path: artifactPath(`connect-screen-live-${platform}.png`), fullPage: true });
      await page
        .getByRole('button', { name: `Continue with ${platform === 'twitter' ? 'X' : 'LinkedIn'}` })
        .click();
      await page.getByRole('link', { name: 'Authorize' }).click();
      await page.waitForURL(/\/connect\/complete\?/);
      const landed = page.url();
      await page.close();
      expect(new URL(landed).searchParams.get('status')).toBe('connected');
      // No code, token or provider state in the final URL.
      expect(landed).not.toMatch(/code=|state=|_at_/);

      const tokenCalls = fake.requests
        .slice(before)
        .filter((request) => /token|accessToken/.test(request.path));
      expect(tokenCalls).toHaveLength(1);
      if (platform === 'twitter') {
        expect(tokenCalls[0]!.headers.authorization).toMatch(/^Basic /);
        expect(new URLSearchParams(tokenCalls[0]!.body).get('code_verifier')).toMatch(
          /^[A-Za-z0-9_-]{43,128}$/,
        );
      } else {
        expect(new URLSearchParams(tokenCalls[0]!.body).get('client_secret')).toBe(credentials.clientSecret);
      }

      const status = await server.request('GET', `/api/v1/connect-sessions/${session.id}`, {
        token: app.key,
      });
      expect(status.body).toMatchObject({ status: 'connected', platform });
      const connections = await server.request('GET', `/api/v1/end-users/live_${platform}_user/connections`, {
        token: app.key,
      });
      expect(connections.body).toHaveLength(1);
      expect(connections.body[0]).toMatchObject(
        platform === 'twitter'
          ? { platform, remoteAccountId: '2244994945', remoteUsername: 'alexmorgan' }
          : { platform, remoteAccountId: 'H8a9UFibz4', accountType: 'person' },
      );
      expect(JSON.stringify(connections.body)).not.toMatch(/_at_|_rt_/);
    });
  }
});
