import type { PlatformInfo } from '@mypostshare/contract';
import type { Transport } from '../internal/transport.js';
import type { RequestOptions } from '../options.js';

/**
 * The platforms the API publishes to, with their limits and capabilities. Reach it as
 * `client.platforms`.
 *
 * @example
 * ```ts
 * const platforms = await client.platforms.list();
 * const twitter = platforms.find((platform) => platform.platform === 'twitter');
 * ```
 */
export class Platforms {
  readonly #transport: Transport;

  /** @internal Use `client.platforms`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Every platform with its text limit, media rules and options. A short fixed list, returned
   * whole (not paginated).
   *
   * @example
   * ```ts
   * for (const platform of await client.platforms.list()) {
   *   console.log(`${platform.name}: up to ${platform.maxTextLength} ${platform.textLengthUnit}`);
   * }
   * ```
   */
  async list(options?: RequestOptions): Promise<PlatformInfo[]> {
    const reply = await this.#transport.call<PlatformInfo[]>('listPlatforms', {}, options);
    return reply.data;
  }
}
