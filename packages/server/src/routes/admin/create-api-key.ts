import { routes } from '@mypostshare/contract';
import { nowIso } from '../../clock.js';
import { defineRoute } from '../../http/define-route.js';
import { issueApiKey } from '../../services/api-keys.js';
import { requireApp } from './require-app.js';

export default defineRoute('createApiKey', routes.createApiKey, async ({ params, body, deps }) => {
  const app = await requireApp(deps, params.appId);
  return issueApiKey(
    deps.db,
    { id: app.id, sandbox: app.sandbox === 1 },
    body.name ?? null,
    nowIso(deps.clock),
  );
});
