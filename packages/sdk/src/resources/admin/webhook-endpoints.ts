import type {
  CreateWebhookEndpointRequest,
  ListWebhookDeliveriesQuery,
  PaginationQuery,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '@mypostshare/contract';
import type { Transport } from '../../internal/transport.js';
import type { AdminRequestOptions } from '../../options.js';
import { type PagePromise, paginate } from '../../pagination.js';

/**
 * Any app's webhook endpoints, for operators: the public API's endpoint routes with the app id
 * first. Reach it as `admin.webhookEndpoints`.
 *
 * @example
 * ```ts
 * const endpoint = await admin.webhookEndpoints.create(appId, { url: 'https://client.example.com/hooks' });
 * ```
 */
export class AdminWebhookEndpoints {
  readonly #transport: Transport;

  /** @internal Use `admin.webhookEndpoints`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Registers an endpoint for the app; the `secret` is in this answer only.
   *
   * @example
   * ```ts
   * const { secret } = await admin.webhookEndpoints.create(appId, {
   *   url: 'https://client.example.com/hooks',
   *   events: ['post.failed'],
   * });
   * ```
   */
  async create(
    appId: string,
    params: CreateWebhookEndpointRequest,
    options?: AdminRequestOptions,
  ): Promise<WebhookEndpointWithSecret> {
    return (
      await this.#transport.call<WebhookEndpointWithSecret>(
        'createAppWebhookEndpoint',
        { params: { appId }, body: params },
        options,
      )
    ).data;
  }

  /**
   * The app's endpoints, without their secrets.
   *
   * @example
   * ```ts
   * for await (const endpoint of admin.webhookEndpoints.list(appId)) console.log(endpoint.url);
   * ```
   */
  list(
    appId: string,
    params: PaginationQuery = {},
    options?: AdminRequestOptions,
  ): PagePromise<WebhookEndpoint> {
    return paginate(this.#transport.baseUrl, (rawQuery) =>
      this.#transport.call<WebhookEndpoint[]>(
        'listAppWebhookEndpoints',
        { params: { appId }, query: params, rawQuery },
        options,
      ),
    );
  }

  /**
   * One of the app's endpoints.
   *
   * @example
   * ```ts
   * const endpoint = await admin.webhookEndpoints.retrieve(appId, endpointId);
   * ```
   */
  async retrieve(appId: string, id: string, options?: AdminRequestOptions): Promise<WebhookEndpoint> {
    return (
      await this.#transport.call<WebhookEndpoint>('getAppWebhookEndpoint', { params: { appId, id } }, options)
    ).data;
  }

  /**
   * Deletes one of the app's endpoints and its delivery log.
   *
   * @example
   * ```ts
   * await admin.webhookEndpoints.delete(appId, endpointId);
   * ```
   */
  async delete(appId: string, id: string, options?: AdminRequestOptions): Promise<void> {
    await this.#transport.call('deleteAppWebhookEndpoint', { params: { appId, id } }, options);
  }

  /**
   * Issues a new signing secret; the old one keeps signing for 24 hours.
   *
   * @example
   * ```ts
   * const { secret } = await admin.webhookEndpoints.rotateSecret(appId, endpointId);
   * ```
   */
  async rotateSecret(
    appId: string,
    id: string,
    options?: AdminRequestOptions,
  ): Promise<WebhookEndpointWithSecret> {
    return (
      await this.#transport.call<WebhookEndpointWithSecret>(
        'rotateAppWebhookSecret',
        { params: { appId, id } },
        options,
      )
    ).data;
  }

  /**
   * Sends a test-only `webhook.test` event now and resolves with the attempt.
   *
   * @example
   * ```ts
   * const delivery = await admin.webhookEndpoints.test(appId, endpointId);
   * ```
   */
  async test(appId: string, id: string, options?: AdminRequestOptions): Promise<WebhookDelivery> {
    return (
      await this.#transport.call<WebhookDelivery>(
        'testAppWebhookEndpoint',
        { params: { appId, id } },
        options,
      )
    ).data;
  }

  /**
   * The endpoint's delivery log, newest first.
   *
   * @example
   * ```ts
   * const page = await admin.webhookEndpoints.listDeliveries(appId, endpointId, { status: 'failed' });
   * ```
   */
  listDeliveries(
    appId: string,
    id: string,
    params: ListWebhookDeliveriesQuery = {},
    options?: AdminRequestOptions,
  ): PagePromise<WebhookDelivery> {
    return paginate(this.#transport.baseUrl, (rawQuery) =>
      this.#transport.call<WebhookDelivery[]>(
        'listAppWebhookDeliveries',
        { params: { appId, id }, query: params, rawQuery },
        options,
      ),
    );
  }

  /**
   * Attempts a delivery again now.
   *
   * @example
   * ```ts
   * const delivery = await admin.webhookEndpoints.retryDelivery(appId, endpointId, deliveryId);
   * ```
   */
  async retryDelivery(
    appId: string,
    id: string,
    deliveryId: string,
    options?: AdminRequestOptions,
  ): Promise<WebhookDelivery> {
    return (
      await this.#transport.call<WebhookDelivery>(
        'retryAppWebhookDelivery',
        { params: { appId, id, deliveryId } },
        options,
      )
    ).data;
  }
}
