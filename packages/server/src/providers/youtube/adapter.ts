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
  clientFields,
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
  AccountNotEligibleError,
  type AdapterContext,
  type ErrorClass,
  type LinkableAccount,
  type ProviderAdapter,
  ProviderError,
  type TokenSet,
} from '../types.js';

const PLATFORM: Platform = 'youtube';

/** Upload videos and read the channel. */
export const YOUTUBE_SCOPES: readonly string[] = [
  'https://www.googleapis.com/auth/youtube.upload',
  'https://www.googleapis.com/auth/youtube.readonly',
];

/** Google's revocation endpoint, used when `endpoints.extra.revokeUrl` is not configured. */
export const DEFAULT_GOOGLE_REVOKE_URL = 'https://oauth2.googleapis.com/revoke';

/** Reasons that clear with time: quotas, rate limits, upload limits. */
const RETRY_REASONS = new Set([
  'quotaExceeded',
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'uploadLimitExceeded',
]);
/** Reasons that no retry will fix. */
const PERMANENT_REASONS = new Set([
  'invalidTitle',
  'invalidDescription',
  'invalidTags',
  'mediaBodyRequired',
  'youtubeSignupRequired',
]);

const PACIFIC_CLOCK = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  hourCycle: 'h23',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** Milliseconds until the next midnight in Pacific time, when the daily API quota resets. */
export function msUntilPacificMidnight(now: Date): number {
  const parts = PACIFIC_CLOCK.formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const elapsed =
    ((part('hour') * 60 + part('minute')) * 60 + part('second')) * 1000 + now.getUTCMilliseconds();
  return Math.max(1000, 86_400_000 - elapsed);
}

/** Errors of Google's OAuth token and revoke endpoints: `{error, error_description}`. */
function tokenError(response: ProviderResponse, grant: Grant, now: Date, secrets: Array<string | undefined>) {
  const body = record(response.json);
  // Token endpoints answer `error` as a string; guard against an API-style object.
  const code = str(body?.error) ?? str(record(body?.error)?.status);
  const detail = safeDetail(body?.error_description, secrets);
  const message = tokenRefusedMessage(grant, response.status, code, detail);
  let classification: ErrorClass;
  if (code === 'invalid_grant') {
    // The refresh token (or code) is expired or revoked: only the user can grant again.
    classification = { kind: 'reconnect', message };
  } else if (code === 'invalid_client' || code === 'unauthorized_client') {
    // Our OAuth client is refused: reconnecting the user would not help.
    classification = { kind: 'permanent', message };
  } else {
    classification = classifyStatus(response.status, message, retryAfterMs(response.headers, now));
  }
  return new ProviderError(PLATFORM, classification, response.status, code);
}

/** Errors of the YouTube Data API: `{"error":{code, message, errors:[{domain, reason, message}]}}`. */
export function classifyYouTubeError(
  response: ProviderResponse,
  now: Date,
  secrets: Array<string | undefined> = [],
): ProviderError {
  const error = record(record(response.json)?.error);
  const first = record(Array.isArray(error?.errors) ? error.errors[0] : undefined);
  const reason = str(first?.reason) ?? str(error?.status);
  const detail = safeDetail(error?.message ?? first?.message, secrets);
  const message = `YouTube API answered ${response.status}${reason ? ` (${reason})` : ''}${detail ? `: ${detail}` : ''}`;
  let classification: ErrorClass;
  if (reason === 'quotaExceeded') {
    classification = { kind: 'retry', message, retryAfterMs: msUntilPacificMidnight(now) };
  } else if (reason && RETRY_REASONS.has(reason)) {
    const wait = retryAfterMs(response.headers, now);
    classification =
      wait === undefined ? { kind: 'retry', message } : { kind: 'retry', message, retryAfterMs: wait };
  } else if (reason && PERMANENT_REASONS.has(reason)) {
    // Checked before the status: youtubeSignupRequired comes as a 401 but no new grant fixes it.
    classification = { kind: 'permanent', message };
  } else if (response.status === 401) {
    // Callers refresh once before treating the grant as dead; here it is the grant that failed.
    classification = { kind: 'reconnect', message };
  } else {
    classification = classifyStatus(response.status, message, retryAfterMs(response.headers, now));
  }
  return new ProviderError(PLATFORM, classification, response.status, reason);
}

/**
 * YouTube's account-linking half (docs/providers.md, YouTube): Google OAuth with PKCE S256, offline
 * access and forced consent (so a refresh token comes back), client credentials in the form body,
 * identity from `channels?mine=true`. A Google account without a channel is not eligible.
 */
export function createYouTubeAdapter(ctx: AdapterContext): ProviderAdapter {
  const { endpoints } = ctx;
  const call = (url: string, init: RequestInit) => providerFetch(PLATFORM, url, init, ctx.fetch ?? fetch);

  const formPost = (url: string, fields: Record<string, string>) =>
    call(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: form(fields),
    });

  async function tokenRequest(
    fields: Record<string, string>,
    grant: Grant,
    secrets: Array<string | undefined>,
  ): Promise<Json> {
    const response = await formPost(endpoints.tokenUrl, fields);
    if (!isOk(response)) throw tokenError(response, grant, ctx.now(), secrets);
    return tokenResponseBody(PLATFORM, response);
  }

  function toTokenSet(body: Json, fallbackScopes: readonly string[], previous?: TokenSet): TokenSet {
    const now = ctx.now();
    const issued = str(body.refresh_token);
    return {
      accessToken: body.access_token as string,
      // Google rarely returns a refresh token on refresh: keep the one we have.
      refreshToken: issued ?? previous?.refreshToken,
      expiresAt: expiresAt(now, body.expires_in),
      refreshExpiresAt:
        expiresAt(now, body.refresh_token_expires_in) ?? (issued ? undefined : previous?.refreshExpiresAt),
      scopes: grantedScopes(body.scope, fallbackScopes),
    };
  }

  async function identity(tokens: TokenSet, secrets: Array<string | undefined>): Promise<LinkableAccount> {
    const url = `${joinUrl(endpoints.apiUrl, '/youtube/v3/channels')}?part=snippet&mine=true`;
    const response = await call(url, {
      method: 'GET',
      headers: { Authorization: `Bearer ${tokens.accessToken}`, Accept: 'application/json' },
    });
    if (!isOk(response)) throw classifyYouTubeError(response, ctx.now(), secrets);
    const body = record(response.json);
    if (!body) {
      throw new ProviderError(
        PLATFORM,
        { kind: 'permanent', message: 'channels answered without a JSON body' },
        response.status,
        'invalid_response',
      );
    }
    const items = Array.isArray(body.items) ? body.items : [];
    const channel = record(items[0]);
    const id = str(channel?.id);
    if (!channel || !id) {
      throw new AccountNotEligibleError(PLATFORM, 'this Google account has no YouTube channel');
    }
    const snippet = record(channel.snippet);
    return {
      remoteAccountId: id,
      remoteUsername: str(snippet?.customUrl) ?? null,
      displayName: str(snippet?.title) ?? null,
      accountType: 'channel',
      tokens,
    };
  }

  return {
    platform: PLATFORM,
    pkce: true,
    scopes: [...YOUTUBE_SCOPES],

    authorizeUrl({ client, redirectUri, state, codeChallenge }) {
      return withQuery(endpoints.authorizeUrl, {
        client_id: client.clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: YOUTUBE_SCOPES.join(' '),
        state,
        access_type: 'offline',
        prompt: 'consent',
        include_granted_scopes: 'true',
        ...(codeChallenge ? { code_challenge: codeChallenge, code_challenge_method: 'S256' } : {}),
      });
    },

    async exchangeCode({ client, redirectUri, code, codeVerifier }) {
      const secrets = [code, codeVerifier, client.clientSecret];
      const body = await tokenRequest(
        {
          code,
          ...clientFields(client),
          redirect_uri: redirectUri,
          grant_type: 'authorization_code',
          ...(codeVerifier ? { code_verifier: codeVerifier } : {}),
        },
        'authorization_code',
        secrets,
      );
      const tokens = toTokenSet(body, YOUTUBE_SCOPES);
      const account = await identity(tokens, [...secrets, tokens.accessToken, tokens.refreshToken]);
      return { tokens, accounts: [account] };
    },

    async refresh({ client, tokens }) {
      if (!tokens.refreshToken) throw noRefreshTokenError(PLATFORM);
      const body = await tokenRequest(
        { ...clientFields(client), grant_type: 'refresh_token', refresh_token: tokens.refreshToken },
        'refresh_token',
        [tokens.refreshToken, tokens.accessToken, client.clientSecret],
      );
      return toTokenSet(body, tokens.scopes.length > 0 ? tokens.scopes : YOUTUBE_SCOPES, tokens);
    },

    async revoke({ client, tokens }) {
      // Revoking the refresh token ends the whole grant, access tokens included.
      const token = tokens.refreshToken ?? tokens.accessToken;
      const response = await formPost(endpoints.extra.revokeUrl ?? DEFAULT_GOOGLE_REVOKE_URL, { token });
      if (isOk(response)) return;
      // Already expired or revoked: the grant is gone, which is what was asked.
      if (response.status === 400 && str(record(response.json)?.error) === 'invalid_token') return;
      throw tokenError(response, 'revoke', ctx.now(), [
        tokens.refreshToken,
        tokens.accessToken,
        client.clientSecret,
      ]);
    },
  };
}
