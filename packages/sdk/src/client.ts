import { MyPostShareError } from './errors.js';
import { normalizeUrl, readEnv } from './internal/env.js';
import { MAX_RETRIES_LIMIT, MAX_TIMEOUT_MS, Transport } from './internal/transport.js';
import { checkInteger } from './internal/validate.js';
import type { ClientOptions } from './options.js';
import { ConnectSessions } from './resources/connect-sessions.js';
import { EndUsers } from './resources/end-users.js';
import { Platforms } from './resources/platforms.js';
import { Posts } from './resources/posts.js';
import { WebhookEndpoints } from './resources/webhook-endpoints.js';

/**
 * The hosted API's base URL; a self-hosted server's is `<public url>/api`.
 *
 * @example
 * ```ts
 * new MyPostShare({ baseUrl: DEFAULT_BASE_URL }); // the same as leaving it out
 * ```
 */
export const DEFAULT_BASE_URL = 'https://mypostshare.com/api';

/**
 * Milliseconds each attempt may take when no `timeout` is given.
 *
 * @example
 * ```ts
 * new MyPostShare({ timeout: DEFAULT_TIMEOUT_MS / 4 });
 * ```
 */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Retries of a failed call when no `maxRetries` is given.
 *
 * @example
 * ```ts
 * new MyPostShare({ maxRetries: DEFAULT_MAX_RETRIES * 2 });
 * ```
 */
export const DEFAULT_MAX_RETRIES = 2;

/**
 * The mypostshare API client. One instance per API key; it is cheap and safe to share.
 *
 * @example
 * ```ts
 * import { MyPostShare } from '@mypostshare/sdk';
 *
 * const client = new MyPostShare(); // reads MYPOSTSHARE_API_KEY (and MYPOSTSHARE_BASE_URL)
 * await client.endUsers.upsert({ externalUserId: 'user_123' });
 * const post = await client.posts.publish({
 *   externalUserId: 'user_123',
 *   content: 'Hello!',
 *   platforms: ['linkedin'],
 * });
 * ```
 */
export class MyPostShare {
  /** End users and their connections. */
  readonly endUsers: EndUsers;
  /** Hosted OAuth sessions that link an end user's social account. */
  readonly connectSessions: ConnectSessions;
  /** Publish and schedule posts, and follow their delivery. */
  readonly posts: Posts;
  /** Each platform's limits and capabilities. */
  readonly platforms: Platforms;
  /** Where the app's signed event notifications go. */
  readonly webhookEndpoints: WebhookEndpoints;
  /** The API base URL in use, without a trailing slash. */
  readonly baseUrl: string;
  /** Default milliseconds per attempt. */
  readonly timeout: number;
  /** Default number of retries. */
  readonly maxRetries: number;

  /**
   * Creates a client. Options left out fall back to the environment, then to the defaults.
   *
   * @example
   * ```ts
   * const client = new MyPostShare({ apiKey: 'mps_test_...', baseUrl: 'http://localhost:8787/api' });
   * ```
   *
   * @throws MyPostShareError when no API key is given or found in `MYPOSTSHARE_API_KEY`, or an
   * option is malformed.
   */
  constructor(options: ClientOptions = {}) {
    const apiKey = options.apiKey ?? readEnv('MYPOSTSHARE_API_KEY');
    if (!apiKey) {
      throw new MyPostShareError(
        'Missing API key: pass `new MyPostShare({ apiKey })` or set the MYPOSTSHARE_API_KEY environment variable.',
      );
    }
    this.baseUrl = normalizeUrl(
      'baseUrl',
      options.baseUrl ?? readEnv('MYPOSTSHARE_BASE_URL') ?? DEFAULT_BASE_URL,
      DEFAULT_BASE_URL,
    );
    this.timeout = checkInteger('timeout', options.timeout ?? DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS);
    this.maxRetries = checkInteger(
      'maxRetries',
      options.maxRetries ?? DEFAULT_MAX_RETRIES,
      0,
      MAX_RETRIES_LIMIT,
    );
    // The key lives only inside the transport, so logging the client never prints it.
    const transport = new Transport({
      token: apiKey,
      baseUrl: this.baseUrl,
      pathPrefix: '/api/',
      timeout: this.timeout,
      maxRetries: this.maxRetries,
      fetch: options.fetch,
    });
    this.endUsers = new EndUsers(transport);
    this.connectSessions = new ConnectSessions(transport);
    this.posts = new Posts(transport);
    this.platforms = new Platforms(transport);
    this.webhookEndpoints = new WebhookEndpoints(transport);
  }
}
