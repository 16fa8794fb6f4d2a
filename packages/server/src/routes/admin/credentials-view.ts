import type { Credentials, Platform } from '@mypostshare/contract';
import type { AppCredentialsTable } from '../../db/schema.js';
import { callbackUrl } from '../../services/connect-flow.js';

/** A platform's credential setting as the admin API shows it: never the secret. */
export function toCredentials(
  publicUrl: string,
  platform: Platform,
  row: AppCredentialsTable | undefined,
): Credentials {
  if (!row || row.mode !== 'custom') {
    return {
      platform,
      mode: 'managed',
      callbackUrl: callbackUrl(publicUrl, platform),
      updatedAt: row?.updated_at ?? null,
    };
  }
  return {
    platform,
    mode: 'custom',
    clientId: row.client_id ?? '',
    callbackUrl: callbackUrl(publicUrl, platform),
    updatedAt: row.updated_at,
  };
}
