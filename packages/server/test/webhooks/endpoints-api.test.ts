import { routes } from '@mypostshare/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureWebhooks } from '../../src/webhooks/runtime.js';
import {
  collectPages,
  detailFields,
  expectError,
  ISO,
  MISSING_ID,
  nextLink,
  UUID_V4,
} from '../admin/helpers.js';
import { startTestServer, type TestServer } from '../harness.js';
import { type Receiver, startReceiver, stubLookup, verified } from './helpers.js';

/*
 * The endpoint API, public and admin, over real HTTP: creation with a secret shown once, lists,
 * deletion, rotation, test events, the delivery log and manual retries; validation; tenancy (another
 * app's endpoints and deliveries are 404); secrets encrypted at rest.
 */

describe('webhook endpoints API', () => {
  let server: TestServer;
  let receiver: Receiver;
  let appA: { appId: string; key: string };
  let appB: { appId: string; key: string };

  beforeAll(async () => {
    server = await startTestServer({
      MYPOSTSHARE_ALLOW_PRIVATE_NETWORK: 'true',
      MYPOSTSHARE_RATE_LIMIT_RPS: '0',
    });
    receiver = await startReceiver();
    appA = await server.createApp({ name: 'Hooks A', sandbox: true });
    appB = await server.createApp({ name: 'Hooks B', sandbox: true });
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  const as = (key: string) => ({
    post: (route: string, body?: unknown) => server.request('POST', route, { token: key, body }),
    get: (route: string) => server.request('GET', route, { token: key }),
    del: (route: string) => server.request('DELETE', route, { token: key }),
  });

  it('creates an endpoint (201) with a whsec_ secret shown once, and never returns it again', async () => {
    const created = await as(appA.key).post('/api/v1/webhook-endpoints', {
      url: receiver.url,
      events: ['post.published', 'post.failed'],
      description: 'Production receiver',
    });
    expect(created.status).toBe(201);
    expect(routes.createWebhookEndpoint.success.schema.parse(created.body)).toBeTruthy();
    expect(created.body).toMatchObject({
      url: receiver.url,
      description: 'Production receiver',
      events: ['post.published', 'post.failed'],
      status: 'active',
      previousSecretExpiresAt: null,
    });
    expect(created.body.id).toMatch(UUID_V4);
    expect(created.body.createdAt).toMatch(ISO);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);

    const fetched = await as(appA.key).get(`/api/v1/webhook-endpoints/${created.body.id}`);
    expect(fetched.status).toBe(200);
    const { secret, ...shown } = created.body;
    expect(fetched.body).toEqual(shown);
    expect(fetched.text).not.toContain(secret);
    const listed = await as(appA.key).get('/api/v1/webhook-endpoints');
    expect(listed.text).not.toContain(secret);

    // At rest the secret is encrypted: the plaintext appears nowhere in the database file.
    const row = await server.started.database.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(secret.slice(6));
    expect(row.secret_enc).toMatch(/^v1\./);
    // And nothing logged it.
    expect(server.logs.join('\n')).not.toContain(secret.slice(6));
  });

  it('defaults to every event type (events: null)', async () => {
    const created = await as(appA.key).post('/api/v1/webhook-endpoints', { url: receiver.url });
    expect(created.status).toBe(201);
    expect(created.body.events).toBeNull();
    expect(created.body.description).toBeNull();
  });

  it('rejects unknown fields, unknown or repeated event types, and URLs that are not URLs (400)', async () => {
    const cases: Array<[unknown, string[]]> = [
      [{ url: receiver.url, secret: 'mine' }, ['secret']],
      [{ url: receiver.url, events: ['post.exploded'] }, ['events.0']],
      [{ url: receiver.url, events: ['post.failed', 'post.failed'] }, ['events']],
      [{ url: receiver.url, events: [] }, ['events']],
      [{ url: receiver.url, events: ['webhook.test'] }, ['events.0']],
      [{ url: 'not a url' }, ['url']],
      [{ url: 'ftp://example.com/hook' }, ['url']],
      [{ url: 'https://user:pass@example.com/hook' }, ['url']],
      [{}, ['url']],
    ];
    for (const [body, fields] of cases) {
      const response = await as(appA.key).post('/api/v1/webhook-endpoints', body);
      const error = expectError(response, 400, 'validation_error');
      expect(detailFields(error), JSON.stringify(body)).toEqual(fields);
    }
  });

  it('lists newest first with limit, cursor and a Link header', async () => {
    const app = await server.createApp({ name: 'Many hooks', sandbox: true });
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const created = await as(app.key).post('/api/v1/webhook-endpoints', {
        url: `${receiver.url}/${index}`,
      });
      ids.push(created.body.id);
    }
    const seen: string[] = [];
    let route: string | undefined = '/api/v1/webhook-endpoints?limit=2';
    while (route) {
      const page = await as(app.key).get(route);
      expect(page.status).toBe(200);
      expect(page.body.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.map((endpoint: { id: string }) => endpoint.id));
      route = nextLink(server, page.headers);
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(ids));
    // Newest first: the last created comes first (ids break ties within one millisecond).
    expect(seen[0]).toBe((await as(app.key).get('/api/v1/webhook-endpoints?limit=1')).body[0].id);
    // The admin mirror lists the same, paginated the same way.
    const admin = await collectPages(server, `/admin/v1/apps/${app.appId}/webhook-endpoints?limit=2`, 2);
    expect(admin.items.map((endpoint: { id: string }) => endpoint.id)).toEqual(seen);
  });

  it('sends a test-only webhook.test event now, signed, and logs the delivery', async () => {
    const { id, secret } = (
      await as(appA.key).post('/api/v1/webhook-endpoints', { url: receiver.url, events: ['post.failed'] })
    ).body;
    const before = receiver.received.length;
    const tested = await as(appA.key).post(`/api/v1/webhook-endpoints/${id}/test`);
    expect(tested.status).toBe(201);
    expect(tested.body).toMatchObject({
      endpointId: id,
      eventType: 'webhook.test',
      status: 'succeeded',
      attempts: 1,
      responseStatus: 200,
      responseBody: 'ok',
      error: null,
      nextAttemptAt: null,
    });
    expect(tested.body.durationMs).toBeGreaterThanOrEqual(0);
    expect(tested.body.eventId).toMatch(/^msg_/);
    // Sent whatever the endpoint subscribes to (here only post.failed), and to it alone.
    expect(receiver.received).toHaveLength(before + 1);
    const request = receiver.received.at(-1)!;
    expect(request.id).toBe(tested.body.eventId);
    expect(request.headers['content-type']).toBe('application/json');
    const event = verified(request, secret);
    expect(event).toMatchObject({ id: tested.body.eventId, type: 'webhook.test', data: { endpointId: id } });

    const log = await as(appA.key).get(`/api/v1/webhook-endpoints/${id}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body).toEqual([tested.body]);
    expect((await as(appA.key).get(`/api/v1/webhook-endpoints/${id}/deliveries?status=failed`)).body).toEqual(
      [],
    );
  });

  it('a failed test is recorded (status, body cut to 1 KB) and not retried; a manual retry succeeds', async () => {
    const { id } = (await as(appA.key).post('/api/v1/webhook-endpoints', { url: receiver.url })).body;
    receiver.reply = () => ({ status: 500, body: 'x'.repeat(5000) });
    try {
      const tested = await as(appA.key).post(`/api/v1/webhook-endpoints/${id}/test`);
      expect(tested.body).toMatchObject({
        status: 'failed',
        attempts: 1,
        responseStatus: 500,
        error: 'HTTP 500',
      });
      expect(tested.body.responseBody).toBe('x'.repeat(1024));
      expect(tested.body.nextAttemptAt).toBeNull();
      receiver.reply = () => ({ status: 204 });
      const retried = await as(appA.key).post(
        `/api/v1/webhook-endpoints/${id}/deliveries/${tested.body.id}/retry`,
      );
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({
        id: tested.body.id,
        eventId: tested.body.eventId,
        status: 'succeeded',
        attempts: 2,
        responseStatus: 204,
        responseBody: null,
        error: null,
      });
      // Both attempts carried the same webhook-id.
      const attempts = receiver.received.filter((request) => request.id === tested.body.eventId);
      expect(attempts).toHaveLength(2);
    } finally {
      receiver.reply = () => ({ status: 200, body: 'ok' });
    }
  });

  it('deletes an endpoint (204, empty body) and its delivery log; then 404', async () => {
    const { id } = (await as(appA.key).post('/api/v1/webhook-endpoints', { url: receiver.url })).body;
    await as(appA.key).post(`/api/v1/webhook-endpoints/${id}/test`);
    const deleted = await as(appA.key).del(`/api/v1/webhook-endpoints/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectError(await as(appA.key).get(`/api/v1/webhook-endpoints/${id}`), 404, 'not_found');
    expectError(await as(appA.key).get(`/api/v1/webhook-endpoints/${id}/deliveries`), 404, 'not_found');
    expectError(await as(appA.key).del(`/api/v1/webhook-endpoints/${id}`), 404, 'not_found');
    const left = await server.started.database.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('endpoint_id', '=', id)
      .execute();
    expect(left).toEqual([]);
  });

  it("is tenant-scoped: app B gets 404 on every route of app A's endpoint and deliveries", async () => {
    const { id } = (await as(appA.key).post('/api/v1/webhook-endpoints', { url: receiver.url })).body;
    const delivery = (await as(appA.key).post(`/api/v1/webhook-endpoints/${id}/test`)).body;
    const received = receiver.received.length;
    const b = as(appB.key);
    for (const response of [
      await b.get(`/api/v1/webhook-endpoints/${id}`),
      await b.get(`/api/v1/webhook-endpoints/${id}/deliveries`),
      await b.post(`/api/v1/webhook-endpoints/${id}/rotate-secret`),
      await b.post(`/api/v1/webhook-endpoints/${id}/test`),
      await b.post(`/api/v1/webhook-endpoints/${id}/deliveries/${delivery.id}/retry`),
      await b.del(`/api/v1/webhook-endpoints/${id}`),
    ]) {
      expectError(response, 404, 'not_found');
    }
    expect((await b.get('/api/v1/webhook-endpoints')).body.map((e: { id: string }) => e.id)).not.toContain(
      id,
    );
    // Nothing was sent, rotated or deleted on B's behalf.
    expect(receiver.received).toHaveLength(received);
    const still = await as(appA.key).get(`/api/v1/webhook-endpoints/${id}`);
    expect(still.status).toBe(200);
    expect(still.body.previousSecretExpiresAt).toBeNull();
    // A's own delivery under another of A's endpoints is 404 too: a delivery belongs to its endpoint.
    const other = (await as(appA.key).post('/api/v1/webhook-endpoints', { url: receiver.url })).body;
    expectError(
      await as(appA.key).post(`/api/v1/webhook-endpoints/${other.id}/deliveries/${delivery.id}/retry`),
      404,
      'not_found',
    );
    expectError(await as(appA.key).get(`/api/v1/webhook-endpoints/${MISSING_ID}`), 404, 'not_found');
  });

  it('rotates the secret: a new one shown once, the old one still signing for 24 hours', async () => {
    const created = (await as(appA.key).post('/api/v1/webhook-endpoints', { url: receiver.url })).body;
    const rotated = await as(appA.key).post(`/api/v1/webhook-endpoints/${created.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    const overlap = Date.parse(rotated.body.previousSecretExpiresAt) - Date.now();
    expect(overlap).toBeGreaterThan(24 * 3600_000 - 60_000);
    expect(overlap).toBeLessThanOrEqual(24 * 3600_000);
    const tested = await as(appA.key).post(`/api/v1/webhook-endpoints/${created.id}/test`);
    const request = receiver.received.find((entry) => entry.id === tested.body.eventId)!;
    expect(request.signature.split(' ')).toHaveLength(2);
    expect(verified(request, rotated.body.secret)).toMatchObject({ type: 'webhook.test' });
    expect(verified(request, created.secret)).toMatchObject({ type: 'webhook.test' });
  });

  describe('admin mirror', () => {
    it('creates, reads, tests, lists deliveries of, rotates and deletes any app’s endpoints', async () => {
      const base = `/admin/v1/apps/${appB.appId}/webhook-endpoints`;
      const created = await server.admin('POST', base, { url: receiver.url, events: ['connection.deleted'] });
      expect(created.status).toBe(201);
      expect(created.body.secret).toMatch(/^whsec_/);
      // The app's own key sees it: it is the app's endpoint.
      expect((await as(appB.key).get(`/api/v1/webhook-endpoints/${created.body.id}`)).status).toBe(200);
      expect((await as(appA.key).get(`/api/v1/webhook-endpoints/${created.body.id}`)).status).toBe(404);

      const got = await server.admin('GET', `${base}/${created.body.id}`);
      expect(got.body).toMatchObject({ id: created.body.id, events: ['connection.deleted'] });
      const tested = await server.admin('POST', `${base}/${created.body.id}/test`);
      expect(tested.status).toBe(201);
      expect(tested.body).toMatchObject({ status: 'succeeded', eventType: 'webhook.test' });
      expect(verified(receiver.received.at(-1)!, created.body.secret)).toMatchObject({
        type: 'webhook.test',
      });
      const log = await server.admin('GET', `${base}/${created.body.id}/deliveries`);
      expect(log.body.map((delivery: { id: string }) => delivery.id)).toEqual([tested.body.id]);
      const retried = await server.admin(
        'POST',
        `${base}/${created.body.id}/deliveries/${tested.body.id}/retry`,
      );
      expect(retried.body).toMatchObject({ status: 'succeeded', attempts: 2 });
      const rotated = await server.admin('POST', `${base}/${created.body.id}/rotate-secret`);
      expect(rotated.body.secret).not.toBe(created.body.secret);

      // Under another app, it does not exist.
      expect(
        (await server.admin('GET', `/admin/v1/apps/${appA.appId}/webhook-endpoints/${created.body.id}`))
          .status,
      ).toBe(404);
      expect((await server.admin('GET', `/admin/v1/apps/${MISSING_ID}/webhook-endpoints`)).status).toBe(404);
      expect(
        (await server.admin('POST', `/admin/v1/apps/${MISSING_ID}/webhook-endpoints`, { url: receiver.url }))
          .status,
      ).toBe(404);

      expect((await server.admin('DELETE', `${base}/${created.body.id}`)).status).toBe(204);
      expect((await server.admin('GET', `${base}/${created.body.id}`)).status).toBe(404);
    });

    it('needs the admin token; an API key is refused', async () => {
      const response = await server.request('GET', `/admin/v1/apps/${appA.appId}/webhook-endpoints`, {
        token: appA.key,
      });
      expect(response.status).toBe(401);
    });
  });
});

describe('webhook URLs without the private-network opt-in', () => {
  let server: TestServer;
  let key: string;

  beforeAll(async () => {
    server = await startTestServer({ MYPOSTSHARE_RATE_LIMIT_RPS: '0' });
    key = server.sandboxKey;
    configureWebhooks(server.started.app.deps, {
      resolve: stubLookup({
        'hooks.example.com': '93.184.216.34',
        'internal.example.com': '10.0.0.7',
        'metadata.example.com': '169.254.169.254',
        'loopback.example.com': '127.0.0.1',
        'v6loopback.example.com': '::1',
      }),
    });
  });
  afterAll(() => server.close());

  const register = (url: string) =>
    server.request('POST', '/api/v1/webhook-endpoints', { token: key, body: { url } });

  it('accepts an https URL whose host resolves to a public address', async () => {
    const created = await register('https://hooks.example.com/mypostshare#fragment');
    expect(created.status).toBe(201);
    expect(created.body.url).toBe('https://hooks.example.com/mypostshare');
  });

  it('refuses http, loopback, private, link-local and metadata targets, literal or by name', async () => {
    for (const url of [
      'http://hooks.example.com/mypostshare',
      'http://127.0.0.1/hooks',
      'http://169.254.169.254/latest/meta-data/',
      'https://127.0.0.1/hooks',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/hooks',
      'https://[::ffff:127.0.0.1]/hooks',
      'https://10.1.2.3/hooks',
      'https://internal.example.com/hooks',
      'https://metadata.example.com/hooks',
      'https://loopback.example.com/hooks',
      'https://v6loopback.example.com/hooks',
      'https://nowhere.example.com/hooks',
    ]) {
      const error = expectError(await register(url), 400, 'validation_error');
      expect(detailFields(error), url).toEqual(['url']);
    }
    const count = await server.started.database.db
      .selectFrom('webhook_endpoints')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });
});
