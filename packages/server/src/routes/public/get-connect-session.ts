import { routes } from '@mypostshare/contract';
import { findConnectSessionWithContext, toConnectSession } from '../../db/repositories/connect-sessions.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';

export default defineRoute('getConnectSession', routes.getConnectSession, async ({ params, auth, deps }) => {
  const session = await findConnectSessionWithContext(deps.db, params.id);
  // Another app's session is indistinguishable from none.
  if (!session || session.app_id !== auth.appId) throw notFound('Connect session');
  return toConnectSession(session, session.external_user_id, deps.clock.now());
});
