import { inspect } from 'node:util';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MyPostShareAdmin } from '../src/admin.js';
import { DEFAULT_BASE_URL, MyPostShare, MyPostShareError, ValidationError } from '../src/index.js';
import { ADMIN_TOKEN, API_KEY, BASE_URL, mockApi, url } from './mock-api.js';

const { server, requests } = mockApi();

const CONNECTIONS: unknown[] = [];

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('new MyPostShare()', () => {
  it('throws a MyPostShareError naming the variable when no API key is given or set', () => {
    vi.stubEnv('MYPOSTSHARE_API_KEY', '');
    expect(() => new MyPostShare()).toThrow(MyPostShareError);
    expect(() => new MyPostShare()).toThrow(/MYPOSTSHARE_API_KEY/);
  });

  it('reads the API key and base URL from the environment', async () => {
    vi.stubEnv('MYPOSTSHARE_API_KEY', 'mps_test_from_env');
    vi.stubEnv('MYPOSTSHARE_BASE_URL', 'https://self-hosted.test/api/');
    server.use(
      http.get('https://self-hosted.test/api/v1/end-users/u/connections', () =>
        HttpResponse.json(CONNECTIONS),
      ),
    );
    const client = new MyPostShare();
    expect(client.baseUrl).toBe('https://self-hosted.test/api');
    await client.endUsers.listConnections('u');
    expect(requests[0]?.headers.get('authorization')).toBe('Bearer mps_test_from_env');
  });

  it('prefers explicit options over the environment', async () => {
    vi.stubEnv('MYPOSTSHARE_API_KEY', 'mps_test_from_env');
    vi.stubEnv('MYPOSTSHARE_BASE_URL', 'https://ignored.test/api');
    server.use(http.get(url('/v1/end-users/u/connections'), () => HttpResponse.json(CONNECTIONS)));
    await new MyPostShare({ apiKey: API_KEY, baseUrl: BASE_URL }).endUsers.listConnections('u');
    expect(requests[0]?.url).toBe(url('/v1/end-users/u/connections'));
    expect(requests[0]?.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
  });

  it('defaults to the hosted API', async () => {
    vi.stubEnv('MYPOSTSHARE_BASE_URL', '');
    server.use(
      http.get('https://mypostshare.com/api/v1/end-users/u/connections', () =>
        HttpResponse.json(CONNECTIONS),
      ),
    );
    const client = new MyPostShare({ apiKey: API_KEY });
    expect(client.baseUrl).toBe(DEFAULT_BASE_URL);
    expect(client.timeout).toBe(60_000);
    expect(client.maxRetries).toBe(2);
    await client.endUsers.listConnections('u');
    expect(requests[0]?.url).toBe('https://mypostshare.com/api/v1/end-users/u/connections');
  });

  it('uses the fetch it is given', async () => {
    const calls: string[] = [];
    const fetch: typeof globalThis.fetch = async (input) => {
      calls.push(input instanceof Request ? input.url : String(input));
      return Response.json([]);
    };
    const client = new MyPostShare({ apiKey: API_KEY, baseUrl: BASE_URL, fetch });
    expect(await client.endUsers.listConnections('u')).toEqual([]);
    expect(calls).toEqual([url('/v1/end-users/u/connections')]);
    expect(requests).toHaveLength(0);
  });

  it.each([
    ['a relative base URL', { baseUrl: '/api' }],
    ['a non-http base URL', { baseUrl: 'ftp://example.com/api' }],
    ['a base URL with a query', { baseUrl: 'https://example.com/api?x=1' }],
  ])('rejects %s', (_name, options) => {
    expect(() => new MyPostShare({ apiKey: API_KEY, ...options })).toThrow(MyPostShareError);
  });

  it.each([
    ['a negative timeout', { timeout: -1 }],
    ['a fractional maxRetries', { maxRetries: 1.5 }],
    ['an absurd maxRetries', { maxRetries: 1_000 }],
  ])('rejects %s', (_name, options) => {
    expect(() => new MyPostShare({ apiKey: API_KEY, ...options })).toThrow(ValidationError);
  });

  it('never shows the API key when the client is logged', () => {
    const client = new MyPostShare({ apiKey: API_KEY, baseUrl: BASE_URL });
    expect(JSON.stringify(client)).not.toContain(API_KEY);
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(API_KEY);
  });
});

describe('where there is no process (edge runtimes, browsers)', () => {
  /** Runs `body` with `globalThis.process` gone, as on Cloudflare Workers; synchronous on purpose. */
  function withoutProcess<T>(body: () => T): T {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'process');
    Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
    try {
      return body();
    } finally {
      if (descriptor) Object.defineProperty(globalThis, 'process', descriptor);
    }
  }

  it('builds clients from explicit options', () => {
    const client = withoutProcess(() => new MyPostShare({ apiKey: API_KEY, baseUrl: BASE_URL }));
    expect(client.baseUrl).toBe(BASE_URL);
    const admin = withoutProcess(() => new MyPostShareAdmin({ adminToken: ADMIN_TOKEN }));
    expect(admin.serverUrl).toBe('http://localhost:8787');
  });

  it('reports the missing key as a MyPostShareError, not a ReferenceError', () => {
    expect(() => withoutProcess(() => new MyPostShare())).toThrow(MyPostShareError);
    expect(() => withoutProcess(() => new MyPostShareAdmin())).toThrow(MyPostShareError);
  });

  it('survives an environment that throws when read (Deno without --allow-env)', () => {
    const env = new Proxy(
      {},
      {
        get() {
          throw new Error('PermissionDenied: Requires env access');
        },
      },
    );
    const descriptor = Object.getOwnPropertyDescriptor(process, 'env');
    Object.defineProperty(process, 'env', { value: env, configurable: true });
    try {
      expect(() => new MyPostShare()).toThrow(/MYPOSTSHARE_API_KEY/);
      expect(new MyPostShare({ apiKey: API_KEY }).baseUrl).toBe(DEFAULT_BASE_URL);
    } finally {
      if (descriptor) Object.defineProperty(process, 'env', descriptor);
    }
  });
});
