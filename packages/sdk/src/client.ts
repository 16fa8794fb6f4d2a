import { MyPostShareError } from './errors.js';
import { MAX_RETRIES_LIMIT, MAX_TIMEOUT_MS, Transport } from './internal/transport.js';
import { checkInteger } from './internal/validate.js';
import type { ClientOptions } from './options.js';
import { EndUsers } from './resources/end-users.js';

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

// Edge runtimes have no `process`; there the options must be passed explicitly.
function readEnv(name: string): string | undefined {
  if (typeof process === 'undefined') return undefined;
  const value = process.env?.[name]?.trim();
  return value ? value : undefined;
}

function normalizeBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MyPostShareError(`baseUrl must be an absolute URL such as ${DEFAULT_BASE_URL}, got "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new MyPostShareError(`baseUrl must be an http(s) URL, got "${value}"`);
  }
  if (url.search || url.hash) {
    throw new MyPostShareError(`baseUrl must not carry a query or a fragment, got "${value}"`);
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * The mypostshare API client. One instance per API key; it is cheap and safe to share.
 *
 * @example
 * ```ts
 * import { MyPostShare } from '@mypostshare/sdk';
 *
 * const client = new MyPostShare(); // reads MYPOSTSHARE_API_KEY (and MYPOSTSHARE_BASE_URL)
 * const user = await client.endUsers.upsert({ externalUserId: 'user_123' });
 * ```
 */
export class MyPostShare {
  /** End users and their connections. */
  readonly endUsers: EndUsers;
  /** The API base URL in use, without a trailing slash. */
  readonly baseUrl: string;
  /** Default milliseconds per attempt. */
  readonly timeout: number;
  /** Default number of retries. */
  readonly maxRetries: number;

  /**
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
    this.baseUrl = normalizeBaseUrl(options.baseUrl ?? readEnv('MYPOSTSHARE_BASE_URL') ?? DEFAULT_BASE_URL);
    this.timeout = checkInteger('timeout', options.timeout ?? DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS);
    this.maxRetries = checkInteger(
      'maxRetries',
      options.maxRetries ?? DEFAULT_MAX_RETRIES,
      0,
      MAX_RETRIES_LIMIT,
    );
    // The key lives only inside the transport, so logging the client never prints it.
    const transport = new Transport({
      apiKey,
      baseUrl: this.baseUrl,
      timeout: this.timeout,
      maxRetries: this.maxRetries,
      fetch: options.fetch,
    });
    this.endUsers = new EndUsers(transport);
  }
}
