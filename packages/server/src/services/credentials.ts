import type { Platform } from '@mypostshare/contract';
import type { AppDeps } from '../app.js';
import { clientSecretAad } from '../crypto/aad.js';
import { findCredentialRow } from '../db/repositories/credentials.js';

/** The OAuth client one flow or refresh runs with, and where it came from. */
export interface ResolvedClient {
  mode: 'custom' | 'managed' | 'sandbox';
  clientId: string;
  clientSecret: string;
}

/**
 * The client an app uses for a platform: its own (`custom`), else the operator's (`managed`, from
 * MYPOSTSHARE_<PLATFORM>_CLIENT_ID/_SECRET). Sandbox apps use the simulated provider's fixed client.
 * Undefined when neither is configured.
 */
export async function resolveClient(
  deps: AppDeps,
  app: { id: string; sandbox: boolean },
  platform: Platform,
): Promise<ResolvedClient | undefined> {
  if (app.sandbox) return { mode: 'sandbox', clientId: `sandbox-${platform}`, clientSecret: 'sandbox' };
  const row = await findCredentialRow(deps.db, app.id, platform);
  if (row?.mode === 'custom' && row.client_id && row.client_secret_enc) {
    return {
      mode: 'custom',
      clientId: row.client_id,
      clientSecret: deps.secrets.decrypt(row.client_secret_enc, clientSecretAad(app.id, platform)),
    };
  }
  const managed = deps.config.providers[platform];
  if (managed.clientId && managed.clientSecret) {
    return { mode: 'managed', clientId: managed.clientId, clientSecret: managed.clientSecret };
  }
  return undefined;
}
