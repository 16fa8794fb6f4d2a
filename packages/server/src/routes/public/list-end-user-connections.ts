import { routes } from '@mypostshare/contract';
import { listConnectionsOfEndUser, toConnection } from '../../db/repositories/connections.js';
import { findEndUser } from '../../db/repositories/end-users.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';

export default defineRoute(
  'listEndUserConnections',
  routes.listEndUserConnections,
  async ({ params, auth, deps }) => {
    const endUser = await findEndUser(deps.db, auth.appId, params.externalUserId);
    if (!endUser) throw notFound('End user');
    const rows = await listConnectionsOfEndUser(deps.db, endUser.id);
    return rows.map(toConnection);
  },
);
