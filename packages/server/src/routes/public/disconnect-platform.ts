import { PLATFORM_LABELS, routes } from '@mypostshare/contract';
import { deleteConnection } from '../../db/repositories/connections.js';
import { findEndUser } from '../../db/repositories/end-users.js';
import { ApiError, notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';
import { revokeAtProvider } from '../../services/connections.js';

export default defineRoute(
  'disconnectPlatform',
  routes.disconnectPlatform,
  async ({ params, auth, deps }) => {
    const endUser = await findEndUser(deps.db, auth.appId, params.externalUserId);
    if (!endUser) throw notFound('End user');
    const removed = await deleteConnection(deps.db, endUser.id, params.platform);
    if (!removed) {
      throw new ApiError('not_found', `End user has no ${PLATFORM_LABELS[params.platform]} connection`);
    }
    await revokeAtProvider(deps, removed, auth.sandbox);
    return undefined;
  },
);
