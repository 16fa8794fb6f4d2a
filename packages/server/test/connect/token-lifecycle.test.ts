import { sql } from 'kysely';
import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/providers/types.js';
import { decryptConnectionTokens } from '../../src/services/connections.js';
import {
  ConnectionExpiredError,
  getFreshTokens,
  REFRESH_MARGIN_MS,
  refreshExpiringConnections,
} from '../../src/services/token-refresh.js';
import { runHousekeeping } from '../../src/worker/housekeeping.js';
import { onPostgres, startTestServer, type TestServer } from '../harness.js';
import { FlowClient, newSession } from './flow-client.js';

/*
 * The token lifecycle of live X and YouTube connections (docs/security.md items 17 and 24-26, and
 * the housekeeping pass), made through the real hosted flow and refreshed by the server's own
 * services. The providers are faked only at their HTTP boundary (msw, in-process), and behave like
 * the real ones: X rotates refresh tokens and refuses a used one with `invalid_request`; Google
 * keeps the refresh token, answers refreshes without one, and refuses a revoked one with
 * `invalid_grant`. Time is an injected clock the tests move.
 */

const X_TOKEN = 'https://api.x.com/2/oauth2/token';
const X_ME = 'https://api.x.com/2/users/me';
const GOOGLE_TOKEN = 'https://oauth2.googleapis.com/token';
const YT_CHANNELS = 'https://www.googleapis.com/youtube/v3/channels';

type Live = 'twitter' | 'youtube';
type Client = { id: string; secret: string };

const basic = (client: Client) => `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;

function parseBasic(header: string | null): Client | undefined {
  const match = /^Basic (.+)$/.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

interface TokenCall {
  grant: string | null;
  authorization: string | null;
  form: URLSearchParams;
}

/** One fake provider's token endpoint state. The owner of a grant is the code that created it. */
class FakeProvider {
  readonly clients = new Map<string, string>();
  readonly calls: TokenCall[] = [];
  /** Live refresh tokens: owner and the client they were issued to. */
  readonly refreshTokens = new Map<string, { owner: string; clientId: string }>();
  readonly accessOwners = new Map<string, string>();
  /** Answers given to the next refresh requests instead of the provider's own. */
  readonly scripted: Array<() => Response> = [];
  /** Runs once, on the next successful refresh, before the provider answers. */
  beforeRefreshAnswer: ((owner: string) => Promise<void>) | undefined;
  delayMs = 0;
  seq = 0;

  constructor(readonly prefix: string) {}

  refreshes() {
    return this.calls.filter((call) => call.grant === 'refresh_token');
  }

  issue(owner: string) {
    this.seq += 1;
    const accessToken = `${this.prefix}-at-${owner}-${this.seq}`;
    const refreshToken = `${this.prefix}-rt-${owner}-${this.seq}`;
    this.accessOwners.set(accessToken, owner);
    return { accessToken, refreshToken };
  }

  reset() {
    this.clients.clear();
    this.calls.length = 0;
    this.refreshTokens.clear();
    this.accessOwners.clear();
    this.scripted.length = 0;
    this.beforeRefreshAnswer = undefined;
    this.delayMs = 0;
  }

  async beforeAnswer(owner: string) {
    const hook = this.beforeRefreshAnswer;
    this.beforeRefreshAnswer = undefined;
    await hook?.(owner);
    if (this.delayMs > 0) await delay(this.delayMs);
  }
}

const x = new FakeProvider('x');
const google = new FakeProvider('yt');
const X_CLIENT_A: Client = { id: 'x-client-a', secret: 'x-secret-a' };
const X_CLIENT_B: Client = { id: 'x-client-b', secret: 'x-secret-b' };
const YT_CLIENT: Client = { id: 'yt-client-a.apps.googleusercontent.com', secret: 'yt-secret-a' };

const mock = setupServer(
  http.post(X_TOKEN, async ({ request }) => {
    const form = new URLSearchParams(await request.text());
    const authorization = request.headers.get('authorization');
    x.calls.push({ grant: form.get('grant_type'), authorization, form });
    const client = parseBasic(authorization);
    if (!client || x.clients.get(client.id) !== client.secret) {
      return HttpResponse.json({ error: 'unauthorized_client' }, { status: 401 });
    }
    let owner: string;
    if (form.get('grant_type') === 'authorization_code') {
      owner = form.get('code')!;
    } else {
      const scripted = x.scripted.shift();
      if (scripted) return scripted();
      const grant = x.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!grant || grant.clientId !== client.id) {
        // What X answers for a used, revoked or rotated-away refresh token.
        return HttpResponse.json(
          { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' },
          { status: 400 },
        );
      }
      // Rotation: the refresh token just used dies now.
      x.refreshTokens.delete(form.get('refresh_token')!);
      owner = grant.owner;
      await x.beforeAnswer(owner);
    }
    const issued = x.issue(owner);
    x.refreshTokens.set(issued.refreshToken, { owner, clientId: client.id });
    return HttpResponse.json({
      token_type: 'bearer',
      expires_in: 7200,
      access_token: issued.accessToken,
      refresh_token: issued.refreshToken,
      scope: 'tweet.read tweet.write users.read offline.access media.write',
    });
  }),
  http.get(X_ME, ({ request }) => {
    const owner = x.accessOwners.get(request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '');
    if (!owner) return HttpResponse.json({ title: 'Unauthorized', status: 401 }, { status: 401 });
    return HttpResponse.json({ data: { id: `id-${owner}`, name: `Name ${owner}`, username: owner } });
  }),
  http.post(GOOGLE_TOKEN, async ({ request }) => {
    const form = new URLSearchParams(await request.text());
    google.calls.push({
      grant: form.get('grant_type'),
      authorization: request.headers.get('authorization'),
      form,
    });
    const clientId = form.get('client_id') ?? '';
    if (google.clients.get(clientId) !== form.get('client_secret')) {
      return HttpResponse.json({ error: 'invalid_client' }, { status: 401 });
    }
    if (form.get('grant_type') === 'authorization_code') {
      const owner = form.get('code')!;
      const issued = google.issue(owner);
      google.refreshTokens.set(issued.refreshToken, { owner, clientId });
      return HttpResponse.json({
        access_token: issued.accessToken,
        expires_in: 3599,
        refresh_token: issued.refreshToken,
        scope:
          'https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly',
        token_type: 'Bearer',
      });
    }
    const scripted = google.scripted.shift();
    if (scripted) return scripted();
    const grant = google.refreshTokens.get(form.get('refresh_token') ?? '');
    if (!grant || grant.clientId !== clientId) {
      return HttpResponse.json(
        { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
        { status: 400 },
      );
    }
    await google.beforeAnswer(grant.owner);
    // Google keeps the refresh token: a refresh answers with a new access token only.
    const issued = google.issue(grant.owner);
    return HttpResponse.json({
      access_token: issued.accessToken,
      expires_in: 3599,
      scope:
        'https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly',
      token_type: 'Bearer',
    });
  }),
  http.get(YT_CHANNELS, ({ request }) => {
    const owner = google.accessOwners.get(
      request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '',
    );
    if (!owner)
      return HttpResponse.json({ error: { code: 401, message: 'Invalid Credentials' } }, { status: 401 });
    return HttpResponse.json({
      items: [{ id: `UC-${owner}`, snippet: { title: `Channel ${owner}`, customUrl: `@${owner}` } }],
    });
  }),
);

const HOUR = 3600_000;
const MINUTE = 60_000;

describe('token lifecycle of live connections (X and YouTube adapters, msw, injected clock)', () => {
  let server: TestServer;
  let nowMs: number;
  const clock = { now: () => new Date(nowMs) };
  const advance = (ms: number) => {
    nowMs += ms;
  };
  const deps = () => server.started.app.deps;
  const db = () => server.started.database.db;

  beforeAll(() => {
    mock.listen({
      onUnhandledRequest(request, print) {
        if (new URL(request.url).hostname !== '127.0.0.1') print.error();
      },
    });
  });
  beforeEach(async () => {
    nowMs = Date.parse('2031-05-01T08:00:00.000Z');
    for (const fake of [x, google]) fake.reset();
    x.clients.set(X_CLIENT_A.id, X_CLIENT_A.secret).set(X_CLIENT_B.id, X_CLIENT_B.secret);
    google.clients.set(YT_CLIENT.id, YT_CLIENT.secret);
    server = await startTestServer({}, { clock });
  });
  afterEach(async () => {
    await server.close();
  });
  afterAll(() => {
    mock.close();
  });

  async function setCredentials(appId: string, platform: Live, client: Client) {
    const put = await server.admin('PUT', `/admin/v1/apps/${appId}/credentials/${platform}`, {
      mode: 'custom',
      clientId: client.id,
      clientSecret: client.secret,
    });
    expect(put.status).toBe(200);
  }

  /** Connects `user` through the real hosted flow; the provider code is the user's name (the grant's owner). */
  async function connect(
    platform: Live,
    user: string,
    client = platform === 'twitter' ? X_CLIENT_A : YT_CLIENT,
  ) {
    const app = await server.createApp({ name: `Live ${user}` });
    await setCredentials(app.appId, platform, client);
    const session = await newSession(server, app.key, { externalUserId: user, platform });
    const browser = new FlowClient(server);
    const state = new URL(await browser.start(session.connectUrl)).searchParams.get('state')!;
    const done = await browser.fetch(
      `/oauth/callback/${platform}?code=${encodeURIComponent(user)}&state=${encodeURIComponent(state)}`,
    );
    expect(new URL(done.location!).searchParams.get('status')).toBe('connected');
    const listed = await server.request('GET', `/api/v1/end-users/${user}/connections`, { token: app.key });
    expect(listed.body).toHaveLength(1);
    return { app, user, connectionId: listed.body[0].id as string, sessionId: session.id };
  }

  const loadRow = (id: string) =>
    db().selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const storedTokens = async (id: string) => decryptConnectionTokens(deps(), await loadRow(id));
  async function listedStatus(live: { app: { key: string }; user: string }) {
    const listed = await server.request('GET', `/api/v1/end-users/${live.user}/connections`, {
      token: live.app.key,
    });
    return listed.body[0].status as string;
  }

  describe('one refresh at a time (security 24)', () => {
    it.each<Live>(['twitter', 'youtube'])(
      '%s: ten concurrent callers near expiry cause exactly one refresh and all get the new token',
      async (platform) => {
        const fake = platform === 'twitter' ? x : google;
        const live = await connect(platform, `conc_${platform}`);
        const before = await storedTokens(live.connectionId);
        // Within the five-minute margin, not yet expired.
        nowMs = before.expiresAt!.getTime() - 4 * MINUTE;
        fake.delayMs = 100;
        const results = await Promise.all(
          Array.from({ length: 10 }, () => getFreshTokens(deps(), live.connectionId)),
        );
        expect(fake.refreshes()).toHaveLength(1);
        const fresh = results[0]!.accessToken;
        expect(fresh).not.toBe(before.accessToken);
        expect(new Set(results.map((tokens) => tokens.accessToken))).toEqual(new Set([fresh]));
        expect((await storedTokens(live.connectionId)).accessToken).toBe(fresh);

        // Now fresh: ten more callers get it without any provider call.
        const again = await Promise.all(
          Array.from({ length: 10 }, () => getFreshTokens(deps(), live.connectionId)),
        );
        expect(fake.refreshes()).toHaveLength(1);
        expect(again.every((tokens) => tokens.accessToken === fresh)).toBe(true);
      },
    );

    it('does not refresh a token that is not yet within the margin', async () => {
      const live = await connect('twitter', 'not_due');
      const before = await storedTokens(live.connectionId);
      nowMs = before.expiresAt!.getTime() - REFRESH_MARGIN_MS - MINUTE;
      const tokens = await getFreshTokens(deps(), live.connectionId);
      expect(tokens.accessToken).toBe(before.accessToken);
      expect(x.refreshes()).toHaveLength(0);
    });

    it('the housekeeping pass and ten publishes together still make one refresh call', async () => {
      const live = await connect('twitter', 'conc_mixed');
      const before = await storedTokens(live.connectionId);
      nowMs = before.expiresAt!.getTime() - 2 * MINUTE;
      x.delayMs = 100;
      const [pass, ...results] = await Promise.all([
        runHousekeeping(deps()),
        ...Array.from({ length: 10 }, () => getFreshTokens(deps(), live.connectionId)),
      ]);
      expect(x.refreshes()).toHaveLength(1);
      expect(pass).toMatchObject({ refreshed: 1, failed: 0 });
      expect(new Set(results.map((tokens) => (tokens as { accessToken: string }).accessToken)).size).toBe(1);
    });

    it('a housekeeping pass holding a stale row does not refresh again what a publish just refreshed', async () => {
      // The pass reads its batch first, then refreshes one connection after the other. While it is
      // busy with the first, a publish refreshes the second; when the pass reaches the second, its
      // row still holds the old (now dead, X rotates) refresh token.
      const first = await connect('twitter', 'stale_a');
      const second = await connect('twitter', 'stale_b');
      const owners = new Map([
        ['stale_a', second.connectionId],
        ['stale_b', first.connectionId],
      ]);
      nowMs = (await storedTokens(second.connectionId)).expiresAt!.getTime() - 2 * MINUTE;
      let publishedWith: string | undefined;
      x.beforeRefreshAnswer = async (owner) => {
        publishedWith = (await getFreshTokens(deps(), owners.get(owner)!)).accessToken;
      };
      const pass = await runHousekeeping(deps());
      expect(pass).toMatchObject({ refreshed: 2, failed: 0 });
      // One refresh each: the pass found the other one already refreshed and left it alone.
      expect(x.refreshes()).toHaveLength(2);
      expect(new Set(x.refreshes().map((call) => call.form.get('refresh_token'))).size).toBe(2);
      expect(await listedStatus(first)).toBe('connected');
      expect(await listedStatus(second)).toBe('connected');
      const stored = [await storedTokens(first.connectionId), await storedTokens(second.connectionId)];
      expect(stored.map((tokens) => tokens.accessToken)).toContain(publishedWith);
      // Both stored refresh tokens are the live ones at the provider.
      for (const tokens of stored) expect(x.refreshTokens.has(tokens.refreshToken!)).toBe(true);
    });
  });

  describe('refresh token rotation (security 25)', () => {
    /** Records every UPDATE of a connection row: which token columns that one statement changed. */
    async function auditTokenWrites() {
      if (onPostgres) {
        // The same audit as a PostgreSQL trigger (a plain table: the pool's sessions come and go).
        await sql`CREATE TABLE IF NOT EXISTS token_writes (connection_id TEXT, access_changed INTEGER, refresh_changed INTEGER)`.execute(
          db(),
        );
        await sql`CREATE OR REPLACE FUNCTION token_writes_audit() RETURNS trigger AS $$ BEGIN
          INSERT INTO token_writes VALUES (NEW.id, (OLD.access_token_enc IS DISTINCT FROM NEW.access_token_enc)::int,
            (OLD.refresh_token_enc IS DISTINCT FROM NEW.refresh_token_enc)::int);
          RETURN NEW;
        END $$ LANGUAGE plpgsql`.execute(db());
        await sql`CREATE OR REPLACE TRIGGER token_writes_audit AFTER UPDATE ON connections
          FOR EACH ROW EXECUTE FUNCTION token_writes_audit()`.execute(db());
      } else {
        await sql`CREATE TEMP TABLE IF NOT EXISTS token_writes (connection_id TEXT, access_changed INTEGER, refresh_changed INTEGER)`.execute(
          db(),
        );
        await sql`CREATE TEMP TRIGGER IF NOT EXISTS token_writes_audit AFTER UPDATE ON main.connections BEGIN
          INSERT INTO token_writes VALUES (NEW.id, OLD.access_token_enc IS NOT NEW.access_token_enc, OLD.refresh_token_enc IS NOT NEW.refresh_token_enc);
        END`.execute(db());
      }
      return async (connectionId: string) =>
        (
          await sql<{
            access_changed: number;
            refresh_changed: number;
          }>`SELECT access_changed, refresh_changed FROM token_writes WHERE connection_id = ${connectionId}`.execute(
            db(),
          )
        ).rows;
    }

    it('X: the rotated refresh token replaces the old one, together with the access token, in one statement', async () => {
      const live = await connect('twitter', 'rotate_x');
      const writes = await auditTokenWrites();
      const original = await storedTokens(live.connectionId);
      nowMs = original.expiresAt!.getTime() - MINUTE;

      const refreshed = await getFreshTokens(deps(), live.connectionId);
      expect(x.refreshes()[0]!.form.get('refresh_token')).toBe(original.refreshToken);
      const stored = await storedTokens(live.connectionId);
      expect(stored.refreshToken).not.toBe(original.refreshToken);
      expect(stored).toMatchObject({
        accessToken: refreshed.accessToken,
        refreshToken: refreshed.refreshToken,
      });
      expect(stored.expiresAt!.getTime()).toBe(nowMs + 7200_000);
      // The new pair is what the provider holds live; the old refresh token is dead there.
      expect(x.refreshTokens.has(stored.refreshToken!)).toBe(true);
      expect(x.refreshTokens.has(original.refreshToken!)).toBe(false);
      // Access and refresh token landed in the same UPDATE, never one without the other.
      expect(await writes(live.connectionId)).toEqual([{ access_changed: 1, refresh_changed: 1 }]);

      // The next refresh sends the rotated token (the old one would be refused and expire the connection).
      nowMs = stored.expiresAt!.getTime() - MINUTE;
      const next = await getFreshTokens(deps(), live.connectionId);
      expect(x.refreshes()).toHaveLength(2);
      expect(x.refreshes()[1]!.form.get('refresh_token')).toBe(stored.refreshToken);
      expect(next.accessToken).not.toBe(refreshed.accessToken);
      expect(await listedStatus(live)).toBe('connected');
      for (const write of await writes(live.connectionId))
        expect(write).toEqual({ access_changed: 1, refresh_changed: 1 });
    });

    it('YouTube: a refresh answer without refresh_token keeps the old one for the next refresh', async () => {
      const live = await connect('youtube', 'keep_yt');
      const original = await storedTokens(live.connectionId);
      expect(original.refreshToken).toMatch(/^yt-rt-keep_yt-/);
      nowMs = original.expiresAt!.getTime() - MINUTE;

      const refreshed = await getFreshTokens(deps(), live.connectionId);
      expect(refreshed.refreshToken).toBe(original.refreshToken);
      const stored = await storedTokens(live.connectionId);
      expect(stored.accessToken).toBe(refreshed.accessToken);
      expect(stored.accessToken).not.toBe(original.accessToken);
      expect(stored.refreshToken).toBe(original.refreshToken);

      nowMs = stored.expiresAt!.getTime() + MINUTE;
      await getFreshTokens(deps(), live.connectionId);
      const calls = google.refreshes();
      expect(calls).toHaveLength(2);
      for (const call of calls) {
        expect(call.form.get('refresh_token')).toBe(original.refreshToken);
        expect(call.form.get('client_id')).toBe(YT_CLIENT.id);
        expect(call.form.get('client_secret')).toBe(YT_CLIENT.secret);
      }
      expect(await listedStatus(live)).toBe('connected');
    });
  });

  describe('dead grants and transient failures (security 26)', () => {
    async function expectExpired(live: { app: { key: string }; user: string; connectionId: string }) {
      expect(await listedStatus(live)).toBe('expired');
      const user = await server.request('GET', `/api/v1/end-users/${live.user}`, { token: live.app.key });
      expect(user.body.connectionSummary).toMatchObject({ total: 1, connected: 0, expired: 1 });
      const calls = x.refreshes().length + google.refreshes().length;
      await expect(getFreshTokens(deps(), live.connectionId)).rejects.toBeInstanceOf(ConnectionExpiredError);
      // An expired connection is not refreshed again.
      expect(x.refreshes().length + google.refreshes().length).toBe(calls);
    }

    it('X: invalid_grant marks the connection expired at once, before the token has even lapsed', async () => {
      const live = await connect('twitter', 'dead_x');
      nowMs = (await storedTokens(live.connectionId)).expiresAt!.getTime() - 3 * MINUTE;
      x.scripted.push(() =>
        HttpResponse.json(
          { error: 'invalid_grant', error_description: 'revoked by the user' },
          { status: 400 },
        ),
      );
      await expect(getFreshTokens(deps(), live.connectionId)).rejects.toBeInstanceOf(ConnectionExpiredError);
      expect(x.refreshes()).toHaveLength(1);
      await expectExpired(live);
    });

    it('YouTube: a revoked refresh token (400 invalid_grant) marks the connection expired', async () => {
      const live = await connect('youtube', 'dead_yt');
      google.refreshTokens.clear(); // the user revoked access in their Google account
      nowMs = (await storedTokens(live.connectionId)).expiresAt!.getTime() + MINUTE;
      const error = await getFreshTokens(deps(), live.connectionId).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConnectionExpiredError);
      expect((error as Error).message).not.toContain('yt-rt-');
      await expectExpired(live);
    });

    it.each([
      [
        '503',
        () => new HttpResponse('upstream unavailable', { status: 503, headers: { 'Retry-After': '30' } }),
      ],
      ['a network error', () => HttpResponse.error()],
    ])('X: %s keeps the connection and rejects with a retry-class error', async (_name, answer) => {
      const live = await connect('twitter', 'flaky_x');
      const original = await storedTokens(live.connectionId);
      nowMs = original.expiresAt!.getTime() - 2 * MINUTE;
      x.scripted.push(answer);
      const error = await getFreshTokens(deps(), live.connectionId).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).classification.kind).toBe('retry');
      expect(error).not.toBeInstanceOf(ConnectionExpiredError);
      expect(await listedStatus(live)).toBe('connected');
      const user = await server.request('GET', `/api/v1/end-users/${live.user}`, { token: live.app.key });
      expect(user.body.connectionSummary).toMatchObject({ total: 1, connected: 1, expired: 0 });
      // Nothing stored changed, and the next attempt succeeds with the same refresh token.
      expect(await storedTokens(live.connectionId)).toEqual(original);
      const tokens = await getFreshTokens(deps(), live.connectionId);
      expect(x.refreshes()).toHaveLength(2);
      expect(x.refreshes()[1]!.form.get('refresh_token')).toBe(original.refreshToken);
      expect(tokens.accessToken).not.toBe(original.accessToken);
    });

    it('YouTube: a 503 does not expire the connection', async () => {
      const live = await connect('youtube', 'flaky_yt');
      nowMs = (await storedTokens(live.connectionId)).expiresAt!.getTime() + MINUTE;
      google.scripted.push(() => HttpResponse.json({ error: 'backend_error' }, { status: 503 }));
      const error = await getFreshTokens(deps(), live.connectionId).catch((caught: unknown) => caught);
      expect((error as ProviderError).classification.kind).toBe('retry');
      expect(await listedStatus(live)).toBe('connected');
    });

    it('housekeeping backs off after a transient failure instead of retrying every pass', async () => {
      const live = await connect('twitter', 'backoff_x');
      nowMs = (await storedTokens(live.connectionId)).expiresAt!.getTime() - 4 * MINUTE;
      x.scripted.push(() => new HttpResponse(null, { status: 503 }));
      expect(await refreshExpiringConnections(deps())).toEqual({ refreshed: 0, failed: 1, deferred: 0 });
      expect(x.refreshes()).toHaveLength(1);
      // The next pass 30 seconds later leaves it alone…
      advance(30_000);
      expect(await refreshExpiringConnections(deps())).toEqual({ refreshed: 0, failed: 0, deferred: 1 });
      expect(x.refreshes()).toHaveLength(1);
      expect(await listedStatus(live)).toBe('connected');
      // …a publish that needs the token still tries at once…
      await getFreshTokens(deps(), live.connectionId);
      expect(x.refreshes()).toHaveLength(2);
      expect(await listedStatus(live)).toBe('connected');
      // …and its success ends the back-off.
      advance(2 * 3600_000 - 3 * MINUTE);
      expect(await refreshExpiringConnections(deps())).toEqual({ refreshed: 1, failed: 0, deferred: 0 });
    });

    it("housekeeping waits at least as long as the provider's Retry-After", async () => {
      const live = await connect('twitter', 'backoff_hint');
      nowMs = (await storedTokens(live.connectionId)).expiresAt!.getTime() - 14 * MINUTE;
      x.scripted.push(
        () =>
          new HttpResponse(JSON.stringify({ error: 'temporarily_unavailable' }), {
            status: 503,
            headers: { 'Content-Type': 'application/json', 'Retry-After': '600' },
          }),
      );
      await refreshExpiringConnections(deps());
      advance(5 * MINUTE);
      expect(await refreshExpiringConnections(deps())).toMatchObject({ deferred: 1 });
      advance(6 * MINUTE);
      expect(await refreshExpiringConnections(deps())).toMatchObject({ refreshed: 1, deferred: 0 });
      expect(x.refreshes()).toHaveLength(2);
      expect(await listedStatus(live)).toBe('connected');
    });

    it('housekeeping retries a transiently failed refresh once the back-off has passed', async () => {
      const live = await connect('twitter', 'backoff_retry');
      const original = await storedTokens(live.connectionId);
      nowMs = original.expiresAt!.getTime() - 10 * MINUTE;
      x.scripted.push(() => new HttpResponse(null, { status: 502 }));
      await refreshExpiringConnections(deps());
      advance(5 * MINUTE);
      expect(await refreshExpiringConnections(deps())).toEqual({ refreshed: 1, failed: 0, deferred: 0 });
      expect(x.refreshes()).toHaveLength(2);
      expect((await storedTokens(live.connectionId)).accessToken).not.toBe(original.accessToken);
    });
  });

  describe('the credential set that minted the connection (security 17)', () => {
    it('refreshes with the original client; after a switch to another client id it never refreshes, then expires', async () => {
      const live = await connect('twitter', 'creds_x', X_CLIENT_A);
      const row = await loadRow(live.connectionId);
      expect(row).toMatchObject({ credential_mode: 'custom', credential_client_id: X_CLIENT_A.id });

      nowMs = (await storedTokens(live.connectionId)).expiresAt!.getTime() - MINUTE;
      await getFreshTokens(deps(), live.connectionId);
      expect(x.refreshes()).toHaveLength(1);
      expect(x.refreshes()[0]!.authorization).toBe(basic(X_CLIENT_A));

      await setCredentials(live.app.appId, 'twitter', X_CLIENT_B);
      const current = await storedTokens(live.connectionId);
      // Within the margin: still usable with what it has, but no refresh with client B.
      nowMs = current.expiresAt!.getTime() - 2 * MINUTE;
      const tokens = await getFreshTokens(deps(), live.connectionId);
      expect(tokens.accessToken).toBe(current.accessToken);
      expect(await listedStatus(live)).toBe('connected');
      // Lapsed: expired, and still not one request with client B.
      nowMs = current.expiresAt!.getTime() + MINUTE;
      await expect(getFreshTokens(deps(), live.connectionId)).rejects.toBeInstanceOf(ConnectionExpiredError);
      expect(await listedStatus(live)).toBe('expired');
      expect(x.refreshes()).toHaveLength(1);
      expect(x.calls.filter((call) => call.authorization === basic(X_CLIENT_B))).toHaveLength(0);
    });

    it('housekeeping leaves a connection of a replaced client alone until it lapses, then expires it', async () => {
      const live = await connect('twitter', 'creds_hk', X_CLIENT_A);
      await setCredentials(live.app.appId, 'twitter', X_CLIENT_B);
      const current = await storedTokens(live.connectionId);
      nowMs = current.expiresAt!.getTime() - 10 * MINUTE;
      await runHousekeeping(deps());
      expect(await listedStatus(live)).toBe('connected');
      nowMs = current.expiresAt!.getTime() + 30_000;
      await runHousekeeping(deps());
      expect(await listedStatus(live)).toBe('expired');
      expect(x.refreshes()).toHaveLength(0);
    });

    it('a rotated secret for the same client id is still the same credential set', async () => {
      const live = await connect('twitter', 'creds_rotated', X_CLIENT_A);
      const rotated = { id: X_CLIENT_A.id, secret: 'x-secret-a-rotated' };
      x.clients.set(rotated.id, rotated.secret);
      await setCredentials(live.app.appId, 'twitter', rotated);
      nowMs = (await storedTokens(live.connectionId)).expiresAt!.getTime() - MINUTE;
      await getFreshTokens(deps(), live.connectionId);
      expect(x.refreshes()[0]!.authorization).toBe(basic(rotated));
      expect(await listedStatus(live)).toBe('connected');
    });
  });

  describe('housekeeping', () => {
    it('refreshes due connections only, expires lapsed pending sessions, and deletes day-old OAuth states', async () => {
      const start = nowMs;
      const xLive = await connect('twitter', 'hk_x');
      const ytLive = await connect('youtube', 'hk_yt');
      const app = await server.createApp({ name: 'Sessions' });
      await setCredentials(app.appId, 'twitter', X_CLIENT_A);
      const untouched = await newSession(server, app.key, {
        externalUserId: 'hk_pending',
        platform: 'twitter',
      });
      const started = await newSession(server, app.key, {
        externalUserId: 'hk_started',
        platform: 'twitter',
      });
      await new FlowClient(server).start(started.connectUrl);

      advance(HOUR + 40 * MINUTE);
      const late = await connect('twitter', 'hk_late');
      const lateTokens = await storedTokens(late.connectionId);
      const before = await storedTokens(xLive.connectionId);
      advance(10 * MINUTE);

      const pass = await runHousekeeping(deps());
      expect(pass).toMatchObject({ refreshed: 2, failed: 0, expiredSessions: 2 });
      // X expires in 10 minutes and YouTube has lapsed: both refreshed. The late one is not due.
      expect(x.refreshes().map((call) => call.form.get('refresh_token'))).toEqual([before.refreshToken]);
      expect(google.refreshes()).toHaveLength(1);
      expect((await storedTokens(xLive.connectionId)).expiresAt!.getTime()).toBe(nowMs + 7200_000);
      expect((await storedTokens(ytLive.connectionId)).expiresAt!.getTime()).toBe(nowMs + 3599_000);
      expect((await storedTokens(late.connectionId)).accessToken).toBe(lateTokens.accessToken);

      for (const session of [untouched, started]) {
        const row = await db()
          .selectFrom('connect_sessions')
          .selectAll()
          .where('id', '=', session.id)
          .executeTakeFirstOrThrow();
        expect(row).toMatchObject({ status: 'expired', error_code: 'session_expired' });
        const shown = await server.request('GET', `/api/v1/connect-sessions/${session.id}`, {
          token: app.key,
        });
        expect(shown.body).toMatchObject({ status: 'expired', errorCode: 'session_expired' });
      }
      const finished = await server.request('GET', `/api/v1/connect-sessions/${xLive.sessionId}`, {
        token: xLive.app.key,
      });
      expect(finished.body).toMatchObject({ status: 'connected', errorCode: null });

      // OAuth states (consumed or not) live ten minutes and are kept a day after that.
      const states = () => db().selectFrom('oauth_states').select(['id', 'created_at']).execute();
      const initial = await states();
      expect(initial).toHaveLength(4);
      const early = initial.filter((state) => Date.parse(state.created_at) === start);
      expect(early).toHaveLength(3);
      nowMs = start + 24 * HOUR + 9 * MINUTE;
      await runHousekeeping(deps());
      expect(await states()).toHaveLength(4);
      nowMs = start + 24 * HOUR + 11 * MINUTE;
      await runHousekeeping(deps());
      const left = await states();
      expect(left.map((state) => state.id).sort()).toEqual(
        initial.filter((state) => !early.includes(state)).map((state) => state.id),
      );
    });

    it('counts a lapsed connection without a usable refresh as failed and expires it', async () => {
      const live = await connect('youtube', 'hk_dead');
      google.refreshTokens.clear();
      nowMs = (await storedTokens(live.connectionId)).expiresAt!.getTime() + MINUTE;
      expect(await runHousekeeping(deps())).toMatchObject({ refreshed: 0, failed: 1 });
      expect(await listedStatus(live)).toBe('expired');
      // Expired connections are not picked up again.
      expect(await runHousekeeping(deps())).toMatchObject({ refreshed: 0, failed: 0 });
      expect(google.refreshes()).toHaveLength(1);
    });
  });
});
