import { randomBytes } from 'node:crypto';
import type { Platform } from '@mypostshare/contract';
import { sha256Base64Url, sha256Hex } from '../../crypto/tokens.js';
import { type LinkableAccount, type ProviderAdapter, ProviderError, type TokenSet } from '../types.js';

/** Codes the simulated consent page issues; anything else is refused like a real provider would. */
export const SANDBOX_CODE_PREFIX = 'sbx_code_';

/**
 * A code for the consent page to hand back: `sbx_code_<identity>.<random>.<challenge>`. The identity
 * is stable per end user; the PKCE challenge travels inside so the exchange can verify the
 * verifier, as a real provider would.
 */
export function sandboxCode(endUserId: string, codeChallenge: string): string {
  const identity = sha256Base64Url(endUserId).slice(0, 12);
  return `${SANDBOX_CODE_PREFIX}${identity}.${randomBytes(16).toString('base64url')}.${codeChallenge}`;
}

const ACCOUNT_TYPES: Record<Platform, string> = {
  linkedin: 'person',
  facebook: 'page',
  instagram: 'business',
  twitter: 'person',
  youtube: 'channel',
};

/**
 * The simulated provider of sandbox apps. It runs through exactly the same state and callback
 * machinery as the real ones, but its "consent screen" is served by this server and it never
 * leaves the machine. Facebook and Instagram logins grant two accounts, so the picker can be tried.
 */
export function createSandboxAdapter(
  platform: Platform,
  options: { publicUrl: string; now: () => Date },
): ProviderAdapter {
  const tokens = (): TokenSet => ({
    accessToken: `sbx_at_${randomBytes(16).toString('base64url')}`,
    refreshToken: `sbx_rt_${randomBytes(16).toString('base64url')}`,
    expiresAt: new Date(options.now().getTime() + 2 * 3600_000),
    scopes: ['sandbox.read', 'sandbox.write'],
  });
  return {
    platform,
    pkce: true,
    scopes: ['sandbox.read', 'sandbox.write'],
    authorizeUrl({ state, redirectUri, client, codeChallenge }) {
      const url = new URL(`${options.publicUrl}/connect/sandbox/authorize`);
      url.search = new URLSearchParams({
        platform,
        client_id: client.clientId,
        redirect_uri: redirectUri,
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      }).toString();
      return url.toString();
    },
    async exchangeCode({ code, codeVerifier }) {
      const [identity, , challenge] = code.slice(SANDBOX_CODE_PREFIX.length).split('.');
      if (!code.startsWith(SANDBOX_CODE_PREFIX) || !identity || !challenge) {
        throw new ProviderError(
          platform,
          { kind: 'permanent', message: 'the sandbox provider did not issue this code' },
          400,
          'invalid_grant',
        );
      }
      if (sha256Base64Url(codeVerifier) !== challenge) {
        throw new ProviderError(
          platform,
          { kind: 'permanent', message: 'PKCE verification failed' },
          400,
          'invalid_grant',
        );
      }
      // The identity part is stable per end user, so a reconnect links the same fake account again.
      const seed = sha256Hex(`${platform}:${identity}`);
      const count = platform === 'facebook' || platform === 'instagram' ? 2 : 1;
      const accounts: LinkableAccount[] = Array.from({ length: count }, (_, index) => ({
        remoteAccountId: `sandbox_${platform}_${seed.slice(0, 10)}_${index + 1}`,
        remoteUsername: `sandbox_${platform}_user${index + 1}`,
        displayName: `Sandbox ${platform} account ${index + 1}`,
        accountType: ACCOUNT_TYPES[platform],
        tokens: tokens(),
      }));
      return { tokens: accounts[0]!.tokens, accounts };
    },
    async refresh({ tokens: current }) {
      return { ...tokens(), scopes: current.scopes };
    },
    async revoke() {},
  };
}
