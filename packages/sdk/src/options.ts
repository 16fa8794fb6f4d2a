/**
 * Options of the {@link MyPostShare} constructor. Every field is optional.
 *
 * @example
 * ```ts
 * const client = new MyPostShare({ apiKey: 'mps_live_...', baseUrl: 'https://posts.example.com/api', maxRetries: 4 });
 * ```
 */
export interface ClientOptions {
  /** The app's API key. Defaults to `process.env.MYPOSTSHARE_API_KEY`. */
  apiKey?: string | undefined;
  /**
   * The API base URL, ending in `/api`. Defaults to `process.env.MYPOSTSHARE_BASE_URL`, then
   * `https://mypostshare.com/api`; a self-hosted server's is `<public url>/api`.
   */
  baseUrl?: string | undefined;
  /** Milliseconds each attempt may take, answer body included. Default 60 000. */
  timeout?: number | undefined;
  /** How many times a failed request is retried where that is safe. Default 2. */
  maxRetries?: number | undefined;
  /** A `fetch` to use instead of the global one (a proxy agent, a test double). */
  fetch?: typeof globalThis.fetch | undefined;
}

/**
 * Options every method takes as its last argument, overriding the client's for that one call.
 *
 * @example
 * ```ts
 * await client.endUsers.upsert(
 *   { externalUserId: 'user_123' },
 *   { idempotencyKey: `upsert-user_123-${Date.now()}`, timeout: 10_000, maxRetries: 5 },
 * );
 * ```
 */
export interface RequestOptions {
  /** Milliseconds each attempt may take. */
  timeout?: number | undefined;
  /** Aborts the call, including any wait between retries; the call then rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
  /**
   * For POSTs: the `Idempotency-Key` header, sent unchanged on every retry. The SDK generates one
   * when this is left out; `null` sends none, which also turns retries off for this call.
   */
  idempotencyKey?: string | null | undefined;
  /** How many times to retry this call where that is safe. */
  maxRetries?: number | undefined;
}
