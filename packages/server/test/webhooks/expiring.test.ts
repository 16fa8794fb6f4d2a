import { WebhookEvent } from '@mypostshare/contract';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { runHousekeeping } from '../../src/worker/housekeeping.js';
import { FlowClient, newSession } from '../connect/flow-client.js';
import { startTestServer, type TestServer } from '../harness.js';
import { createEndpoint, deliverAll, eventsOf, type Receiver, startReceiver } from './helpers.js';

/*
 * `connection.expiring`: a live LinkedIn connection (LinkedIn faked by msw at its HTTP boundary)
 * whose 60-day token comes without a refresh token, so it cannot be refreshed. With the clock moved
 * forward, housekeeping warns once within 7 days of expiry, marks it expired when it lapses, and a
 * reconnect (a new expiry) is warned about again.
 */

const CLIENT = { clientId: 'li-expiring-client', clientSecret: 'li-expiring-secret-1a2b3c4d5e' };
const DAY = 24 * 3600_000;
const TOKEN_LIFETIME_S = 5_184_000; // 60 days, as LinkedIn issues

const mock = setupServer(
  http.post('https://www.linkedin.com/oauth/v2/accessToken', () =>
    HttpResponse.json({
      access_token: `li-access-${Math.random().toString(36).slice(2)}`,
      expires_in: TOKEN_LIFETIME_S,
      scope: 'openid,profile,email,w_member_social',
    }),
  ),
  http.get('https://api.linkedin.com/v2/userinfo', () =>
    HttpResponse.json({ sub: 'person-7', name: 'Sam Rivera', email: 'sam@example.com' }),
  ),
);

describe('connection.expiring for a token that cannot be refreshed (live LinkedIn, moved clock)', () => {
  let server: TestServer;
  let receiver: Receiver;
  let dispatcher: WebhookDispatcher;
  let key: string;
  let secret: string;
  let nowMs = Date.parse('2026-11-29T09:00:00.000Z');
  const clock = { now: () => new Date(nowMs) };

  beforeAll(async () => {
    mock.listen({
      onUnhandledRequest(request, print) {
        if (new URL(request.url).hostname !== '127.0.0.1') print.error();
      },
    });
    server = await startTestServer({ MYPOSTSHARE_ALLOW_PRIVATE_NETWORK: 'true' }, { clock });
    const app = await server.createApp({ name: 'Live expiring' });
    key = app.key;
    const put = await server.admin('PUT', `/admin/v1/apps/${app.appId}/credentials/linkedin`, {
      mode: 'custom',
      ...CLIENT,
    });
    expect(put.status).toBe(200);
    receiver = await startReceiver();
    ({ secret } = await createEndpoint(server, key, { url: receiver.url }));
    dispatcher = new WebhookDispatcher(server.started.app.deps);
  });
  afterEach(() => mock.resetHandlers());
  afterAll(async () => {
    await dispatcher.idle();
    await server.close();
    await receiver.close();
    mock.close();
  });

  async function connect(user: string) {
    const session = await newSession(server, key, { externalUserId: user, platform: 'linkedin' });
    const browser = new FlowClient(server);
    const state = new URL(await browser.start(session.connectUrl)).searchParams.get('state')!;
    const done = await browser.fetch(
      `/oauth/callback/linkedin?code=code-${user}&state=${encodeURIComponent(state)}`,
    );
    expect(new URL(done.location!).searchParams.get('status')).toBe('connected');
  }
  /** Runs a housekeeping pass and delivers; returns the types of the events it produced. */
  async function housekeepingEvents(): Promise<any[]> {
    await deliverAll(dispatcher);
    const from = receiver.received.length;
    await runHousekeeping(server.started.app.deps);
    await deliverAll(dispatcher);
    return eventsOf(receiver, secret).slice(from);
  }

  it('warns once within 7 days of expiry, expires it when it lapses, and warns again after a reconnect', async () => {
    const user = 'li_expiring_user';
    await connect(user);
    const connectedAt = nowMs;
    const expiresAt = new Date(connectedAt + TOKEN_LIFETIME_S * 1000).toISOString();
    const [connection] = (
      await server.request('GET', `/api/v1/end-users/${user}/connections`, { token: key })
    ).body;
    expect(connection).toMatchObject({ platform: 'linkedin', status: 'connected', expiresAt });

    // Far from expiry, and still eight days out: nothing.
    expect(await housekeepingEvents()).toEqual([]);
    nowMs = connectedAt + 52 * DAY;
    expect(await housekeepingEvents()).toEqual([]);

    // Six and a half days out: one warning, with the expiry and no token.
    nowMs = connectedAt + 53.5 * DAY;
    const warned = await housekeepingEvents();
    expect(warned).toHaveLength(1);
    expect(WebhookEvent.parse(warned[0])).toBeTruthy();
    expect(warned[0]).toMatchObject({
      type: 'connection.expiring',
      createdAt: new Date(nowMs).toISOString(),
      data: {
        connectionId: connection.id,
        platform: 'linkedin',
        externalUserId: user,
        status: 'connected',
        remoteAccountId: 'person-7',
        expiresAt,
      },
    });
    expect(receiver.received.at(-1)!.body).not.toContain('li-access-');

    // Once per expiry: later passes stay quiet.
    expect(await housekeepingEvents()).toEqual([]);
    nowMs = connectedAt + 59 * DAY;
    expect(await housekeepingEvents()).toEqual([]);

    // Lapsed: the connection is written down as expired, once.
    nowMs = connectedAt + 60 * DAY + 60_000;
    const lapsed = await housekeepingEvents();
    expect(lapsed.map((event) => event.type)).toEqual(['connection.expired']);
    expect(lapsed[0].data).toMatchObject({ connectionId: connection.id, status: 'expired', expiresAt });
    expect(await housekeepingEvents()).toEqual([]);

    // A reconnect brings a new 60-day token: completed, then a new warning in its last week.
    await deliverAll(dispatcher);
    const from = receiver.received.length;
    await connect(user);
    await deliverAll(dispatcher);
    expect(
      eventsOf(receiver, secret)
        .slice(from)
        .map((event) => event.type),
    ).toEqual(['connect_session.completed']);
    const reconnectedAt = nowMs;
    nowMs = reconnectedAt + 54 * DAY;
    const again = await housekeepingEvents();
    expect(again.map((event) => event.type)).toEqual(['connection.expiring']);
    expect(again[0].data.expiresAt).toBe(new Date(reconnectedAt + TOKEN_LIFETIME_S * 1000).toISOString());
    expect(again[0].data.connectionId).toBe(connection.id);
  });
});
