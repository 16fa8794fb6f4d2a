import type { Platform } from '@mypostshare/contract';
import { safeProviderMessage } from './graph-errors.js';
import type { ProviderResponse } from './http.js';
import { type ClientCredentials, ProviderError } from './types.js';

/*
 * Small helpers shared by the OAuth 2 adapters that read plain JSON answers (LinkedIn, X, YouTube).
 */

export type Json = Record<string, unknown>;

/** The value as a plain object, or undefined for anything else (arrays and null included). */
export const record = (value: unknown): Json | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;

/** The value as a non-blank string, or undefined. */
export const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

export const isOk = (response: ProviderResponse) => response.status >= 200 && response.status < 300;

/** Secrets shorter than this are not redacted by value (they would mangle ordinary words). */
const MIN_SECRET_LENGTH = 4;

/**
 * The provider's own words, minus anything we sent that must stay secret and anything token-shaped,
 * kept short (see {@link safeProviderMessage}). Undefined when the provider said nothing usable.
 */
export function safeDetail(raw: unknown, secrets: ReadonlyArray<string | undefined>): string | undefined {
  const text = str(raw);
  if (!text) return undefined;
  const redact = secrets.filter(
    (secret): secret is string => secret !== undefined && secret.length >= MIN_SECRET_LENGTH,
  );
  return safeProviderMessage(text, redact);
}

/** `scope` as granted (space- or comma-separated), or the fallback when the answer has none. */
export function grantedScopes(raw: unknown, fallback: readonly string[]): string[] {
  const list =
    typeof raw === 'string'
      ? raw.split(/[\s,]+/).filter(Boolean)
      : Array.isArray(raw)
        ? raw.filter((scope): scope is string => typeof scope === 'string' && scope !== '')
        : [];
  return list.length > 0 ? list : [...fallback];
}

/** The base URL with the parameters appended to any query it already has, `%20` for spaces. */
export function withQuery(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  const query = Object.entries(params)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
  url.search = url.search.length > 1 ? `${url.search.slice(1)}&${query}` : query;
  return url.toString();
}

/** Client credentials in the token request body (`client_secret_post`). */
export const clientFields = (client: ClientCredentials) => ({
  client_id: client.clientId,
  client_secret: client.clientSecret,
});

/** The OAuth grant an adapter's token-endpoint error came from. */
export type Grant = 'authorization_code' | 'refresh_token' | 'revoke';

/** `<action> refused (<status> <code>): <detail>` for an error of the token or revoke endpoint. */
export function tokenRefusedMessage(
  grant: Grant,
  status: number,
  code: string | undefined,
  detail: string | undefined,
): string {
  const action =
    grant === 'refresh_token' ? 'token refresh' : grant === 'revoke' ? 'token revocation' : 'code exchange';
  return `${action} refused (${status}${code ? ` ${code}` : ''})${detail ? `: ${detail}` : ''}`;
}

/** The body of a successful token response; a `permanent` ProviderError when it has no access token. */
export function tokenResponseBody(platform: Platform, response: ProviderResponse): Json {
  const body = record(response.json);
  if (!body || !str(body.access_token)) {
    throw new ProviderError(
      platform,
      { kind: 'permanent', message: 'token endpoint answered without an access token' },
      response.status,
      'missing_access_token',
    );
  }
  return body;
}

/** The `reconnect` ProviderError for a refresh of a connection that holds no refresh token. */
export const noRefreshTokenError = (
  platform: Platform,
  message = 'no refresh token for this connection; the user must connect again',
) => new ProviderError(platform, { kind: 'reconnect', message }, undefined, 'no_refresh_token');
