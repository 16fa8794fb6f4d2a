import type { Platform } from '@mypostshare/contract';
import {
  classifyStatus,
  expiresAt,
  form,
  joinUrl,
  type ProviderResponse,
  providerFetch,
  retryAfterMs,
} from '../http.js';
import {
  type Grant,
  grantedScopes,
  isOk,
  type Json,
  noRefreshTokenError,
  record,
  safeDetail,
  str,
  tokenRefusedMessage,
  tokenResponseBody,
  withQuery,
} from '../oauth-helpers.js';
import {
  type AdapterContext,
  type ClientCredentials,
  type ErrorClass,
  type LinkableAccount,
  type ProviderAdapter,
  ProviderError,
  type TokenSet,
} from '../types.js';

const PLATFORM: Platform = 'twitter';

/** Read and write posts, read the user, keep a refresh token, upload media. */
export const TWITTER_SCOPES: readonly string[] = [
  'tweet.read',
  'tweet.write',
  'users.read',
  'offline.access',
  'media.write',
];

/** Confidential-client authentication: `Basic base64(client_id:client_secret)`. */
const basicAuth = (client: ClientCredentials) =>
  `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;

/** Milliseconds until `x-rate-limit-reset` (epoch seconds), else `Retry-After`, if either is present. */
function rateLimitWait(headers: Headers, now: Date): number | undefined {
  const reset = Number(headers.get('x-rate-limit-reset') ?? Number.NaN);
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now.getTime());
  return retryAfterMs(headers, now);
}

const retry = (message: string, waitMs: number | undefined): ErrorClass =>
  waitMs === undefined ? { kind: 'retry', message } : { kind: 'retry', message, retryAfterMs: waitMs };

/** Errors of the OAuth token and revoke endpoints: `{error, error_description}`. */
function tokenError(response: ProviderResponse, grant: Grant, now: Date, secrets: Array<string | undefined>) {
  const body = record(response.json);
  const code = str(body?.error);
  const detail = safeDetail(body?.error_description ?? body?.detail, secrets);
  const message = tokenRefusedMessage(grant, response.status, code, detail);
  let classification: ErrorClass;
  if (code === 'invalid_grant' || (grant === 'refresh_token' && code === 'invalid_request')) {
    // X answers a dead (used, revoked or rotated-away) refresh token with invalid_request.
    classification = { kind: 'reconnect', message };
  } else if (code === 'invalid_client' || code === 'unauthorized_client') {
    // Our OAuth client is refused: reconnecting the user would not help.
    classification = { kind: 'permanent', message };
  } else if (response.status === 429) {
    classification = retry(message, rateLimitWait(response.headers, now));
  } else {
    classification = classifyStatus(response.status, message, retryAfterMs(response.headers, now));
  }
  return new ProviderError(PLATFORM, classification, response.status, code);
}

/** Errors of the X API v2: problem JSON `{title, detail, type, status}` (or `{errors:[…]}`). */
export function classifyTwitterError(
  response: ProviderResponse,
  now: Date,
  secrets: Array<string | undefined> = [],
): ProviderError {
  const body = record(response.json);
  const type = str(body?.type);
  const title = str(body?.title);
  const first = record(Array.isArray(body?.errors) ? body.errors[0] : undefined);
  const typeCode = type && type !== 'about:blank' ? type.replace(/^.*\//, '') : undefined;
  const providerCode = typeCode ?? title ?? (first?.code !== undefined ? String(first.code) : undefined);
  const detail = safeDetail(body?.detail ?? first?.message ?? first?.detail, secrets);
  const message = `X API answered ${response.status}${providerCode ? ` (${providerCode})` : ''}${detail ? `: ${detail}` : ''}`;
  let classification: ErrorClass;
  if (typeCode === 'usage-capped' || title === 'UsageCapExceeded') {
    // The app's usage cap: comes back when the period resets.
    classification = retry(message, rateLimitWait(response.headers, now));
  } else if (response.status === 401) {
    // Callers refresh once before treating the grant as dead; here it is the grant that failed.
    classification = { kind: 'reconnect', message };
  } else if (response.status === 403) {
    // Duplicate content, forbidden action, suspended or restricted account.
    classification = { kind: 'permanent', message };
  } else if (response.status === 429) {
    classification = retry(message, rateLimitWait(response.headers, now));
  } else {
    classification = classifyStatus(response.status, message, retryAfterMs(response.headers, now));
  }
  return new ProviderError(PLATFORM, classification, response.status, providerCode);
}

/**
 * X's account-linking half (docs/providers.md, X): PKCE S256 required, confidential-client Basic
 * authentication on the token and revoke endpoints, identity from `/2/users/me`. Refresh tokens
 * rotate: `refresh` returns the new pair (keeping the old refresh token only if none came back).
 */
export function createTwitterAdapter(ctx: AdapterContext): ProviderAdapter {
  const { endpoints } = ctx;
  const call = (url: string, init: RequestInit) => providerFetch(PLATFORM, url, init, ctx.fetch ?? fetch);

  const formRequest = (url: string, client: ClientCredentials, fields: Record<string, string>) =>
    call(url, {
      method: 'POST',
      headers: {
        Authorization: basicAuth(client),
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: form(fields),
    });

  async function tokenRequest(
    client: ClientCredentials,
    fields: Record<string, string>,
    grant: Grant,
    secrets: Array<string | undefined>,
  ): Promise<Json> {
    const response = await formRequest(endpoints.tokenUrl, client, fields);
    if (!isOk(response)) throw tokenError(response, grant, ctx.now(), secrets);
    return tokenResponseBody(PLATFORM, response);
  }

  function toTokenSet(body: Json, fallbackScopes: readonly string[], previous?: TokenSet): TokenSet {
    const now = ctx.now();
    const rotated = str(body.refresh_token);
    return {
      accessToken: body.access_token as string,
      refreshToken: rotated ?? previous?.refreshToken,
      expiresAt: expiresAt(now, body.expires_in),
      refreshExpiresAt: rotated ? undefined : previous?.refreshExpiresAt,
      scopes: grantedScopes(body.scope, fallbackScopes),
    };
  }

  async function identity(tokens: TokenSet, secrets: Array<string | undefined>): Promise<LinkableAccount> {
    const response = await call(joinUrl(endpoints.apiUrl, '/2/users/me'), {
      method: 'GET',
      headers: { Authorization: `Bearer ${tokens.accessToken}`, Accept: 'application/json' },
    });
    if (!isOk(response)) throw classifyTwitterError(response, ctx.now(), secrets);
    const user = record(record(response.json)?.data);
    const id = str(user?.id);
    if (!user || !id) {
      throw new ProviderError(
        PLATFORM,
        { kind: 'permanent', message: 'users/me answered without a user id' },
        response.status,
        'missing_user',
      );
    }
    return {
      remoteAccountId: id,
      remoteUsername: str(user.username) ?? null,
      displayName: str(user.name) ?? null,
      accountType: 'person',
      tokens,
    };
  }

  return {
    platform: PLATFORM,
    pkce: true,
    scopes: [...TWITTER_SCOPES],

    authorizeUrl({ client, redirectUri, state, codeChallenge }) {
      if (!codeChallenge) throw new TypeError('X requires a PKCE code challenge');
      return withQuery(endpoints.authorizeUrl, {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: redirectUri,
        scope: TWITTER_SCOPES.join(' '),
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      });
    },

    async exchangeCode({ client, redirectUri, code, codeVerifier }) {
      // The code lives 30 seconds: this runs straight from the callback, with no retry loop.
      const secrets = [code, codeVerifier, client.clientSecret];
      const body = await tokenRequest(
        client,
        { code, grant_type: 'authorization_code', redirect_uri: redirectUri, code_verifier: codeVerifier },
        'authorization_code',
        secrets,
      );
      const tokens = toTokenSet(body, TWITTER_SCOPES);
      const account = await identity(tokens, [...secrets, tokens.accessToken, tokens.refreshToken]);
      return { tokens, accounts: [account] };
    },

    async refresh({ client, tokens }) {
      if (!tokens.refreshToken) throw noRefreshTokenError(PLATFORM);
      const body = await tokenRequest(
        client,
        { grant_type: 'refresh_token', refresh_token: tokens.refreshToken },
        'refresh_token',
        [tokens.refreshToken, tokens.accessToken, client.clientSecret],
      );
      return toTokenSet(body, tokens.scopes.length > 0 ? tokens.scopes : TWITTER_SCOPES, tokens);
    },

    async revoke({ client, tokens }) {
      // Revoke the refresh token (the grant) and the access token; report the first failure.
      const targets: Array<[string, string]> = [];
      if (tokens.refreshToken) targets.push([tokens.refreshToken, 'refresh_token']);
      targets.push([tokens.accessToken, 'access_token']);
      const secrets = [tokens.refreshToken, tokens.accessToken, client.clientSecret];
      let failure: ProviderError | undefined;
      for (const [token, hint] of targets) {
        try {
          const response = await formRequest(joinUrl(endpoints.apiUrl, '/2/oauth2/revoke'), client, {
            token,
            token_type_hint: hint,
          });
          if (!isOk(response)) throw tokenError(response, 'revoke', ctx.now(), secrets);
        } catch (error) {
          if (!(error instanceof ProviderError)) throw error;
          failure ??= error;
        }
      }
      if (failure) throw failure;
    },
  };
}
