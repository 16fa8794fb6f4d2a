import type { WebhookEvent } from '@mypostshare/contract';
import { MyPostShareError } from './errors.js';

/*
 * Receiving webhooks: Standard Webhooks signatures (https://www.standardwebhooks.com). The signed
 * content is `${webhook-id}.${webhook-timestamp}.${raw body}`, the key is the base64 after `whsec_`,
 * and `webhook-signature` carries space-separated `v1,<base64 HMAC-SHA256>` entries (two while a
 * secret is being rotated). WebCrypto only, so this runs on Node, Bun, Deno, browsers and edge
 * runtimes alike; `crypto.subtle.verify` compares in constant time.
 */

// The contract's WEBHOOK_HEADERS and WEBHOOK_TOLERANCE_SECONDS, repeated rather than imported: a
// value import of the contract would load zod on `import '@mypostshare/sdk'`.
const ID_HEADER = 'webhook-id';
const TIMESTAMP_HEADER = 'webhook-timestamp';
const SIGNATURE_HEADER = 'webhook-signature';
const SECRET_PREFIX = 'whsec_';

/**
 * How far (seconds) a `webhook-timestamp` may be from this machine's clock: 5 minutes, as the
 * Standard Webhooks spec recommends. Older deliveries are refused so a captured one cannot be
 * replayed later.
 *
 * @example
 * ```ts
 * await webhooks.verify(body, headers, secret, { toleranceSeconds: DEFAULT_WEBHOOK_TOLERANCE_SECONDS * 2 });
 * ```
 */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * Why a delivery failed verification.
 *
 * @example
 * ```ts
 * if (error instanceof WebhookVerificationError && error.reason === 'timestamp_out_of_tolerance') {
 *   console.warn('is this server clock right?');
 * }
 * ```
 */
export type WebhookVerificationFailure =
  | 'missing_header'
  | 'invalid_timestamp'
  | 'timestamp_out_of_tolerance'
  | 'no_matching_signature'
  | 'invalid_body';

/**
 * A delivery did not verify: a header is missing, the timestamp is more than the tolerance away
 * from now, no signature matches the secret, or the verified body is not JSON. Answer such a
 * request with a 4xx and do not act on it.
 *
 * @example
 * ```ts
 * try {
 *   const event = await webhooks.verify(rawBody, request.headers, process.env.MYPOSTSHARE_WEBHOOK_SECRET!);
 * } catch (error) {
 *   if (error instanceof WebhookVerificationError) return response.status(400).end();
 *   throw error;
 * }
 * ```
 */
export class WebhookVerificationError extends MyPostShareError {
  override readonly name: string = 'WebhookVerificationError';
  /** A machine-readable reason. */
  readonly reason: WebhookVerificationFailure;

  constructor(reason: WebhookVerificationFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

/**
 * The request headers, as a `Headers` object (fetch, edge runtimes) or a plain object such as
 * Node's `request.headers` (any letter case; repeated headers as arrays).
 *
 * @example
 * ```ts
 * const headers: WebhookHeaders = { 'webhook-id': 'msg_...', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,...' };
 * ```
 */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Options of {@link webhooks}`.verify`.
 *
 * @example
 * ```ts
 * await webhooks.verify(body, headers, secret, { toleranceSeconds: 600 });
 * ```
 */
export interface VerifyWebhookOptions {
  /** Seconds a timestamp may be away from `now` (default 300). */
  toleranceSeconds?: number;
  /** The current time, for tests (default: the system clock). */
  now?: Date | number;
}

function readHeader(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  let value = record[name];
  if (value === undefined) {
    const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  if (Array.isArray(value)) return value.join(' ');
  return typeof value === 'string' ? value : undefined;
}

function decodeBase64(value: string): Uint8Array | undefined {
  try {
    const binary = atob(value);
    const bytes = new Uint8Array(binary.length);
    for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
    return bytes;
  } catch {
    return undefined;
  }
}

// Derived from the global rather than named: the SDK's types must not need the DOM library.
type Subtle = typeof globalThis.crypto.subtle;
type HmacKey = Awaited<ReturnType<Subtle['importKey']>>;

function subtleCrypto(): Subtle {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new MyPostShareError(
      'globalThis.crypto.subtle is unavailable: webhooks.verify needs WebCrypto (Node.js 20+, Bun, Deno, browsers, edge runtimes)',
    );
  }
  return subtle;
}

// Keys are imported once per secret: a receiver verifies many deliveries with the same one.
const keyCache = new Map<string, Promise<HmacKey>>();
const KEY_CACHE_LIMIT = 16;

function importKey(secret: string): Promise<HmacKey> {
  const cached = keyCache.get(secret);
  if (cached) return cached;
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const raw = encoded ? decodeBase64(encoded) : undefined;
  if (!raw || raw.length === 0) {
    // A configuration mistake rather than a bad delivery: not a WebhookVerificationError, so a
    // receiver does not quietly answer 400 to every event.
    throw new MyPostShareError('The webhook secret must be the whsec_... value the API returned');
  }
  const key = subtleCrypto().importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(secret, key);
  return key;
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first, 0);
  joined.set(second, first.length);
  return joined;
}

/**
 * Verifies a webhook delivery and returns its event. Pass the body exactly as received (the raw
 * bytes or text, not a re-serialised object: any change breaks the signature), the request
 * headers, and the endpoint's `whsec_` secret.
 *
 * Rejects with {@link WebhookVerificationError} when a `webhook-*` header is missing, the
 * `webhook-timestamp` is more than 5 minutes from now, no `v1` signature matches (several may be
 * present while a secret is being rotated; one match is enough), or the body is not JSON.
 * De-duplicate on `event.id` (the `webhook-id` header): deliveries are at least once.
 */
async function verify(
  rawBody: string | Uint8Array | ArrayBuffer,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<WebhookEvent> {
  const id = readHeader(headers, ID_HEADER);
  const timestamp = readHeader(headers, TIMESTAMP_HEADER);
  const signatures = readHeader(headers, SIGNATURE_HEADER);
  const missing = [
    [ID_HEADER, id],
    [TIMESTAMP_HEADER, timestamp],
    [SIGNATURE_HEADER, signatures],
  ].find(([, value]) => !value)?.[0];
  if (missing || !id || !timestamp || !signatures) {
    throw new WebhookVerificationError('missing_header', `The ${missing} header is missing`);
  }
  if (!/^\d{1,12}$/.test(timestamp.trim())) {
    throw new WebhookVerificationError(
      'invalid_timestamp',
      'The webhook-timestamp header is not a Unix time',
    );
  }
  const sentAt = Number(timestamp.trim());
  const now = options.now === undefined ? Date.now() : Number(options.now);
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (Math.abs(Math.floor(now / 1000) - sentAt) > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_out_of_tolerance',
      `The webhook-timestamp is more than ${tolerance} seconds away from now (an old delivery replayed, or a wrong clock)`,
    );
  }

  const body =
    typeof rawBody === 'string'
      ? new TextEncoder().encode(rawBody)
      : rawBody instanceof Uint8Array
        ? rawBody
        : new Uint8Array(rawBody);
  const signed = concat(new TextEncoder().encode(`${id}.${sentAt}.`), body);
  const key = await importKey(secret);
  const subtle = subtleCrypto();
  let matched = false;
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const signature = decodeBase64(entry.slice(comma + 1));
    // Every entry is checked (no early exit), so timing does not tell which one matched.
    if (signature && (await subtle.verify('HMAC', key, signature, signed))) matched = true;
  }
  if (!matched) {
    throw new WebhookVerificationError(
      'no_matching_signature',
      'No webhook-signature matches the secret (a wrong secret, or a modified body)',
    );
  }
  try {
    return JSON.parse(new TextDecoder().decode(body)) as WebhookEvent;
  } catch {
    throw new WebhookVerificationError('invalid_body', 'The webhook body is not JSON');
  }
}

/**
 * Helpers for receiving mypostshare webhooks.
 *
 * @example
 * ```ts
 * import { webhooks, WebhookVerificationError } from '@mypostshare/sdk';
 *
 * // A fetch-style handler (Next.js route, Hono, Cloudflare Workers, Deno, Bun):
 * export async function POST(request: Request) {
 *   const rawBody = await request.text();
 *   let event;
 *   try {
 *     event = await webhooks.verify(rawBody, request.headers, process.env.MYPOSTSHARE_WEBHOOK_SECRET!);
 *   } catch (error) {
 *     if (error instanceof WebhookVerificationError) return new Response(error.message, { status: 400 });
 *     throw error;
 *   }
 *   if (event.type === 'post.published') console.log(event.data.postId, event.data.platformResults);
 *   return new Response(null, { status: 204 });
 * }
 * ```
 */
export const webhooks = { verify } as const;
