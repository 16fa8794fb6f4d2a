import type { ApiKey, CreateApiKeyRequest, CreatedApiKey, PaginationQuery } from '@mypostshare/contract';
import type { Transport } from '../../internal/transport.js';
import type { AdminRequestOptions } from '../../options.js';
import { type PagePromise, paginate } from '../../pagination.js';

/**
 * An app's API keys. Reach it as `admin.apiKeys`.
 *
 * @example
 * ```ts
 * const { key } = await admin.apiKeys.create(appId, { name: 'backend' });
 * ```
 */
export class ApiKeys {
  readonly #transport: Transport;

  /** @internal Use `admin.apiKeys`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Issues a key. The full `key` is in this answer only: store it now. Not retried: the admin
   * API takes no Idempotency-Key.
   *
   * @example
   * ```ts
   * const created = await admin.apiKeys.create('b0c4b8a2-5a8e-4c41-9f55-1d1f0b1f2a10', { name: 'backend' });
   * saveSecret('MYPOSTSHARE_API_KEY', created.key); // 'mps_live_...' or 'mps_test_...'
   * ```
   */
  async create(
    appId: string,
    params: CreateApiKeyRequest = {},
    options?: AdminRequestOptions,
  ): Promise<CreatedApiKey> {
    return (
      await this.#transport.call<CreatedApiKey>('createApiKey', { params: { appId }, body: params }, options)
    ).data;
  }

  /**
   * The app's keys, revoked ones included, with their prefix and last four characters only.
   *
   * @example
   * ```ts
   * for await (const key of admin.apiKeys.list(appId)) {
   *   console.log(`${key.prefix}...${key.last4}`, key.revokedAt ?? 'active');
   * }
   * ```
   */
  list(appId: string, params: PaginationQuery = {}, options?: AdminRequestOptions): PagePromise<ApiKey> {
    return paginate(this.#transport.baseUrl, (rawQuery) =>
      this.#transport.call<ApiKey[]>('listApiKeys', { params: { appId }, query: params, rawQuery }, options),
    );
  }

  /**
   * Revokes a key; it stops working at once. Resolves with nothing (the API answers 204).
   *
   * @example
   * ```ts
   * await admin.apiKeys.revoke(appId, '5b7f0d7e-2f0a-4a51-8a43-0c7e5e9f3b21');
   * ```
   */
  async revoke(appId: string, keyId: string, options?: AdminRequestOptions): Promise<void> {
    await this.#transport.call('revokeApiKey', { params: { appId, keyId } }, options);
  }
}
