import { routes } from '@mypostshare/contract';
import { listConnectionsOfEndUser } from '../../db/repositories/connections.js';
import { findEndUser } from '../../db/repositories/end-users.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';
import { revokeAtProvider } from '../../services/connections.js';

export default defineRoute('deleteEndUser', routes.deleteEndUser, async ({ params, auth, deps }) => {
  const endUser = await findEndUser(deps.db, auth.appId, params.externalUserId);
  if (!endUser) throw notFound('End user');
  const connections = await listConnectionsOfEndUser(deps.db, endUser.id);
  // Deleting the end user cascades to their connections and connect sessions (and their states).
  await deps.db.deleteFrom('end_users').where('id', '=', endUser.id).execute();
  for (const connection of connections) await revokeAtProvider(deps, connection, auth.sandbox);
  return undefined;
});
