import { randomUUID } from 'node:crypto';
import { routes } from '@mypostshare/contract';
import { nowIso } from '../../clock.js';
import { toEndUser, upsertEndUser } from '../../db/repositories/end-users.js';
import { defineRoute } from '../../http/define-route.js';

export default defineRoute('upsertEndUser', routes.upsertEndUser, async ({ body, auth, deps }) => {
  const row = await upsertEndUser(deps.db, {
    id: randomUUID(),
    appId: auth.appId,
    externalUserId: body.externalUserId,
    displayName: body.displayName,
    email: body.email,
    metadata: body.metadata,
    now: nowIso(deps.clock),
  });
  return toEndUser(row);
});
