import { randomUUID } from 'node:crypto';
import { routes } from '@mypostshare/contract';
import { nowIso } from '../../clock.js';
import { insertRedirectUri, toRedirectUri } from '../../db/repositories/redirect-uris.js';
import { ApiError } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';
import { canonicalRedirectUri } from '../../services/redirect-uris.js';
import { requireApp } from './require-app.js';

export default defineRoute('addRedirectUri', routes.addRedirectUri, async ({ params, body, deps }) => {
  await requireApp(deps, params.appId);
  const uri = canonicalRedirectUri(body.uri);
  const row = { id: randomUUID(), app_id: params.appId, uri, created_at: nowIso(deps.clock) };
  if (!(await insertRedirectUri(deps.db, row))) {
    throw new ApiError('conflict', `${uri} is already allowlisted for this app`);
  }
  return toRedirectUri(row);
});
