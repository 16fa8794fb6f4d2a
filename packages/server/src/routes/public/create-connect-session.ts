import { randomUUID } from 'node:crypto';
import { PLATFORM_LABELS, routes } from '@mypostshare/contract';
import { insertConnectSession } from '../../db/repositories/connect-sessions.js';
import { findEndUser } from '../../db/repositories/end-users.js';
import { ApiError, notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';
import { resolveClient } from '../../services/credentials.js';
import { requireAllowedRedirectUri } from '../../services/redirect-allowlist.js';

export default defineRoute(
  'createConnectSession',
  routes.createConnectSession,
  async ({ body, auth, deps }) => {
    const endUser = await findEndUser(deps.db, auth.appId, body.externalUserId);
    if (!endUser) throw notFound('End user');
    const redirectUri = await requireAllowedRedirectUri(deps, auth.appId, body.redirectUri);
    // Fail now, not after the person has clicked through, when no OAuth client is configured.
    if (!(await resolveClient(deps, { id: auth.appId, sandbox: auth.sandbox }, body.platform))) {
      throw new ApiError(
        'platform_not_configured',
        `No ${PLATFORM_LABELS[body.platform]} OAuth client: set the app's own credentials (PUT /admin/v1/apps/:appId/credentials/${body.platform}) or the server's managed ones`,
      );
    }
    const now = deps.clock.now();
    const row = await insertConnectSession(deps.db, {
      // Random UUID v4 from a CSPRNG: the id is the link's only secret until a browser binds it.
      id: randomUUID(),
      app_id: auth.appId,
      end_user_id: endUser.id,
      platform: body.platform,
      redirect_uri: redirectUri,
      display: body.display ? JSON.stringify(body.display) : null,
      status: 'pending',
      error_code: null,
      expires_at: new Date(now.getTime() + deps.config.connectSessionTtlMs).toISOString(),
      started_at: null,
      binding_hash: null,
      connection_id: null,
      pending_accounts_enc: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    });
    return {
      id: row.id,
      status: 'pending' as const,
      platform: body.platform,
      connectUrl: `${deps.config.publicUrl}/connect/${row.id}`,
      expiresAt: row.expires_at,
    };
  },
);
