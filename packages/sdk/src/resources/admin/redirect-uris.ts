import type { CreateRedirectUriRequest, PaginationQuery, RedirectUri } from '@mypostshare/contract';
import type { Transport } from '../../internal/transport.js';
import type { AdminRequestOptions } from '../../options.js';
import { type PagePromise, paginate } from '../../pagination.js';

/**
 * The redirect URIs an app's connect sessions may send end users back to (exact matches only).
 * Reach it as `admin.redirectUris`.
 *
 * @example
 * ```ts
 * await admin.redirectUris.add(appId, { uri: 'https://client.example.com/oauth/callback' });
 * ```
 */
export class RedirectUris {
  readonly #transport: Transport;

  /** @internal Use `admin.redirectUris`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Allowlists a redirect URI: `https:`, or `http:` for loopback hosts only. Rejects with
   * `ConflictError` when it is already on the list.
   *
   * @example
   * ```ts
   * const entry = await admin.redirectUris.add(appId, { uri: 'http://localhost:3000/callback' });
   * ```
   */
  async add(
    appId: string,
    params: CreateRedirectUriRequest,
    options?: AdminRequestOptions,
  ): Promise<RedirectUri> {
    return (
      await this.#transport.call<RedirectUri>('addRedirectUri', { params: { appId }, body: params }, options)
    ).data;
  }

  /**
   * The app's allowlisted redirect URIs.
   *
   * @example
   * ```ts
   * const { data } = await admin.redirectUris.list(appId);
   * console.log(data.map((entry) => entry.uri));
   * ```
   */
  list(appId: string, params: PaginationQuery = {}, options?: AdminRequestOptions): PagePromise<RedirectUri> {
    return paginate(this.#transport.baseUrl, (rawQuery) =>
      this.#transport.call<RedirectUri[]>(
        'listRedirectUris',
        { params: { appId }, query: params, rawQuery },
        options,
      ),
    );
  }

  /**
   * Removes a redirect URI from the allowlist. Resolves with nothing (the API answers 204).
   *
   * @example
   * ```ts
   * await admin.redirectUris.remove(appId, entry.id);
   * ```
   */
  async remove(appId: string, id: string, options?: AdminRequestOptions): Promise<void> {
    await this.#transport.call('removeRedirectUri', { params: { appId, id } }, options);
  }
}
