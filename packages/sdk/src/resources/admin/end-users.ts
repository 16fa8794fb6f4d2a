import type { AdminEndUser, PaginationQuery } from '@mypostshare/contract';
import type { Transport } from '../../internal/transport.js';
import type { AdminRequestOptions } from '../../options.js';
import { type PagePromise, paginate } from '../../pagination.js';

/**
 * An app's end-user inventory, for operators. Reach it as `admin.endUsers`.
 *
 * @example
 * ```ts
 * for await (const user of admin.endUsers.list(appId)) {
 *   console.log(user.externalUserId, user.connectionSummary.connected);
 * }
 * ```
 */
export class AdminEndUsers {
  readonly #transport: Transport;

  /** @internal Use `admin.endUsers`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * The app's end users, newest first, with a count of their connections by status.
   *
   * @example
   * ```ts
   * const page = await admin.endUsers.list(appId, { limit: 100 });
   * console.log(page.data.length, page.hasNextPage());
   * ```
   */
  list(
    appId: string,
    params: PaginationQuery = {},
    options?: AdminRequestOptions,
  ): PagePromise<AdminEndUser> {
    return paginate(this.#transport.baseUrl, (rawQuery) =>
      this.#transport.call<AdminEndUser[]>(
        'listAppEndUsers',
        { params: { appId }, query: params, rawQuery },
        options,
      ),
    );
  }
}
