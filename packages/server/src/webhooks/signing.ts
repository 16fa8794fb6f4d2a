import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_HEADERS, WEBHOOK_SECRET_PREFIX, WEBHOOK_TOLERANCE_SECONDS } from '@mypostshare/contract';
import { randomBase62 } from '../crypto/tokens.js';

/*
 * Standard Webhooks signatures (docs/security.md, "Outbound webhooks"): the signed content is
 * `${id}.${timestamp}.${body}`, the key is the base64-decoded secret after `whsec_`, and the header
 * carries one `v1,<base64 HMAC-SHA256>` entry per secret that signs (two during a rotation).
 */

/** A new signing secret: `whsec_` and the base64 of 32 random bytes. */
export const generateWebhookSecret = () => `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

/** A new event id, `msg_` and 24 base62 characters (about 143 random bits): the `webhook-id`. */
export const newEventId = () => `msg_${randomBase62(24)}`;

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? secret.slice(WEBHOOK_SECRET_PREFIX.length)
    : secret;
  return Buffer.from(encoded, 'base64');
}

/** One signature entry, `v1,<base64>`, of `body` sent as message `id` at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The `webhook-*` headers of one attempt, signed by every secret given (current first). */
export function webhookHeaders(
  secrets: readonly string[],
  id: string,
  timestamp: number,
  body: string,
): Record<string, string> {
  return {
    [WEBHOOK_HEADERS.id]: id,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: secrets.map((secret) => signWebhook(secret, id, timestamp, body)).join(' '),
  };
}

/** Why a delivery did not verify. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/**
 * The receiver's side, for the server's own tests and tools (the SDK has its own): checks the
 * headers are present, the timestamp is within the tolerance of `now`, and one `v1` signature
 * matches `secret`, in constant time. Returns the parsed body.
 */
export function verifyWebhook(
  body: string,
  headers: Record<string, string | undefined> | Headers,
  secret: string,
  options: { now?: Date; toleranceSeconds?: number } = {},
): unknown {
  const read = (name: string) =>
    headers instanceof Headers ? (headers.get(name) ?? undefined) : headers[name];
  const id = read(WEBHOOK_HEADERS.id);
  const timestamp = read(WEBHOOK_HEADERS.timestamp);
  const signatures = read(WEBHOOK_HEADERS.signature);
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook headers');
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('invalid webhook-timestamp');
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError('webhook-timestamp is outside the tolerance');
  }
  const expected = Buffer.from(signWebhook(secret, id, Number(timestamp), body).slice(3), 'base64');
  const matched = signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matched) throw new WebhookVerificationError('no matching signature');
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new WebhookVerificationError('the body is not JSON');
  }
}
