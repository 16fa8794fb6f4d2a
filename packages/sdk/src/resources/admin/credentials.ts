import type {
  Credentials as CredentialSetting,
  Platform,
  SetCredentialsRequest,
} from '@mypostshare/contract';
import type { Transport } from '../../internal/transport.js';
import type { AdminRequestOptions } from '../../options.js';

/**
 * Which OAuth client each platform of an app uses: the app's own (`custom`) or the operator's
 * (`managed`). Secrets are never returned. Reach it as `admin.credentials`.
 *
 * @example
 * ```ts
 * await admin.credentials.set(appId, 'linkedin', { mode: 'custom', clientId: 'abc', clientSecret: 's3cret' });
 * ```
 */
export class Credentials {
  readonly #transport: Transport;

  /** @internal Use `admin.credentials`. */
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Sets a platform to the app's own OAuth client or to the managed one. The answer carries the
   * fixed `callbackUrl` to register in the provider's console.
   *
   * @example
   * ```ts
   * const setting = await admin.credentials.set(appId, 'youtube', {
   *   mode: 'custom',
   *   clientId: '123.apps.googleusercontent.com',
   *   clientSecret: process.env.YOUTUBE_CLIENT_SECRET!,
   * });
   * console.log('register', setting.callbackUrl);
   * ```
   */
  async set(
    appId: string,
    platform: Platform,
    params: SetCredentialsRequest,
    options?: AdminRequestOptions,
  ): Promise<CredentialSetting> {
    return (
      await this.#transport.call<CredentialSetting>(
        'setCredentials',
        { params: { appId, platform }, body: params },
        options,
      )
    ).data;
  }

  /**
   * All five platforms with their mode and the callback URL to register.
   *
   * @example
   * ```ts
   * for (const setting of await admin.credentials.list(appId)) {
   *   console.log(setting.platform, setting.mode, setting.callbackUrl);
   * }
   * ```
   */
  async list(appId: string, options?: AdminRequestOptions): Promise<CredentialSetting[]> {
    return (
      await this.#transport.call<CredentialSetting[]>('listCredentials', { params: { appId } }, options)
    ).data;
  }

  /**
   * Returns a platform to the managed credentials, forgetting the app's own client. Resolves with
   * nothing (the API answers 204).
   *
   * @example
   * ```ts
   * await admin.credentials.reset(appId, 'linkedin');
   * ```
   */
  async reset(appId: string, platform: Platform, options?: AdminRequestOptions): Promise<void> {
    await this.#transport.call('resetCredentials', { params: { appId, platform } }, options);
  }
}
