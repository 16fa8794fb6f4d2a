import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POSTING_TOO_FAST_COOL_OFF_MS } from '../graph-errors.js';
import { AccountNotEligibleError, type ProviderEndpoints, ProviderError } from '../types.js';
import { createFacebookAdapter, FACEBOOK_MAX_ACCOUNT_PAGES, FACEBOOK_SCOPES } from './adapter.js';

const NOW = new Date('2026-10-01T12:00:00Z');
const client = { clientId: '1234567890', clientSecret: 'fb-app-secret-0123456789abcdef' };
const REDIRECT = 'https://mps.example.com/connect/callback';
const CODE = 'AQDfbcodeXYZ-very-long-authorization-code_0123456789';
const VERIFIER = 'v'.repeat(43);
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const SHORT_TOKEN = 'EAAshortlived000000000000000000';
const LONG_TOKEN = 'EAAlonglived1111111111111111111';
const USER_ID = '10158000000000001';

const realEndpoints: ProviderEndpoints = {
  authorizeUrl: 'https://www.facebook.com/v26.0/dialog/oauth',
  tokenUrl: 'https://graph.facebook.com/v26.0/oauth/access_token',
  apiUrl: 'https://graph.facebook.com',
  extra: { graphVersion: 'v26.0' },
};

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const adapterFor = (endpoints: ProviderEndpoints = realEndpoints) =>
  createFacebookAdapter({ endpoints, now: () => NOW });

const graphError = (status: number, code: number, subcode?: number, headers?: Record<string, string>) =>
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
    { status, ...(headers ? { headers } : {}) },
  );

interface Recorded {
  method: string;
  url: URL;
}

const page = (n: number) => ({
  access_token: `EAApage${n}token000000000000000`,
  category: 'Local business',
  category_list: [{ id: '2500', name: 'Local business' }],
  name: `Page ${n}`,
  id: `10000000000000${n}`,
  tasks: ['ANALYZE', 'ADVERTISE', 'MODERATE', 'CREATE_CONTENT', 'MANAGE'],
});

/**
 * A Facebook that behaves like the real one (docs/providers.md): the code and the long-lived exchange
 * share `/v{N}/oauth/access_token`, told apart by `grant_type`; `/me/accounts` answers pages of
 * results whose `paging.next` points at `/{user-id}/accounts` with the token and an `after` cursor.
 */
function fakeFacebook(
  options: { base?: string; version?: string; tokenUrl?: string; pages?: unknown[][] } = {},
) {
  const base = options.base ?? 'https://graph.facebook.com';
  const version = options.version ?? 'v26.0';
  const tokenUrl = options.tokenUrl ?? `${base}/${version}/oauth/access_token`;
  const pages = options.pages ?? [[page(1), page(2)], [page(3)]];
  const requests: Recorded[] = [];
  const record = (request: Request) => {
    const entry = { method: request.method, url: new URL(request.url) };
    requests.push(entry);
    return entry.url;
  };

  const accounts = (url: URL) => {
    if (url.searchParams.get('access_token') !== LONG_TOKEN) return graphError(400, 190);
    const index = Number(url.searchParams.get('after')?.replace('cursor', '') ?? 0);
    const data = pages[index] ?? [];
    const paging: Record<string, unknown> = {
      cursors: { before: `cursor${index}b`, after: `cursor${index + 1}` },
    };
    if (index + 1 < pages.length) {
      const next = new URL(`${base}/${version}/${USER_ID}/accounts`);
      next.searchParams.set('access_token', LONG_TOKEN);
      next.searchParams.set('fields', 'id,name,access_token,tasks');
      next.searchParams.set('limit', '25');
      next.searchParams.set('after', `cursor${index + 1}`);
      paging.next = next.toString();
    }
    return HttpResponse.json({ data, paging });
  };

  const handlers = [
    http.get(tokenUrl, ({ request }) => {
      const url = record(request);
      const q = url.searchParams;
      if (q.get('grant_type') === 'fb_exchange_token') {
        if (q.get('client_id') !== client.clientId || q.get('client_secret') !== client.clientSecret) {
          return graphError(400, 1, undefined);
        }
        if (q.get('fb_exchange_token') !== SHORT_TOKEN) return graphError(400, 190);
        return HttpResponse.json({ access_token: LONG_TOKEN, token_type: 'bearer', expires_in: 5_183_944 });
      }
      if (q.get('client_id') !== client.clientId || q.get('client_secret') !== client.clientSecret) {
        return graphError(400, 101);
      }
      if (q.get('redirect_uri') !== REDIRECT) return graphError(400, 100, 36008);
      if (q.get('code') !== CODE) return graphError(400, 100, 36009);
      return HttpResponse.json({ access_token: SHORT_TOKEN, token_type: 'bearer', expires_in: 5183 });
    }),
    http.get(`${base}/${version}/me/accounts`, ({ request }) => accounts(record(request))),
    http.get(`${base}/${version}/:node/accounts`, ({ request }) => accounts(record(request))),
  ];
  // When the code and the exchange endpoints differ (a configured token URL), serve the exchange too.
  if (tokenUrl !== `${base}/${version}/oauth/access_token`) {
    handlers.push(
      http.get(`${base}/${version}/oauth/access_token`, ({ request }) => {
        record(request);
        return HttpResponse.json({ access_token: LONG_TOKEN, token_type: 'bearer', expires_in: 5_183_944 });
      }),
    );
  }
  server.use(...handlers);
  return requests;
}

const exchange = (adapter = adapterFor()) =>
  adapter.exchangeCode({ client, redirectUri: REDIRECT, code: CODE, codeVerifier: VERIFIER });

const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const providerError = error as ProviderError;
  for (const secret of [client.clientSecret, CODE, VERIFIER, SHORT_TOKEN, LONG_TOKEN]) {
    expect(providerError.message).not.toContain(secret);
  }
  return providerError;
};

describe('facebook authorizeUrl', () => {
  it('asks the dialog for the page scopes, comma-separated, with state and an S256 challenge', () => {
    const adapter = adapterFor();
    expect(adapter.platform).toBe('facebook');
    expect(adapter.pkce).toBe(true);
    expect(adapter.scopes).toEqual(FACEBOOK_SCOPES);
    const url = new URL(
      adapter.authorizeUrl({ client, redirectUri: REDIRECT, state: 'st4te', codeChallenge: CHALLENGE }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://www.facebook.com/v26.0/dialog/oauth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      state: 'st4te',
      response_type: 'code',
      scope: 'pages_show_list,pages_manage_posts,pages_read_engagement',
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
    });
  });
});

describe('facebook exchangeCode', () => {
  it('exchanges the code, goes long-lived at once and lists every page across paging.next', async () => {
    const requests = fakeFacebook();
    const result = await exchange();

    expect(requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      'GET /v26.0/oauth/access_token',
      'GET /v26.0/oauth/access_token',
      'GET /v26.0/me/accounts',
      `GET /v26.0/${USER_ID}/accounts`,
    ]);
    const [code, longLived, first, second] = requests.map((r) => Object.fromEntries(r.url.searchParams));
    expect(code).toEqual({
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      client_secret: client.clientSecret,
      code: CODE,
      code_verifier: VERIFIER,
    });
    expect(longLived).toEqual({
      grant_type: 'fb_exchange_token',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      fb_exchange_token: SHORT_TOKEN,
    });
    expect(first).toEqual({ fields: 'id,name,access_token,tasks', access_token: LONG_TOKEN });
    expect(second).toMatchObject({ access_token: LONG_TOKEN, after: 'cursor1' });

    expect(result.tokens).toEqual({
      accessToken: LONG_TOKEN,
      expiresAt: new Date(NOW.getTime() + 5_183_944_000),
      scopes: FACEBOOK_SCOPES,
    });
    // What the hosted picker shows: three pages, each with its own non-expiring page token.
    expect(result.accounts).toEqual(
      [1, 2, 3].map((n) => ({
        remoteAccountId: `10000000000000${n}`,
        remoteUsername: `Page ${n}`,
        displayName: `Page ${n}`,
        accountType: 'page',
        tokens: { accessToken: `EAApage${n}token000000000000000`, scopes: FACEBOOK_SCOPES },
      })),
    );
    for (const account of result.accounts) expect(account.tokens.expiresAt).toBeUndefined();
  });

  it('refuses a login that manages no pages', async () => {
    fakeFacebook({ pages: [[]] });
    const error = await exchange().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(AccountNotEligibleError);
    expect((error as AccountNotEligibleError).platform).toBe('facebook');
  });

  it('skips pages listed without a page token and duplicates', async () => {
    fakeFacebook({
      pages: [
        [page(1), { ...page(2), access_token: undefined }],
        [page(1), page(3)],
      ],
    });
    const { accounts } = await exchange();
    expect(accounts.map((a) => a.remoteAccountId)).toEqual(['100000000000001', '100000000000003']);
  });

  it('works against a base URL with a path prefix and another Graph version', async () => {
    const base = 'http://127.0.0.1:9000/fake-graph';
    const requests = fakeFacebook({ base, version: 'v25.0' });
    const adapter = adapterFor({
      authorizeUrl: `${base}/v25.0/dialog/oauth`,
      tokenUrl: `${base}/v25.0/oauth/access_token`,
      apiUrl: `${base}/`,
      extra: { graphVersion: 'v25.0' },
    });
    const result = await exchange(adapter);
    expect(result.accounts).toHaveLength(3);
    expect(requests.map((r) => r.url.pathname)).toEqual([
      '/fake-graph/v25.0/oauth/access_token',
      '/fake-graph/v25.0/oauth/access_token',
      '/fake-graph/v25.0/me/accounts',
      `/fake-graph/v25.0/${USER_ID}/accounts`,
    ]);
    expect(
      adapter.authorizeUrl({ client, redirectUri: REDIRECT, state: 's', codeChallenge: CHALLENGE }),
    ).toMatch(/^http:\/\/127\.0\.0\.1:9000\/fake-graph\/v25\.0\/dialog\/oauth\?/);
  });

  it('stops following paging.next after the cap', async () => {
    const endless = Array.from({ length: FACEBOOK_MAX_ACCOUNT_PAGES + 5 }, (_, i) => [page(i)]);
    const requests = fakeFacebook({ pages: endless });
    const { accounts } = await exchange();
    expect(requests.filter((r) => r.url.pathname.endsWith('/accounts'))).toHaveLength(
      FACEBOOK_MAX_ACCOUNT_PAGES,
    );
    expect(accounts).toHaveLength(FACEBOOK_MAX_ACCOUNT_PAGES);
  });

  it('never sends the token to a paging.next on another host: it follows the cursor instead', async () => {
    const requests: URL[] = [];
    fakeFacebook();
    server.use(
      http.get('https://graph.facebook.com/v26.0/me/accounts', ({ request }) => {
        const url = new URL(request.url);
        requests.push(url);
        if (url.searchParams.get('after') === 'c2') return HttpResponse.json({ data: [page(3)], paging: {} });
        return HttpResponse.json({
          data: [page(1)],
          paging: { cursors: { after: 'c2' }, next: 'https://elsewhere.example/v26.0/1/accounts?after=c2' },
        });
      }),
    );
    const { accounts } = await exchange();
    expect(accounts.map((a) => a.displayName)).toEqual(['Page 1', 'Page 3']);
    expect(requests.map((u) => u.hostname)).toEqual(['graph.facebook.com', 'graph.facebook.com']);
  });

  it('classifies a used or expired code as permanent, without leaking it', async () => {
    fakeFacebook();
    const error = await rejection(
      adapterFor().exchangeCode({
        client,
        redirectUri: REDIRECT,
        code: 'other-code',
        codeVerifier: VERIFIER,
      }),
    );
    expect(error.classification.kind).toBe('permanent');
    expect(error.providerCode).toBe('100/36009');
    expect(error.status).toBe(400);
  });

  it('classifies a dead user token on /me/accounts as reconnect', async () => {
    fakeFacebook();
    server.use(http.get('https://graph.facebook.com/v26.0/me/accounts', () => graphError(400, 190, 460)));
    const error = await rejection(exchange());
    expect(error.classification.kind).toBe('reconnect');
    expect(error.providerCode).toBe('190/460');
  });

  it('classifies a business use-case limit as retry with the header hint', async () => {
    fakeFacebook();
    const usage = JSON.stringify({
      [USER_ID]: [
        {
          type: 'pages',
          call_count: 100,
          total_cputime: 10,
          total_time: 10,
          estimated_time_to_regain_access: 7,
        },
      ],
    });
    server.use(
      http.get('https://graph.facebook.com/v26.0/me/accounts', () =>
        graphError(400, 80001, undefined, { 'X-Business-Use-Case-Usage': usage }),
      ),
    );
    const error = await rejection(exchange());
    expect(error.classification).toMatchObject({ kind: 'retry', retryAfterMs: 7 * 60_000 });
  });

  it('classifies "posting too fast" as a retry after a long cool-off', async () => {
    fakeFacebook();
    server.use(http.get('https://graph.facebook.com/v26.0/me/accounts', () => graphError(400, 368, 1390008)));
    const error = await rejection(exchange());
    expect(error.classification).toMatchObject({ kind: 'retry', retryAfterMs: POSTING_TOO_FAST_COOL_OFF_MS });
  });

  it('treats a 200 without an access token as a permanent failure', async () => {
    server.use(http.get(realEndpoints.tokenUrl, () => HttpResponse.json({ token_type: 'bearer' })));
    const error = await rejection(exchange());
    expect(error.classification.kind).toBe('permanent');
  });

  it('treats a network failure as retry', async () => {
    server.use(http.get(realEndpoints.tokenUrl, () => HttpResponse.error()));
    const error = await rejection(exchange());
    expect(error.classification.kind).toBe('retry');
  });

  it('treats a Graph 5xx as retry', async () => {
    fakeFacebook();
    server.use(http.get('https://graph.facebook.com/v26.0/me/accounts', () => graphError(500, 2)));
    const error = await rejection(exchange());
    expect(error.classification.kind).toBe('retry');
  });
});

describe('facebook token lifecycle', () => {
  it('has no refresh: page tokens do not expire', () => {
    expect(adapterFor().refresh).toBeUndefined();
  });

  it('revokes best effort with DELETE /me/permissions and the stored token', async () => {
    const seen: URL[] = [];
    server.use(
      http.delete('https://graph.facebook.com/v26.0/me/permissions', ({ request }) => {
        seen.push(new URL(request.url));
        return HttpResponse.json({ success: true });
      }),
    );
    const tokens = { accessToken: 'EAApage1token000000000000000', scopes: FACEBOOK_SCOPES };
    await adapterFor().revoke?.({ client, tokens });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.searchParams.get('access_token')).toBe(tokens.accessToken);
  });

  it('reports a refused revoke as a classified ProviderError', async () => {
    server.use(http.delete('https://graph.facebook.com/v26.0/me/permissions', () => graphError(400, 200)));
    const tokens = { accessToken: LONG_TOKEN, scopes: FACEBOOK_SCOPES };
    const error = await rejection(adapterFor().revoke!({ client, tokens }));
    expect(error.classification.kind).toBe('reconnect');
  });
});
