import { createHash, hash, randomInt, timingSafeEqual } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters from a CSPRNG, base62 so keys select with one double-click (~5.95 bits each). */
export function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += BASE62[randomInt(62)];
  return out;
}

/**
 * SHA-256 hex digest: keys and tokens are stored only as this. One-shot `crypto.hash` (a quarter of
 * the cost of a Hash object): this runs on every authenticated request.
 */
export const sha256Hex = (value: string) => hash('sha256', value, 'hex');

/**
 * SHA-256 base64url digest (unpadded): OAuth states and browser bindings are stored only as this,
 * and it is the PKCE S256 transform.
 */
export const sha256Base64Url = (value: string) => createHash('sha256').update(value).digest('base64url');

/** Compares two secrets in constant time (by digest, so lengths may differ). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(hash('sha256', a, 'buffer'), hash('sha256', b, 'buffer'));
}

export const API_KEY_PATTERN = /^mps_(live|test)_[A-Za-z0-9]{32}$/;

/**
 * A new API key: `mps_live_` or `mps_test_` and 32 base62 characters (about 190 random bits).
 * Returns the key (shown once), its hash (stored), and the recognisable parts that are listed.
 */
export function generateApiKey(sandbox: boolean) {
  const key = `mps_${sandbox ? 'test' : 'live'}_${randomBase62(32)}`;
  return { key, hash: sha256Hex(key), prefix: key.slice(0, 13), last4: key.slice(-4) };
}

/** A new admin token: `mps_admin_` and 40 base62 characters. */
export const generateAdminToken = () => `mps_admin_${randomBase62(40)}`;
