import { PLATFORMS, routes } from '@mypostshare/contract';
import { listCredentialRows } from '../../db/repositories/credentials.js';
import { defineRoute } from '../../http/define-route.js';
import { toCredentials } from './credentials-view.js';
import { requireApp } from './require-app.js';

export default defineRoute('listCredentials', routes.listCredentials, async ({ params, deps }) => {
  await requireApp(deps, params.appId);
  const rows = await listCredentialRows(deps.db, params.appId);
  // Every platform is listed, managed unless the app set its own client.
  return PLATFORMS.map((platform) =>
    toCredentials(
      deps.config.publicUrl,
      platform,
      rows.find((row) => row.platform === platform),
    ),
  );
});
