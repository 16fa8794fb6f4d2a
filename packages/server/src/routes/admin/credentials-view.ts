import type { Credentials, Platform } from '@mypostshare/contract';
import type { AppCredentialsTable } from '../../db/schema.js';

/** The fixed callback URL to register in the provider's console for a platform. */
export const callbackUrl = (publicUrl: string, platform: Platform) =>
  `${publicUrl}/oauth/callback/${platform}`;

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

/** Associated data binding an encrypted client secret to its app and platform. */
export const clientSecretAad = (appId: string, platform: Platform) =>
  `app_credentials.client_secret:${appId}:${platform}`;
