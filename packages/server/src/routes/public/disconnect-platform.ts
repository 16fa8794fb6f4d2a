import { PLATFORM_LABELS, routes } from '@mypostshare/contract';
import { deleteConnection } from '../../db/repositories/connections.js';
import { findEndUser } from '../../db/repositories/end-users.js';
import { ApiError, notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';
import { revokeAtProvider } from '../../services/connections.js';
import { connectionEventData, emitWebhookEvent } from '../../webhooks/events.js';

export default defineRoute(
  'disconnectPlatform',
  routes.disconnectPlatform,
  async ({ params, auth, deps }) => {
    const endUser = await findEndUser(deps.db, auth.appId, params.externalUserId);
    if (!endUser) throw notFound('End user');
    const now = deps.clock.now();
    // The deletion and its `connection.deleted` event land together.
    const removed = await deps.db.transaction().execute(async (trx) => {
      const deleted = await deleteConnection(trx, endUser.id, params.platform);
      if (deleted) {
        await emitWebhookEvent(trx, {
          appId: auth.appId,
          type: 'connection.deleted',
          data: await connectionEventData(trx, deleted, {
            status: 'deleted',
            reason: 'disconnected',
            externalUserId: params.externalUserId,
          }),
          now,
        });
      }
      return deleted;
    });
    if (!removed) {
      throw new ApiError('not_found', `End user has no ${PLATFORM_LABELS[params.platform]} connection`);
    }
    await revokeAtProvider(deps, removed, auth.sandbox);
    return undefined;
  },
);
