import type { Middleware } from 'koa';
import { API_KEY_PATTERN, secretsEqual, sha256Hex } from '../crypto/tokens.js';
import type { Db } from '../db/database.js';
import { findLiveKeyByHash } from '../db/repositories/api-keys.js';
import { ApiError } from '../errors.js';
import type { AppState } from '../types.js';

const unauthorized = (message: string) =>
  new ApiError('unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });

function bearer(header: string): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * Authenticates `/api/v1` requests by app API key. A missing, malformed, unknown or revoked key is
 * 401; the key is looked up by its hash on every request so a revocation takes effect at once.
 */
export function apiKeyAuth(db: Db): Middleware<AppState> {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    if (!header) throw unauthorized('Missing API key: send Authorization: Bearer <API key>');
    const key = bearer(header);
    if (!key || !API_KEY_PATTERN.test(key)) {
      throw unauthorized('Malformed API key: expected Authorization: Bearer mps_live_… or mps_test_…');
    }
    const found = await findLiveKeyByHash(db, sha256Hex(key));
    if (!found) throw unauthorized('Unknown or revoked API key');
    ctx.state.auth = {
      appId: found.appId,
      appName: found.appName,
      sandbox: found.sandbox === 1,
      keyId: found.keyId,
      keyPrefix: found.prefix,
    };
    return next();
  };
}

/** Authenticates `/admin/v1` requests by the operator's admin token. */
export function adminAuth(adminToken: string): Middleware<AppState> {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    if (!header) throw unauthorized('Missing admin token: send Authorization: Bearer <admin token>');
    const token = bearer(header);
    if (!token || !secretsEqual(token, adminToken)) throw unauthorized('Invalid admin token');
    ctx.state.admin = true;
    return next();
  };
}
