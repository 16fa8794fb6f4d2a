/**
 * The admin client: what the operator dashboard and the CLI do (apps, API keys, redirect URIs,
 * credentials, logs, end-user inventory). A separate entry point so the main one stays small.
 *
 * @example
 * ```ts
 * import { MyPostShareAdmin } from '@mypostshare/sdk/admin';
 *
 * const admin = new MyPostShareAdmin({ adminToken: process.env.MYPOSTSHARE_ADMIN_TOKEN, serverUrl: 'http://localhost:8787' });
 * const app = await admin.apps.create({ name: 'Acme', sandbox: true });
 * ```
 *
 * @packageDocumentation
 */

import type { Health, Readiness } from '@mypostshare/contract';
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from './client.js';
import { MyPostShareError } from './errors.js';
import { normalizeUrl, readEnv } from './internal/env.js';
import { MAX_RETRIES_LIMIT, MAX_TIMEOUT_MS, Transport } from './internal/transport.js';
import { checkInteger } from './internal/validate.js';
import type { AdminClientOptions, AdminRequestOptions } from './options.js';
import { ApiKeys } from './resources/admin/api-keys.js';
import { Apps } from './resources/admin/apps.js';
import { Credentials } from './resources/admin/credentials.js';
import { AdminEndUsers } from './resources/admin/end-users.js';
import { Logs } from './resources/admin/logs.js';
import { RedirectUris } from './resources/admin/redirect-uris.js';
import { AdminWebhookEndpoints } from './resources/admin/webhook-endpoints.js';

export type {
  AdminEndUser,
  ApiKey,
  App,
  CreateApiKeyRequest,
  CreateAppRequest,
  CreatedApiKey,
  CreateRedirectUriRequest,
  Credentials as CredentialSetting,
  Health,
  ListLogsQuery,
  PaginationQuery,
  Readiness,
  RedirectUri,
  RequestLogEntry,
  SetCredentialsRequest,
  UpdateAppRequest,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '@mypostshare/contract';
export * from './errors.js';
export type { AdminClientOptions, AdminRequestOptions } from './options.js';
export { Page, PagePromise } from './pagination.js';
export { AdminEndUsers, ApiKeys, Apps, Credentials, Logs, RedirectUris };

/**
 * Where a local server listens by default.
 *
 * @example
 * ```ts
 * new MyPostShareAdmin({ serverUrl: DEFAULT_SERVER_URL }); // the same as leaving it out
 * ```
 */
export const DEFAULT_SERVER_URL = 'http://localhost:8787';

/**
 * The admin API client (`/admin/v1`), authenticated with the server's admin token.
 *
 * @example
 * ```ts
 * import { MyPostShareAdmin } from '@mypostshare/sdk/admin';
 *
 * const admin = new MyPostShareAdmin(); // reads MYPOSTSHARE_ADMIN_TOKEN and MYPOSTSHARE_SERVER_URL
 * const app = await admin.apps.create({ name: 'Acme', sandbox: true });
 * await admin.redirectUris.add(app.id, { uri: 'https://client.example.com/oauth/callback' });
 * const { key } = await admin.apiKeys.create(app.id, { name: 'backend' });
 * ```
 */
export class MyPostShareAdmin {
  /** Apps: create, list, retrieve, rename, delete. */
  readonly apps: Apps;
  /** An app's API keys: issue, list, revoke. */
  readonly apiKeys: ApiKeys;
  /** An app's allowlisted redirect URIs. */
  readonly redirectUris: RedirectUris;
  /** Per platform, the app's own OAuth client or the managed one. */
  readonly credentials: Credentials;
  /** An app's request log. */
  readonly logs: Logs;
  /** An app's end-user inventory. */
  readonly endUsers: AdminEndUsers;
  /** An app's webhook endpoints and their delivery logs. */
  readonly webhookEndpoints: AdminWebhookEndpoints;
  /** The server origin in use, without a trailing slash. */
  readonly serverUrl: string;
  /** Default milliseconds per attempt. */
  readonly timeout: number;
  /** Default number of retries. */
  readonly maxRetries: number;
  readonly #transport: Transport;

  /**
   * Creates an admin client. Options left out fall back to the environment, then to the defaults.
   *
   * @example
   * ```ts
   * const admin = new MyPostShareAdmin({ adminToken: 'mps_admin_...', serverUrl: 'https://posts.example.com' });
   * ```
   *
   * @throws MyPostShareError when no admin token is given or found in `MYPOSTSHARE_ADMIN_TOKEN`,
   * or an option is malformed.
   */
  constructor(options: AdminClientOptions = {}) {
    const adminToken = options.adminToken ?? readEnv('MYPOSTSHARE_ADMIN_TOKEN');
    if (!adminToken) {
      throw new MyPostShareError(
        'Missing admin token: pass `new MyPostShareAdmin({ adminToken })` or set the MYPOSTSHARE_ADMIN_TOKEN environment variable.',
      );
    }
    this.serverUrl = normalizeUrl(
      'serverUrl',
      options.serverUrl ?? readEnv('MYPOSTSHARE_SERVER_URL') ?? DEFAULT_SERVER_URL,
      DEFAULT_SERVER_URL,
    );
    this.timeout = checkInteger('timeout', options.timeout ?? DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS);
    this.maxRetries = checkInteger(
      'maxRetries',
      options.maxRetries ?? DEFAULT_MAX_RETRIES,
      0,
      MAX_RETRIES_LIMIT,
    );
    // The token lives only inside the transport, so logging the client never prints it.
    this.#transport = new Transport({
      token: adminToken,
      baseUrl: this.serverUrl,
      pathPrefix: '/',
      timeout: this.timeout,
      maxRetries: this.maxRetries,
      fetch: options.fetch,
    });
    this.apps = new Apps(this.#transport);
    this.apiKeys = new ApiKeys(this.#transport);
    this.redirectUris = new RedirectUris(this.#transport);
    this.credentials = new Credentials(this.#transport);
    this.logs = new Logs(this.#transport);
    this.endUsers = new AdminEndUsers(this.#transport);
    this.webhookEndpoints = new AdminWebhookEndpoints(this.#transport);
  }

  /**
   * Liveness: resolves with `{ status: 'ok', version }` when the server process is up.
   *
   * @example
   * ```ts
   * const { version } = await admin.health();
   * ```
   */
  async health(options?: AdminRequestOptions): Promise<Health> {
    return (await this.#transport.call<Health>('healthz', {}, options)).data;
  }

  /**
   * Readiness: the database and the worker checks. Resolves with the report whether the server is
   * ready (200) or not (503): check `status`.
   *
   * @example
   * ```ts
   * const report = await admin.readiness();
   * if (report.status !== 'ready') console.error(report.checks);
   * ```
   */
  async readiness(options?: AdminRequestOptions): Promise<Readiness> {
    return (await this.#transport.call<Readiness>('readyz', { okStatuses: [503] }, options)).data;
  }
}
