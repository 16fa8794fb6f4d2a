import type { Platform } from '@mypostshare/contract';
import type { Config } from '../env.js';
import type { ProviderEndpoints } from './types.js';

export const DEFAULT_LINKEDIN_VERSION = '202601';
export const DEFAULT_GRAPH_API_VERSION = 'v26.0';

/**
 * Each provider's endpoints: the configured ones (MYPOSTSHARE_<PLATFORM>_AUTHORIZE_URL, _TOKEN_URL,
 * _API_URL) or the real providers'. Versions are separate settings, never part of a base URL.
 */
export function resolveEndpoints(config: Config, platform: Platform): ProviderEndpoints {
  const configured = config.providers[platform];
  const graphVersion = config.graphApiVersion ?? DEFAULT_GRAPH_API_VERSION;
  const defaults: Record<Platform, Omit<ProviderEndpoints, 'extra'> & { extra?: Record<string, string> }> = {
    linkedin: {
      authorizeUrl: 'https://www.linkedin.com/oauth/v2/authorization',
      tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
      apiUrl: 'https://api.linkedin.com',
      extra: { linkedinVersion: config.linkedinVersion ?? DEFAULT_LINKEDIN_VERSION },
    },
    facebook: {
      authorizeUrl: `https://www.facebook.com/${graphVersion}/dialog/oauth`,
      tokenUrl: `https://graph.facebook.com/${graphVersion}/oauth/access_token`,
      apiUrl: 'https://graph.facebook.com',
      extra: { graphVersion, videoApiUrl: config.facebookVideoApiUrl ?? 'https://graph-video.facebook.com' },
    },
    instagram: {
      // Instagram Login (graph.instagram.com) is the default path for professional accounts.
      authorizeUrl: 'https://www.instagram.com/oauth/authorize',
      tokenUrl: 'https://api.instagram.com/oauth/access_token',
      apiUrl: 'https://graph.instagram.com',
      extra: { graphVersion },
    },
    twitter: {
      authorizeUrl: 'https://x.com/i/oauth2/authorize',
      tokenUrl: 'https://api.x.com/2/oauth2/token',
      apiUrl: 'https://api.x.com',
    },
    youtube: {
      authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      apiUrl: 'https://www.googleapis.com',
      extra: {
        uploadUrl: config.youtubeUploadUrl ?? 'https://www.googleapis.com/upload',
        revokeUrl: config.youtubeRevokeUrl ?? 'https://oauth2.googleapis.com/revoke',
      },
    },
  };
  const fallback = defaults[platform];
  return {
    authorizeUrl: configured.authorizeUrl ?? fallback.authorizeUrl,
    tokenUrl: configured.tokenUrl ?? fallback.tokenUrl,
    apiUrl: configured.apiUrl ?? fallback.apiUrl,
    extra: { ...(fallback.extra ?? {}) },
  };
}
