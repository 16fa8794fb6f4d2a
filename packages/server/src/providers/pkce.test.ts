import { describe, expect, it } from 'vitest';
import { createPkceVerifier, pkceChallenge } from './pkce.js';

describe('PKCE', () => {
  it('computes the RFC 7636 appendix B S256 challenge', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('creates random base64url verifiers of at least 43 characters', () => {
    const verifiers = new Set(Array.from({ length: 50 }, () => createPkceVerifier()));
    expect(verifiers.size).toBe(50);
    for (const verifier of verifiers) {
      expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
      expect(Buffer.from(verifier, 'base64url').length).toBeGreaterThanOrEqual(32);
      expect(pkceChallenge(verifier)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it('refuses verifiers outside RFC 7636', () => {
    expect(() => pkceChallenge('short')).toThrow(RangeError);
    expect(() => pkceChallenge(`${'a'.repeat(42)}=`)).toThrow(RangeError);
    expect(() => pkceChallenge('a'.repeat(129))).toThrow(RangeError);
  });
});
