import type { ListLogsQuery, RequestLogEntry } from '@mypostshare/contract';
import type { Transport } from '../../internal/transport.js';
import type { AdminRequestOptions } from '../../options.js';
import { type PagePromise, paginate } from '../../pagination.js';

/**
 * An app's request log (method, path, status, duration, request id; never bodies or secrets).
 * Reach it as `admin.logs`.
 *
 * @example
 * ```ts
 * for await (const entry of admin.logs.list(appId, { since: '2026-03-21T00:00:00.000Z' })) {
 *   console.log(entry.status, entry.method, entry.path);
 * }
 * ```
 */
export class Logs {
  readonly #transport: Transport;

  /** @internal Use `admin.logs`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * The app's requests, newest first, optionally only those `since` a time. Entries are visible
   * within about a second.
   *
   * @example
   * ```ts
   * const page = await admin.logs.list(appId, { limit: 50 });
   * const errors = page.data.filter((entry) => entry.status >= 500);
   * ```
   */
  list(
    appId: string,
    params: ListLogsQuery = {},
    options?: AdminRequestOptions,
  ): PagePromise<RequestLogEntry> {
    return paginate(this.#transport.baseUrl, (rawQuery) =>
      this.#transport.call<RequestLogEntry[]>(
        'listRequestLogs',
        { params: { appId }, query: params, rawQuery },
        options,
      ),
    );
  }
}
