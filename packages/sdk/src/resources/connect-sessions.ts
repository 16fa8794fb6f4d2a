import type {
  ConnectSession,
  CreateConnectSessionRequest,
  CreatedConnectSession,
} from '@mypostshare/contract';
import { AbortError, TimeoutError } from '../errors.js';
import { sleep } from '../internal/retry.js';
import type { Transport } from '../internal/transport.js';
import { checkInteger } from '../internal/validate.js';
import type { RequestOptions, WaitOptions } from '../options.js';

/** A session's statuses that will not change any more. */
const FINAL_STATUSES: ReadonlySet<string> = new Set(['connected', 'failed', 'expired']);

/**
 * How long `waitForCompletion` waits by default: the server's default session lifetime.
 *
 * @example
 * ```ts
 * await client.connectSessions.waitForCompletion(id, { timeout: DEFAULT_WAIT_TIMEOUT_MS / 3 });
 * ```
 */
export const DEFAULT_WAIT_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_POLL_INTERVAL_MS = 1_000;
const DEFAULT_MAX_POLL_INTERVAL_MS = 5_000;
const POLL_BACKOFF = 1.5;

/**
 * Hosted connect sessions: send the end user to `connectUrl`, the hosted flow links their account
 * and redirects back to your `redirectUri`. Reach it as `client.connectSessions`.
 *
 * @example
 * ```ts
 * const session = await client.connectSessions.create({
 *   externalUserId: 'user_123',
 *   platform: 'linkedin',
 *   redirectUri: 'https://client.example.com/oauth/callback',
 * });
 * redirect(session.connectUrl);
 * ```
 */
export class ConnectSessions {
  readonly #transport: Transport;

  /** @internal Use `client.connectSessions`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Starts a hosted OAuth flow for an existing end user. The `redirectUri` must be allowlisted for
   * the app exactly (a `BadRequestError` with code `redirect_uri_not_allowed` otherwise).
   *
   * @example
   * ```ts
   * const session = await client.connectSessions.create({
   *   externalUserId: 'user_123',
   *   platform: 'linkedin',
   *   redirectUri: 'https://client.example.com/oauth/callback',
   *   display: { title: 'Connect LinkedIn to Acme', accentColor: '#0a66c2' },
   * });
   * session.connectUrl; // 'https://mypostshare.com/connect/9469c610-...'
   * ```
   */
  async create(
    params: CreateConnectSessionRequest,
    options?: RequestOptions,
  ): Promise<CreatedConnectSession> {
    const reply = await this.#transport.call<CreatedConnectSession>(
      'createConnectSession',
      { body: params },
      options,
    );
    return reply.data;
  }

  /**
   * The session's latest status: `pending`, `connected`, `failed` (see `errorCode`) or `expired`.
   *
   * @example
   * ```ts
   * const session = await client.connectSessions.retrieve('9469c610-999a-4cb0-9807-a7037947d6b5');
   * if (session.status === 'failed') console.error(session.errorCode);
   * ```
   */
  async retrieve(id: string, options?: RequestOptions): Promise<ConnectSession> {
    const reply = await this.#transport.call<ConnectSession>(
      'getConnectSession',
      { params: { id } },
      options,
    );
    return reply.data;
  }

  /**
   * Polls the session, waiting longer between polls each time, until it is `connected`, `failed`
   * or `expired`, and resolves with it (a failed or expired session resolves too: check
   * `status`). Rejects with `TimeoutError` when `timeout` passes first and `AbortError` when
   * `signal` aborts.
   *
   * For a web app, prefer the redirect to your `redirectUri` (or a webhook); this suits scripts,
   * CLIs and tests.
   *
   * @example
   * ```ts
   * const { id, connectUrl } = await client.connectSessions.create({
   *   externalUserId: 'user_123',
   *   platform: 'twitter',
   *   redirectUri: 'https://client.example.com/oauth/callback',
   * });
   * console.log(`Open ${connectUrl} to continue`);
   * const session = await client.connectSessions.waitForCompletion(id, { timeout: 10 * 60_000 });
   * if (session.status !== 'connected') throw new Error(`not connected: ${session.errorCode}`);
   * ```
   */
  async waitForCompletion(id: string, options: WaitOptions = {}): Promise<ConnectSession> {
    const timeout = checkInteger('timeout', options.timeout ?? DEFAULT_WAIT_TIMEOUT_MS, 1, 2_147_483_647);
    let interval = checkInteger(
      'pollInterval',
      options.pollInterval ?? DEFAULT_POLL_INTERVAL_MS,
      1,
      2_147_483_647,
    );
    const maxInterval = checkInteger(
      'maxPollInterval',
      options.maxPollInterval ?? Math.max(DEFAULT_MAX_POLL_INTERVAL_MS, interval),
      interval,
      2_147_483_647,
    );
    const { signal } = options;
    // One deadline for the whole wait, polls included: it aborts whatever is in progress.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeout);
    const combined = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
    const timedOut = () => new TimeoutError(`Connect session ${id} was still pending after ${timeout} ms`);
    try {
      for (;;) {
        let session: ConnectSession;
        try {
          session = await this.retrieve(id, { signal: combined });
        } catch (error) {
          if (error instanceof AbortError && !signal?.aborted && deadline.signal.aborted) throw timedOut();
          throw error;
        }
        if (FINAL_STATUSES.has(session.status)) return session;
        try {
          await sleep(interval, combined);
        } catch {
          if (signal?.aborted)
            throw new AbortError('Stopped waiting: the signal aborted', { cause: signal.reason });
          throw timedOut();
        }
        interval = Math.min(interval * POLL_BACKOFF, maxInterval);
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
