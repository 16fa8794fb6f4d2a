import { routes } from '@mypostshare/contract';
import { listConnectionsOfEndUser } from '../../db/repositories/connections.js';
import { findEndUser } from '../../db/repositories/end-users.js';
import { emitPostEvent } from '../../db/repositories/posts.js';
import { scrubRequestLogPaths } from '../../db/repositories/request-logs.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';
import { revokeAtProvider } from '../../services/connections.js';
import { connectionEventData, emitWebhookEvent } from '../../webhooks/events.js';

export default defineRoute('deleteEndUser', routes.deleteEndUser, async ({ params, auth, deps, ctx }) => {
  const endUser = await findEndUser(deps.db, auth.appId, params.externalUserId);
  if (!endUser) throw notFound('End user');
  const connections = await listConnectionsOfEndUser(deps.db, endUser.id);
  const at = deps.clock.now();
  const now = at.toISOString();
  await deps.db.transaction().execute(async (trx) => {
    // Nothing more is published for someone who asked to be erased: cancel what is still scheduled.
    const scheduled = await trx
      .updateTable('posts')
      .set({ status: 'canceled', updated_at: now })
      .where('end_user_id', '=', endUser.id)
      .where('status', '=', 'scheduled')
      .returning('id')
      .execute();
    for (const { id } of scheduled) {
      await trx
        .updateTable('post_deliveries')
        .set({ status: 'canceled', updated_at: now })
        .where('post_id', '=', id)
        .where('status', '=', 'queued')
        .execute();
    }
    // Their posts stay in the app's history, without their id or the metadata about them.
    await trx
      .updateTable('posts')
      .set({ external_user_id: '[erased]', metadata: '{}' })
      .where('end_user_id', '=', endUser.id)
      .execute();
    // Webhook events, after the scrub so they carry no more of the end user than the posts keep.
    for (const { id } of scheduled) await emitPostEvent(trx, id, at);
    const linked = await trx
      .selectFrom('connections')
      .selectAll()
      .where('end_user_id', '=', endUser.id)
      .execute();
    for (const connection of linked) {
      await emitWebhookEvent(trx, {
        appId: auth.appId,
        type: 'connection.deleted',
        data: await connectionEventData(trx, connection, {
          status: 'deleted',
          reason: 'end_user_deleted',
          externalUserId: '[erased]',
        }),
        now: at,
      });
    }
    // Deleting the end user cascades to their connections and connect sessions (and their
    // states), and detaches their posts (end_user_id becomes null).
    await trx.deleteFrom('end_users').where('id', '=', endUser.id).execute();
  });
  // Stored idempotent responses that carry this end user (an upsert's body holds their name, email
  // and metadata) are personal data too, and replaying one would hand back an erased id.
  await deps.db
    .deleteFrom('idempotency_keys')
    .where('app_id', '=', auth.appId)
    .where('response_body', 'like', `%"${endUser.id}"%`)
    .execute();
  // The operator request log records paths, and paths name the end user: blank the id out of the
  // stored ones, the ones still buffered, and this request's own line.
  await deps.requestLog.flush();
  await scrubRequestLogPaths(deps.db, auth.appId, params.externalUserId);
  ctx.state.logPath = '/api/v1/end-users/[erased]';
  for (const connection of connections) await revokeAtProvider(deps, connection, auth.sandbox);
  return undefined;
});
