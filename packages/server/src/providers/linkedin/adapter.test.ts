import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorClass, type ProviderEndpoints, ProviderError } from '../types.js';
import { createLinkedInAdapter } from './adapter.js';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

const ENDPOINTS: ProviderEndpoints = {
  authorizeUrl: 'https://www.linkedin.com/oauth/v2/authorization',
  tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
  apiUrl: 'https://api.linkedin.com',
  extra: { linkedinVersion: '202601' },
};
const PREFIXED: ProviderEndpoints = {
  authorizeUrl: 'http://127.0.0.1:9000/fake-linkedin/oauth/v2/authorization',
  tokenUrl: 'http://127.0.0.1:9000/fake-linkedin/oauth/v2/accessToken',
  apiUrl: 'http://127.0.0.1:9000/fake-linkedin/',
  extra: { linkedinVersion: '202601' },
};
const USERINFO = 'https://api.linkedin.com/v2/userinfo';

const CLIENT = { clientId: 'li-client-id', clientSecret: 'li-client-secret-XYZ' };
const CODE = 'li-auth-code-123456';
const REDIRECT = 'https://app.example.com/oauth/callback/linkedin';

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
  body: URLSearchParams;
}
const calls: Call[] = [];
async function seen(request: Request): Promise<void> {
  calls.push({
    url: new URL(request.url),
    method: request.method,
    headers: request.headers,
    body: new URLSearchParams(await request.clone().text()),
  });
}

const adapter = (endpoints: ProviderEndpoints = ENDPOINTS) =>
  createLinkedInAdapter({ endpoints, now: () => NOW });

// Shapes from docs/providers.md (LinkedIn): most apps get no refresh token.
const TOKEN_RESPONSE = {
  access_token: 'li-access-token-AAA',
  expires_in: 5184000,
  scope: 'email,openid,profile,w_member_social',
  token_type: 'Bearer',
  id_token: 'eyJhbGciOiJSUzI1NiJ9.e30.sig',
};
const PARTNER_TOKEN_RESPONSE = {
  ...TOKEN_RESPONSE,
  refresh_token: 'li-refresh-token-RRR',
  refresh_token_expires_in: 31536000,
};
const USERINFO_RESPONSE = {
  sub: '782bbtaQ',
  email_verified: true,
  name: 'Ada Lovelace',
  locale: { country: 'GB', language: 'en' },
  given_name: 'Ada',
  family_name: 'Lovelace',
  email: 'ada@example.com',
  picture: 'https://media.licdn.com/dms/image/ada.jpg',
};

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const providerError = error as ProviderError;
  for (const secret of [CLIENT.clientSecret, CODE, 'li-access-token-AAA', 'li-refresh-token-RRR']) {
    expect(providerError.message).not.toContain(secret);
    expect(providerError.classification.message).not.toContain(secret);
  }
  return providerError;
}

const okToken = (body: object = TOKEN_RESPONSE) =>
  http.post(ENDPOINTS.tokenUrl, async ({ request }) => {
    await seen(request);
    return HttpResponse.json(body);
  });
const okUserinfo = (url = USERINFO) =>
  http.get(url, async ({ request }) => {
    await seen(request);
    return HttpResponse.json(USERINFO_RESPONSE);
  });

describe('LinkedIn authorize URL', () => {
  it('carries response_type, client_id, redirect_uri, state and space-separated scopes, without PKCE', () => {
    const li = adapter();
    expect(li.pkce).toBe(false);
    expect(li.scopes).toEqual(['openid', 'profile', 'email', 'w_member_social']);
    const raw = li.authorizeUrl({
      client: CLIENT,
      redirectUri: REDIRECT,
      state: 'state-1',
      codeChallenge: 'chal',
    });
    const url = new URL(raw);
    expect(`${url.origin}${url.pathname}`).toBe(ENDPOINTS.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'li-client-id',
      redirect_uri: REDIRECT,
      state: 'state-1',
      scope: 'openid profile email w_member_social',
    });
    expect(raw).toContain('scope=openid%20profile%20email%20w_member_social');
    expect(raw).not.toContain('code_challenge');
    expect(raw).not.toContain(CLIENT.clientSecret);
  });

  it('uses a configured authorize URL with a path prefix', () => {
    const url = new URL(
      adapter(PREFIXED).authorizeUrl({
        client: CLIENT,
        redirectUri: REDIRECT,
        state: 's',
        codeChallenge: 'c',
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe(PREFIXED.authorizeUrl);
  });
});

describe('LinkedIn code exchange', () => {
  it('posts the client secret in the form body, then reads /v2/userinfo', async () => {
    server.use(okToken(), okUserinfo());
    const result = await adapter().exchangeCode({
      client: CLIENT,
      redirectUri: REDIRECT,
      code: CODE,
      codeVerifier: 'v'.repeat(43),
    });

    const [token, userinfo] = calls;
    expect(token?.method).toBe('POST');
    expect(token?.headers.get('content-type')).toContain('application/x-www-form-urlencoded');
    expect(token?.headers.get('authorization')).toBeNull();
    expect(Object.fromEntries(token?.body ?? [])).toEqual({
      grant_type: 'authorization_code',
      code: CODE,
      redirect_uri: REDIRECT,
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    });
    expect(userinfo?.method).toBe('GET');
    expect(userinfo?.url.href).toBe(USERINFO);
    expect(userinfo?.headers.get('authorization')).toBe('Bearer li-access-token-AAA');

    const tokens = {
      accessToken: 'li-access-token-AAA',
      expiresAt: at(5184000),
      scopes: ['email', 'openid', 'profile', 'w_member_social'],
    };
    expect(result.tokens).toEqual(tokens);
    expect(result.tokens.refreshToken).toBeUndefined();
    expect(result.accounts).toEqual([
      {
        remoteAccountId: '782bbtaQ',
        remoteUsername: 'ada@example.com',
        displayName: 'Ada Lovelace',
        accountType: 'person',
        tokens,
      },
    ]);
  });

  it('keeps a partner refresh token and its absolute expiry', async () => {
    server.use(okToken(PARTNER_TOKEN_RESPONSE), okUserinfo());
    const { tokens } = await adapter().exchangeCode({
      client: CLIENT,
      redirectUri: REDIRECT,
      code: CODE,
      codeVerifier: '',
    });
    expect(tokens.refreshToken).toBe('li-refresh-token-RRR');
    expect(tokens.refreshExpiresAt).toEqual(at(31536000));
  });

  it('falls back to the requested scopes and to the name as username', async () => {
    const { scope: _scope, ...withoutScope } = TOKEN_RESPONSE;
    server.use(
      okToken(withoutScope),
      http.get(USERINFO, () =>
        HttpResponse.json({ sub: 'abc123', given_name: 'Grace', family_name: 'Hopper' }),
      ),
    );
    const { tokens, accounts } = await adapter().exchangeCode({
      client: CLIENT,
      redirectUri: REDIRECT,
      code: CODE,
      codeVerifier: '',
    });
    expect(tokens.scopes).toEqual(['openid', 'profile', 'email', 'w_member_social']);
    expect(accounts[0]).toMatchObject({
      remoteAccountId: 'abc123',
      remoteUsername: 'Grace Hopper',
      displayName: 'Grace Hopper',
    });
  });

  it('works against a base URL with a path prefix', async () => {
    server.use(
      http.post(PREFIXED.tokenUrl, async ({ request }) => {
        await seen(request);
        return HttpResponse.json(TOKEN_RESPONSE);
      }),
      okUserinfo('http://127.0.0.1:9000/fake-linkedin/v2/userinfo'),
    );
    const { accounts } = await adapter(PREFIXED).exchangeCode({
      client: CLIENT,
      redirectUri: REDIRECT,
      code: CODE,
      codeVerifier: '',
    });
    expect(accounts[0]?.remoteAccountId).toBe('782bbtaQ');
    expect(calls.map((call) => call.url.pathname)).toEqual([
      '/fake-linkedin/oauth/v2/accessToken',
      '/fake-linkedin/v2/userinfo',
    ]);
  });

  it('retries userinfo once after a 401 right after the exchange (propagation delay)', async () => {
    let attempts = 0;
    server.use(
      okToken(),
      http.get(USERINFO, () => {
        attempts += 1;
        return attempts === 1
          ? HttpResponse.json(
              {
                status: 401,
                serviceErrorCode: 65600,
                code: 'INVALID_ACCESS_TOKEN',
                message: 'Invalid access token',
              },
              { status: 401 },
            )
          : HttpResponse.json(USERINFO_RESPONSE);
      }),
    );
    const { accounts } = await adapter().exchangeCode({
      client: CLIENT,
      redirectUri: REDIRECT,
      code: CODE,
      codeVerifier: '',
    });
    expect(attempts).toBe(2);
    expect(accounts[0]?.remoteAccountId).toBe('782bbtaQ');
  });

  it('treats a 200 without access_token as permanent', async () => {
    server.use(okToken({ expires_in: 5184000, scope: 'openid' }));
    const error = await failure(
      adapter().exchangeCode({ client: CLIENT, redirectUri: REDIRECT, code: CODE, codeVerifier: '' }),
    );
    expect(error.classification.kind).toBe('permanent');
    expect(error.providerCode).toBe('missing_access_token');
  });

  it('treats a userinfo answer without sub as permanent', async () => {
    server.use(
      okToken(),
      http.get(USERINFO, () => HttpResponse.json({ name: 'No Id' })),
    );
    const error = await failure(
      adapter().exchangeCode({ client: CLIENT, redirectUri: REDIRECT, code: CODE, codeVerifier: '' }),
    );
    expect(error.classification.kind).toBe('permanent');
  });

  it('turns a network failure into retry', async () => {
    server.use(http.post(ENDPOINTS.tokenUrl, () => HttpResponse.error()));
    const error = await failure(
      adapter().exchangeCode({ client: CLIENT, redirectUri: REDIRECT, code: CODE, codeVerifier: '' }),
    );
    expect(error.classification.kind).toBe('retry');
  });

  it('classifies token endpoint refusals without echoing the code or secret', async () => {
    server.use(
      http.post(ENDPOINTS.tokenUrl, () =>
        HttpResponse.json(
          {
            error: 'invalid_client',
            error_description: `Client authentication failed for ${CLIENT.clientSecret}`,
          },
          { status: 401 },
        ),
      ),
    );
    const error = await failure(
      adapter().exchangeCode({ client: CLIENT, redirectUri: REDIRECT, code: CODE, codeVerifier: '' }),
    );
    expect(error.classification.kind).toBe('permanent');
    expect(error.providerCode).toBe('invalid_client');
    expect(error.message).toContain('[redacted]');
  });
});

describe('LinkedIn API errors', () => {
  const cases: Array<{
    name: string;
    status: number;
    body: object;
    kind: ErrorClass['kind'];
    code?: string;
  }> = [
    {
      name: '401 65600 invalid token',
      status: 401,
      body: {
        status: 401,
        serviceErrorCode: 65600,
        code: 'INVALID_ACCESS_TOKEN',
        message: 'Invalid access token',
      },
      kind: 'reconnect',
      code: '65600',
    },
    {
      name: '401 65601 revoked token',
      status: 401,
      body: {
        status: 401,
        serviceErrorCode: 65601,
        code: 'REVOKED_ACCESS_TOKEN',
        message: 'The token used in the request has been revoked by the user',
      },
      kind: 'reconnect',
      code: '65601',
    },
    {
      name: '429 throttle',
      status: 429,
      body: {
        status: 429,
        serviceErrorCode: 101,
        code: 'TOO_MANY_REQUESTS',
        message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.',
      },
      kind: 'retry',
    },
    {
      name: '426 sunset version',
      status: 426,
      body: { status: 426, code: 'NONEXISTENT_VERSION', message: 'Requested version 20230101 is not active' },
      kind: 'permanent',
    },
    { name: '500', status: 500, body: { status: 500, message: 'Internal Server Error' }, kind: 'retry' },
    { name: '503', status: 503, body: { status: 503, message: 'Service Unavailable' }, kind: 'retry' },
    {
      name: '403 access denied',
      status: 403,
      body: { status: 403, serviceErrorCode: 100, code: 'ACCESS_DENIED', message: 'Not enough permissions' },
      kind: 'permanent',
    },
  ];

  for (const { name, status, body, kind, code } of cases) {
    it(`classifies ${name} as ${kind}`, async () => {
      server.use(
        okToken(),
        http.get(USERINFO, () => HttpResponse.json(body, { status })),
      );
      const error = await failure(
        adapter().exchangeCode({ client: CLIENT, redirectUri: REDIRECT, code: CODE, codeVerifier: '' }),
      );
      expect(error.classification.kind).toBe(kind);
      expect(error.status).toBe(status);
      if (code) expect(error.providerCode).toBe(code);
      if (status === 426) expect(error.message).toMatch(/LinkedIn-Version is sunset/);
    });
  }

  it('classifies a non-JSON 502 as retry', async () => {
    server.use(
      okToken(),
      http.get(USERINFO, () => new HttpResponse('<html>Bad gateway</html>', { status: 502 })),
    );
    const error = await failure(
      adapter().exchangeCode({ client: CLIENT, redirectUri: REDIRECT, code: CODE, codeVerifier: '' }),
    );
    expect(error.classification.kind).toBe('retry');
  });
});

describe('LinkedIn refresh', () => {
  const partnerTokens = {
    accessToken: 'li-access-token-AAA',
    refreshToken: 'li-refresh-token-RRR',
    expiresAt: at(-60),
    refreshExpiresAt: at(20_000_000),
    scopes: ['openid', 'profile', 'email', 'w_member_social'],
  };

  it('without a refresh token throws a reconnect error and calls nothing', async () => {
    const { refreshToken: _none, refreshExpiresAt: _never, ...tokens } = partnerTokens;
    const error = await failure(adapter().refresh!({ client: CLIENT, tokens }));
    expect(error.classification.kind).toBe('reconnect');
    expect(error.providerCode).toBe('no_refresh_token');
    expect(calls).toHaveLength(0);
  });

  it('posts grant_type=refresh_token with client credentials in the body', async () => {
    server.use(
      okToken({
        access_token: 'li-access-token-BBB',
        expires_in: 5184000,
        refresh_token: 'li-refresh-token-RRR',
        refresh_token_expires_in: 19_000_000,
        scope: 'email,openid,profile,w_member_social',
      }),
    );
    const tokens = await adapter().refresh!({ client: CLIENT, tokens: partnerTokens });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers.get('authorization')).toBeNull();
    expect(Object.fromEntries(calls[0]?.body ?? [])).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'li-refresh-token-RRR',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    });
    expect(tokens).toEqual({
      accessToken: 'li-access-token-BBB',
      refreshToken: 'li-refresh-token-RRR',
      expiresAt: at(5184000),
      refreshExpiresAt: at(19_000_000),
      scopes: ['email', 'openid', 'profile', 'w_member_social'],
    });
  });

  it('keeps the refresh token, its expiry and the scopes when the answer omits them', async () => {
    server.use(okToken({ access_token: 'li-access-token-CCC', expires_in: 5184000 }));
    const tokens = await adapter().refresh!({ client: CLIENT, tokens: partnerTokens });
    expect(tokens).toEqual({
      accessToken: 'li-access-token-CCC',
      refreshToken: 'li-refresh-token-RRR',
      expiresAt: at(5184000),
      refreshExpiresAt: partnerTokens.refreshExpiresAt,
      scopes: partnerTokens.scopes,
    });
  });

  it('classifies invalid_grant on refresh as reconnect', async () => {
    server.use(
      http.post(ENDPOINTS.tokenUrl, () =>
        HttpResponse.json(
          {
            error: 'invalid_grant',
            error_description:
              'The provided refresh token li-refresh-token-RRR is invalid, expired or revoked',
          },
          { status: 400 },
        ),
      ),
    );
    const error = await failure(adapter().refresh!({ client: CLIENT, tokens: partnerTokens }));
    expect(error.classification.kind).toBe('reconnect');
    expect(error.providerCode).toBe('invalid_grant');
    expect(error.status).toBe(400);
  });

  it('classifies a 5xx on refresh as retry', async () => {
    server.use(http.post(ENDPOINTS.tokenUrl, () => new HttpResponse(null, { status: 503 })));
    const error = await failure(adapter().refresh!({ client: CLIENT, tokens: partnerTokens }));
    expect(error.classification.kind).toBe('retry');
  });
});

describe('LinkedIn revoke', () => {
  it('has no revoke endpoint', () => {
    expect(adapter().revoke).toBeUndefined();
  });
});
