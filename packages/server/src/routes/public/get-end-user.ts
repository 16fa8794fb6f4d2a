import { type ConnectionSummary, type EndUser, type EndUserWithSummary, routes } from '@mypostshare/contract';
import {
  type EndUserWithSummaryRow,
  lookupEndUserWithSummary,
  toEndUser,
  toSummary,
} from '../../db/repositories/end-users.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';

const render = (row: EndUserWithSummaryRow | undefined): EndUserWithSummary => {
  if (!row) throw notFound('End user');
  // The summary added to the fresh object rather than both spread into a third one.
  const user = toEndUser(row) as EndUser & { connectionSummary?: ConnectionSummary };
  user.connectionSummary = toSummary(row);
  return user as EndUserWithSummary;
};

export default defineRoute('getEndUser', routes.getEndUser, async ({ params, auth, deps }) => {
  // The lookup answers synchronously on SQLite: await only when it did not.
  const row = lookupEndUserWithSummary(deps.db, auth.appId, params.externalUserId);
  return render(row instanceof Promise ? await row : row);
});
