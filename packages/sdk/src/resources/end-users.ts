import type {
  Connection,
  EndUser,
  EndUserWithSummary,
  Platform,
  UpsertEndUserRequest,
} from '@mypostshare/contract';
import type { Transport } from '../internal/transport.js';
import type { RequestOptions } from '../options.js';

/**
 * End users: the customer product's users, identified by the customer's own `externalUserId`,
 * and their linked social accounts. Reach it as `client.endUsers`.
 *
 * @example
 * ```ts
 * const user = await client.endUsers.upsert({ externalUserId: 'user_123', displayName: 'Alex Morgan' });
 * const connections = await client.endUsers.listConnections('user_123');
 * ```
 */
export class EndUsers {
  readonly #transport: Transport;

  /** @internal Use `client.endUsers`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Creates the end user, or updates the one with the same `externalUserId`; fields left out keep
   * their stored value. Retried safely: an `Idempotency-Key` is generated unless you pass one.
   *
   * @example
   * ```ts
   * const user = await client.endUsers.upsert({
   *   externalUserId: 'user_123',
   *   displayName: 'Alex Morgan',
   *   email: 'alex@example.com',
   *   metadata: { plan: 'pro' },
   * });
   * user.id; // '4ea64e37-...'
   * ```
   */
  async upsert(params: UpsertEndUserRequest, options?: RequestOptions): Promise<EndUser> {
    const reply = await this.#transport.call<EndUser>('upsertEndUser', { body: params }, options);
    return reply.data;
  }

  /**
   * The end user's profile and a count of their connections by status.
   * Rejects with `NotFoundError` if the app has no such end user.
   *
   * @example
   * ```ts
   * const user = await client.endUsers.retrieve('user_123');
   * if (user.connectionSummary.connected === 0) console.log('nothing linked yet');
   * ```
   */
  async retrieve(externalUserId: string, options?: RequestOptions): Promise<EndUserWithSummary> {
    const reply = await this.#transport.call<EndUserWithSummary>(
      'getEndUser',
      { params: { externalUserId } },
      options,
    );
    return reply.data;
  }

  /**
   * The end user's linked social accounts, one per platform.
   *
   * @example
   * ```ts
   * const connections = await client.endUsers.listConnections('user_123');
   * const linkedin = connections.find((connection) => connection.platform === 'linkedin');
   * ```
   */
  async listConnections(externalUserId: string, options?: RequestOptions): Promise<Connection[]> {
    const reply = await this.#transport.call<Connection[]>(
      'listEndUserConnections',
      { params: { externalUserId } },
      options,
    );
    return reply.data;
  }

  /**
   * Removes the end user's connection to one platform. Resolves with nothing (the API answers 204).
   *
   * @example
   * ```ts
   * await client.endUsers.disconnect('user_123', 'linkedin');
   * ```
   */
  async disconnect(externalUserId: string, platform: Platform, options?: RequestOptions): Promise<void> {
    await this.#transport.call('disconnectPlatform', { params: { externalUserId, platform } }, options);
  }

  /**
   * Erases the end user: revokes and deletes their connections and removes their personal data
   * (display name, email, metadata) from stored posts. Resolves with nothing (the API answers 204).
   *
   * @example
   * ```ts
   * // When the customer's own user deletes their account:
   * await client.endUsers.delete('user_123');
   * ```
   */
  async delete(externalUserId: string, options?: RequestOptions): Promise<void> {
    await this.#transport.call('deleteEndUser', { params: { externalUserId } }, options);
  }
}
