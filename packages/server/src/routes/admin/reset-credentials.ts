import { routes } from '@mypostshare/contract';
import { deleteCredentialRow } from '../../db/repositories/credentials.js';
import { defineRoute } from '../../http/define-route.js';
import { requireApp } from './require-app.js';

export default defineRoute('resetCredentials', routes.resetCredentials, async ({ params, deps }) => {
  await requireApp(deps, params.appId);
  // Without a row the platform uses the operator's managed credentials.
  await deleteCredentialRow(deps.db, params.appId, params.platform);
  return undefined;
});
