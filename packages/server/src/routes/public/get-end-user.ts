import { routes } from '@mypostshare/contract';
import { findEndUserWithSummary, toEndUser, toSummary } from '../../db/repositories/end-users.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';

export default defineRoute('getEndUser', routes.getEndUser, async ({ params, auth, deps }) => {
  const row = await findEndUserWithSummary(deps.db, auth.appId, params.externalUserId);
  if (!row) throw notFound('End user');
  return { ...toEndUser(row), connectionSummary: toSummary(row) };
});
