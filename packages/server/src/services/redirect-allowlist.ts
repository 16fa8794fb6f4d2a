import type { AppDeps } from '../app.js';
import { findRedirectUriByValue } from '../db/repositories/redirect-uris.js';
import { ApiError } from '../errors.js';
import { canonicalRedirectUri } from './redirect-uris.js';

/**
 * Checks a connect session's redirect URI against the app's allowlist: exact equality after
 * parsing (scheme, host, port, path, query), no prefix or pattern matching; encoded separators,
 * dot segments, userinfo and fragments are refused outright. The server's own
 * `/connect/complete` page is always allowed. Returns the URI to store.
 */
export async function requireAllowedRedirectUri(
  deps: AppDeps,
  appId: string,
  value: string,
): Promise<string> {
  const refuse = () =>
    new ApiError(
      'redirect_uri_not_allowed',
      "redirectUri is not on this app's allowlist; add it with POST /admin/v1/apps/:appId/redirect-uris (exact match)",
      [{ field: 'redirectUri', message: 'not allowlisted' }],
    );
  let canonical: string;
  try {
    canonical = canonicalRedirectUri(value);
  } catch {
    throw refuse();
  }
  if (canonical === `${deps.config.publicUrl}/connect/complete`) return canonical;
  if (!(await findRedirectUriByValue(deps.db, appId, canonical))) throw refuse();
  return canonical;
}
