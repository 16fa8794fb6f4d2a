import type { Platform } from '@mypostshare/contract';

/*
 * The account-linking half of a provider: what the hosted OAuth flow and the token lifecycle need.
 * Each platform implements it in providers/<platform>/ against the provider's real HTTP API
 * (docs/providers.md), with every endpoint taken from configuration so tests and staging can point
 * at fakes. Adapters are stateless: everything they need arrives in the call.
 */

/** The OAuth client a flow or a refresh runs with: the app's own (`custom`) or the operator's (`managed`). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Endpoints and versions for one provider, resolved from configuration with real defaults. */
export interface ProviderEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  /** Base such as `https://api.linkedin.com`; docs/providers.md paths are appended (a path prefix must work). */
  apiUrl: string;
  /** Provider-specific extras: `graphVersion`, `linkedinVersion`, `uploadUrl`, Instagram's `exchangeUrl`… */
  extra: Record<string, string>;
}

export interface AuthorizeParams {
  client: ClientCredentials;
  redirectUri: string;
  state: string;
  /** S256 challenge of the flow's PKCE verifier; adapters whose provider has no PKCE ignore it. */
  codeChallenge: string;
}

export interface ExchangeParams {
  client: ClientCredentials;
  redirectUri: string;
  code: string;
  codeVerifier: string;
}

/** Tokens as stored for a connection. Times are absolute (computed from `expires_in` with the injected clock). */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string | undefined;
  /** When the access token stops working; undefined when the provider gives no expiry (page tokens). */
  expiresAt?: Date | undefined;
  refreshExpiresAt?: Date | undefined;
  scopes: string[];
}

/** One account the login can be connected as (a person, a Facebook Page, an Instagram account, a channel). */
export interface LinkableAccount {
  remoteAccountId: string;
  remoteUsername: string | null;
  displayName: string | null;
  /** e.g. `person`, `page`, `business`, `creator`, `channel`. */
  accountType: string;
  /** The tokens to store when this account is chosen (Facebook: the page token). */
  tokens: TokenSet;
}

/**
 * How a provider failure should be handled:
 * - `reconnect`: the grant is dead (revoked, expired, invalid_grant): the connection becomes `expired`.
 * - `retry`: transient (429, 5xx, network, rate/quota limits): try again later, `retryAfterMs` if the provider said.
 * - `permanent`: the request itself is wrong or refused: do not retry.
 */
export type ErrorClass =
  | { kind: 'reconnect'; message: string }
  | { kind: 'retry'; message: string; retryAfterMs?: number }
  | { kind: 'permanent'; message: string };

/** Thrown by adapters for any provider failure, already classified. Never carries a token. */
export class ProviderError extends Error {
  constructor(
    readonly platform: Platform,
    readonly classification: ErrorClass,
    /** HTTP status from the provider, when there was a response. */
    readonly status?: number,
    /** The provider's own error code (e.g. `190`, `invalid_grant`, `65601`), for logs and tests. */
    readonly providerCode?: string,
    /**
     * True when the request may have reached the provider but no answer came back (a timeout, a
     * connection reset). For a create call this means the post may exist: it must not be repeated.
     */
    readonly outcomeUnknown = false,
  ) {
    super(`${platform}: ${classification.message}`);
    this.name = 'ProviderError';
  }
}

/** Thrown when the login succeeded but gives nothing we can post to (no page, no channel, personal IG). */
export class AccountNotEligibleError extends Error {
  constructor(
    readonly platform: Platform,
    message: string,
  ) {
    super(message);
    this.name = 'AccountNotEligibleError';
  }
}

export interface ProviderAdapter {
  platform: Platform;
  /** Whether the authorize URL carries a PKCE challenge (X requires it; LinkedIn and Instagram have none). */
  pkce: boolean;
  /** Scopes requested at authorization. */
  scopes: string[];
  authorizeUrl(params: AuthorizeParams): string;
  /** Exchanges the code (plus any long-lived exchange) and returns the accounts the login can link. */
  exchangeCode(params: ExchangeParams): Promise<{ tokens: TokenSet; accounts: LinkableAccount[] }>;
  /** Refreshes an access token; undefined when the provider cannot refresh this connection. */
  refresh?(params: { client: ClientCredentials; tokens: TokenSet }): Promise<TokenSet>;
  /** Revokes the grant at the provider, where it has such an endpoint. Best effort: callers ignore failures. */
  revoke?(params: { client: ClientCredentials; tokens: TokenSet }): Promise<void>;
}

/** What every adapter factory receives. `fetch` is global fetch unless a test passes another. */
export interface AdapterContext {
  endpoints: ProviderEndpoints;
  now: () => Date;
  fetch?: typeof fetch;
}
