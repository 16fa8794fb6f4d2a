import type { App, CreateAppRequest, PaginationQuery, UpdateAppRequest } from '@mypostshare/contract';
import type { Transport } from '../../internal/transport.js';
import type { AdminRequestOptions } from '../../options.js';
import { type PagePromise, paginate } from '../../pagination.js';

/**
 * Apps: one customer integration each, with its own keys, end users and settings. Reach it as
 * `admin.apps`.
 *
 * @example
 * ```ts
 * const app = await admin.apps.create({ name: 'Acme', sandbox: true });
 * const key = await admin.apiKeys.create(app.id, { name: 'backend' });
 * ```
 */
export class Apps {
  readonly #transport: Transport;

  /** @internal Use `admin.apps`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Creates an app. A sandbox app (`sandbox: true`) never calls a real provider and its keys start
   * `mps_test_`. Not retried: the admin API takes no Idempotency-Key.
   *
   * @example
   * ```ts
   * const app = await admin.apps.create({ name: 'Acme staging', sandbox: true });
   * app.id; // 'b0c4...'
   * ```
   */
  async create(params: CreateAppRequest, options?: AdminRequestOptions): Promise<App> {
    return (await this.#transport.call<App>('createApp', { body: params }, options)).data;
  }

  /**
   * Every app, newest first: await it for the first page or iterate it for all of them.
   *
   * @example
   * ```ts
   * for await (const app of admin.apps.list()) console.log(app.id, app.name, app.sandbox);
   * ```
   */
  list(params: PaginationQuery = {}, options?: AdminRequestOptions): PagePromise<App> {
    return paginate(this.#transport.baseUrl, (rawQuery) =>
      this.#transport.call<App[]>('listApps', { query: params, rawQuery }, options),
    );
  }

  /**
   * One app. Rejects with `NotFoundError` when there is no such app.
   *
   * @example
   * ```ts
   * const app = await admin.apps.retrieve('b0c4b8a2-5a8e-4c41-9f55-1d1f0b1f2a10');
   * ```
   */
  async retrieve(appId: string, options?: AdminRequestOptions): Promise<App> {
    return (await this.#transport.call<App>('getApp', { params: { appId } }, options)).data;
  }

  /**
   * Renames an app. Whether it is a sandbox is fixed at creation.
   *
   * @example
   * ```ts
   * const app = await admin.apps.update('b0c4b8a2-5a8e-4c41-9f55-1d1f0b1f2a10', { name: 'Acme production' });
   * ```
   */
  async update(appId: string, params: UpdateAppRequest, options?: AdminRequestOptions): Promise<App> {
    return (await this.#transport.call<App>('updateApp', { params: { appId }, body: params }, options)).data;
  }

  /**
   * Deletes an app and everything it owns: keys, end users, connections, posts. Resolves with
   * nothing (the API answers 204).
   *
   * @example
   * ```ts
   * await admin.apps.delete('b0c4b8a2-5a8e-4c41-9f55-1d1f0b1f2a10');
   * ```
   */
  async delete(appId: string, options?: AdminRequestOptions): Promise<void> {
    await this.#transport.call('deleteApp', { params: { appId } }, options);
  }
}
