import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../../src/worker/housekeeping.js';
import { Scheduler } from '../../src/worker/scheduler.js';
import { startTestServer, type TestServer } from '../harness.js';
import { connectSandbox, drain, referencePublishBody, referenceScheduleBody } from './helpers.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('publishing on a sandbox app (real server, sandbox provider, injected clock)', () => {
  let server: TestServer;
  let key: string;
  let scheduler: Scheduler;
  let nowMs = Date.parse('2026-11-29T10:00:00.000Z');
  const clock = { now: () => new Date(nowMs) };
  let userSeq = 0;
  const nextUser = () => `pub_user_${++userSeq}`;
  let mediaServer: http.Server;
  let mediaBase: string;

  const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
    server.request('POST', route, { token: key, body, headers });
  const get = (route: string) => server.request('GET', route, { token: key });

  async function connectedUser(platforms: string[]) {
    const user = nextUser();
    await connectSandbox(server, key, user, platforms);
    return user;
  }

  beforeAll(async () => {
    server = await startTestServer({}, { clock });
    key = server.sandboxKey;
    scheduler = new Scheduler(server.started.app.deps);
    // A media host on loopback: sandbox apps may fetch from private addresses.
    mediaServer = http.createServer((request, response) => {
      if (request.url?.startsWith('/photo.jpg')) {
        response.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': '4' });
        response.end(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
      } else if (request.url?.startsWith('/clip.mp4')) {
        response.writeHead(200, { 'Content-Type': 'video/mp4' });
        response.end(Buffer.alloc(1024));
      } else if (request.url?.startsWith('/page.html')) {
        response.writeHead(200, { 'Content-Type': 'text/html' });
        response.end('<html></html>');
      } else {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => mediaServer.listen(0, '127.0.0.1', resolve));
    mediaBase = `http://127.0.0.1:${(mediaServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await server.started.app.deps.publishing.idle();
    await server.close();
    await new Promise((resolve) => mediaServer.close(resolve));
  });

  describe('the reference examples', () => {
    it('POST /v1/posts with the reference body publishes at once and answers its shape', async () => {
      const user = await connectedUser(['linkedin']);
      const response = await post('/api/v1/posts', referencePublishBody(user));
      expect(response.status).toBe(201);
      expect(response.body.id).toMatch(UUID_V4);
      expect(response.body).toMatchObject({
        mode: 'immediate',
        status: 'published',
        externalUserId: user,
        platformResults: [{ platform: 'linkedin', status: 'published', attempts: 1 }],
      });
      expect(response.body.platformResults[0].externalId).toMatch(/^urn:li:share:sandbox-/);
      expect(response.body.platformResults[0].publishedAt).toBe(new Date(nowMs).toISOString());
      expect(response.body).toMatchObject({ title: 'Launch update', metadata: { source: 'api-docs' } });
      expect(response.body).not.toHaveProperty('scheduleAt');

      const fetched = await get(`/api/v1/posts/${response.body.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(response.body);

      // The simulated post's URL opens a page on this server showing what was "published".
      const url = new URL(response.body.platformResults[0].url);
      expect(url.origin).toBe(server.baseUrl);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      const text = await page.text();
      expect(text).toContain('Testing mypostshare direct posting from docs.');
      expect(text).toContain('Launch update');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      const missing = await fetch(`${server.baseUrl}/sandbox/linkedin/posts/urn%3Ali%3Ashare%3Asandbox-nope`);
      expect(missing.status).toBe(404);
    });

    it('POST /v1/posts/scheduled with the reference body is stored scheduled, then published when due', async () => {
      const user = await connectedUser(['linkedin', 'twitter']);
      const scheduleAt = new Date(nowMs + 3600_000).toISOString();
      const response = await post('/api/v1/posts/scheduled', referenceScheduleBody(user, scheduleAt));
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        mode: 'scheduled',
        status: 'scheduled',
        externalUserId: user,
        scheduleAt,
        platformResults: [],
      });
      // Not due yet: a pass leaves it alone.
      await drain(scheduler);
      expect((await get(`/api/v1/posts/${response.body.id}`)).body.status).toBe('scheduled');

      nowMs += 3600_000;
      await drain(scheduler);
      const done = await get(`/api/v1/posts/${response.body.id}`);
      expect(done.body.status).toBe('published');
      expect(done.body.platformResults.map((result: any) => [result.platform, result.status])).toEqual([
        ['linkedin', 'published'],
        ['twitter', 'published'],
      ]);
    });

    it('GET /v1/posts?externalUserId=…&status=… lists the reference items, newest first', async () => {
      const user = await connectedUser(['linkedin']);
      const first = await post('/api/v1/posts', referencePublishBody(user));
      nowMs += 1000;
      const scheduled = await post('/api/v1/posts/scheduled', {
        ...referenceScheduleBody(user, new Date(nowMs + 7200_000).toISOString()),
        platforms: ['linkedin'],
      });
      nowMs += 1000;
      const all = await get(`/api/v1/posts?externalUserId=${user}`);
      expect(all.status).toBe(200);
      expect(all.body.map((item: any) => item.id)).toEqual([scheduled.body.id, first.body.id]);
      expect(all.body[1]).toMatchObject({
        id: first.body.id,
        mode: 'immediate',
        status: 'published',
        externalUserId: user,
      });
      const published = await get(`/api/v1/posts?externalUserId=${user}&status=published`);
      expect(published.body.map((item: any) => item.id)).toEqual([first.body.id]);
      const scheduledOnly = await get(`/api/v1/posts?externalUserId=${user}&status=scheduled`);
      expect(scheduledOnly.body).toEqual([
        expect.objectContaining({ id: scheduled.body.id, mode: 'scheduled', status: 'scheduled' }),
      ]);
    });
  });

  it('housekeeping repairs a request status left behind by a crash between the two writes', async () => {
    const user = await connectedUser(['linkedin']);
    const published = await post('/api/v1/posts', {
      externalUserId: user,
      content: 'Crash gap',
      platforms: ['linkedin'],
    });
    expect(published.body.status).toBe('published');
    // What a process that died after storing the delivery's outcome, before the post's, leaves.
    await server.started.database.db
      .updateTable('posts')
      .set({ status: 'publishing' })
      .where('id', '=', published.body.id)
      .execute();
    expect((await get(`/api/v1/posts/${published.body.id}`)).body.status).toBe('publishing');
    const pass = await runHousekeeping(server.started.app.deps);
    expect(pass.reconciledPosts).toBeGreaterThanOrEqual(1);
    expect((await get(`/api/v1/posts/${published.body.id}`)).body.status).toBe('published');
  });

  describe('sandbox markers', () => {
    it('[sandbox:fail] fails the platform with provider_rejected', async () => {
      const user = await connectedUser(['linkedin']);
      const response = await post('/api/v1/posts', {
        externalUserId: user,
        content: 'This one fails [sandbox:fail]',
        platforms: ['linkedin'],
      });
      expect(response.status).toBe(201);
      expect(response.body.status).toBe('failed');
      expect(response.body.platformResults[0]).toMatchObject({
        platform: 'linkedin',
        status: 'failed',
        errorCode: 'provider_rejected',
        externalId: null,
      });
      expect(response.body.platformResults[0].errorMessage).toContain('[sandbox:fail]');
    });

    it('[sandbox:retry] fails transiently once, shows retrying with nextAttemptAt, then publishes', async () => {
      const user = await connectedUser(['twitter']);
      const response = await post('/api/v1/posts', {
        externalUserId: user,
        content: 'Flaky [sandbox:retry]',
        platforms: ['twitter'],
      });
      expect(response.body.status).toBe('publishing');
      const result = response.body.platformResults[0];
      expect(result).toMatchObject({ status: 'retrying', attempts: 1, errorCode: 'provider_unavailable' });
      const wait = Date.parse(result.nextAttemptAt) - nowMs;
      // The simulated provider's hint (2 s) plus at most 10 % jitter.
      expect(wait).toBeGreaterThanOrEqual(2000);
      expect(wait).toBeLessThanOrEqual(2200);

      await drain(scheduler);
      expect((await get(`/api/v1/posts/${response.body.id}`)).body.status).toBe('publishing');
      nowMs += 2200;
      await drain(scheduler);
      const done = await get(`/api/v1/posts/${response.body.id}`);
      expect(done.body.status).toBe('published');
      expect(done.body.platformResults[0]).toMatchObject({
        status: 'published',
        attempts: 2,
        errorCode: null,
      });
    });

    it('[sandbox:expire] expires the connection and fails with connection_expired', async () => {
      const user = await connectedUser(['facebook']);
      const response = await post('/api/v1/posts', {
        externalUserId: user,
        content: 'Token trouble [sandbox:expire]',
        platforms: ['facebook'],
      });
      expect(response.body.platformResults[0]).toMatchObject({
        status: 'failed',
        errorCode: 'connection_expired',
      });
      const connections = await get(`/api/v1/end-users/${user}/connections`);
      expect(connections.body[0]).toMatchObject({ platform: 'facebook', status: 'expired' });
      // And the next publish is refused up front.
      const again = await post('/api/v1/posts', {
        externalUserId: user,
        content: 'hi',
        platforms: ['facebook'],
      });
      expect(again.status).toBe(422);
      expect(again.body.error.code).toBe('platform_not_connected');
    });

    it('one platform failing and another publishing is partially_published', async () => {
      const user = await connectedUser(['linkedin', 'twitter']);
      const response = await post('/api/v1/posts', {
        externalUserId: user,
        content: 'Hello everyone',
        platforms: ['linkedin', 'twitter'],
        platformOptions: { twitter: { content: 'Short version [sandbox:fail]' } },
      });
      expect(response.body.status).toBe('partially_published');
      expect(response.body.platformResults).toEqual([
        expect.objectContaining({ platform: 'linkedin', status: 'published' }),
        expect.objectContaining({ platform: 'twitter', status: 'failed', errorCode: 'provider_rejected' }),
      ]);
    });
  });

  describe('retry, cancel and edit', () => {
    it('retries only the failed platforms after the end user reconnects', async () => {
      const user = await connectedUser(['linkedin', 'twitter']);
      const response = await post('/api/v1/posts', {
        externalUserId: user,
        content: 'Hello',
        platforms: ['linkedin', 'twitter'],
        platformOptions: { twitter: { content: 'Hello [sandbox:expire]' } },
      });
      expect(response.body.status).toBe('partially_published');
      const linkedInId = response.body.platformResults[0].externalId;

      const refused = await post(`/api/v1/posts/${response.body.id}/retry`, undefined);
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('platform_not_connected');

      await connectSandbox(server, key, user, ['twitter']);
      // The marker is still in the stored content, so edit nothing and expect the same outcome; then
      // prove retry runs only the failed platform by the LinkedIn id staying the same.
      const retried = await post(`/api/v1/posts/${response.body.id}/retry`, undefined);
      expect(retried.status).toBe(200);
      expect(retried.body.platformResults[0]).toMatchObject({ platform: 'linkedin', externalId: linkedInId });
      await server.started.app.deps.publishing.idle();
      const after = await get(`/api/v1/posts/${response.body.id}`);
      expect(after.body.platformResults[0].externalId).toBe(linkedInId);
      expect(after.body.platformResults[1]).toMatchObject({
        status: 'failed',
        errorCode: 'connection_expired',
      });

      const published = await post('/api/v1/posts', {
        externalUserId: user,
        content: 'fine',
        platforms: ['linkedin'],
      });
      const nothingToRetry = await post(`/api/v1/posts/${published.body.id}/retry`, undefined);
      expect(nothingToRetry.status).toBe(409);
      expect(nothingToRetry.body.error.code).toBe('conflict');
    });

    it('cancels a scheduled post: never published; canceling again answers the same, a finished post is 409', async () => {
      const user = await connectedUser(['linkedin']);
      const scheduleAt = new Date(nowMs + 60_000).toISOString();
      const created = await post('/api/v1/posts/scheduled', {
        externalUserId: user,
        content: 'Never mind',
        platforms: ['linkedin'],
        scheduleAt,
      });
      const canceled = await server.request('DELETE', `/api/v1/posts/${created.body.id}`, { token: key });
      expect(canceled.status).toBe(200);
      expect(canceled.body).toMatchObject({ id: created.body.id, status: 'canceled', platformResults: [] });
      nowMs += 120_000;
      await drain(scheduler);
      expect((await get(`/api/v1/posts/${created.body.id}`)).body.status).toBe('canceled');
      // A retry after a lost answer gets the same answer.
      const again = await server.request('DELETE', `/api/v1/posts/${created.body.id}`, { token: key });
      expect(again.status).toBe(200);
      expect(again.body.status).toBe('canceled');
      // A post that already ran cannot be canceled.
      const ran = await post('/api/v1/posts', {
        externalUserId: user,
        content: 'done',
        platforms: ['linkedin'],
      });
      const tooLate = await server.request('DELETE', `/api/v1/posts/${ran.body.id}`, { token: key });
      expect(tooLate.status).toBe(409);
    });

    it('edits a scheduled post (content, platforms, scheduleAt) and refuses edits once it has run', async () => {
      const user = await connectedUser(['linkedin', 'twitter']);
      const created = await post('/api/v1/posts/scheduled', {
        externalUserId: user,
        content: 'Draft',
        platforms: ['linkedin'],
        scheduleAt: new Date(nowMs + 60_000).toISOString(),
        metadata: { keep: true },
      });
      const later = new Date(nowMs + 600_000).toISOString();
      const edited = await server.request('PATCH', `/api/v1/posts/${created.body.id}`, {
        token: key,
        body: { content: 'Final', platforms: ['linkedin', 'twitter'], scheduleAt: later },
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({
        status: 'scheduled',
        content: 'Final',
        platforms: ['linkedin', 'twitter'],
        scheduleAt: later,
        metadata: { keep: true },
      });
      // The old time passes: nothing happens; the new one: both platforms publish.
      nowMs += 120_000;
      await drain(scheduler);
      expect((await get(`/api/v1/posts/${created.body.id}`)).body.status).toBe('scheduled');
      nowMs += 600_000;
      await drain(scheduler);
      const done = await get(`/api/v1/posts/${created.body.id}`);
      expect(done.body.status).toBe('published');
      expect(done.body.platformResults).toHaveLength(2);

      const tooLate = await server.request('PATCH', `/api/v1/posts/${created.body.id}`, {
        token: key,
        body: { content: 'Changed my mind' },
      });
      expect(tooLate.status).toBe(409);
      const invalidEdit = await post('/api/v1/posts/scheduled', {
        externalUserId: user,
        content: 'ok',
        platforms: ['twitter'],
        scheduleAt: new Date(nowMs + 60_000).toISOString(),
      });
      const tooLong = await server.request('PATCH', `/api/v1/posts/${invalidEdit.body.id}`, {
        token: key,
        body: { content: 'x'.repeat(281) },
      });
      expect(tooLong.status).toBe(422);
      expect(tooLong.body.error.details[0]).toMatchObject({ platform: 'twitter', rule: 'max_length' });
    });
  });

  describe('validation before anything is stored', () => {
    async function countPosts() {
      return (await get('/api/v1/posts?limit=200')).body.length;
    }

    it('answers 422 content_invalid naming platform and rule, and stores nothing', async () => {
      const user = await connectedUser(['twitter', 'instagram', 'youtube']);
      const before = await countPosts();
      const response = await post('/api/v1/posts', {
        externalUserId: user,
        // 279 light characters and one wide one weigh 281.
        content: `${'a'.repeat(279)}日`,
        platforms: ['twitter', 'instagram', 'youtube'],
      });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('content_invalid');
      const rules = response.body.error.details.map((detail: any) => `${detail.platform}:${detail.rule}`);
      expect(rules).toEqual(
        expect.arrayContaining([
          'twitter:max_length',
          'instagram:media_required',
          'youtube:media_required',
          'youtube:title_required',
        ]),
      );
      expect(response.body.error.requestId).toMatch(/\S/);
      expect(await countPosts()).toBe(before);
    });

    it('counts X text by weight: 278 light characters and one wide one is 280 and passes', async () => {
      const user = await connectedUser(['twitter']);
      const ok = await post('/api/v1/posts', {
        externalUserId: user,
        content: `${'a'.repeat(278)}日`,
        platforms: ['twitter'],
      });
      expect(ok.status).toBe(201);
      const url = await post('/api/v1/posts', {
        externalUserId: user,
        content: `${'a'.repeat(256)} https://example.com/${'p'.repeat(200)}`,
        platforms: ['twitter'],
      });
      expect(url.status).toBe(201);
    });

    it('answers 422 platform_not_connected, 404 for an unknown end user, 400 for a past scheduleAt', async () => {
      const user = await connectedUser(['linkedin']);
      const notConnected = await post('/api/v1/posts', {
        externalUserId: user,
        content: 'hi',
        platforms: ['twitter'],
      });
      expect(notConnected.status).toBe(422);
      expect(notConnected.body.error).toMatchObject({
        code: 'platform_not_connected',
        details: [expect.objectContaining({ platform: 'twitter' })],
      });
      const unknown = await post('/api/v1/posts', {
        externalUserId: 'nobody_here',
        content: 'hi',
        platforms: ['linkedin'],
      });
      expect(unknown.status).toBe(404);
      const past = await post('/api/v1/posts/scheduled', {
        externalUserId: user,
        content: 'hi',
        platforms: ['linkedin'],
        scheduleAt: new Date(nowMs - 1000).toISOString(),
      });
      expect(past.status).toBe(400);
      expect(past.body.error.details).toEqual([{ field: 'scheduleAt', message: 'must be in the future' }]);
      const far = await post('/api/v1/posts/scheduled', {
        externalUserId: user,
        content: 'hi',
        platforms: ['linkedin'],
        scheduleAt: new Date(nowMs + 400 * 86_400_000).toISOString(),
      });
      expect(far.status).toBe(400);
    });

    it('rejects schema violations with 400 validation_error naming each field', async () => {
      const response = await post('/api/v1/posts', {
        externalUserId: 'x',
        content: 5,
        platforms: ['myspace'],
        surprise: true,
      });
      expect(response.status).toBe(400);
      const fields = response.body.error.details.map((detail: any) => detail.field);
      expect(fields).toEqual(expect.arrayContaining(['content', 'platforms.0', 'surprise']));
    });

    it('POST /v1/posts/validate reports errors and warnings per platform and stores nothing', async () => {
      const user = await connectedUser(['linkedin', 'youtube']);
      const before = await countPosts();
      const response = await post('/api/v1/posts/validate', {
        externalUserId: user,
        content: 'Use #hashtags & (parentheses)',
        title: 'A title',
        platforms: ['linkedin', 'youtube', 'twitter'],
      });
      expect(response.status).toBe(200);
      expect(response.body.valid).toBe(false);
      const byPlatform = Object.fromEntries(
        response.body.platforms.map((entry: any) => [entry.platform, entry]),
      );
      expect(byPlatform.linkedin.errors).toEqual([]);
      expect(byPlatform.linkedin.warnings.map((warning: any) => warning.rule)).toContain(
        'escaped_characters',
      );
      expect(byPlatform.youtube.errors.map((error: any) => error.rule)).toEqual(['media_required']);
      expect(byPlatform.twitter.errors.map((error: any) => error.rule)).toContain('not_connected');
      expect(byPlatform.twitter.warnings.map((warning: any) => warning.rule)).toContain('title_ignored');
      expect(await countPosts()).toBe(before);

      const valid = await post('/api/v1/posts/validate', {
        externalUserId: user,
        content: 'ok',
        platforms: ['linkedin'],
      });
      expect(valid.body).toMatchObject({ valid: true });
    });

    it('GET /v1/platforms lists the five platforms with the limits validation applies', async () => {
      const response = await get('/api/v1/platforms');
      expect(response.status).toBe(200);
      expect(response.body.map((entry: any) => entry.platform)).toEqual([
        'linkedin',
        'facebook',
        'instagram',
        'twitter',
        'youtube',
      ]);
      const twitter = response.body.find((entry: any) => entry.platform === 'twitter');
      expect(twitter).toMatchObject({
        maxTextLength: 280,
        textLengthUnit: 'weighted_characters',
        maxMediaCount: 4,
      });
      const youtube = response.body.find((entry: any) => entry.platform === 'youtube');
      expect(youtube).toMatchObject({ requiresMedia: true, requiresTitle: true, maxTitleLength: 100 });
    });
  });

  describe('media', () => {
    it('fetches the media and publishes with it; a file that is not an image or video fails with media_invalid', async () => {
      const user = await connectedUser(['instagram', 'linkedin']);
      const ok = await post('/api/v1/posts', {
        externalUserId: user,
        content: 'With a photo',
        mediaUrl: `${mediaBase}/photo.jpg`,
        platforms: ['instagram'],
      });
      expect(ok.body.status).toBe('published');

      const html = await post('/api/v1/posts', {
        externalUserId: user,
        content: 'Not a photo',
        mediaUrl: `${mediaBase}/page.html`,
        platforms: ['instagram'],
      });
      expect(html.status).toBe(201);
      expect(html.body.platformResults[0]).toMatchObject({ status: 'failed', errorCode: 'media_invalid' });
      expect(html.body.platformResults[0].errorMessage).toContain('text/html');

      const missing = await post('/api/v1/posts', {
        externalUserId: user,
        content: 'Gone',
        mediaUrl: `${mediaBase}/missing.jpg?signature=secret-value`,
        platforms: ['linkedin'],
      });
      expect(missing.body.platformResults[0]).toMatchObject({ errorCode: 'media_invalid' });
      expect(missing.body.platformResults[0].errorMessage).toContain('404');
      // Presigned URLs carry credentials in the query: error messages leave it out.
      expect(missing.body.platformResults[0].errorMessage).not.toContain('secret-value');
    });
  });

  describe('idempotency and tenancy', () => {
    it('replays a publish with the same Idempotency-Key: same post, published once', async () => {
      const user = await connectedUser(['linkedin']);
      const body = { externalUserId: user, content: 'Only once', platforms: ['linkedin'] };
      const first = await post('/api/v1/posts', body, { 'Idempotency-Key': `once-${user}` });
      const second = await post('/api/v1/posts', body, { 'Idempotency-Key': `once-${user}` });
      expect(second.status).toBe(201);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.body.id).toBe(first.body.id);
      const listed = await get(`/api/v1/posts?externalUserId=${user}`);
      expect(listed.body).toHaveLength(1);
      const reused = await post(
        '/api/v1/posts',
        { ...body, content: 'Different' },
        { 'Idempotency-Key': `once-${user}` },
      );
      expect(reused.status).toBe(422);
      expect(reused.body.error.code).toBe('idempotency_key_reused');
    });

    it("another app's key gets 404 on every post route and never sees the post in lists", async () => {
      const user = await connectedUser(['linkedin']);
      const scheduled = await post('/api/v1/posts/scheduled', {
        externalUserId: user,
        content: 'Mine',
        platforms: ['linkedin'],
        scheduleAt: new Date(nowMs + 60_000).toISOString(),
      });
      const other = await server.createApp({ name: 'Other', sandbox: true });
      const id = scheduled.body.id;
      const as = (method: string, route: string, body?: unknown) =>
        server.request(method, route, { token: other.key, body });
      expect((await as('GET', `/api/v1/posts/${id}`)).status).toBe(404);
      expect((await as('DELETE', `/api/v1/posts/${id}`)).status).toBe(404);
      expect((await as('PATCH', `/api/v1/posts/${id}`, { content: 'Theirs' })).status).toBe(404);
      expect((await as('POST', `/api/v1/posts/${id}/retry`)).status).toBe(404);
      expect((await as('GET', '/api/v1/posts')).body).toEqual([]);
      expect(
        (await as('POST', '/api/v1/posts', { externalUserId: user, content: 'x', platforms: ['linkedin'] }))
          .status,
      ).toBe(404);
      // Still scheduled and unchanged for its owner.
      expect((await get(`/api/v1/posts/${id}`)).body).toMatchObject({ status: 'scheduled', content: 'Mine' });
    });
  });

  describe('list filters and pagination', () => {
    it('filters by platform and by an inclusive date window on the effective time, and pages with Link', async () => {
      const user = await connectedUser(['linkedin', 'twitter']);
      const start = nowMs;
      const ids: string[] = [];
      for (let index = 0; index < 3; index += 1) {
        nowMs += 1000;
        const created = await post('/api/v1/posts', {
          externalUserId: user,
          content: `post ${index}`,
          platforms: index === 1 ? ['twitter'] : ['linkedin'],
        });
        ids.push(created.body.id);
      }
      const scheduleAt = new Date(start + 86_400_000).toISOString();
      nowMs += 1000;
      const scheduled = await post('/api/v1/posts/scheduled', {
        externalUserId: user,
        content: 'tomorrow',
        platforms: ['linkedin'],
        scheduleAt,
      });
      const twitter = await get(`/api/v1/posts?externalUserId=${user}&platform=twitter`);
      expect(twitter.body.map((item: any) => item.id)).toEqual([ids[1]]);
      const windowed = await get(
        `/api/v1/posts?externalUserId=${user}&dateFrom=${new Date(start + 2000).toISOString()}&dateTo=${new Date(start + 3000).toISOString()}`,
      );
      expect(windowed.body.map((item: any) => item.id)).toEqual([ids[2], ids[1]]);
      const tomorrow = await get(`/api/v1/posts?externalUserId=${user}&dateFrom=${scheduleAt}`);
      expect(tomorrow.body.map((item: any) => item.id)).toEqual([scheduled.body.id]);

      const page1 = await get(`/api/v1/posts?externalUserId=${user}&limit=2`);
      expect(page1.body).toHaveLength(2);
      const link = page1.headers.get('link');
      expect(link).toMatch(/rel="next"/);
      const next = new URL(/<([^>]+)>/.exec(link!)![1]!);
      const page2 = await get(`${next.pathname}${next.search}`);
      expect([...page1.body, ...page2.body].map((item: any) => item.id)).toEqual([
        scheduled.body.id,
        ids[2],
        ids[1],
        ids[0],
      ]);
      expect(page2.headers.get('link')).toBeNull();
    });
  });
});
