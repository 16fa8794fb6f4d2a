import * as z from 'zod';
import { Id, Timestamp } from './common.js';
import { ExternalUserId } from './end-users.js';
import { Platform } from './platforms.js';

/** Why a connect session failed. */
export const ConnectErrorCode = z.enum([
  'access_denied',
  'provider_error',
  'invalid_state',
  'session_expired',
  'account_not_eligible',
]);
export type ConnectErrorCode = z.infer<typeof ConnectErrorCode>;

/** Lifecycle of a hosted connect session. */
export const ConnectSessionStatus = z.enum(['pending', 'connected', 'failed', 'expired']);
export type ConnectSessionStatus = z.infer<typeof ConnectSessionStatus>;

/**
 * Body of `POST /v1/connect-sessions`.
 *
 * @example
 * ```ts
 * CreateConnectSessionRequest.parse({
 *   externalUserId: 'user_123',
 *   platform: 'linkedin',
 *   redirectUri: 'https://client.example.com/oauth/callback',
 * });
 * ```
 */
export const CreateConnectSessionRequest = z
  .strictObject({
    externalUserId: ExternalUserId,
    platform: Platform,
    redirectUri: z.string().min(1).max(2048).describe('Customer redirect URL; must already be allowlisted.'),
    display: z
      .strictObject({
        title: z
          .string()
          .max(120)
          .optional()
          .describe('Heading of the connect screen (default: "Connect <Platform>").'),
        description: z
          .string()
          .max(500)
          .optional()
          .describe('A sentence under the heading, e.g. why you ask.'),
        accentColor: z
          .string()
          .regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour')
          .optional()
          .describe('Colour of the continue button.'),
      })
      .optional()
      .describe('Optional fields that personalise the hosted connect screen.'),
  })
  .meta({ id: 'CreateConnectSessionRequest' });
export type CreateConnectSessionRequest = z.infer<typeof CreateConnectSessionRequest>;

/** Response of `POST /v1/connect-sessions`. */
export const CreatedConnectSession = z
  .object({
    id: Id,
    status: ConnectSessionStatus,
    platform: Platform,
    connectUrl: z.url(),
    expiresAt: Timestamp.optional(),
  })
  .meta({ id: 'CreatedConnectSession' });
export type CreatedConnectSession = z.infer<typeof CreatedConnectSession>;

/** Response of `GET /v1/connect-sessions/:id`. */
export const ConnectSession = z
  .object({
    id: Id,
    status: ConnectSessionStatus,
    platform: Platform,
    externalUserId: z.string(),
    errorCode: ConnectErrorCode.nullable(),
    updatedAt: Timestamp,
  })
  .meta({ id: 'ConnectSession' });
export type ConnectSession = z.infer<typeof ConnectSession>;

/** Path parameters of `GET /v1/connect-sessions/:id`. */
export const ConnectSessionPathParams = z.strictObject({ id: Id });
