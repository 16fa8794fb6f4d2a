import { randomUUID } from 'node:crypto';
import { routes } from '@mypostshare/contract';
import { nowIso } from '../../clock.js';
import { insertApp, toApp } from '../../db/repositories/apps.js';
import { defineRoute } from '../../http/define-route.js';

export default defineRoute('createApp', routes.createApp, async ({ body, deps }) => {
  const row = await insertApp(deps.db, {
    id: randomUUID(),
    name: body.name,
    sandbox: body.sandbox ?? false,
    now: nowIso(deps.clock),
  });
  return toApp(row);
});
