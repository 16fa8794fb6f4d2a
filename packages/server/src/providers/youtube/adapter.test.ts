import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountNotEligibleError,
  type ErrorClass,
  type ProviderEndpoints,
  ProviderError,
  type TokenSet,
} from '../types.js';
import { createYouTubeAdapter, msUntilPacificMidnight } from './adapter.js';

// 12:00 UTC on 28 November is 04:00 PST: the daily quota resets in 20 hours.
const NOW = new Date('2026-11-28T12:00:00.000Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

const ENDPOINTS: ProviderEndpoints = {
  authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  apiUrl: 'https://www.googleapis.com',
  extra: {
    uploadUrl: 'https://www.googleapis.com/upload',
    revokeUrl: 'https://oauth2.googleapis.com/revoke',
  },
};
const PREFIXED: ProviderEndpoints = {
  authorizeUrl: 'http://127.0.0.1:9000/fake-google/o/oauth2/v2/auth',
  tokenUrl: 'http://127.0.0.1:9000/fake-google/token',
  apiUrl: 'http://127.0.0.1:9000/fake-google/',
  extra: {
    uploadUrl: 'http://127.0.0.1:9000/fake-google/upload',
    revokeUrl: 'http://127.0.0.1:9000/fake-google/revoke',
  },
};
const CHANNELS = 'https://www.googleapis.com/youtube/v3/channels';

const CLIENT = { clientId: 'yt-client-id.apps.googleusercontent.com', clientSecret: 'yt-client-secret-XYZ' };
const CODE = '4/0Ayt-auth-code-123456';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const REDIRECT = 'https://app.example.com/oauth/callback/youtube';
const SCOPES = [
  'https://www.googleapis.com/auth/youtube.upload',
  'https://www.googleapis.com/auth/youtube.readonly',
];

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
  createYouTubeAdapter({ endpoints, now: () => NOW });
const exchange = (endpoints: ProviderEndpoints = ENDPOINTS) =>
  adapter(endpoints).exchangeCode({
    client: CLIENT,
    redirectUri: REDIRECT,
    code: CODE,
    codeVerifier: VERIFIER,
  });

// Shapes from docs/providers.md (YouTube).
const TOKEN_RESPONSE = {
  access_token: 'ya29.yt-access-token-AAA',
  expires_in: 3599,
  refresh_token: '1//yt-refresh-token-R1',
  scope: SCOPES.join(' '),
  token_type: 'Bearer',
};
const CHANNELS_RESPONSE = {
  kind: 'youtube#channelListResponse',
  etag: 'etag-1',
  pageInfo: { totalResults: 1, resultsPerPage: 5 },
  items: [
    {
      kind: 'youtube#channel',
      etag: 'etag-2',
      id: 'UC_x5XG1OV2P6uZZ5FSM9Ttw',
      snippet: {
        title: 'Ada Makes Videos',
        description: 'Engines, mostly.',
        customUrl: '@adamakesvideos',
        publishedAt: '2012-08-23T00:34:43Z',
        country: 'GB',
      },
    },
  ],
};

const SECRETS = [CLIENT.clientSecret, CODE, VERIFIER, 'ya29.yt-access-token-AAA', '1//yt-refresh-token-R1'];
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
const okChannels = (url = CHANNELS, body: object = CHANNELS_RESPONSE) =>
  http.get(url, async ({ request }) => {
    await seen(request);
    return HttpResponse.json(body);
  });

describe('YouTube authorize URL', () => {
  it('asks for offline access with forced consent and a PKCE S256 challenge', () => {
    const yt = adapter();
    expect(yt.pkce).toBe(true);
    expect(yt.scopes).toEqual(SCOPES);
    const raw = yt.authorizeUrl({
      client: CLIENT,
      redirectUri: REDIRECT,
      state: 'state-1',
      codeChallenge: CHALLENGE,
    });
    const url = new URL(raw);
    expect(`${url.origin}${url.pathname}`).toBe(ENDPOINTS.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: CLIENT.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: SCOPES.join(' '),
      state: 'state-1',
      access_type: 'offline',
      prompt: 'consent',
      include_granted_scopes: 'true',
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
    });
    expect(raw).not.toContain(CLIENT.clientSecret);
  });
});

describe('YouTube code exchange', () => {
  it('posts the form with client credentials and verifier, then reads the channel', async () => {
    server.use(okToken(), okChannels());
    const result = await exchange();

    const [token, channels] = calls;
    expect(token?.url.href).toBe(ENDPOINTS.tokenUrl);
    expect(token?.headers.get('authorization')).toBeNull();
    expect(token?.headers.get('content-type')).toContain('application/x-www-form-urlencoded');
    expect(Object.fromEntries(token?.body ?? [])).toEqual({
      code: CODE,
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      redirect_uri: REDIRECT,
      grant_type: 'authorization_code',
      code_verifier: VERIFIER,
    });
    expect(`${channels?.url.origin}${channels?.url.pathname}`).toBe(CHANNELS);
    expect(Object.fromEntries(channels?.url.searchParams ?? [])).toEqual({ part: 'snippet', mine: 'true' });
    expect(channels?.headers.get('authorization')).toBe('Bearer ya29.yt-access-token-AAA');

    const tokens = {
      accessToken: 'ya29.yt-access-token-AAA',
      refreshToken: '1//yt-refresh-token-R1',
      expiresAt: at(3599),
      scopes: SCOPES,
    };
    expect(result.tokens).toEqual(tokens);
    expect(result.accounts).toEqual([
      {
        remoteAccountId: 'UC_x5XG1OV2P6uZZ5FSM9Ttw',
        remoteUsername: '@adamakesvideos',
        displayName: 'Ada Makes Videos',
        accountType: 'channel',
        tokens,
      },
    ]);
  });

  it('works against a base URL with a path prefix', async () => {
    server.use(
      okToken(TOKEN_RESPONSE, PREFIXED.tokenUrl),
      okChannels('http://127.0.0.1:9000/fake-google/youtube/v3/channels'),
    );
    const { accounts } = await exchange(PREFIXED);
    expect(accounts[0]?.remoteAccountId).toBe('UC_x5XG1OV2P6uZZ5FSM9Ttw');
    expect(calls.map((call) => call.url.pathname)).toEqual([
      '/fake-google/token',
      '/fake-google/youtube/v3/channels',
    ]);
  });

  it('accepts comma-separated scopes and falls back to the requested ones', async () => {
    server.use(okToken({ ...TOKEN_RESPONSE, scope: SCOPES.join(',') }), okChannels());
    expect((await exchange()).tokens.scopes).toEqual(SCOPES);
    const { scope: _scope, ...withoutScope } = TOKEN_RESPONSE;
    server.use(okToken(withoutScope));
    expect((await exchange()).tokens.scopes).toEqual(SCOPES);
  });

  it('throws AccountNotEligibleError when the account has no channel', async () => {
    server.use(
      okToken(),
      okChannels(CHANNELS, {
        kind: 'youtube#channelListResponse',
        etag: 'etag-3',
        pageInfo: { totalResults: 0, resultsPerPage: 5 },
      }),
    );
    const error = await exchange().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AccountNotEligibleError);
    expect((error as AccountNotEligibleError).platform).toBe('youtube');
  });

  it('treats an empty items list as no channel too', async () => {
    server.use(okToken(), okChannels(CHANNELS, { ...CHANNELS_RESPONSE, items: [] }));
    await expect(exchange()).rejects.toBeInstanceOf(AccountNotEligibleError);
  });

  it('treats a 200 without access_token as permanent', async () => {
    server.use(okToken({ expires_in: 3599, token_type: 'Bearer' }));
    const error = await failure(exchange());
    expect(error.classification.kind).toBe('permanent');
    expect(error.providerCode).toBe('missing_access_token');
  });

  it('turns a network failure into retry', async () => {
    server.use(
      okToken(),
      http.get(CHANNELS, () => HttpResponse.error()),
    );
    const error = await failure(exchange());
    expect(error.classification.kind).toBe('retry');
  });

  it('classifies invalid_grant at the exchange as reconnect', async () => {
    server.use(
      http.post(ENDPOINTS.tokenUrl, () =>
        HttpResponse.json({ error: 'invalid_grant', error_description: 'Bad Request' }, { status: 400 }),
      ),
    );
    const error = await failure(exchange());
    expect(error.classification.kind).toBe('reconnect');
  });
});

describe('YouTube API errors', () => {
  const googleError = (code: number, reason: string, message: string, domain = 'global') => ({
    error: { code, message, errors: [{ message, domain, reason }] },
  });
  const cases: Array<{ status: number; reason: string; domain?: string; kind: ErrorClass['kind'] }> = [
    { status: 401, reason: 'authError', kind: 'reconnect' },
    { status: 403, reason: 'quotaExceeded', domain: 'youtube.quota', kind: 'retry' },
    { status: 403, reason: 'rateLimitExceeded', domain: 'usageLimits', kind: 'retry' },
    { status: 403, reason: 'userRateLimitExceeded', domain: 'usageLimits', kind: 'retry' },
    { status: 400, reason: 'uploadLimitExceeded', domain: 'youtube.video', kind: 'retry' },
    { status: 500, reason: 'backendError', kind: 'retry' },
    { status: 503, reason: 'backendError', kind: 'retry' },
    { status: 400, reason: 'invalidTitle', domain: 'youtube.video', kind: 'permanent' },
    { status: 400, reason: 'invalidDescription', domain: 'youtube.video', kind: 'permanent' },
    { status: 400, reason: 'invalidTags', domain: 'youtube.video', kind: 'permanent' },
    { status: 400, reason: 'mediaBodyRequired', domain: 'youtube.video', kind: 'permanent' },
    { status: 401, reason: 'youtubeSignupRequired', domain: 'youtube.header', kind: 'permanent' },
    { status: 403, reason: 'forbidden', domain: 'youtube.channel', kind: 'permanent' },
  ];

  for (const { status, reason, domain, kind } of cases) {
    it(`classifies ${status} ${reason} as ${kind}`, async () => {
      server.use(
        okToken(),
        http.get(CHANNELS, () =>
          HttpResponse.json(googleError(status, reason, `${reason} happened`, domain), { status }),
        ),
      );
      const error = await failure(exchange());
      expect(error.classification.kind).toBe(kind);
      expect(error.status).toBe(status);
      expect(error.providerCode).toBe(reason);
    });
  }

  it('hints a retry at midnight Pacific for quotaExceeded', async () => {
    server.use(
      okToken(),
      http.get(CHANNELS, () =>
        HttpResponse.json(googleError(403, 'quotaExceeded', 'quota', 'youtube.quota'), { status: 403 }),
      ),
    );
    const error = await failure(exchange());
    expect(error.classification).toMatchObject({ kind: 'retry', retryAfterMs: 20 * 3600_000 });
  });

  it('computes the Pacific midnight across daylight saving time', () => {
    expect(msUntilPacificMidnight(new Date('2026-07-01T06:00:00.000Z'))).toBe(3600_000); // 23:00 PDT
    expect(msUntilPacificMidnight(new Date('2026-07-01T07:30:00.000Z'))).toBe(23.5 * 3600_000); // 00:30 PDT
  });
});

describe('YouTube refresh', () => {
  const current: TokenSet = {
    accessToken: 'ya29.yt-access-token-AAA',
    refreshToken: '1//yt-refresh-token-R1',
    expiresAt: at(-60),
    scopes: SCOPES,
  };

  it('posts grant_type=refresh_token with client credentials and keeps the old refresh token', async () => {
    server.use(
      okToken({
        access_token: 'ya29.yt-access-token-BBB',
        expires_in: 3599,
        scope: SCOPES.join(' '),
        token_type: 'Bearer',
      }),
    );
    const tokens = await adapter().refresh!({ client: CLIENT, tokens: current });
    expect(Object.fromEntries(calls[0]?.body ?? [])).toEqual({
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: '1//yt-refresh-token-R1',
    });
    expect(tokens).toEqual({
      accessToken: 'ya29.yt-access-token-BBB',
      refreshToken: '1//yt-refresh-token-R1',
      expiresAt: at(3599),
      scopes: SCOPES,
    });
  });

  it('takes a new refresh token when one comes back', async () => {
    server.use(
      okToken({
        ...TOKEN_RESPONSE,
        access_token: 'ya29.yt-access-token-CCC',
        refresh_token: '1//yt-refresh-token-R2',
      }),
    );
    const tokens = await adapter().refresh!({ client: CLIENT, tokens: current });
    expect(tokens.refreshToken).toBe('1//yt-refresh-token-R2');
  });

  it('classifies 400 invalid_grant as reconnect', async () => {
    server.use(
      http.post(ENDPOINTS.tokenUrl, () =>
        HttpResponse.json(
          { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
          { status: 400 },
        ),
      ),
    );
    const error = await failure(adapter().refresh!({ client: CLIENT, tokens: current }));
    expect(error.classification.kind).toBe('reconnect');
    expect(error.providerCode).toBe('invalid_grant');
  });

  it('classifies a transient failure as retry', async () => {
    server.use(
      http.post(ENDPOINTS.tokenUrl, () => HttpResponse.json({ error: 'internal_failure' }, { status: 503 })),
    );
    const error = await failure(adapter().refresh!({ client: CLIENT, tokens: current }));
    expect(error.classification.kind).toBe('retry');
  });

  it('classifies invalid_client as permanent', async () => {
    server.use(
      http.post(ENDPOINTS.tokenUrl, () =>
        HttpResponse.json(
          { error: 'invalid_client', error_description: 'The OAuth client was not found.' },
          { status: 401 },
        ),
      ),
    );
    const error = await failure(adapter().refresh!({ client: CLIENT, tokens: current }));
    expect(error.classification.kind).toBe('permanent');
  });
});

describe('YouTube revoke', () => {
  const current: TokenSet = {
    accessToken: 'ya29.yt-access-token-AAA',
    refreshToken: '1//yt-refresh-token-R1',
    scopes: SCOPES,
  };

  it('posts the refresh token to the configured revoke URL', async () => {
    server.use(
      http.post(PREFIXED.extra.revokeUrl!, async ({ request }) => {
        await seen(request);
        return HttpResponse.json({});
      }),
    );
    await adapter(PREFIXED).revoke!({ client: CLIENT, tokens: current });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers.get('content-type')).toContain('application/x-www-form-urlencoded');
    expect(Object.fromEntries(calls[0]?.body ?? [])).toEqual({ token: '1//yt-refresh-token-R1' });
  });

  it('revokes the access token when there is no refresh token', async () => {
    server.use(
      http.post(ENDPOINTS.extra.revokeUrl!, async ({ request }) => {
        await seen(request);
        return HttpResponse.json({});
      }),
    );
    await adapter().revoke!({
      client: CLIENT,
      tokens: { accessToken: 'ya29.yt-access-token-AAA', scopes: SCOPES },
    });
    expect(Object.fromEntries(calls[0]?.body ?? [])).toEqual({ token: 'ya29.yt-access-token-AAA' });
  });

  it('treats an already revoked token as done', async () => {
    server.use(
      http.post(ENDPOINTS.extra.revokeUrl!, () =>
        HttpResponse.json(
          { error: 'invalid_token', error_description: 'Token expired or revoked' },
          { status: 400 },
        ),
      ),
    );
    await expect(adapter().revoke!({ client: CLIENT, tokens: current })).resolves.toBeUndefined();
  });

  it('reports a transient failure as retry', async () => {
    server.use(http.post(ENDPOINTS.extra.revokeUrl!, () => new HttpResponse(null, { status: 503 })));
    const error = await failure(adapter().revoke!({ client: CLIENT, tokens: current }));
    expect(error.classification.kind).toBe('retry');
  });
});
