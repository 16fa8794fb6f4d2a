import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DAILY_LIMIT_COOL_OFF_MS } from '../graph-errors.js';
import { AccountNotEligibleError, type ProviderEndpoints, ProviderError, type TokenSet } from '../types.js';
import {
  createInstagramAdapter,
  INSTAGRAM_LONG_LIVED_MS,
  INSTAGRAM_SCOPES,
  stripInstagramCode,
} from './adapter.js';

const NOW = new Date('2026-10-01T12:00:00Z');
const HOUR = 3600_000;
const client = { clientId: '990602627938098', clientSecret: 'ig-app-secret-0123456789abcdef' };
const REDIRECT = 'https://mps.example.com/connect/callback';
const CODE = 'AQBx-igcode-very-long-authorization-code_0123456789';
const SHORT_TOKEN = 'IGAAshortlived0000000000000000';
const LONG_TOKEN = 'IGAAlonglived11111111111111111';
const REFRESHED_TOKEN = 'IGAArefreshed22222222222222222';
const IG_USER_ID = '17841405793187218';
const APP_SCOPED_ID = '7590000000000000';

const realEndpoints: ProviderEndpoints = {
  authorizeUrl: 'https://www.instagram.com/oauth/authorize',
  tokenUrl: 'https://api.instagram.com/oauth/access_token',
  apiUrl: 'https://graph.instagram.com',
  extra: { graphVersion: 'v26.0' },
};

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const adapterFor = (endpoints: ProviderEndpoints = realEndpoints, now: () => Date = () => NOW) =>
  createInstagramAdapter({ endpoints, now });

const graphError = (status: number, code: number, subcode?: number) =>
  HttpResponse.json(
    {
      error: {
        message: 'An error occurred',
        type: 'OAuthException',
        code,
        ...(subcode === undefined ? {} : { error_subcode: subcode }),
        fbtrace_id: 'A1b2C3d4E5f',
      },
    },
    { status },
  );

interface Recorded {
  method: string;
  url: URL;
  form?: Record<string, string>;
}

type Me = Record<string, unknown>;
const businessMe: Me = {
  user_id: IG_USER_ID,
  username: 'acme.bakery',
  name: 'Acme Bakery',
  account_type: 'BUSINESS',
  profile_picture_url: 'https://scontent.cdninstagram.com/v/pic.jpg',
  id: APP_SCOPED_ID,
};

/**
 * An Instagram Login that behaves like the real one (docs/providers.md): a form POST to
 * api.instagram.com for the code, then graph.instagram.com for the long-lived token (no version in
 * the path), the refresh and the versioned `/me`.
 */
function fakeInstagram(
  options: { base?: string; tokenUrl?: string; version?: string; me?: Me; tokenBody?: string | object } = {},
) {
  const base = options.base ?? 'https://graph.instagram.com';
  const tokenUrl = options.tokenUrl ?? realEndpoints.tokenUrl;
  const version = options.version ?? 'v26.0';
  const requests: Recorded[] = [];
  server.use(
    http.post(tokenUrl, async ({ request }) => {
      const form = Object.fromEntries(new URLSearchParams(await request.text()));
      requests.push({ method: 'POST', url: new URL(request.url), form });
      if (request.headers.get('content-type')?.startsWith('application/x-www-form-urlencoded') !== true) {
        return HttpResponse.json(
          { error_type: 'OAuthException', code: 400, error_message: 'Missing form' },
          { status: 400 },
        );
      }
      if (form.client_id !== client.clientId || form.client_secret !== client.clientSecret) {
        return HttpResponse.json(
          { error_type: 'OAuthException', code: 400, error_message: 'Invalid platform app' },
          { status: 400 },
        );
      }
      if (form.code !== CODE || form.redirect_uri !== REDIRECT || form.grant_type !== 'authorization_code') {
        return HttpResponse.json(
          {
            error_type: 'OAuthException',
            code: 400,
            error_message: 'Matching code was not found or was already used',
          },
          { status: 400 },
        );
      }
      const body = options.tokenBody ?? {
        access_token: SHORT_TOKEN,
        user_id: APP_SCOPED_ID,
        permissions: ['instagram_business_basic', 'instagram_business_content_publish'],
      };
      return typeof body === 'string'
        ? new HttpResponse(body, { headers: { 'Content-Type': 'application/json' } })
        : HttpResponse.json(body);
    }),
    http.get(`${base}/access_token`, ({ request }) => {
      const url = new URL(request.url);
      requests.push({ method: 'GET', url });
      const q = url.searchParams;
      if (q.get('grant_type') !== 'ig_exchange_token' || q.get('client_secret') !== client.clientSecret) {
        return graphError(400, 100);
      }
      if (q.get('access_token') !== SHORT_TOKEN) return graphError(400, 190);
      return HttpResponse.json({ access_token: LONG_TOKEN, token_type: 'bearer', expires_in: 5_183_944 });
    }),
    http.get(`${base}/refresh_access_token`, ({ request }) => {
      const url = new URL(request.url);
      requests.push({ method: 'GET', url });
      if (url.searchParams.get('grant_type') !== 'ig_refresh_token') return graphError(400, 100);
      if (url.searchParams.get('access_token') !== LONG_TOKEN) return graphError(400, 190, 463);
      return HttpResponse.json({
        access_token: REFRESHED_TOKEN,
        token_type: 'bearer',
        expires_in: 5_183_944,
      });
    }),
    http.get(`${base}/${version}/me`, ({ request }) => {
      const url = new URL(request.url);
      requests.push({ method: 'GET', url });
      if (url.searchParams.get('access_token') !== LONG_TOKEN) return graphError(400, 190);
      return HttpResponse.json(options.me ?? businessMe);
    }),
  );
  return requests;
}

const exchange = (adapter = adapterFor(), code = `${CODE}#_`) =>
  adapter.exchangeCode({ client, redirectUri: REDIRECT, code, codeVerifier: 'unused-verifier' });

const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const providerError = error as ProviderError;
  for (const secret of [client.clientSecret, CODE, SHORT_TOKEN, LONG_TOKEN, REFRESHED_TOKEN]) {
    expect(providerError.message).not.toContain(secret);
  }
  return providerError;
};

describe('instagram authorizeUrl', () => {
  it('asks for the business scopes with state and no PKCE', () => {
    const adapter = adapterFor();
    expect(adapter.platform).toBe('instagram');
    expect(adapter.pkce).toBe(false);
    expect(adapter.scopes).toEqual(INSTAGRAM_SCOPES);
    const url = new URL(
      adapter.authorizeUrl({ client, redirectUri: REDIRECT, state: 'st4te', codeChallenge: 'abc' }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://www.instagram.com/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'instagram_business_basic,instagram_business_content_publish',
      state: 'st4te',
    });
  });
});

describe('instagram exchangeCode', () => {
  it('strips #_, exchanges for a long-lived token and identifies the professional account', async () => {
    const requests = fakeInstagram();
    const result = await exchange();

    expect(requests.map((r) => `${r.method} ${r.url.origin}${r.url.pathname}`)).toEqual([
      'POST https://api.instagram.com/oauth/access_token',
      'GET https://graph.instagram.com/access_token',
      'GET https://graph.instagram.com/v26.0/me',
    ]);
    expect(requests[0]?.form).toEqual({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      code: CODE,
    });
    expect(Object.fromEntries(requests[1]!.url.searchParams)).toEqual({
      grant_type: 'ig_exchange_token',
      client_secret: client.clientSecret,
      access_token: SHORT_TOKEN,
    });
    expect(Object.fromEntries(requests[2]!.url.searchParams)).toEqual({
      fields: 'user_id,username,name,account_type,profile_picture_url',
      access_token: LONG_TOKEN,
    });

    const tokens: TokenSet = {
      accessToken: LONG_TOKEN,
      expiresAt: new Date(NOW.getTime() + 5_183_944_000),
      scopes: INSTAGRAM_SCOPES,
    };
    expect(result).toEqual({
      tokens,
      accounts: [
        {
          remoteAccountId: IG_USER_ID,
          remoteUsername: 'acme.bakery',
          displayName: 'Acme Bakery',
          accountType: 'business',
          tokens,
        },
      ],
    });
  });

  it('accepts the token answer wrapped in data[] with a comma-separated permission string', async () => {
    fakeInstagram({
      tokenBody: {
        data: [
          { access_token: SHORT_TOKEN, user_id: APP_SCOPED_ID, permissions: 'instagram_business_basic' },
        ],
      },
    });
    const result = await exchange();
    expect(result.tokens.accessToken).toBe(LONG_TOKEN);
    expect(result.tokens.scopes).toEqual(['instagram_business_basic']);
  });

  it('keeps every digit of a user_id sent as a JSON number beyond 2^53', async () => {
    fakeInstagram({
      tokenBody: `{"access_token":"${SHORT_TOKEN}","user_id":${IG_USER_ID}}`,
    });
    server.use(
      http.get(
        'https://graph.instagram.com/v26.0/me',
        () =>
          new HttpResponse(`{"user_id":${IG_USER_ID},"username":"acme.bakery","account_type":"BUSINESS"}`, {
            headers: { 'Content-Type': 'application/json' },
          }),
      ),
    );
    const { accounts } = await exchange();
    expect(accounts[0]?.remoteAccountId).toBe(IG_USER_ID);
    expect(accounts[0]?.displayName).toBe('acme.bakery');
  });

  it('names creator accounts "creator"', async () => {
    fakeInstagram({ me: { ...businessMe, account_type: 'MEDIA_CREATOR' } });
    const { accounts } = await exchange();
    expect(accounts[0]?.accountType).toBe('creator');
  });

  it.each([
    ['a personal account', { ...businessMe, account_type: 'PERSONAL' }],
    ['an answer without user_id', { username: 'someone', account_type: 'BUSINESS', id: APP_SCOPED_ID }],
  ])('refuses %s as not eligible', async (_name, me) => {
    fakeInstagram({ me });
    const error = await exchange().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(AccountNotEligibleError);
    expect((error as AccountNotEligibleError).platform).toBe('instagram');
  });

  it('works against a base URL with a path prefix', async () => {
    const prefix = 'http://127.0.0.1:9000/fake-graph';
    const requests = fakeInstagram({
      base: prefix,
      tokenUrl: `${prefix}/oauth/access_token`,
      version: 'v25.0',
    });
    const adapter = adapterFor({
      authorizeUrl: `${prefix}/oauth/authorize`,
      tokenUrl: `${prefix}/oauth/access_token`,
      apiUrl: prefix,
      extra: { graphVersion: 'v25.0' },
    });
    const result = await exchange(adapter);
    expect(result.accounts[0]?.remoteAccountId).toBe(IG_USER_ID);
    expect(requests.map((r) => r.url.pathname)).toEqual([
      '/fake-graph/oauth/access_token',
      '/fake-graph/access_token',
      '/fake-graph/v25.0/me',
    ]);
  });

  it('classifies a used code (legacy error shape) as permanent, without leaking it', async () => {
    fakeInstagram();
    const error = await rejection(exchange(adapterFor(), 'AQBsomeOtherCode-that-was-used-already#_'));
    expect(error.classification.kind).toBe('permanent');
    expect(error.status).toBe(400);
    expect(error.message).not.toContain('AQBsomeOtherCode');
  });

  it('classifies the publishing-quota subcode end to end as retry', async () => {
    fakeInstagram();
    server.use(http.get('https://graph.instagram.com/v26.0/me', () => graphError(400, 9, 2207042)));
    const error = await rejection(exchange());
    expect(error.classification).toMatchObject({ kind: 'retry', retryAfterMs: DAILY_LIMIT_COOL_OFF_MS });
    expect(error.providerCode).toBe('9/2207042');
  });

  it('treats a 200 without an access token as a permanent failure', async () => {
    fakeInstagram({ tokenBody: { data: [] } });
    const error = await rejection(exchange());
    expect(error.classification.kind).toBe('permanent');
  });

  it('treats a long-lived answer without a token as a permanent failure', async () => {
    fakeInstagram();
    server.use(
      http.get('https://graph.instagram.com/access_token', () => HttpResponse.json({ token_type: 'bearer' })),
    );
    const error = await rejection(exchange());
    expect(error.classification.kind).toBe('permanent');
  });

  it('treats a network failure as retry', async () => {
    server.use(http.post(realEndpoints.tokenUrl, () => HttpResponse.error()));
    const error = await rejection(exchange());
    expect(error.classification.kind).toBe('retry');
  });
});

describe('instagram refresh', () => {
  const stored = (issuedHoursAgo: number): TokenSet => ({
    accessToken: LONG_TOKEN,
    expiresAt: new Date(NOW.getTime() - issuedHoursAgo * HOUR + INSTAGRAM_LONG_LIVED_MS),
    scopes: INSTAGRAM_SCOPES,
  });

  it('returns a token younger than 24 h unchanged, without calling Instagram', async () => {
    const requests = fakeInstagram();
    const tokens = stored(23);
    await expect(adapterFor().refresh!({ client, tokens })).resolves.toBe(tokens);
    expect(requests).toHaveLength(0);
  });

  it('refreshes a token older than 24 h and keeps the scopes', async () => {
    const requests = fakeInstagram();
    const result = await adapterFor().refresh!({ client, tokens: stored(25) });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url.pathname).toBe('/refresh_access_token');
    expect(Object.fromEntries(requests[0]!.url.searchParams)).toEqual({
      grant_type: 'ig_refresh_token',
      access_token: LONG_TOKEN,
    });
    expect(result).toEqual({
      accessToken: REFRESHED_TOKEN,
      refreshToken: undefined,
      refreshExpiresAt: undefined,
      expiresAt: new Date(NOW.getTime() + 5_183_944_000),
      scopes: INSTAGRAM_SCOPES,
    });
  });

  it('refreshes when the stored expiry is unknown', async () => {
    const requests = fakeInstagram();
    const result = await adapterFor().refresh!({ client, tokens: { accessToken: LONG_TOKEN, scopes: [] } });
    expect(requests).toHaveLength(1);
    expect(result.accessToken).toBe(REFRESHED_TOKEN);
  });

  it('asks for a reconnect when the token has expired, without calling Instagram', async () => {
    const requests = fakeInstagram();
    const tokens = { ...stored(24 * 61), expiresAt: new Date(NOW.getTime() - 1000) };
    const error = await rejection(adapterFor().refresh!({ client, tokens }));
    expect(error.classification.kind).toBe('reconnect');
    expect(requests).toHaveLength(0);
  });

  it('classifies a refused refresh (190) as reconnect', async () => {
    fakeInstagram();
    const tokens = { ...stored(48), accessToken: 'IGAArevokedtoken33333333333333' };
    const error = await rejection(adapterFor().refresh!({ client, tokens }));
    expect(error.classification.kind).toBe('reconnect');
    expect(error.providerCode).toBe('190/463');
    expect(error.message).not.toContain(tokens.accessToken);
  });

  it('treats a network failure as retry', async () => {
    server.use(http.get('https://graph.instagram.com/refresh_access_token', () => HttpResponse.error()));
    const error = await rejection(adapterFor().refresh!({ client, tokens: stored(48) }));
    expect(error.classification.kind).toBe('retry');
  });

  it('has no revoke endpoint', () => {
    expect(adapterFor().revoke).toBeUndefined();
  });
});

describe('stripInstagramCode', () => {
  it('removes only a trailing #_', () => {
    expect(stripInstagramCode('abc#_')).toBe('abc');
    expect(stripInstagramCode('abc')).toBe('abc');
    expect(stripInstagramCode('a#_bc')).toBe('a#_bc');
  });
});
