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
  type AdapterContext,
  type ErrorClass,
  type LinkableAccount,
  type ProviderAdapter,
  ProviderError,
  type TokenSet,
} from '../types.js';

const PLATFORM: Platform = 'linkedin';

/** Sign In with LinkedIn (OpenID Connect) plus posting as the member. */
export const LINKEDIN_SCOPES: readonly string[] = ['openid', 'profile', 'email', 'w_member_social'];

/**
 * LinkedIn documents a 401 in the seconds after the code exchange as token propagation delay, so the
 * identity call right after an exchange is retried once after this pause.
 */
export const LINKEDIN_PROPAGATION_DELAY_MS = 500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Errors of the OAuth token endpoint: `{error, error_description}`. */
function tokenError(response: ProviderResponse, grant: Grant, now: Date, secrets: Array<string | undefined>) {
  const body = record(response.json);
  const code =
    str(body?.error) ?? (body?.serviceErrorCode !== undefined ? String(body.serviceErrorCode) : undefined);
  const detail = safeDetail(body?.error_description ?? body?.message, secrets);
  const message = tokenRefusedMessage(grant, response.status, code, detail);
  let classification: ErrorClass;
  if (code === 'invalid_grant') {
    // The code or refresh token is expired or revoked: only the member can grant again.
    classification = { kind: 'reconnect', message };
  } else if (code === 'invalid_client' || code === 'unauthorized_client') {
    // Our OAuth client is refused: reconnecting the member would not help.
    classification = { kind: 'permanent', message };
  } else {
    classification = classifyStatus(response.status, message, retryAfterMs(response.headers, now));
  }
  return new ProviderError(PLATFORM, classification, response.status, code);
}

/** Errors of the LinkedIn API: `{status, serviceErrorCode, code, message}`. */
export function classifyLinkedInError(
  response: ProviderResponse,
  now: Date,
  secrets: Array<string | undefined> = [],
): ProviderError {
  const body = record(response.json);
  const providerCode =
    body?.serviceErrorCode !== undefined && body.serviceErrorCode !== null
      ? String(body.serviceErrorCode)
      : str(body?.code);
  const detail = safeDetail(body?.message, secrets);
  const message = `LinkedIn API answered ${response.status}${providerCode ? ` (${providerCode})` : ''}${detail ? `: ${detail}` : ''}`;
  let classification: ErrorClass;
  if (response.status === 426) {
    classification = {
      kind: 'permanent',
      message:
        'the configured LinkedIn-Version is sunset (426 Upgrade Required); set MYPOSTSHARE_LINKEDIN_VERSION to a current YYYYMM version',
    };
  } else if (response.status === 401) {
    // 65600 invalid token, 65601 revoked: the member must connect again.
    classification = { kind: 'reconnect', message };
  } else {
    // 429 (daily limits reset at midnight UTC, no reset header) and 5xx retry; the rest is permanent.
    classification = classifyStatus(response.status, message, retryAfterMs(response.headers, now));
  }
  return new ProviderError(PLATFORM, classification, response.status, providerCode);
}

/**
 * LinkedIn's account-linking half (docs/providers.md, LinkedIn): no PKCE, client secret in the token
 * request body, identity from OpenID Connect `/v2/userinfo`. Refresh tokens exist only for approved
 * partner apps; without one `refresh` throws a `reconnect` ProviderError (`no_refresh_token`).
 * LinkedIn has no revoke endpoint, so the adapter has no `revoke`.
 */
export function createLinkedInAdapter(ctx: AdapterContext): ProviderAdapter {
  const { endpoints } = ctx;
  const call = (url: string, init: RequestInit) => providerFetch(PLATFORM, url, init, ctx.fetch ?? fetch);

  async function tokenRequest(
    fields: Record<string, string>,
    grant: Grant,
    secrets: Array<string | undefined>,
  ): Promise<Json> {
    const response = await call(endpoints.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: form(fields),
    });
    if (!isOk(response)) throw tokenError(response, grant, ctx.now(), secrets);
    return tokenResponseBody(PLATFORM, response);
  }

  function toTokenSet(body: Json, fallbackScopes: readonly string[], previous?: TokenSet): TokenSet {
    const now = ctx.now();
    const refreshToken = str(body.refresh_token) ?? previous?.refreshToken;
    return {
      accessToken: body.access_token as string,
      refreshToken,
      expiresAt: expiresAt(now, body.expires_in),
      // Not extended by refreshing: LinkedIn answers with what remains; keep the old value otherwise.
      refreshExpiresAt: refreshToken
        ? (expiresAt(now, body.refresh_token_expires_in) ?? previous?.refreshExpiresAt)
        : undefined,
      scopes: grantedScopes(body.scope, fallbackScopes),
    };
  }

  async function identity(
    tokens: TokenSet,
    secrets: Array<string | undefined>,
    retryUnauthorized: boolean,
  ): Promise<LinkableAccount> {
    const response = await call(joinUrl(endpoints.apiUrl, '/v2/userinfo'), {
      method: 'GET',
      headers: { Authorization: `Bearer ${tokens.accessToken}`, Accept: 'application/json' },
    });
    if (response.status === 401 && retryUnauthorized) {
      await sleep(LINKEDIN_PROPAGATION_DELAY_MS);
      return identity(tokens, secrets, false);
    }
    if (!isOk(response)) throw classifyLinkedInError(response, ctx.now(), secrets);
    const body = record(response.json);
    const sub = str(body?.sub);
    if (!body || !sub) {
      throw new ProviderError(
        PLATFORM,
        { kind: 'permanent', message: 'userinfo answered without a member id (sub)' },
        response.status,
        'missing_sub',
      );
    }
    const fullName = [str(body.given_name), str(body.family_name)].filter(Boolean).join(' ');
    const name = str(body.name) ?? (fullName || null);
    return {
      // The author URN is urn:li:person:{sub}; the bare sub is the account id.
      remoteAccountId: sub,
      remoteUsername: str(body.email) ?? name,
      displayName: name,
      accountType: 'person',
      tokens,
    };
  }

  return {
    platform: PLATFORM,
    pkce: false,
    scopes: [...LINKEDIN_SCOPES],

    authorizeUrl({ client, redirectUri, state }) {
      return withQuery(endpoints.authorizeUrl, {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: redirectUri,
        state,
        scope: LINKEDIN_SCOPES.join(' '),
      });
    },

    async exchangeCode({ client, redirectUri, code }) {
      const secrets = [code, client.clientSecret];
      const body = await tokenRequest(
        { grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...clientFields(client) },
        'authorization_code',
        secrets,
      );
      const tokens = toTokenSet(body, LINKEDIN_SCOPES);
      const account = await identity(tokens, [...secrets, tokens.accessToken, tokens.refreshToken], true);
      return { tokens, accounts: [account] };
    },

    async refresh({ client, tokens }) {
      if (!tokens.refreshToken) {
        throw noRefreshTokenError(
          PLATFORM,
          'LinkedIn issued no refresh token for this connection; the member must connect again',
        );
      }
      const body = await tokenRequest(
        { grant_type: 'refresh_token', refresh_token: tokens.refreshToken, ...clientFields(client) },
        'refresh_token',
        [tokens.refreshToken, tokens.accessToken, client.clientSecret],
      );
      return toTokenSet(body, tokens.scopes.length > 0 ? tokens.scopes : LINKEDIN_SCOPES, tokens);
    },
  };
}
