import { randomBytes } from 'node:crypto';
import { sha256Base64Url } from '../crypto/tokens.js';

/** RFC 7636 §4.1: 43 to 128 characters from the unreserved set. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** A fresh PKCE code verifier: base64url of 32 CSPRNG bytes (256 bits, 43 characters). */
export function createPkceVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))), unpadded. */
export function pkceChallenge(verifier: string): string {
  if (!VERIFIER.test(verifier)) throw new RangeError('PKCE verifier must be 43-128 unreserved characters');
  // The pattern admits ASCII only, so hashing the UTF-8 bytes is hashing the ASCII bytes.
  return sha256Base64Url(verifier);
}
