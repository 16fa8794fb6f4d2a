import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.js';
import { FlowClient } from './flow-client.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The reference's create-connect-session cURL body, byte for byte. */
const REFERENCE_BODY = `{
    "externalUserId": "user_123",
    "platform": "linkedin",
    "redirectUri": "https://client.example.com/oauth/callback"
  }`;

/** JSON with object keys sorted: how the server canonicalises a body before fingerprinting it. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('connect sessions API', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ MYPOSTSHARE_RATE_LIMIT_RPS: '0' });
  });
  afterAll(() => server.close());

  const db = () => server.started.database.db;
  const sessionCount = async (appId: string) =>
    (await db().selectFrom('connect_sessions').select('id').where('app_id', '=', appId).execute()).length;
  const allow = (appId: string, uri: string) =>
    server.admin('POST', `/admin/v1/apps/${appId}/redirect-uris`, { uri });
  const upsert = (key: string, externalUserId: string, extra: Record<string, unknown> = {}) =>
    server.request('POST', '/api/v1/end-users', { token: key, body: { externalUserId, ...extra } });
  const createSession = (key: string, body: unknown, headers?: Record<string, string>) =>
    server.request('POST', '/api/v1/connect-sessions', { token: key, body, headers });

  describe('shapes and tenancy (the reference contract)', () => {
    let appId: string;
    let key: string;
    let otherKey: string;
    let sessionId: string;

    beforeAll(async () => {
      appId = server.started.banner.sandbox!.appId;
      key = server.sandboxKey;
      expect(key).toMatch(/^mps_test_/);
      otherKey = (await server.createApp({ name: 'Other tenant', sandbox: true })).key;
      expect((await allow(appId, 'https://client.example.com/oauth/callback')).status).toBe(201);
      expect((await upsert(key, 'user_123')).status).toBe(200);
    });

    it("answers the reference's cURL example with 201 and exactly the reference's fields", async () => {
      const created = await server.request('POST', '/api/v1/connect-sessions', {
        token: key,
        rawBody: REFERENCE_BODY,
        headers: { 'Content-Type': 'application/json' },
      });
      expect(created.status).toBe(201);
      const { expiresAt, ...rest } = created.body;
      expect(rest).toEqual({
        id: expect.stringMatching(UUID_V4),
        status: 'pending',
        platform: 'linkedin',
        connectUrl: `${server.baseUrl}/connect/${created.body.id}`,
      });
      if (expiresAt !== undefined) {
        expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
        expect(new Date(expiresAt).toISOString()).toBe(expiresAt);
      }
      sessionId = created.body.id;
      const row = await db()
        .selectFrom('connect_sessions')
        .selectAll()
        .where('id', '=', sessionId)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        app_id: appId,
        platform: 'linkedin',
        status: 'pending',
        redirect_uri: 'https://client.example.com/oauth/callback',
      });
    });

    it('GET answers exactly {id, status, platform, externalUserId, errorCode, updatedAt}', async () => {
      const got = await server.request('GET', `/api/v1/connect-sessions/${sessionId}`, { token: key });
      expect(got.status).toBe(200);
      expect(got.body).toEqual({
        id: sessionId,
        status: 'pending',
        platform: 'linkedin',
        externalUserId: 'user_123',
        errorCode: null,
        updatedAt: expect.any(String),
      });
      expect(new Date(got.body.updatedAt).toISOString()).toBe(got.body.updatedAt);
    });

    it('answers 404 for an end user that does not exist, creating nothing', async () => {
      const before = await sessionCount(appId);
      const created = await createSession(key, {
        externalUserId: 'nobody_here',
        platform: 'linkedin',
        redirectUri: 'https://client.example.com/oauth/callback',
      });
      expect(created.status).toBe(404);
      expect(created.body.error).toMatchObject({
        code: 'not_found',
        requestId: created.headers.get('x-request-id'),
      });
      expect(await sessionCount(appId)).toBe(before);
    });

    it("answers 404 for another app's session and another app's end user", async () => {
      const foreign = await server.request('GET', `/api/v1/connect-sessions/${sessionId}`, {
        token: otherKey,
      });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('not_found');
      // Same body as the owner could send: app B has no user_123 and no such redirect URI.
      const crossCreate = await server.request('POST', '/api/v1/connect-sessions', {
        token: otherKey,
        rawBody: REFERENCE_BODY,
        headers: { 'Content-Type': 'application/json' },
      });
      expect(crossCreate.status).toBe(404);
      expect(crossCreate.body.error.code).toBe('not_found');
      // The owner still sees its session.
      expect(
        (await server.request('GET', `/api/v1/connect-sessions/${sessionId}`, { token: key })).status,
      ).toBe(200);
    });

    it('answers 404 for an unknown but well-formed id, 400 for a malformed one', async () => {
      const unknown = await server.request(
        'GET',
        '/api/v1/connect-sessions/3b241101-e2bb-4255-8caf-4136c566a962',
        {
          token: key,
        },
      );
      expect(unknown.status).toBe(404);
      for (const bad of ['not-a-uuid', '1', `${sessionId}x`]) {
        const malformed = await server.request('GET', `/api/v1/connect-sessions/${bad}`, { token: key });
        expect(malformed.status, bad).toBe(400);
        expect(malformed.body.error.code).toBe('validation_error');
        expect(malformed.body.error.details.map((detail: { field: string }) => detail.field)).toContain('id');
      }
    });

    it('refuses an unknown platform with 400 validation_error naming the field', async () => {
      const before = await sessionCount(appId);
      const created = await createSession(key, {
        externalUserId: 'user_123',
        platform: 'myspace',
        redirectUri: 'https://client.example.com/oauth/callback',
      });
      expect(created.status).toBe(400);
      expect(created.body.error.code).toBe('validation_error');
      expect(created.body.error.details.map((detail: { field: string }) => detail.field)).toEqual([
        'platform',
      ]);
      expect(await sessionCount(appId)).toBe(before);
    });

    it('refuses unknown fields, at the top level and inside display', async () => {
      const before = await sessionCount(appId);
      const base = {
        externalUserId: 'user_123',
        platform: 'linkedin',
        redirectUri: 'https://client.example.com/oauth/callback',
      };
      const cases: Array<[unknown, string]> = [
        [{ ...base, scopes: ['w_member_social'] }, 'scopes'],
        [
          { ...base, display: { title: 'Connect', logoUrl: 'https://evil.example/x.png' } },
          'display.logoUrl',
        ],
      ];
      for (const [body, field] of cases) {
        const created = await createSession(key, body);
        expect(created.status, field).toBe(400);
        expect(created.body.error.code).toBe('validation_error');
        expect(created.body.error.details).toContainEqual({ field, message: 'unknown field' });
      }
      expect(await sessionCount(appId)).toBe(before);
      // The known display fields are accepted.
      const ok = await createSession(key, {
        ...base,
        display: { title: 'Connect LinkedIn', description: 'To post for you', accentColor: '#112233' },
      });
      expect(ok.status).toBe(201);
    });
  });

  describe('redirect URI exact matching', () => {
    let appId: string;
    let key: string;

    beforeAll(async () => {
      const app = await server.createApp({ name: 'Redirects', sandbox: true });
      appId = app.appId;
      key = app.key;
      expect((await allow(appId, 'https://app.com/cb')).status).toBe(201);
      expect((await upsert(key, 'redirect_user')).status).toBe(200);
    });

    const attempt = (redirectUri: string) =>
      createSession(key, { externalUserId: 'redirect_user', platform: 'linkedin', redirectUri });

    it.each([
      'https://app.com.evil.com/cb',
      'https://app.com@evil.com/cb',
      'https://app.com/cbx',
      'https://app.com/cb/../x',
      'https://app.com:8443/cb',
      'http://app.com/cb',
      'https://app.com/%63b',
      'https://app.com/cb%2f..',
      'javascript:alert(1)',
      'https://app.com/cb#frag',
      '//app.com/cb',
      'https://app.com/CB',
      'https://app.com/c',
      'https://app.com/cb/',
      'https://app.com/cb?next=https://evil.com',
      'https://user:pass@app.com/cb',
      'https://app.com/x/../cb',
      'https://app.com/x/..\\cb',
      'https://app.com/x/.\t./cb',
      'https://app.com\\cb',
      ' https://app.com/cb',
      'https://app.com/%2e%2e/cb',
      'data:text/html,hi',
    ])('refuses %s with 400 redirect_uri_not_allowed and creates no session', async (redirectUri) => {
      const before = await sessionCount(appId);
      const created = await attempt(redirectUri);
      expect(created.status).toBe(400);
      expect(created.body.error.code).toBe('redirect_uri_not_allowed');
      expect(created.text).not.toContain('connectUrl');
      expect(await sessionCount(appId)).toBe(before);
    });

    it('accepts the allowlisted URI exactly and stores it', async () => {
      const created = await attempt('https://app.com/cb');
      expect(created.status).toBe(201);
      const row = await db()
        .selectFrom('connect_sessions')
        .select('redirect_uri')
        .where('id', '=', created.body.id)
        .executeTakeFirstOrThrow();
      expect(row.redirect_uri).toBe('https://app.com/cb');
    });

    it("always accepts the server's own /connect/complete page without allowlisting", async () => {
      const fresh = await server.createApp({ name: 'No allowlist', sandbox: true });
      const listed = await server.admin('GET', `/admin/v1/apps/${fresh.appId}/redirect-uris`);
      expect(listed.body).toEqual([]);
      await upsert(fresh.key, 'cli_user');
      const created = await createSession(fresh.key, {
        externalUserId: 'cli_user',
        platform: 'youtube',
        redirectUri: `${server.baseUrl}/connect/complete`,
      });
      expect(created.status).toBe(201);
      // But not a look-alike of it.
      const lookAlike = await createSession(fresh.key, {
        externalUserId: 'cli_user',
        platform: 'youtube',
        redirectUri: `${server.baseUrl}/connect/completed`,
      });
      expect(lookAlike.status).toBe(400);
      expect(lookAlike.body.error.code).toBe('redirect_uri_not_allowed');
    });

    it('refuses to allowlist plain http for a non-loopback host', async () => {
      const before = (await server.admin('GET', `/admin/v1/apps/${appId}/redirect-uris`)).body.length;
      for (const uri of [
        'http://example.com/cb',
        'http://127.0.0.2/cb',
        'javascript:alert(1)',
        'https://a.com/cb#x',
      ]) {
        const added = await allow(appId, uri);
        expect(added.status, uri).toBe(400);
        expect(added.body.error.code).toBe('validation_error');
      }
      expect((await server.admin('GET', `/admin/v1/apps/${appId}/redirect-uris`)).body).toHaveLength(before);
    });

    it.each(['http://localhost:3000/cb', 'http://127.0.0.1:3000/cb', 'http://[::1]:3000/cb'])(
      'allowlists the loopback URI %s and then uses it for sessions',
      async (uri) => {
        const app = await server.createApp({ name: `Loopback ${uri}`, sandbox: true });
        await upsert(app.key, 'loop_user');
        const refused = await createSession(app.key, {
          externalUserId: 'loop_user',
          platform: 'linkedin',
          redirectUri: uri,
        });
        expect(refused.status).toBe(400);
        expect(refused.body.error.code).toBe('redirect_uri_not_allowed');

        const added = await allow(app.appId, uri);
        expect(added.status).toBe(201);
        expect(added.body).toMatchObject({ id: expect.stringMatching(UUID_V4), uri });
        const created = await createSession(app.key, {
          externalUserId: 'loop_user',
          platform: 'linkedin',
          redirectUri: uri,
        });
        expect(created.status).toBe(201);

        // The whole flow lands on it.
        const browser = new FlowClient(server);
        const finished = await browser.fetch(
          await browser.sandboxDecide(await browser.start(created.body.connectUrl), 'approve'),
        );
        expect(finished.status).toBe(302);
        const landed = new URL(finished.location!);
        expect(`${landed.origin}${landed.pathname}`).toBe(uri);
        expect(landed.searchParams.get('status')).toBe('connected');
        expect(landed.searchParams.get('connectSessionId')).toBe(created.body.id);
      },
    );
  });

  describe('Idempotency-Key', () => {
    let appId: string;
    let key: string;
    let seq = 0;
    const newKey = () => `idem-${Date.now()}-${++seq}`;

    beforeAll(async () => {
      const app = await server.createApp({ name: 'Idempotency', sandbox: true });
      appId = app.appId;
      key = app.key;
      expect((await upsert(key, 'idem_user')).status).toBe(200);
    });

    const sessionBody = (platform = 'linkedin', externalUserId = 'idem_user') => ({
      externalUserId,
      platform,
      redirectUri: `${server.baseUrl}/connect/complete`,
    });

    it('replays a connect session: same status, body, id and connectUrl, one row', async () => {
      const idem = newKey();
      const before = await sessionCount(appId);
      const first = await createSession(key, sessionBody(), { 'Idempotency-Key': idem });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      // Key order differs: the fingerprint is over the canonical body.
      const { redirectUri, platform, externalUserId } = sessionBody();
      const second = await createSession(
        key,
        { redirectUri, platform, externalUserId },
        { 'Idempotency-Key': idem },
      );
      expect(second.status).toBe(201);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.body).toEqual(first.body);
      expect(second.body.id).toBe(first.body.id);
      expect(second.body.connectUrl).toBe(first.body.connectUrl);
      expect(await sessionCount(appId)).toBe(before + 1);
      // Without a key, the same body creates another session.
      const third = await createSession(key, sessionBody());
      expect(third.status).toBe(201);
      expect(third.body.id).not.toBe(first.body.id);
      expect(await sessionCount(appId)).toBe(before + 2);
    });

    it('replays an end-user upsert from the store rather than running it again', async () => {
      const idem = newKey();
      const body = { externalUserId: 'idem_upsert', displayName: 'Original' };
      const first = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body,
        headers: { 'Idempotency-Key': idem },
      });
      expect(first.status).toBe(200);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      // Changed in between without a key: a re-run would now answer "Changed" (or overwrite it).
      expect((await upsert(key, 'idem_upsert', { displayName: 'Changed' })).body.displayName).toBe('Changed');
      const second = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body,
        headers: { 'Idempotency-Key': idem },
      });
      expect(second.status).toBe(200);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.body).toEqual(first.body);
      expect(second.body.displayName).toBe('Original');
      const current = await server.request('GET', '/api/v1/end-users/idem_upsert', { token: key });
      expect(current.body.displayName).toBe('Changed');
    });

    it('answers 422 idempotency_key_reused for the same key with a different body, running nothing', async () => {
      const idem = newKey();
      expect((await createSession(key, sessionBody('linkedin'), { 'Idempotency-Key': idem })).status).toBe(
        201,
      );
      const before = await sessionCount(appId);
      const reused = await createSession(key, sessionBody('youtube'), { 'Idempotency-Key': idem });
      expect(reused.status).toBe(422);
      expect(reused.body.error.code).toBe('idempotency_key_reused');
      expect(reused.headers.get('idempotent-replayed')).toBeNull();
      expect(await sessionCount(appId)).toBe(before);

      const upsertKey = newKey();
      const original = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: { externalUserId: 'idem_user', displayName: 'B' },
        headers: { 'Idempotency-Key': upsertKey },
      });
      expect(original.status).toBe(200);
      const upsertReused = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: { externalUserId: 'idem_user', displayName: 'A' },
        headers: { 'Idempotency-Key': upsertKey },
      });
      expect(upsertReused.status).toBe(422);
      expect(upsertReused.body.error.code).toBe('idempotency_key_reused');
      const user = await server.request('GET', '/api/v1/end-users/idem_user', { token: key });
      expect(user.body.displayName).toBe('B');
    });

    it('answers 422 for the same key on another route, running nothing', async () => {
      const idem = newKey();
      expect((await createSession(key, sessionBody(), { 'Idempotency-Key': idem })).status).toBe(201);
      const other = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: { externalUserId: 'never_created' },
        headers: { 'Idempotency-Key': idem },
      });
      expect(other.status).toBe(422);
      expect(other.body.error.code).toBe('idempotency_key_reused');
      expect((await server.request('GET', '/api/v1/end-users/never_created', { token: key })).status).toBe(
        404,
      );
    });

    it('scopes keys per app: another app may use the same key string', async () => {
      const idem = newKey();
      const mine = await createSession(key, sessionBody(), { 'Idempotency-Key': idem });
      expect(mine.status).toBe(201);
      const other = await server.createApp({ name: 'Idempotency B', sandbox: true });
      await upsert(other.key, 'idem_user');
      const before = await sessionCount(other.appId);
      const theirs = await createSession(other.key, sessionBody(), { 'Idempotency-Key': idem });
      expect(theirs.status).toBe(201);
      expect(theirs.headers.get('idempotent-replayed')).toBeNull();
      expect(theirs.body.id).not.toBe(mine.body.id);
      expect(await sessionCount(other.appId)).toBe(before + 1);
      // And a different body under that key in app B is B's own business, not a clash with A.
      const theirsAgain = await createSession(other.key, sessionBody(), { 'Idempotency-Key': idem });
      expect(theirsAgain.headers.get('idempotent-replayed')).toBe('true');
      expect(theirsAgain.body.id).toBe(theirs.body.id);
    });

    it('does not store a validation failure: the same key then succeeds with a fixed body', async () => {
      const idem = newKey();
      const invalid = await createSession(
        key,
        { ...sessionBody(), platform: 'myspace' },
        { 'Idempotency-Key': idem },
      );
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.code).toBe('validation_error');
      const fixed = await createSession(key, sessionBody(), { 'Idempotency-Key': idem });
      expect(fixed.status).toBe(201);
      expect(fixed.headers.get('idempotent-replayed')).toBeNull();
      const rows = await db()
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('app_id', '=', appId)
        .where('idempotency_key', '=', idem)
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'completed', response_status: 201 });
    });

    it('does not store an auth failure', async () => {
      const idem = newKey();
      const denied = await createSession('mps_test_not-a-real-key-at-all-000000', sessionBody(), {
        'Idempotency-Key': idem,
      });
      expect(denied.status).toBe(401);
      expect(
        await db()
          .selectFrom('idempotency_keys')
          .select('app_id')
          .where('idempotency_key', '=', idem)
          .execute(),
      ).toEqual([]);
      const ok = await createSession(key, sessionBody(), { 'Idempotency-Key': idem });
      expect(ok.status).toBe(201);
      expect(ok.headers.get('idempotent-replayed')).toBeNull();
    });

    it('replays a stored 404 as a 404 carrying the current request id', async () => {
      const idem = newKey();
      const body = sessionBody('linkedin', 'late_user');
      const first = await createSession(key, body, { 'Idempotency-Key': idem });
      expect(first.status).toBe(404);
      expect(first.body.error.requestId).toBe(first.headers.get('x-request-id'));
      // The user exists now, so only a replay can still answer 404.
      expect((await upsert(key, 'late_user')).status).toBe(200);
      const before = await sessionCount(appId);
      const second = await createSession(key, body, { 'Idempotency-Key': idem });
      expect(second.status).toBe(404);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.body.error.code).toBe('not_found');
      expect(second.body.error.message).toBe(first.body.error.message);
      expect(second.body.error.requestId).toBe(second.headers.get('x-request-id'));
      expect(second.body.error.requestId).not.toBe(first.body.error.requestId);
      expect(await sessionCount(appId)).toBe(before);
      // A new key runs the request afresh.
      expect((await createSession(key, body, { 'Idempotency-Key': newKey() })).status).toBe(201);
    });

    async function insertRecord(idem: string, body: unknown, lockedUntil: Date) {
      const fingerprint = createHash('sha256')
        .update(`post /api/v1/connect-sessions ${canonical(body)}`)
        .digest('hex');
      await db()
        .insertInto('idempotency_keys')
        .values({
          app_id: appId,
          idempotency_key: idem,
          fingerprint,
          status: 'in_progress',
          response_status: null,
          response_body: null,
          locked_until: lockedUntil.toISOString(),
          created_at: new Date().toISOString(),
        })
        .execute();
    }

    it('answers 409 idempotency_key_in_progress with Retry-After while another request holds the key', async () => {
      const idem = newKey();
      const body = sessionBody();
      await insertRecord(idem, body, new Date(Date.now() + 60_000));
      const before = await sessionCount(appId);
      const busy = await createSession(key, body, { 'Idempotency-Key': idem });
      expect(busy.status).toBe(409);
      expect(busy.body.error.code).toBe('idempotency_key_in_progress');
      expect(Number(busy.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await sessionCount(appId)).toBe(before);
      // A different body under that key is still a reuse, not a wait.
      const reused = await createSession(key, sessionBody('youtube'), { 'Idempotency-Key': idem });
      expect(reused.status).toBe(422);
    });

    it('takes over an in-progress record whose lock has lapsed', async () => {
      const idem = newKey();
      const body = sessionBody();
      await insertRecord(idem, body, new Date(Date.now() - 1000));
      const before = await sessionCount(appId);
      const taken = await createSession(key, body, { 'Idempotency-Key': idem });
      expect(taken.status).toBe(201);
      expect(taken.headers.get('idempotent-replayed')).toBeNull();
      expect(await sessionCount(appId)).toBe(before + 1);
      const replay = await createSession(key, body, { 'Idempotency-Key': idem });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body.id).toBe(taken.body.id);
    });

    it('runs two concurrent identical requests once', async () => {
      const idem = newKey();
      const before = await sessionCount(appId);
      const results = await Promise.all(
        Array.from({ length: 4 }, () => createSession(key, sessionBody(), { 'Idempotency-Key': idem })),
      );
      const created = results.filter((result) => result.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((result) => result.body.id)).size).toBe(1);
      for (const result of results.filter((r) => r.status !== 201)) {
        expect(result.status).toBe(409);
        expect(result.body.error.code).toBe('idempotency_key_in_progress');
        expect(result.headers.get('retry-after')).not.toBeNull();
      }
      expect(await sessionCount(appId)).toBe(before + 1);
    });

    it.each([
      ['300 characters', 'k'.repeat(300)],
      ['a space', 'has space'],
    ])('refuses a malformed key (%s) with 400, running nothing', async (_label, idem) => {
      const before = await sessionCount(appId);
      const refused = await createSession(key, sessionBody(), { 'Idempotency-Key': idem });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('validation_error');
      expect(await sessionCount(appId)).toBe(before);
      const upserted = await server.request('POST', '/api/v1/end-users', {
        token: key,
        body: { externalUserId: 'malformed_key_user' },
        headers: { 'Idempotency-Key': idem },
      });
      expect(upserted.status).toBe(400);
      expect(
        (await server.request('GET', '/api/v1/end-users/malformed_key_user', { token: key })).status,
      ).toBe(404);
    });
  });
});
