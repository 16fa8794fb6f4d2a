import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ProviderEndpoints, ProviderError, type TokenSet } from '../types.js';
import { createTwitterAdapter } from './adapter.js';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

const ENDPOINTS: ProviderEndpoints = {
  authorizeUrl: 'https://x.com/i/oauth2/authorize',
  tokenUrl: 'https://api.x.com/2/oauth2/token',
  apiUrl: 'https://api.x.com',
  extra: {},
};
const PREFIXED: ProviderEndpoints = {
  authorizeUrl: 'http://127.0.0.1:9000/fake-x/i/oauth2/authorize',
  tokenUrl: 'http://127.0.0.1:9000/fake-x/2/oauth2/token',
  apiUrl: 'http://127.0.0.1:9000/fake-x',
  extra: {},
};
const USERS_ME = 'https://api.x.com/2/users/me';
const REVOKE = 'https://api.x.com/2/oauth2/revoke';

const CLIENT = { clientId: 'x-client-id', clientSecret: 'x-client-secret-XYZ' };
const BASIC = `Basic ${Buffer.from('x-client-id:x-client-secret-XYZ').toString('base64')}`;
const CODE = 'x-auth-code-123456';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const REDIRECT = 'https://app.example.com/oauth/callback/twitter';
const SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'offline.access', 'media.write'];

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  calls.length = 0;
});
afterAll(() => server.close());

interface Call {
  url: URL;
  method: string;
  headers: Headers;
  raw: string;
  body: URLSearchParams;
}
const calls: Call[] = [];
async function seen(request: Request): Promise<void> {
  const raw = await request.clone().text();
  calls.push({
    url: new URL(request.url),
    method: request.method,
    headers: request.headers,
    raw,
    body: new URLSearchParams(raw),
  });
}

const adapter = (endpoints: ProviderEndpoints = ENDPOINTS) =>
  createTwitterAdapter({ endpoints, now: () => NOW });
const exchange = (endpoints: ProviderEndpoints = ENDPOINTS) =>
  adapter(endpoints).exchangeCode({
    client: CLIENT,
    redirectUri: REDIRECT,
    code: CODE,
    codeVerifier: VERIFIER,
  });

// Shapes from docs/providers.md (X).
const TOKEN_RESPONSE = {
  token_type: 'bearer',
  expires_in: 7200,
  access_token: 'x-access-token-AAA',
  scope: 'tweet.write users.read tweet.read offline.access media.write',
  refresh_token: 'x-refresh-token-R1',
};
const USER_RESPONSE = { data: { id: '2244994945', name: 'Dev Person', username: 'devperson' } };

const SECRETS = [
  CLIENT.clientSecret,
  CODE,
  VERIFIER,
  'x-access-token-AAA',
  'x-refresh-token-R1',
  'x-refresh-token-R2',
];
async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const providerError = error as ProviderError;
  for (const secret of SECRETS) expect(providerError.message).not.toContain(secret);
  return providerError;
}

const okToken = (body: object = TOKEN_RESPONSE, url = ENDPOINTS.tokenUrl) =>
  http.post(url, async ({ request }) => {
    await seen(request);
    return HttpResponse.json(body);
  });
const okUser = (url = USERS_ME) =>
  http.get(url, async ({ request }) => {
    await seen(request);
    return HttpResponse.json(USER_RESPONSE);
  });

describe('X authorize URL', () => {
  it('carries the PKCE S256 challenge and the scopes', () => {
    const x = adapter();
    expect(x.pkce).toBe(true);
    expect(x.scopes).toEqual(SCOPES);
    const raw = x.authorizeUrl({
      client: CLIENT,
      redirectUri: REDIRECT,
      state: 'state-1',
      codeChallenge: CHALLENGE,
    });
    const url = new URL(raw);
    expect(`${url.origin}${url.pathname}`).toBe(ENDPOINTS.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'x-client-id',
      redirect_uri: REDIRECT,
      scope: 'tweet.read tweet.write users.read offline.access media.write',
      state: 'state-1',
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
    });
    expect(raw).not.toContain(CLIENT.clientSecret);
  });

  it('refuses to build a URL without a challenge', () => {
    expect(() =>
      adapter().authorizeUrl({ client: CLIENT, redirectUri: REDIRECT, state: 's', codeChallenge: '' }),
    ).toThrow(/PKCE/);
  });
});

describe('X code exchange', () => {
  it('authenticates with Basic, sends the verifier, and reads /2/users/me', async () => {
    server.use(okToken(), okUser());
    const result = await exchange();

    const [token, me] = calls;
    expect(token?.url.href).toBe(ENDPOINTS.tokenUrl);
    expect(token?.headers.get('authorization')).toBe(BASIC);
    expect(token?.headers.get('content-type')).toContain('application/x-www-form-urlencoded');
    expect(Object.fromEntries(token?.body ?? [])).toEqual({
      code: CODE,
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      code_verifier: VERIFIER,
    });
    expect(token?.raw).not.toContain(CLIENT.clientSecret);
    expect(me?.headers.get('authorization')).toBe('Bearer x-access-token-AAA');

    const tokens = {
      accessToken: 'x-access-token-AAA',
      refreshToken: 'x-refresh-token-R1',
      expiresAt: at(7200),
      scopes: ['tweet.write', 'users.read', 'tweet.read', 'offline.access', 'media.write'],
    };
    expect(result.tokens).toEqual(tokens);
    expect(result.accounts).toEqual([
      {
        remoteAccountId: '2244994945',
        remoteUsername: 'devperson',
        displayName: 'Dev Person',
        accountType: 'person',
        tokens,
      },
    ]);
  });

  it('works against a base URL with a path prefix', async () => {
    server.use(okToken(TOKEN_RESPONSE, PREFIXED.tokenUrl), okUser('http://127.0.0.1:9000/fake-x/2/users/me'));
    const { accounts } = await exchange(PREFIXED);
    expect(accounts[0]?.remoteAccountId).toBe('2244994945');
    expect(calls.map((call) => call.url.pathname)).toEqual(['/fake-x/2/oauth2/token', '/fake-x/2/users/me']);
  });

  it('falls back to the requested scopes when the answer has none', async () => {
    const { scope: _scope, ...withoutScope } = TOKEN_RESPONSE;
    server.use(okToken(withoutScope), okUser());
    const { tokens } = await exchange();
    expect(tokens.scopes).toEqual(SCOPES);
  });

  it('treats a 200 without access_token as permanent', async () => {
    server.use(okToken({ token_type: 'bearer', expires_in: 7200 }));
    const error = await failure(exchange());
    expect(error.classification.kind).toBe('permanent');
    expect(error.providerCode).toBe('missing_access_token');
  });

  it('treats a users/me answer without data as permanent', async () => {
    server.use(
      okToken(),
      http.get(USERS_ME, () =>
        HttpResponse.json({
          errors: [{ title: 'Not Found Error', detail: 'Could not find user', type: 'about:blank' }],
        }),
      ),
    );
    const error = await failure(exchange());
    expect(error.classification.kind).toBe('permanent');
  });

  it('turns a network failure into retry', async () => {
    server.use(http.post(ENDPOINTS.tokenUrl, () => HttpResponse.error()));
    const error = await failure(exchange());
    expect(error.classification.kind).toBe('retry');
  });

  it('classifies a refused client as permanent', async () => {
    server.use(
      http.post(ENDPOINTS.tokenUrl, () =>
        HttpResponse.json(
          { error: 'unauthorized_client', error_description: 'Missing valid authorization header' },
          { status: 401 },
        ),
      ),
    );
    const error = await failure(exchange());
    expect(error.classification.kind).toBe('permanent');
    expect(error.providerCode).toBe('unauthorized_client');
  });
});

describe('X API errors', () => {
  const problem = (status: number, title: string, detail: string, type = 'about:blank') => ({
    title,
    detail,
    type,
    status,
  });
  const reset = Math.floor(NOW.getTime() / 1000) + 900;

  const failWith = (status: number, body: object, headers: Record<string, string> = {}) => {
    server.use(
      okToken(),
      http.get(USERS_ME, () => HttpResponse.json(body, { status, headers })),
    );
    return failure(exchange());
  };

  it('classifies 401 as reconnect', async () => {
    const error = await failWith(401, problem(401, 'Unauthorized', 'Unauthorized'));
    expect(error.classification.kind).toBe('reconnect');
    expect(error.status).toBe(401);
  });

  it('classifies 403 as permanent', async () => {
    const error = await failWith(
      403,
      problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.'),
    );
    expect(error.classification.kind).toBe('permanent');
    expect(error.providerCode).toBe('Forbidden');
  });

  it('classifies 429 as retry until x-rate-limit-reset', async () => {
    const error = await failWith(429, problem(429, 'Too Many Requests', 'Too Many Requests'), {
      'x-rate-limit-limit': '25',
      'x-rate-limit-remaining': '0',
      'x-rate-limit-reset': String(reset),
    });
    expect(error.classification).toMatchObject({ kind: 'retry', retryAfterMs: 900_000 });
  });

  it('classifies usage-capped as retry', async () => {
    const error = await failWith(429, {
      title: 'UsageCapExceeded',
      detail: 'Usage cap exceeded: Monthly product cap',
      type: 'https://api.twitter.com/2/problems/usage-capped',
      period: 'Monthly',
      scope: 'Product',
    });
    expect(error.classification.kind).toBe('retry');
    expect(error.providerCode).toBe('usage-capped');
  });

  it('classifies usage-capped as retry even when answered with 403', async () => {
    const error = await failWith(403, {
      title: 'UsageCapExceeded',
      detail: 'Usage cap exceeded: Monthly product cap',
      type: 'https://api.twitter.com/2/problems/usage-capped',
    });
    expect(error.classification.kind).toBe('retry');
  });

  it('classifies 5xx as retry', async () => {
    for (const status of [500, 503]) {
      const error = await failWith(status, problem(status, 'Service Unavailable', 'Service Unavailable'));
      expect(error.classification.kind).toBe('retry');
    }
  });

  it('classifies a 400 problem as permanent', async () => {
    const error = await failWith(
      400,
      problem(
        400,
        'Invalid Request',
        'One or more parameters to your request was invalid.',
        'https://api.twitter.com/2/problems/invalid-request',
      ),
    );
    expect(error.classification.kind).toBe('permanent');
    expect(error.providerCode).toBe('invalid-request');
  });
});

describe('X refresh', () => {
  const current: TokenSet = {
    accessToken: 'x-access-token-AAA',
    refreshToken: 'x-refresh-token-R1',
    expiresAt: at(-60),
    scopes: SCOPES,
  };

  it('rotates: sends the refresh token with Basic auth and returns the new pair', async () => {
    server.use(
      okToken({
        token_type: 'bearer',
        expires_in: 7200,
        access_token: 'x-access-token-BBB',
        scope: 'tweet.write users.read tweet.read offline.access media.write',
        refresh_token: 'x-refresh-token-R2',
      }),
    );
    const tokens = await adapter().refresh!({ client: CLIENT, tokens: current });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers.get('authorization')).toBe(BASIC);
    expect(Object.fromEntries(calls[0]?.body ?? [])).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'x-refresh-token-R1',
    });
    expect(calls[0]?.raw).not.toContain(CLIENT.clientSecret);
    expect(tokens).toEqual({
      accessToken: 'x-access-token-BBB',
      refreshToken: 'x-refresh-token-R2',
      expiresAt: at(7200),
      scopes: ['tweet.write', 'users.read', 'tweet.read', 'offline.access', 'media.write'],
    });
  });

  it('keeps the old refresh token when the answer has none', async () => {
    server.use(okToken({ token_type: 'bearer', expires_in: 7200, access_token: 'x-access-token-CCC' }));
    const tokens = await adapter().refresh!({ client: CLIENT, tokens: current });
    expect(tokens).toEqual({
      accessToken: 'x-access-token-CCC',
      refreshToken: 'x-refresh-token-R1',
      expiresAt: at(7200),
      scopes: SCOPES,
    });
  });

  for (const code of ['invalid_request', 'invalid_grant']) {
    it(`classifies ${code} on refresh as reconnect`, async () => {
      server.use(
        http.post(ENDPOINTS.tokenUrl, () =>
          HttpResponse.json(
            { error: code, error_description: 'Value passed for the token was invalid.' },
            { status: 400 },
          ),
        ),
      );
      const error = await failure(adapter().refresh!({ client: CLIENT, tokens: current }));
      expect(error.classification.kind).toBe('reconnect');
      expect(error.providerCode).toBe(code);
    });
  }

  it('classifies a 5xx on refresh as retry', async () => {
    server.use(http.post(ENDPOINTS.tokenUrl, () => new HttpResponse('upstream error', { status: 502 })));
    const error = await failure(adapter().refresh!({ client: CLIENT, tokens: current }));
    expect(error.classification.kind).toBe('retry');
  });

  it('without a refresh token throws a reconnect error and calls nothing', async () => {
    const error = await failure(
      adapter().refresh!({ client: CLIENT, tokens: { accessToken: 'x-access-token-AAA', scopes: SCOPES } }),
    );
    expect(error.classification.kind).toBe('reconnect');
    expect(calls).toHaveLength(0);
  });
});

describe('X revoke', () => {
  const current: TokenSet = {
    accessToken: 'x-access-token-AAA',
    refreshToken: 'x-refresh-token-R1',
    scopes: SCOPES,
  };

  it('posts each token to /2/oauth2/revoke with Basic auth', async () => {
    server.use(
      http.post(REVOKE, async ({ request }) => {
        await seen(request);
        return HttpResponse.json({ revoked: true });
      }),
    );
    await adapter().revoke!({ client: CLIENT, tokens: current });
    expect(calls.map((call) => Object.fromEntries(call.body))).toEqual([
      { token: 'x-refresh-token-R1', token_type_hint: 'refresh_token' },
      { token: 'x-access-token-AAA', token_type_hint: 'access_token' },
    ]);
    for (const call of calls) {
      expect(call.headers.get('authorization')).toBe(BASIC);
      expect(call.raw).not.toContain(CLIENT.clientSecret);
    }
  });

  it('uses the API base path prefix', async () => {
    server.use(
      http.post('http://127.0.0.1:9000/fake-x/2/oauth2/revoke', async ({ request }) => {
        await seen(request);
        return HttpResponse.json({ revoked: true });
      }),
    );
    await adapter(PREFIXED).revoke!({
      client: CLIENT,
      tokens: { accessToken: 'x-access-token-AAA', scopes: [] },
    });
    expect(calls).toHaveLength(1);
  });

  it('still tries the access token when revoking the refresh token fails, then reports it', async () => {
    server.use(
      http.post(REVOKE, async ({ request }) => {
        await seen(request);
        return calls.length === 1
          ? HttpResponse.json({ error: 'invalid_request', error_description: 'bad token' }, { status: 400 })
          : HttpResponse.json({ revoked: true });
      }),
    );
    const error = await failure(adapter().revoke!({ client: CLIENT, tokens: current }));
    expect(error.classification.kind).toBe('permanent');
    expect(calls).toHaveLength(2);
  });
});
