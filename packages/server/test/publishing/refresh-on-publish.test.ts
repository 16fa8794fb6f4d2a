import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FlowClient, newSession } from '../connect/flow-client.js';
import { startTestServer, type TestServer } from '../harness.js';

/*
 * Token refresh as publishing sees it (security.md item 24), with the real X adapters and X faked
 * by msw: ten concurrent publishes that each need a refresh cause exactly one refresh call, X's
 * rotating refresh token is stored, and every tweet goes out with the new access token. Also the
 * "401 → refresh once, then retry" rule of docs/providers.md.
 */

const CLIENT = { clientId: 'x-publish-client', clientSecret: 'x-publish-secret-abcdef123456' };
let tokenCalls: URLSearchParams[] = [];
let tweets: Array<{ text: string; authorization: string | null }> = [];
let accessSeq = 0;
let unauthorizedOnce = false;

const mock = setupServer(
  http.post('https://api.x.com/2/oauth2/token', async ({ request }) => {
    const form = new URLSearchParams(await request.text());
    tokenCalls.push(form);
    // A slow provider, so that concurrent publishes really overlap the refresh.
    await delay(100);
    accessSeq += 1;
    return HttpResponse.json({
      token_type: 'bearer',
      access_token: `x-access-${accessSeq}`,
      refresh_token: `x-refresh-${accessSeq}`,
      expires_in: 7200,
      scope: 'tweet.read tweet.write users.read offline.access media.write',
    });
  }),
  http.get('https://api.x.com/2/users/me', () =>
    HttpResponse.json({ data: { id: '2244994945', name: 'Alex Morgan', username: 'alexmorgan' } }),
  ),
  http.post('https://api.x.com/2/tweets', async ({ request }) => {
    const body = (await request.json()) as { text: string };
    const authorization = request.headers.get('authorization');
    if (unauthorizedOnce) {
      unauthorizedOnce = false;
      return HttpResponse.json(
        { title: 'Unauthorized', status: 401, detail: 'Unauthorized' },
        { status: 401 },
      );
    }
    tweets.push({ text: body.text, authorization });
    return HttpResponse.json({ data: { id: `19${tweets.length}`, text: body.text } }, { status: 201 });
  }),
);

describe('refreshing while publishing (X, msw)', () => {
  let server: TestServer;
  let key: string;
  let nowMs: number;
  const clock = { now: () => new Date(nowMs) };

  beforeAll(() => {
    mock.listen({
      onUnhandledRequest(request, print) {
        if (new URL(request.url).hostname !== '127.0.0.1') print.error();
      },
    });
  });
  beforeEach(async () => {
    nowMs = Date.parse('2026-11-29T12:00:00.000Z');
    tokenCalls = [];
    tweets = [];
    accessSeq = 0;
    unauthorizedOnce = false;
    server = await startTestServer({ MYPOSTSHARE_RATE_LIMIT_RPS: '0' }, { clock });
    const app = await server.createApp({ name: 'X publisher' });
    key = app.key;
    await server.admin('PUT', `/admin/v1/apps/${app.appId}/credentials/twitter`, {
      mode: 'custom',
      ...CLIENT,
    });
    const session = await newSession(server, key, { externalUserId: 'x_user', platform: 'twitter' });
    const browser = new FlowClient(server);
    const state = new URL(await browser.start(session.connectUrl)).searchParams.get('state')!;
    const done = await browser.fetch(
      `/oauth/callback/twitter?code=x-code&state=${encodeURIComponent(state)}`,
    );
    expect(new URL(done.location!).searchParams.get('status')).toBe('connected');
    expect(tokenCalls).toHaveLength(1); // the code exchange
  });
  afterEach(async () => {
    await server.started.app.deps.publishing.idle();
    await server.close();
  });
  afterAll(() => mock.close());

  it('ten concurrent publishes near expiry cause exactly one refresh, and all tweet with the new token', async () => {
    // 1 h 57 min later: within the five-minute refresh margin of the 2 h token.
    nowMs += 117 * 60_000;
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        server.request('POST', '/api/v1/posts', {
          token: key,
          body: { externalUserId: 'x_user', content: `tweet ${index}`, platforms: ['twitter'] },
        }),
      ),
    );
    expect(responses.map((response) => response.body.status)).toEqual(Array(10).fill('published'));
    const refreshes = tokenCalls.filter((form) => form.get('grant_type') === 'refresh_token');
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]!.get('refresh_token')).toBe('x-refresh-1');
    expect(tweets).toHaveLength(10);
    expect(new Set(tweets.map((tweet) => tweet.authorization))).toEqual(new Set(['Bearer x-access-2']));
    const urls = responses.map((response) => response.body.platformResults[0].url);
    expect(urls.every((url: string) => url.startsWith('https://x.com/alexmorgan/status/'))).toBe(true);
  });

  it('a 401 on the tweet refreshes once and retries; the tweet goes out with the new token', async () => {
    unauthorizedOnce = true;
    const response = await server.request('POST', '/api/v1/posts', {
      token: key,
      body: { externalUserId: 'x_user', content: 'after a 401', platforms: ['twitter'] },
    });
    expect(response.body.platformResults[0]).toMatchObject({ status: 'published', attempts: 2 });
    expect(tokenCalls.filter((form) => form.get('grant_type') === 'refresh_token')).toHaveLength(1);
    expect(tweets).toEqual([{ text: 'after a 401', authorization: 'Bearer x-access-2' }]);
  });
});
