import { inspect } from 'node:util';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConflictError as AdminConflictError,
  DEFAULT_SERVER_URL,
  MyPostShareAdmin,
  MyPostShareError,
  ValidationError,
} from '../src/admin.js';
import { ConflictError, InternalServerError } from '../src/index.js';
import { ADMIN_TOKEN, errorBody, makeAdmin, mockApi, ORIGIN } from './mock-api.js';

const { server, requests } = mockApi();

const APP_ID = 'b0c4b8a2-5a8e-4c41-9f55-1d1f0b1f2a10';
const APP = {
  id: APP_ID,
  name: 'Acme',
  sandbox: true,
  createdAt: '2026-03-21T08:00:00.000Z',
  updatedAt: '2026-03-21T08:00:00.000Z',
};
const admin = (path: string) => `${ORIGIN}/admin/v1${path}`;
const unavailable = () =>
  HttpResponse.json(errorBody('service_unavailable', 'Try again'), {
    status: 503,
    headers: { 'retry-after': '0' },
  });

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('new MyPostShareAdmin()', () => {
  it('throws a MyPostShareError naming the variable when no admin token is given or set', () => {
    vi.stubEnv('MYPOSTSHARE_ADMIN_TOKEN', '');
    expect(() => new MyPostShareAdmin()).toThrow(MyPostShareError);
    expect(() => new MyPostShareAdmin()).toThrow(/MYPOSTSHARE_ADMIN_TOKEN/);
  });

  it('reads the token and server URL from the environment', async () => {
    vi.stubEnv('MYPOSTSHARE_ADMIN_TOKEN', 'from-env-token');
    vi.stubEnv('MYPOSTSHARE_SERVER_URL', 'https://ops.example.test/');
    server.use(http.get('https://ops.example.test/admin/v1/apps', () => HttpResponse.json([])));
    const client = new MyPostShareAdmin();
    expect(client.serverUrl).toBe('https://ops.example.test');
    await client.apps.list();
    expect(requests[0]?.headers.get('authorization')).toBe('Bearer from-env-token');
  });

  it('defaults to a local server', async () => {
    vi.stubEnv('MYPOSTSHARE_SERVER_URL', '');
    server.use(
      http.get('http://localhost:8787/healthz', () => HttpResponse.json({ status: 'ok', version: '1.2.3' })),
    );
    const client = new MyPostShareAdmin({ adminToken: ADMIN_TOKEN });
    expect(client.serverUrl).toBe(DEFAULT_SERVER_URL);
    expect(await client.health()).toEqual({ status: 'ok', version: '1.2.3' });
  });

  it('keeps a path prefix of the server URL (a server behind a proxy path)', async () => {
    server.use(http.get('https://ops.example.test/mps/admin/v1/apps/:appId', () => HttpResponse.json(APP)));
    const client = makeAdmin({ serverUrl: 'https://ops.example.test/mps' });
    expect(await client.apps.retrieve(APP_ID)).toEqual(APP);
  });

  it.each([
    ['a relative server URL', { serverUrl: 'localhost:8787' }],
    ['a server URL with a query', { serverUrl: 'http://localhost:8787/?x=1' }],
  ])('rejects %s', (_name, options) => {
    expect(() => makeAdmin(options)).toThrow(MyPostShareError);
  });

  it('never shows the admin token when the client is logged', () => {
    const client = makeAdmin();
    expect(JSON.stringify(client)).not.toContain(ADMIN_TOKEN);
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(ADMIN_TOKEN);
  });
});

describe('admin calls', () => {
  it('creates an app, issues a key and allowlists a redirect URI', async () => {
    const bodies: unknown[] = [];
    const record = async (request: Request) => bodies.push(await request.json());
    server.use(
      http.post(admin('/apps'), async ({ request }) => {
        await record(request);
        return HttpResponse.json(APP, { status: 201 });
      }),
      http.post(admin(`/apps/${APP_ID}/api-keys`), async ({ request }) => {
        await record(request);
        return HttpResponse.json(
          {
            id: APP_ID,
            name: 'backend',
            key: 'mps_test_secret',
            prefix: 'mps_test_se',
            last4: 'cret',
            createdAt: APP.createdAt,
            revokedAt: null,
          },
          { status: 201 },
        );
      }),
      http.post(admin(`/apps/${APP_ID}/redirect-uris`), async ({ request }) => {
        await record(request);
        return HttpResponse.json(
          { id: APP_ID, uri: 'http://localhost:3000/callback', createdAt: APP.createdAt },
          { status: 201 },
        );
      }),
    );
    const client = makeAdmin();
    const app = await client.apps.create({ name: '  Acme  ', sandbox: true });
    const key = await client.apiKeys.create(app.id, { name: 'backend' });
    const uri = await client.redirectUris.add(app.id, { uri: 'http://localhost:3000/callback' });
    expect(key.key).toBe('mps_test_secret');
    expect(uri.uri).toBe('http://localhost:3000/callback');
    // The contract trims names; the SDK sends what it validated.
    expect(bodies).toEqual([
      { name: 'Acme', sandbox: true },
      { name: 'backend' },
      { uri: 'http://localhost:3000/callback' },
    ]);
    expect(requests.every((request) => request.headers.get('idempotency-key') === null)).toBe(true);
  });

  it('sends an empty object when a key is created without a name', async () => {
    let body: unknown;
    server.use(
      http.post(admin(`/apps/${APP_ID}/api-keys`), async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({}, { status: 201 });
      }),
    );
    await makeAdmin().apiKeys.create(APP_ID);
    expect(body).toEqual({});
  });

  it('sets custom credentials and never needs the secret back', async () => {
    let body: unknown;
    server.use(
      http.put(admin(`/apps/${APP_ID}/credentials/linkedin`), async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({
          platform: 'linkedin',
          mode: 'custom',
          clientId: 'abc',
          callbackUrl: `${ORIGIN}/oauth/callback/linkedin`,
        });
      }),
    );
    const setting = await makeAdmin().credentials.set(APP_ID, 'linkedin', {
      mode: 'custom',
      clientId: 'abc',
      clientSecret: 's3cret',
    });
    expect(body).toEqual({ mode: 'custom', clientId: 'abc', clientSecret: 's3cret' });
    expect(setting).not.toHaveProperty('clientSecret');
  });

  it('sends the log filters as a query', async () => {
    server.use(http.get(admin(`/apps/${APP_ID}/logs`), () => HttpResponse.json([])));
    await makeAdmin().logs.list(APP_ID, { since: '2026-03-21T00:00:00.000Z', limit: 5 });
    expect(Object.fromEntries(new URL(requests[0]?.url ?? '').searchParams)).toEqual({
      since: '2026-03-21T00:00:00.000Z',
      limit: '5',
    });
  });

  it('resolves readiness with the report when the server is not ready (503)', async () => {
    const report = { status: 'not_ready', checks: { database: { status: 'failing', detail: 'locked' } } };
    server.use(http.get(`${ORIGIN}/readyz`, () => HttpResponse.json(report, { status: 503 })));
    expect(await makeAdmin().readiness()).toEqual(report);
    expect(requests).toHaveLength(1);
  });

  it('rejects bad arguments before any request', async () => {
    const client = makeAdmin();
    await expect(client.apps.create({ name: '   ' })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.apps.retrieve('not-a-uuid')).rejects.toBeInstanceOf(ValidationError);
    await expect(
      client.credentials.set(APP_ID, 'linkedin', { mode: 'custom' } as never),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(client.credentials.reset(APP_ID, 'friendster' as never)).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(requests).toHaveLength(0);
  });
});

describe('admin retries', () => {
  it('never retries an admin POST: the admin API takes no Idempotency-Key', async () => {
    server.use(http.post(admin('/apps'), unavailable));
    await expect(makeAdmin().apps.create({ name: 'Acme' })).rejects.toBeInstanceOf(InternalServerError);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.headers.get('idempotency-key')).toBeNull();
  });

  it('retries a PUT, which is idempotent', async () => {
    let calls = 0;
    server.use(
      http.put(admin(`/apps/${APP_ID}/credentials/twitter`), () => {
        calls += 1;
        return calls === 1
          ? unavailable()
          : HttpResponse.json({
              platform: 'twitter',
              mode: 'managed',
              callbackUrl: `${ORIGIN}/oauth/callback/twitter`,
            });
      }),
    );
    await makeAdmin().credentials.set(APP_ID, 'twitter', { mode: 'managed' });
    expect(requests).toHaveLength(2);
  });

  it('retries GETs and DELETEs', async () => {
    let calls = 0;
    server.use(
      http.delete(admin(`/apps/${APP_ID}`), () => {
        calls += 1;
        return calls === 1 ? unavailable() : new HttpResponse(null, { status: 204 });
      }),
    );
    await expect(makeAdmin().apps.delete(APP_ID)).resolves.toBeUndefined();
    expect(requests).toHaveLength(2);
  });
});

describe('errors across the two entry points', () => {
  it('are the same classes, so one instanceof works for both', async () => {
    expect(AdminConflictError).toBe(ConflictError);
    server.use(
      http.post(admin(`/apps/${APP_ID}/redirect-uris`), () =>
        HttpResponse.json(errorBody('conflict', 'Already allowlisted'), { status: 409 }),
      ),
    );
    const error = await makeAdmin()
      .redirectUris.add(APP_ID, { uri: 'https://client.example.com/cb' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
  });
});
