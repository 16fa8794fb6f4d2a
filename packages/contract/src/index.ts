/**
 * The mypostshare API contract: zod schemas of every request, response, error code and platform.
 * The server validates with them, the SDK types itself from them, the OpenAPI document is built from them.
 *
 * @packageDocumentation
 */
export * from './admin.js';
export * from './common.js';
export * from './connect-sessions.js';
export * from './content-rules.js';
export * from './end-users.js';
export * from './errors.js';
export * from './openapi.js';
export * from './platforms.js';
export * from './posts.js';
export * from './routes.js';
export * from './webhooks.js';
