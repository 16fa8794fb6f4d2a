import { routes } from '@mypostshare/contract';
import { nowIso } from '../../clock.js';
import { clientSecretAad } from '../../crypto/aad.js';
import { findCredentialRow, upsertCredentialRow } from '../../db/repositories/credentials.js';
import { defineRoute } from '../../http/define-route.js';
import { toCredentials } from './credentials-view.js';
import { requireApp } from './require-app.js';

export default defineRoute('setCredentials', routes.setCredentials, async ({ params, body, deps }) => {
  await requireApp(deps, params.appId);
  const now = nowIso(deps.clock);
  const existing = await findCredentialRow(deps.db, params.appId, params.platform);
  const row = await upsertCredentialRow(deps.db, {
    app_id: params.appId,
    platform: params.platform,
    mode: body.mode,
    client_id: body.mode === 'custom' ? body.clientId : null,
    client_secret_enc:
      body.mode === 'custom'
        ? deps.secrets.encrypt(body.clientSecret, clientSecretAad(params.appId, params.platform))
        : null,
    created_at: existing?.created_at ?? now,
    updated_at: now,
  });
  return toCredentials(deps.config.publicUrl, params.platform, row);
});
