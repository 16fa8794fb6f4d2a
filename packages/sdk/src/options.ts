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
   * For the POSTs whose route takes one (`endUsers.upsert`, `connectSessions.create`,
   * `posts.publish`, `posts.schedule`, `posts.retry`, `posts.validate`, `webhookEndpoints.test`,
   * `webhookEndpoints.retryDelivery`): the `Idempotency-Key` header, sent unchanged on every retry.
   * The SDK generates one when this is left out; `null` sends none, which also turns retries off
   * for this call. Other methods ignore it.
   */
  idempotencyKey?: string | null | undefined;
  /** How many times to retry this call where that is safe. */
  maxRetries?: number | undefined;
}

/**
 * Options of `connectSessions.waitForCompletion`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const session = await client.connectSessions.waitForCompletion(id, {
 *   timeout: 5 * 60_000,
 *   signal: controller.signal,
 * });
 * ```
 */
export interface WaitOptions {
  /**
   * Milliseconds to wait in all before rejecting with `TimeoutError`. Default 30 minutes, the
   * server's default session lifetime, after which a session reads `expired` anyway.
   */
  timeout?: number | undefined;
  /** Stops waiting; the call then rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Milliseconds before the second poll; each later wait is 1.5 times longer. Default 1 000. */
  pollInterval?: number | undefined;
  /** The longest wait between two polls, in milliseconds. Default 5 000. */
  maxPollInterval?: number | undefined;
}

/**
 * Options of the {@link MyPostShareAdmin} constructor. Every field is optional.
 *
 * @example
 * ```ts
 * const admin = new MyPostShareAdmin({ adminToken: 'mps_admin_...', serverUrl: 'http://localhost:8787' });
 * ```
 */
export interface AdminClientOptions {
  /** The server's admin token. Defaults to `process.env.MYPOSTSHARE_ADMIN_TOKEN`. */
  adminToken?: string | undefined;
  /**
   * The server's origin, such as `http://localhost:8787` (no `/api`). Defaults to
   * `process.env.MYPOSTSHARE_SERVER_URL`, then `http://localhost:8787`.
   */
  serverUrl?: string | undefined;
  /** Milliseconds each attempt may take, answer body included. Default 60 000. */
  timeout?: number | undefined;
  /** How many times a failed request is retried where that is safe. Default 2. */
  maxRetries?: number | undefined;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof globalThis.fetch | undefined;
}

/**
 * Options every admin method takes as its last argument. The admin API takes no
 * Idempotency-Key, so its POSTs are never retried; its GETs, PUTs and DELETEs are.
 *
 * @example
 * ```ts
 * await admin.apps.list({}, { timeout: 5_000, maxRetries: 0 });
 * ```
 */
export type AdminRequestOptions = Omit<RequestOptions, 'idempotencyKey'>;
