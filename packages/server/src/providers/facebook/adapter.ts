import { DEFAULT_GRAPH_API_VERSION } from '../endpoints.js';
import { graphError, isGraphFailure } from '../graph-errors.js';
import { expiresAt, joinUrl, type ProviderResponse, providerFetch } from '../http.js';
import {
  AccountNotEligibleError,
  type AdapterContext,
  type LinkableAccount,
  type ProviderAdapter,
  ProviderError,
  type TokenSet,
} from '../types.js';

/*
 * Facebook Pages, account-linking half (docs/providers.md, Facebook Pages):
 * dialog → short-lived user token → long-lived user token (~60 days) → /me/accounts page tokens.
 * The chosen Page is the connection's account and its page token (no expiry) is what gets stored.
 */

export const FACEBOOK_SCOPES = ['pages_show_list', 'pages_manage_posts', 'pages_read_engagement'];
/** At most this many `/me/accounts` result pages are followed (a person managing thousands of Pages is cut off). */
export const FACEBOOK_MAX_ACCOUNT_PAGES = 10;

const PLATFORM = 'facebook';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** A Graph id as a string (Graph sends ids as strings; a safe-integer number is tolerated). */
const idOf = (value: unknown): string | undefined => {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
};

const permanent = (message: string, status?: number) =>
  new ProviderError(PLATFORM, { kind: 'permanent', message }, status);

export function createFacebookAdapter(ctx: AdapterContext): ProviderAdapter {
  const { endpoints } = ctx;
  const graphVersion = endpoints.extra.graphVersion ?? DEFAULT_GRAPH_API_VERSION;
  const graphUrl = (path: string) => new URL(joinUrl(joinUrl(endpoints.apiUrl, graphVersion), path));
  const apiOrigin = new URL(endpoints.apiUrl).origin;

  /** Calls Graph and returns the JSON object of a successful answer; throws a classified ProviderError otherwise. */
  async function call(
    url: URL,
    init: RequestInit,
    redact: readonly string[],
  ): Promise<{ body: Record<string, unknown>; response: ProviderResponse }> {
    const response = await providerFetch(PLATFORM, url.toString(), init, ctx.fetch ?? fetch);
    if (isGraphFailure(response)) throw graphError(PLATFORM, response, ctx.now(), { redact });
    if (!isObject(response.json))
      throw permanent('Graph API answered without a JSON object', response.status);
    return { body: response.json, response };
  }

  /** A token answer: `{access_token, token_type, expires_in?}`; a 200 without a token is a permanent failure. */
  const tokenFrom = (body: Record<string, unknown>, status: number, what: string) => {
    const accessToken = text(body.access_token);
    if (!accessToken) throw permanent(`${what} answer carried no access token`, status);
    return { accessToken, expiresAt: expiresAt(ctx.now(), body.expires_in) };
  };

  async function listPages(userToken: string, redact: readonly string[]): Promise<LinkableAccount[]> {
    const accounts = new Map<string, LinkableAccount>();
    let next: URL | undefined = graphUrl('me/accounts');
    next.searchParams.set('fields', 'id,name,access_token,tasks');
    for (let page = 0; next && page < FACEBOOK_MAX_ACCOUNT_PAGES; page++) {
      // The token always comes from us, even on a `paging.next` URL that already carries one.
      next.searchParams.set('access_token', userToken);
      const { body, response } = await call(next, { method: 'GET' }, redact);
      if (body.data !== undefined && !Array.isArray(body.data)) {
        throw permanent('Graph API answered /me/accounts without a data list', response.status);
      }
      for (const entry of (body.data as unknown[] | undefined) ?? []) {
        if (!isObject(entry)) continue;
        const id = idOf(entry.id);
        const pageToken = text(entry.access_token);
        // A Page listed without a token is one this login cannot post to.
        if (!id || !pageToken || accounts.has(id)) continue;
        const name = text(entry.name) ?? null;
        accounts.set(id, {
          remoteAccountId: id,
          remoteUsername: name,
          displayName: name,
          accountType: 'page',
          tokens: { accessToken: pageToken, scopes: [...FACEBOOK_SCOPES] },
        });
      }
      next = nextPage(body);
    }
    return [...accounts.values()];
  }

  /**
   * The next result page: `paging.next` when it points at the configured API host (it carries our
   * token, so it is never sent elsewhere), else the `after` cursor on our own URL, else the end.
   */
  function nextPage(body: Record<string, unknown>): URL | undefined {
    const paging = isObject(body.paging) ? body.paging : undefined;
    if (!paging) return undefined;
    const link = text(paging.next);
    if (link) {
      try {
        const url = new URL(link);
        if (url.origin === apiOrigin) return url;
      } catch {
        // Fall through to the cursor.
      }
    }
    const cursors = isObject(paging.cursors) ? paging.cursors : undefined;
    const after = link ? text(cursors?.after) : undefined;
    if (!after) return undefined;
    const url = graphUrl('me/accounts');
    url.searchParams.set('fields', 'id,name,access_token,tasks');
    url.searchParams.set('after', after);
    return url;
  }

  return {
    platform: PLATFORM,
    pkce: true,
    scopes: [...FACEBOOK_SCOPES],

    authorizeUrl({ client, redirectUri, state, codeChallenge }) {
      const url = new URL(endpoints.authorizeUrl);
      url.searchParams.set('client_id', client.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('scope', FACEBOOK_SCOPES.join(','));
      if (codeChallenge) {
        url.searchParams.set('code_challenge', codeChallenge);
        url.searchParams.set('code_challenge_method', 'S256');
      }
      return url.toString();
    },

    async exchangeCode({ client, redirectUri, code, codeVerifier }) {
      const redact = [client.clientSecret, code, codeVerifier];

      // 1. Code → short-lived user token (~1 h).
      const tokenUrl = new URL(endpoints.tokenUrl);
      tokenUrl.searchParams.set('client_id', client.clientId);
      tokenUrl.searchParams.set('redirect_uri', redirectUri);
      tokenUrl.searchParams.set('client_secret', client.clientSecret);
      tokenUrl.searchParams.set('code', code);
      if (codeVerifier) tokenUrl.searchParams.set('code_verifier', codeVerifier);
      const shortLived = await call(tokenUrl, { method: 'GET' }, redact);
      const short = tokenFrom(shortLived.body, shortLived.response.status, 'token');

      // 2. Short-lived → long-lived user token (~60 days), at once.
      const exchangeUrl = graphUrl('oauth/access_token');
      exchangeUrl.searchParams.set('grant_type', 'fb_exchange_token');
      exchangeUrl.searchParams.set('client_id', client.clientId);
      exchangeUrl.searchParams.set('client_secret', client.clientSecret);
      exchangeUrl.searchParams.set('fb_exchange_token', short.accessToken);
      const longLived = await call(exchangeUrl, { method: 'GET' }, [...redact, short.accessToken]);
      const long = tokenFrom(longLived.body, longLived.response.status, 'long-lived token');

      // 3. The Pages this login manages, each with its page token.
      const accounts = await listPages(long.accessToken, [...redact, short.accessToken, long.accessToken]);
      if (accounts.length === 0) {
        throw new AccountNotEligibleError(
          PLATFORM,
          'This Facebook login manages no Pages that can be posted to: create a Page or grant access to one, then connect again.',
        );
      }
      const tokens: TokenSet = {
        accessToken: long.accessToken,
        expiresAt: long.expiresAt,
        scopes: [...FACEBOOK_SCOPES],
      };
      return { tokens, accounts };
    },

    // No `refresh`: page tokens obtained from a long-lived user token do not expire.

    /**
     * Best effort. Graph revokes a grant with `DELETE /me/permissions` and the *user* token, but a
     * connection stores only its page token, with which the call is refused or removes nothing; the
     * person can always remove the app in their Facebook settings. Callers ignore failures.
     */
    async revoke({ client, tokens }) {
      const url = graphUrl('me/permissions');
      url.searchParams.set('access_token', tokens.accessToken);
      await call(url, { method: 'DELETE' }, [client.clientSecret, tokens.accessToken]);
    },
  };
}
