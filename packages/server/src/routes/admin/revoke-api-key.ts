import { routes } from '@mypostshare/contract';
import { nowIso } from '../../clock.js';
import { revokeApiKey } from '../../db/repositories/api-keys.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../../http/define-route.js';

export default defineRoute('revokeApiKey', routes.revokeApiKey, async ({ params, deps }) => {
  if (!(await revokeApiKey(deps.db, params.appId, params.keyId, nowIso(deps.clock))))
    throw notFound('API key');
  return undefined;
});
