import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small local stand-in for LinkedIn's and X's OAuth endpoints, for tests where a real browser
 * must navigate to the provider. It follows docs/providers.md's shapes: the authorize page
 * redirects back with `code` and `state`; the token endpoints check what a real provider checks
 * (client authentication, redirect_uri, PKCE for X, single-use codes); identity endpoints answer
 * as the real ones do. Every request is recorded for assertions.
 *
 * It also publishes: LinkedIn's `POST /rest/posts` and X's `POST /2/tweets`. A post is created (and
 * recorded in `published`) the moment the request arrives, as a real provider would even if the
 * caller then dies; the answer comes `publishDelayMs` later.
 */
export interface FakeProvider {
  url: string;
  requests: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders; body: string }>;
  /** Issued access tokens, so tests can check none of them leaks. */
  issuedTokens: string[];
  /** Every post created, in arrival order; `text` is LinkedIn's `commentary` (escaped) or X's `text`. */
  published: FakePublishedPost[];
  /** How long the publish endpoints wait before answering (the post already exists). Default 0. */
  publishDelayMs: number;
  close(): Promise<void>;
}

export interface FakePublishedPost {
  provider: 'linkedin' | 'twitter';
  text: string;
  /** `urn:li:share:<n>` for LinkedIn, a numeric string for X. */
  id: string;
  /** When the create request arrived (ms since the epoch). */
  at: number;
}

interface PendingCode {
  provider: 'linkedin' | 'twitter';
  clientId: string;
  redirectUri: string;
  codeChallenge?: string;
}

export async function startFakeProvider(clients: {
  linkedin: { clientId: string; clientSecret: string };
  twitter: { clientId: string; clientSecret: string };
}): Promise<FakeProvider> {
  const codes = new Map<string, PendingCode>();
  const tokens = new Map<string, 'linkedin' | 'twitter'>();
  const requests: FakeProvider['requests'] = [];
  const issuedTokens: string[] = [];
  const published: FakePublishedPost[] = [];
  let postSeq = 0;
  const fake = { publishDelayMs: 0 };

  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(value));
    };

    // Authorize pages: a button that approves, as the person would on the provider's site.
    if (
      req.method === 'GET' &&
      (url.pathname === '/linkedin/oauth/v2/authorization' || url.pathname === '/x/i/oauth2/authorize')
    ) {
      const provider = url.pathname.startsWith('/linkedin') ? 'linkedin' : 'twitter';
      const clientId = url.searchParams.get('client_id') ?? '';
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      const state = url.searchParams.get('state') ?? '';
      if (clientId !== clients[provider].clientId || !redirectUri || !state)
        return json(400, { error: 'invalid_request' });
      if (provider === 'twitter' && url.searchParams.get('code_challenge_method') !== 'S256') {
        return json(400, { error: 'invalid_request', error_description: 'PKCE required' });
      }
      const code = `code_${randomBytes(12).toString('hex')}`;
      codes.set(code, {
        provider,
        clientId,
        redirectUri,
        ...(url.searchParams.get('code_challenge')
          ? { codeChallenge: url.searchParams.get('code_challenge')! }
          : {}),
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', state);
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><title>Fake ${provider}</title><h1>Fake ${provider} sign-in</h1>
<a id="authorize" href="${back.toString().replaceAll('&', '&amp;')}">Authorize</a>`);
      return;
    }

    if (
      req.method === 'POST' &&
      (url.pathname === '/linkedin/oauth/v2/accessToken' || url.pathname === '/x/2/oauth2/token')
    ) {
      const provider = url.pathname.startsWith('/linkedin') ? 'linkedin' : 'twitter';
      const form = new URLSearchParams(body);
      const expected = clients[provider];
      if (provider === 'linkedin') {
        if (
          form.get('client_id') !== expected.clientId ||
          form.get('client_secret') !== expected.clientSecret
        ) {
          return json(401, { error: 'invalid_client' });
        }
      } else {
        const basic = `Basic ${Buffer.from(`${expected.clientId}:${expected.clientSecret}`).toString('base64')}`;
        if (req.headers.authorization !== basic) return json(401, { error: 'invalid_client' });
      }
      const code = form.get('code') ?? '';
      const pending = codes.get(code);
      codes.delete(code);
      if (!pending || pending.provider !== provider || pending.redirectUri !== form.get('redirect_uri')) {
        return json(400, { error: 'invalid_grant' });
      }
      if (provider === 'twitter') {
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (challenge !== pending.codeChallenge)
          return json(400, { error: 'invalid_grant', error_description: 'PKCE' });
      }
      const accessToken = `${provider}_at_${randomBytes(16).toString('hex')}`;
      tokens.set(accessToken, provider);
      issuedTokens.push(accessToken);
      if (provider === 'linkedin') {
        return json(200, {
          access_token: accessToken,
          expires_in: 5_184_000,
          scope: 'openid,profile,email,w_member_social',
        });
      }
      const refreshToken = `twitter_rt_${randomBytes(16).toString('hex')}`;
      issuedTokens.push(refreshToken);
      return json(200, {
        token_type: 'bearer',
        access_token: accessToken,
        refresh_token: refreshToken,
        expires_in: 7200,
        scope: 'tweet.read tweet.write users.read offline.access media.write',
      });
    }

    const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (req.method === 'GET' && url.pathname === '/linkedin-api/v2/userinfo') {
      if (tokens.get(bearer) !== 'linkedin')
        return json(401, {
          status: 401,
          serviceErrorCode: 65600,
          code: 'INVALID_ACCESS_TOKEN',
          message: 'Invalid access token',
        });
      return json(200, {
        sub: 'H8a9UFibz4',
        name: 'Alex Morgan',
        given_name: 'Alex',
        family_name: 'Morgan',
        email: 'alex@example.com',
      });
    }
    if (req.method === 'GET' && url.pathname === '/x-api/2/users/me') {
      if (tokens.get(bearer) !== 'twitter')
        return json(401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
      return json(200, { data: { id: '2244994945', name: 'Alex Morgan', username: 'alexmorgan' } });
    }
    if (req.method === 'POST' && url.pathname === '/linkedin-api/rest/posts') {
      if (tokens.get(bearer) !== 'linkedin')
        return json(401, {
          status: 401,
          serviceErrorCode: 65600,
          code: 'INVALID_ACCESS_TOKEN',
          message: 'Invalid access token',
        });
      const commentary = parseJson(body)?.commentary;
      if (typeof commentary !== 'string')
        return json(422, { status: 422, code: 'UNPROCESSABLE_ENTITY', message: 'commentary is required' });
      const id = `urn:li:share:${7_100_000_000_000_000_000n + BigInt(++postSeq)}`;
      published.push({ provider: 'linkedin', text: commentary, id, at: Date.now() });
      await sleep(fake.publishDelayMs);
      if (res.destroyed) return; // the caller went away; the post exists all the same
      res.writeHead(201, { 'x-restli-id': id });
      res.end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/x-api/2/tweets') {
      if (tokens.get(bearer) !== 'twitter')
        return json(401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
      const text = parseJson(body)?.text;
      if (typeof text !== 'string')
        return json(400, { title: 'Invalid Request', status: 400, detail: 'text is required' });
      const id = String(1_890_000_000_000_000_000n + BigInt(++postSeq));
      published.push({ provider: 'twitter', text, id, at: Date.now() });
      await sleep(fake.publishDelayMs);
      if (res.destroyed) return;
      return json(201, { data: { id, text } });
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    url,
    requests,
    issuedTokens,
    published,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

const sleep = (ms: number) =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Environment pointing the server's LinkedIn and X adapters at the fake provider. */
export const fakeProviderEnv = (fakeUrl: string): Record<string, string> => ({
  MYPOSTSHARE_LINKEDIN_AUTHORIZE_URL: `${fakeUrl}/linkedin/oauth/v2/authorization`,
  MYPOSTSHARE_LINKEDIN_TOKEN_URL: `${fakeUrl}/linkedin/oauth/v2/accessToken`,
  MYPOSTSHARE_LINKEDIN_API_URL: `${fakeUrl}/linkedin-api`,
  MYPOSTSHARE_TWITTER_AUTHORIZE_URL: `${fakeUrl}/x/i/oauth2/authorize`,
  MYPOSTSHARE_TWITTER_TOKEN_URL: `${fakeUrl}/x/2/oauth2/token`,
  MYPOSTSHARE_TWITTER_API_URL: `${fakeUrl}/x-api`,
});
