import * as z from 'zod';
import { Id, PaginationQuery, Timestamp } from './common.js';
import { ConnectionSummary } from './end-users.js';
import { Platform } from './platforms.js';

/**
 * Body of `POST /admin/v1/apps`. A sandbox app never calls a real provider and its keys start `mps_test_`.
 *
 * @example
 * ```ts
 * CreateAppRequest.parse({ name: 'Acme', sandbox: true });
 * ```
 */
export const CreateAppRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    sandbox: z.boolean().optional().describe('Sandbox apps use simulated providers (default false).'),
  })
  .meta({ id: 'CreateAppRequest' });
export type CreateAppRequest = z.infer<typeof CreateAppRequest>;

/** Body of `PATCH /admin/v1/apps/:appId`. Whether an app is a sandbox is fixed at creation. */
export const UpdateAppRequest = z
  .strictObject({ name: z.string().trim().min(1).max(100) })
  .meta({ id: 'UpdateAppRequest' });
export type UpdateAppRequest = z.infer<typeof UpdateAppRequest>;

/** An app: one customer integration with its own keys, users and settings. */
export const App = z
  .object({ id: Id, name: z.string(), sandbox: z.boolean(), createdAt: Timestamp, updatedAt: Timestamp })
  .meta({ id: 'App' });
export type App = z.infer<typeof App>;

/** Path parameters of the routes under one app. */
export const AppPathParams = z.strictObject({ appId: Id });

/** Body of `POST /admin/v1/apps/:appId/api-keys`. */
export const CreateApiKeyRequest = z
  .strictObject({ name: z.string().trim().min(1).max(100).optional() })
  .meta({ id: 'CreateApiKeyRequest' });
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

/** An API key as listed: never the key itself. */
export const ApiKey = z
  .object({
    id: Id,
    name: z.string().nullable(),
    prefix: z.string().describe('The first characters of the key, enough to recognise it.'),
    last4: z.string(),
    createdAt: Timestamp,
    revokedAt: Timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof ApiKey>;

/** Response of key creation: the one and only time `key` is shown. */
export const CreatedApiKey = ApiKey.extend({
  key: z.string().describe('The full key. Shown this once; store it now.'),
}).meta({ id: 'CreatedApiKey' });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

/** Path parameters of `DELETE /admin/v1/apps/:appId/api-keys/:keyId`. */
export const ApiKeyPathParams = z.strictObject({ appId: Id, keyId: Id });

/** Body of `POST /admin/v1/apps/:appId/redirect-uris`. */
export const CreateRedirectUriRequest = z
  .strictObject({
    uri: z.string().min(1).max(2048).describe('Absolute https URL (http only for loopback hosts).'),
  })
  .meta({ id: 'CreateRedirectUriRequest' });
export type CreateRedirectUriRequest = z.infer<typeof CreateRedirectUriRequest>;

/** An allowlisted redirect URI. */
export const RedirectUri = z
  .object({ id: Id, uri: z.string(), createdAt: Timestamp })
  .meta({ id: 'RedirectUri' });
export type RedirectUri = z.infer<typeof RedirectUri>;

/** Path parameters of `DELETE /admin/v1/apps/:appId/redirect-uris/:id`. */
export const RedirectUriPathParams = z.strictObject({ appId: Id, id: Id });

/**
 * Body of `PUT /admin/v1/apps/:appId/credentials/:platform`: the app's own OAuth client, or the
 * operator's managed one.
 *
 * @example
 * ```ts
 * SetCredentialsRequest.parse({ mode: 'custom', clientId: 'abc', clientSecret: 's3cret' });
 * SetCredentialsRequest.parse({ mode: 'managed' });
 * ```
 */
export const SetCredentialsRequest = z
  .discriminatedUnion('mode', [
    z.strictObject({
      mode: z.literal('custom'),
      clientId: z.string().trim().min(1).max(512),
      clientSecret: z.string().min(1).max(4096),
    }),
    z.strictObject({ mode: z.literal('managed') }),
  ])
  .meta({ id: 'SetCredentialsRequest' });
export type SetCredentialsRequest = z.infer<typeof SetCredentialsRequest>;

/** A platform's credential setting. The client secret is never returned. */
export const Credentials = z
  .object({
    platform: Platform,
    mode: z.enum(['custom', 'managed']),
    clientId: z.string().optional(),
    callbackUrl: z.url().describe('The fixed callback URL to register in the provider console.'),
    updatedAt: Timestamp.nullable().optional(),
  })
  .meta({ id: 'Credentials' });
export type Credentials = z.infer<typeof Credentials>;

/** Path parameters of the credential routes. */
export const CredentialsPathParams = z.strictObject({ appId: Id, platform: Platform });

/** One line of the operator request log. Never bodies, queries or secrets. */
export const RequestLogEntry = z
  .object({
    id: Id,
    method: z.string(),
    path: z.string(),
    status: z.number().int(),
    durationMs: z.number(),
    requestId: z.string(),
    keyPrefix: z.string().nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'RequestLogEntry' });
export type RequestLogEntry = z.infer<typeof RequestLogEntry>;

/** Query of `GET /admin/v1/apps/:appId/logs`. */
export const ListLogsQuery = PaginationQuery.extend({
  since: Timestamp.optional().describe('Only entries at or after this time.'),
});
export type ListLogsQuery = z.infer<typeof ListLogsQuery>;

/** An end user as the operator inventory lists it. */
export const AdminEndUser = z
  .object({
    id: Id,
    externalUserId: z.string(),
    displayName: z.string().nullable(),
    email: z.string().nullable(),
    connectionSummary: ConnectionSummary,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'AdminEndUser' });
export type AdminEndUser = z.infer<typeof AdminEndUser>;

/** Response of `GET /healthz`. */
export const Health = z.object({ status: z.literal('ok'), version: z.string() }).meta({ id: 'Health' });
export type Health = z.infer<typeof Health>;

/** Response of `GET /readyz`. */
export const Readiness = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.record(
      z.string(),
      z.object({ status: z.enum(['ok', 'failing']), detail: z.string().optional() }),
    ),
  })
  .meta({ id: 'Readiness' });
export type Readiness = z.infer<typeof Readiness>;
