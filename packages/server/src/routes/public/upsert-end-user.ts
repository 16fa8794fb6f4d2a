import { randomUUID } from 'node:crypto';
import { routes } from '@mypostshare/contract';
import { nowIso } from '../../clock.js';
import { toEndUser, upsertEndUserNow } from '../../db/repositories/end-users.js';
import { defineRoute } from '../../http/define-route.js';

export default defineRoute('upsertEndUser', routes.upsertEndUser, async ({ body, auth, deps }) => {
  const row = upsertEndUserNow(deps.db, {
    id: randomUUID(),
    appId: auth.appId,
    externalUserId: body.externalUserId,
    displayName: body.displayName,
    email: body.email,
    metadata: body.metadata,
    now: nowIso(deps.clock),
  });
  // The upsert answers synchronously on SQLite: await only when it did not.
  return toEndUser(row instanceof Promise ? await row : row);
});
