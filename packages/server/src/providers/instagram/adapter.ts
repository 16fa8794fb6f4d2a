import { DEFAULT_GRAPH_API_VERSION } from '../endpoints.js';
import { graphError, isGraphFailure } from '../graph-errors.js';
import { expiresAt, form, joinUrl, type ProviderResponse, providerFetch } from '../http.js';
import {
  AccountNotEligibleError,
  type AdapterContext,
  type LinkableAccount,
  type ProviderAdapter,
  ProviderError,
  type TokenSet,
} from '../types.js';

/*
 * Instagram professional accounts through Instagram Login (host graph.instagram.com), account-linking
 * half (docs/providers.md, Instagram): code → short-lived token + user_id → long-lived token
 * (~60 days, refreshable once >= 24 h old) → /me identity. Tokens of this path belong to
 * graph.instagram.com; the Facebook Login path is not implemented here.
 */

export const INSTAGRAM_SCOPES = ['instagram_business_basic', 'instagram_business_content_publish'];
/** Lifetime of a long-lived Instagram token; used to estimate when a stored token was issued. */
export const INSTAGRAM_LONG_LIVED_MS = 60 * 24 * 3600_000;
/** A long-lived token can be refreshed only once it is this old (plus a small safety margin). */
export const INSTAGRAM_MIN_REFRESH_AGE_MS = 24 * 3600_000;
const REFRESH_AGE_MARGIN_MS = 10 * 60_000;

const PLATFORM = 'instagram';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const permanent = (message: string, status?: number) =>
  new ProviderError(PLATFORM, { kind: 'permanent', message }, status);

/**
 * An id field as a string. Instagram sends some ids (the token answer's `user_id`) as JSON numbers
 * beyond 2^53, which JSON.parse rounds: the digits are then read from the raw body instead.
 */
function idField(body: Record<string, unknown>, raw: string, field: string): string | undefined {
  const value = body[field];
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (Number.isSafeInteger(value)) return String(value);
  const matches = [...raw.matchAll(new RegExp(`"${field}"\\s*:\\s*(\\d+)`, 'g'))];
  return matches.length === 1 ? matches[0]![1] : undefined;
}

/** `permissions` as a list: Instagram has sent both a comma-separated string and an array. */
function permissionsOf(value: unknown): string[] | undefined {
  const list = Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : typeof value === 'string'
      ? value.split(/[,\s]+/)
      : undefined;
  const cleaned = list?.map((item) => item.trim()).filter(Boolean);
  return cleaned && cleaned.length > 0 ? cleaned : undefined;
}

/** `instagram.com` appends `#_` to the code in the redirect; it is not part of the code. */
export const stripInstagramCode = (code: string) => code.replace(/#_$/, '');

export function createInstagramAdapter(ctx: AdapterContext): ProviderAdapter {
  const { endpoints } = ctx;
  const graphVersion = endpoints.extra.graphVersion ?? DEFAULT_GRAPH_API_VERSION;
  const apiUrl = (path: string) => new URL(joinUrl(endpoints.apiUrl, path));

  /** Calls Instagram and returns the JSON object of a successful answer; throws a classified ProviderError otherwise. */
  async function call(
    url: URL,
    init: RequestInit,
    redact: readonly string[],
  ): Promise<{ body: Record<string, unknown>; response: ProviderResponse }> {
    const response = await providerFetch(PLATFORM, url.toString(), init, ctx.fetch ?? fetch);
    if (isGraphFailure(response)) throw graphError(PLATFORM, response, ctx.now(), { redact });
    if (!isObject(response.json))
      throw permanent('Instagram answered without a JSON object', response.status);
    return { body: response.json, response };
  }

  /** The long-lived exchange and the refresh answer `{access_token, token_type, expires_in}`. */
  function longLivedFrom(body: Record<string, unknown>, status: number, what: string) {
    const accessToken = text(body.access_token);
    if (!accessToken) throw permanent(`${what} answer carried no access token`, status);
    return {
      accessToken,
      expiresAt: expiresAt(ctx.now(), body.expires_in),
      scopes: permissionsOf(body.permissions),
    };
  }

  async function identify(accessToken: string, redact: readonly string[]) {
    const url = apiUrl(`${graphVersion}/me`);
    url.searchParams.set('fields', 'user_id,username,name,account_type,profile_picture_url');
    url.searchParams.set('access_token', accessToken);
    const { body, response } = await call(url, { method: 'GET' }, redact);
    const accountType = text(body.account_type)?.toUpperCase();
    const userId = idField(body, response.text, 'user_id');
    if (accountType === 'PERSONAL' || !userId) {
      throw new AccountNotEligibleError(
        PLATFORM,
        'Only Instagram professional accounts (business or creator) can publish: switch the account to a professional one, then connect again.',
      );
    }
    return {
      userId,
      username: text(body.username) ?? null,
      name: text(body.name) ?? null,
      // MEDIA_CREATOR is how the API names creator accounts; only professional accounts can use this login.
      accountType: accountType === 'MEDIA_CREATOR' ? 'creator' : (accountType?.toLowerCase() ?? 'business'),
    };
  }

  return {
    platform: PLATFORM,
    pkce: false,
    scopes: [...INSTAGRAM_SCOPES],

    authorizeUrl({ client, redirectUri, state }) {
      const url = new URL(endpoints.authorizeUrl);
      url.searchParams.set('client_id', client.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('scope', INSTAGRAM_SCOPES.join(','));
      url.searchParams.set('state', state);
      return url.toString();
    },

    async exchangeCode({ client, redirectUri, code }) {
      const cleanCode = stripInstagramCode(code);
      const redact = [client.clientSecret, code, cleanCode];

      // 1. Code → short-lived token (+ app-scoped user_id and granted permissions).
      const shortLived = await call(
        new URL(endpoints.tokenUrl),
        {
          method: 'POST',
          body: form({
            client_id: client.clientId,
            client_secret: client.clientSecret,
            grant_type: 'authorization_code',
            redirect_uri: redirectUri,
            code: cleanCode,
          }),
        },
        redact,
      );
      // Older answers are flat; newer ones wrap the same object in `data: [ … ]`.
      const wrapped = Array.isArray(shortLived.body.data) ? shortLived.body.data[0] : shortLived.body;
      const shortBody = isObject(wrapped) ? wrapped : {};
      const shortToken = text(shortBody.access_token);
      if (!shortToken) throw permanent('token answer carried no access token', shortLived.response.status);
      const granted = permissionsOf(shortBody.permissions);

      // 2. Short-lived → long-lived (~60 days).
      const exchangeUrl = endpoints.extra.exchangeUrl
        ? new URL(endpoints.extra.exchangeUrl)
        : apiUrl('access_token');
      exchangeUrl.searchParams.set('grant_type', 'ig_exchange_token');
      exchangeUrl.searchParams.set('client_secret', client.clientSecret);
      exchangeUrl.searchParams.set('access_token', shortToken);
      const longLived = await call(exchangeUrl, { method: 'GET' }, [...redact, shortToken]);
      const long = longLivedFrom(longLived.body, longLived.response.status, 'long-lived token');

      // 3. Who this is; `user_id` (not the app-scoped `id`) is the id publishing uses.
      const identity = await identify(long.accessToken, [...redact, shortToken, long.accessToken]);
      const tokens: TokenSet = {
        accessToken: long.accessToken,
        expiresAt: long.expiresAt,
        scopes: long.scopes ?? granted ?? [...INSTAGRAM_SCOPES],
      };
      const account: LinkableAccount = {
        remoteAccountId: identity.userId,
        remoteUsername: identity.username,
        displayName: identity.name ?? identity.username,
        accountType: identity.accountType,
        tokens,
      };
      return { tokens, accounts: [account] };
    },

    /**
     * Extends a long-lived token by another ~60 days. Instagram refuses tokens younger than 24 h
     * (those are returned unchanged: nothing to do yet) and expired ones (the person must reconnect).
     * The issue time is estimated as `expiresAt - 60 days`, TokenSet keeping no issue time.
     */
    async refresh({ client, tokens }) {
      const now = ctx.now().getTime();
      if (tokens.expiresAt) {
        const expiry = tokens.expiresAt.getTime();
        if (expiry <= now) {
          throw new ProviderError(PLATFORM, {
            kind: 'reconnect',
            message: 'the Instagram token has expired and can no longer be refreshed',
          });
        }
        const issuedAt = expiry - INSTAGRAM_LONG_LIVED_MS;
        if (now - issuedAt < INSTAGRAM_MIN_REFRESH_AGE_MS + REFRESH_AGE_MARGIN_MS) return tokens;
      }
      const url = apiUrl('refresh_access_token');
      url.searchParams.set('grant_type', 'ig_refresh_token');
      url.searchParams.set('access_token', tokens.accessToken);
      const { body, response } = await call(url, { method: 'GET' }, [
        client.clientSecret,
        tokens.accessToken,
      ]);
      const next = longLivedFrom(body, response.status, 'refresh');
      return {
        accessToken: next.accessToken,
        // Instagram has no refresh tokens; whatever was stored is kept (security.md 25).
        refreshToken: tokens.refreshToken,
        refreshExpiresAt: tokens.refreshExpiresAt,
        expiresAt: next.expiresAt,
        scopes: next.scopes ?? tokens.scopes,
      };
    },

    // No `revoke`: Instagram Login has no revocation endpoint; the person removes the app in Instagram.
  };
}
