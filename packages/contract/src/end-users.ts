import * as z from 'zod';
import { Id, Metadata, Timestamp } from './common.js';
import { Platform } from './platforms.js';

/**
 * A customer-defined end user id: 1 to 255 printable characters, no control characters.
 *
 * @example
 * ```ts
 * ExternalUserId.parse('user_123');
 * ```
 */
export const ExternalUserId = z
  .string()
  .min(1)
  .max(255)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters')
  // `.` and `..` cannot be addressed in a URL path (clients normalise them away).
  .refine((value) => value !== '.' && value !== '..', 'must not be "." or ".."')
  .describe('Unique user ID from the customer product.');

/**
 * Body of `POST /v1/end-users`. Fields left out of an update keep their stored value.
 *
 * @example
 * ```ts
 * UpsertEndUserRequest.parse({ externalUserId: 'user_123', displayName: 'Alex Morgan' });
 * ```
 */
export const UpsertEndUserRequest = z
  .strictObject({
    externalUserId: ExternalUserId,
    displayName: z.string().max(255).nullable().optional().describe('Human-readable label.'),
    email: z.email().max(320).nullable().optional().describe('Optional email for operator visibility.'),
    metadata: Metadata.optional(),
  })
  .meta({ id: 'UpsertEndUserRequest' });
export type UpsertEndUserRequest = z.infer<typeof UpsertEndUserRequest>;

/** An end user as the API returns it. */
export const EndUser = z
  .object({
    id: Id,
    externalUserId: z.string(),
    displayName: z.string().nullable(),
    email: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'EndUser' });
export type EndUser = z.infer<typeof EndUser>;

/** Counts of an end user's connections by status. */
export const ConnectionSummary = z
  .object({
    total: z.number().int(),
    connected: z.number().int(),
    failed: z.number().int(),
    expired: z.number().int(),
  })
  .meta({ id: 'ConnectionSummary' });
export type ConnectionSummary = z.infer<typeof ConnectionSummary>;

/** Response of `GET /v1/end-users/:externalUserId`: the profile plus a connection summary. */
export const EndUserWithSummary = EndUser.extend({ connectionSummary: ConnectionSummary }).meta({
  id: 'EndUserWithSummary',
});
export type EndUserWithSummary = z.infer<typeof EndUserWithSummary>;

/** Status of a linked social account. */
export const ConnectionStatus = z.enum(['connected', 'expired', 'failed']);
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

/** A linked social account. */
export const Connection = z
  .object({
    id: Id,
    platform: Platform,
    status: ConnectionStatus,
    remoteAccountId: z.string(),
    remoteUsername: z.string().nullable(),
    accountType: z.string().nullable(),
    displayName: z.string().nullable().optional(),
    scopes: z.array(z.string()).optional(),
    expiresAt: Timestamp.nullable().optional(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Connection' });
export type Connection = z.infer<typeof Connection>;

/** Path parameters of the end-user routes. */
export const EndUserPathParams = z.strictObject({ externalUserId: ExternalUserId });
/** Path parameters of the disconnect route. */
export const ConnectionPathParams = z.strictObject({ externalUserId: ExternalUserId, platform: Platform });
