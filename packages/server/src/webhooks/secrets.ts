import type { SecretCipher } from '../app.js';
import { previousWebhookSecretsAad, webhookSecretAad } from '../crypto/aad.js';
import type { WebhookEndpointsTable } from '../db/schema.js';
import { generateWebhookSecret } from './signing.js';

/*
 * An endpoint's signing secrets, encrypted at rest with associated data binding them to the
 * endpoint's row (like every stored secret, DESIGN.md "Secrets"). After a rotation the old secret
 * keeps signing for ROTATION_OVERLAP_MS, so receivers can switch without dropping an event.
 */

/** How long a rotated-out secret keeps signing. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;
/** Rotated-out secrets kept signing at once (several rotations within a day). */
const MAX_PREVIOUS_SECRETS = 4;

interface PreviousSecret {
  secret: string;
  expiresAt: string;
}

type SecretColumns = Pick<WebhookEndpointsTable, 'secret_enc' | 'previous_secrets_enc'> & {
  /** The endpoint's id (`endpoint_id` on a delivery row). */
  endpoint_id?: string;
  id?: string;
};

const rowId = (row: SecretColumns) => (row.endpoint_id ?? row.id)!;

function previousSecrets(secrets: SecretCipher, row: SecretColumns): PreviousSecret[] {
  if (!row.previous_secrets_enc) return [];
  return JSON.parse(
    secrets.decrypt(row.previous_secrets_enc, previousWebhookSecretsAad(rowId(row))),
  ) as PreviousSecret[];
}

/** The secrets that sign an attempt made at `now`: the current one first, then unexpired old ones. */
export function endpointSecrets(deps: { secrets: SecretCipher }, row: SecretColumns, now: Date): string[] {
  const current = deps.secrets.decrypt(row.secret_enc, webhookSecretAad(rowId(row)));
  const stillSigning = previousSecrets(deps.secrets, row)
    .filter((entry) => entry.expiresAt > now.toISOString())
    .map((entry) => entry.secret);
  return [current, ...stillSigning];
}

/** A fresh secret for a new endpoint: the plaintext (shown once) and the stored ciphertext. */
export function newEndpointSecret(deps: { secrets: SecretCipher }, endpointId: string) {
  const secret = generateWebhookSecret();
  return { secret, secretEnc: deps.secrets.encrypt(secret, webhookSecretAad(endpointId)) };
}

/**
 * The columns of a rotation: a new current secret, and the old one added to those still signing
 * until `now` + 24 h (dropping any already expired).
 */
export function rotatedSecretColumns(
  deps: { secrets: SecretCipher },
  row: WebhookEndpointsTable,
  now: Date,
): {
  secret: string;
  columns: Pick<WebhookEndpointsTable, 'secret_enc' | 'previous_secrets_enc' | 'previous_secrets_until'>;
} {
  const current = deps.secrets.decrypt(row.secret_enc, webhookSecretAad(row.id));
  const expiresAt = new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString();
  const previous = [
    { secret: current, expiresAt },
    ...previousSecrets(deps.secrets, row).filter((entry) => entry.expiresAt > now.toISOString()),
  ].slice(0, MAX_PREVIOUS_SECRETS);
  const { secret, secretEnc } = newEndpointSecret(deps, row.id);
  return {
    secret,
    columns: {
      secret_enc: secretEnc,
      previous_secrets_enc: deps.secrets.encrypt(JSON.stringify(previous), previousWebhookSecretsAad(row.id)),
      previous_secrets_until: expiresAt,
    },
  };
}
