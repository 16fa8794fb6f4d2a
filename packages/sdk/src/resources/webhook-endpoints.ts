import type {
  CreateWebhookEndpointRequest,
  ListWebhookDeliveriesQuery,
  PaginationQuery,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '@mypostshare/contract';
import type { Transport } from '../internal/transport.js';
import type { RequestOptions } from '../options.js';
import { type PagePromise, paginate } from '../pagination.js';

/**
 * The app's webhook endpoints: URLs that receive signed events (`post.published`,
 * `connect_session.completed`...) instead of you polling. Reach it as `client.webhookEndpoints`.
 *
 * @example
 * ```ts
 * const endpoint = await client.webhookEndpoints.create({
 *   url: 'https://client.example.com/webhooks/mypostshare',
 *   events: ['post.published', 'post.failed'],
 * });
 * saveSecret(endpoint.secret); // 'whsec_...', shown this once
 * ```
 */
export class WebhookEndpoints {
  readonly #transport: Transport;

  /** @internal Use `client.webhookEndpoints`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Registers an endpoint (an https URL on the public internet). The signing `secret` is in this
   * answer only: store it now. Not retried (the route takes no Idempotency-Key).
   *
   * @example
   * ```ts
   * const endpoint = await client.webhookEndpoints.create({
   *   url: 'https://client.example.com/webhooks/mypostshare',
   *   description: 'production receiver',
   * });
   * ```
   */
  async create(
    params: CreateWebhookEndpointRequest,
    options?: RequestOptions,
  ): Promise<WebhookEndpointWithSecret> {
    return (
      await this.#transport.call<WebhookEndpointWithSecret>(
        'createWebhookEndpoint',
        { body: params },
        options,
      )
    ).data;
  }

  /**
   * The app's endpoints, without their secrets.
   *
   * @example
   * ```ts
   * for await (const endpoint of client.webhookEndpoints.list()) console.log(endpoint.url, endpoint.status);
   * ```
   */
  list(params: PaginationQuery = {}, options?: RequestOptions): PagePromise<WebhookEndpoint> {
    return paginate(this.#transport.baseUrl, (rawQuery) =>
      this.#transport.call<WebhookEndpoint[]>('listWebhookEndpoints', { query: params, rawQuery }, options),
    );
  }

  /**
   * One endpoint, without its secret.
   *
   * @example
   * ```ts
   * const endpoint = await client.webhookEndpoints.retrieve('0f8fad5b-d9cb-469f-a165-70867728950e');
   * if (endpoint.status === 'failing') console.warn('the receiver keeps failing');
   * ```
   */
  async retrieve(id: string, options?: RequestOptions): Promise<WebhookEndpoint> {
    return (await this.#transport.call<WebhookEndpoint>('getWebhookEndpoint', { params: { id } }, options))
      .data;
  }

  /**
   * Deletes an endpoint and its delivery log. Resolves with nothing (the API answers 204).
   *
   * @example
   * ```ts
   * await client.webhookEndpoints.delete('0f8fad5b-d9cb-469f-a165-70867728950e');
   * ```
   */
  async delete(id: string, options?: RequestOptions): Promise<void> {
    await this.#transport.call('deleteWebhookEndpoint', { params: { id } }, options);
  }

  /**
   * Issues a new signing secret; the old one keeps signing alongside it for 24 hours, so receivers
   * can switch without missing an event. Not retried (the route takes no Idempotency-Key).
   *
   * @example
   * ```ts
   * const { secret } = await client.webhookEndpoints.rotateSecret('0f8fad5b-d9cb-469f-a165-70867728950e');
   * ```
   */
  async rotateSecret(id: string, options?: RequestOptions): Promise<WebhookEndpointWithSecret> {
    return (
      await this.#transport.call<WebhookEndpointWithSecret>(
        'rotateWebhookSecret',
        { params: { id } },
        options,
      )
    ).data;
  }

  /**
   * Sends a test-only `webhook.test` event to the endpoint now and resolves with the attempt.
   *
   * @example
   * ```ts
   * const delivery = await client.webhookEndpoints.test('0f8fad5b-d9cb-469f-a165-70867728950e');
   * console.log(delivery.status, delivery.responseStatus);
   * ```
   */
  async test(id: string, options?: RequestOptions): Promise<WebhookDelivery> {
    return (await this.#transport.call<WebhookDelivery>('testWebhookEndpoint', { params: { id } }, options))
      .data;
  }

  /**
   * The endpoint's delivery log, newest first, optionally only deliveries in one `status`.
   *
   * @example
   * ```ts
   * for await (const delivery of client.webhookEndpoints.listDeliveries(endpointId, { status: 'failed' })) {
   *   await client.webhookEndpoints.retryDelivery(endpointId, delivery.id);
   * }
   * ```
   */
  listDeliveries(
    id: string,
    params: ListWebhookDeliveriesQuery = {},
    options?: RequestOptions,
  ): PagePromise<WebhookDelivery> {
    return paginate(this.#transport.baseUrl, (rawQuery) =>
      this.#transport.call<WebhookDelivery[]>(
        'listWebhookDeliveries',
        { params: { id }, query: params, rawQuery },
        options,
      ),
    );
  }

  /**
   * Attempts a delivery again now and resolves with the attempt.
   *
   * @example
   * ```ts
   * const delivery = await client.webhookEndpoints.retryDelivery(endpointId, deliveryId);
   * ```
   */
  async retryDelivery(id: string, deliveryId: string, options?: RequestOptions): Promise<WebhookDelivery> {
    return (
      await this.#transport.call<WebhookDelivery>(
        'retryWebhookDelivery',
        { params: { id, deliveryId } },
        options,
      )
    ).data;
  }
}
