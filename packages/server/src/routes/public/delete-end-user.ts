import { routes } from '@mypostshare/contract';
import { listConnectionsOfEndUser } from '../../db/repositories/connections.js';
import { findEndUser } from '../../db/repositories/end-users.js';
import { scrubRequestLogPaths } from '../../db/repositories/request-logs.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';
import { revokeAtProvider } from '../../services/connections.js';

export default defineRoute('deleteEndUser', routes.deleteEndUser, async ({ params, auth, deps, ctx }) => {
  const endUser = await findEndUser(deps.db, auth.appId, params.externalUserId);
  if (!endUser) throw notFound('End user');
  const connections = await listConnectionsOfEndUser(deps.db, endUser.id);
  // Deleting the end user cascades to their connections and connect sessions (and their states).
  await deps.db.deleteFrom('end_users').where('id', '=', endUser.id).execute();
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
