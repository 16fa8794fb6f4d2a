import type { Context } from 'koa';
import { API_KEY_PATTERN, secretsEqual, sha256Hex } from '../crypto/tokens.js';
import type { Db } from '../db/database.js';
import { type LiveKey, lookupLiveKeyByHash } from '../db/repositories/api-keys.js';
import { ApiError } from '../errors.js';
import { requestHeader } from '../http/headers.js';
import type { AppState } from '../types.js';

const unauthorized = (message: string) =>
  new ApiError('unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function bearer(header: string): string | undefined {
  return BEARER.exec(header)?.[1];
}

type StateContext = Pick<Context, 'req'> & { state: AppState };

function accept(ctx: StateContext, found: LiveKey | undefined): void {
  if (!found) throw unauthorized('Unknown or revoked API key');
  ctx.state.auth = {
    appId: found.appId,
    appName: found.appName,
    sandbox: found.sandbox === 1,
    keyId: found.keyId,
    keyPrefix: found.prefix,
  };
}

/**
 * Authenticates an `/api/v1` request by app API key, setting `ctx.state.auth`. A missing, malformed,
 * unknown or revoked key is 401; the key is looked up by its hash on every request so a revocation
 * takes effect at once. Synchronous on SQLite (a promise only when the lookup has to wait for the
 * connection), so the request path does not pay for a promise it does not need.
 */
export function authenticateApiKey(db: Db, ctx: StateContext): void | Promise<void> {
  const header = requestHeader(ctx, 'authorization');
  if (!header) throw unauthorized('Missing API key: send Authorization: Bearer <API key>');
  const key = bearer(header);
  if (!key || !API_KEY_PATTERN.test(key)) {
    throw unauthorized('Malformed API key: expected Authorization: Bearer mps_live_… or mps_test_…');
  }
  const found = lookupLiveKeyByHash(db, sha256Hex(key));
  if (found instanceof Promise) return found.then((row) => accept(ctx, row));
  accept(ctx, found);
}

/** Authenticates an `/admin/v1` request by the operator's admin token, setting `ctx.state.admin`. */
export function authenticateAdmin(adminToken: string, ctx: StateContext): void {
  const header = requestHeader(ctx, 'authorization');
  if (!header) throw unauthorized('Missing admin token: send Authorization: Bearer <admin token>');
  const token = bearer(header);
  if (!token || !secretsEqual(token, adminToken)) throw unauthorized('Invalid admin token');
  ctx.state.admin = true;
}
