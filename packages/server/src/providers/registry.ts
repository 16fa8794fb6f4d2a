import type { Platform } from '@mypostshare/contract';
import type { Config } from '../env.js';
import { resolveEndpoints } from './endpoints.js';
import { createFacebookAdapter } from './facebook/adapter.js';
import { createInstagramAdapter } from './instagram/adapter.js';
import { createLinkedInAdapter } from './linkedin/adapter.js';
import { createSandboxAdapter } from './sandbox/adapter.js';
import { createTwitterAdapter } from './twitter/adapter.js';
import type { AdapterContext, ProviderAdapter } from './types.js';
import { createYouTubeAdapter } from './youtube/adapter.js';

const FACTORIES: Record<Platform, (ctx: AdapterContext) => ProviderAdapter> = {
  linkedin: createLinkedInAdapter,
  facebook: createFacebookAdapter,
  instagram: createInstagramAdapter,
  twitter: createTwitterAdapter,
  youtube: createYouTubeAdapter,
};

/**
 * The adapter for a platform: the simulated provider for sandbox apps, the real one otherwise.
 * Adapters are cheap and stateless, so one is built per use with the current configuration.
 */
export function adapterFor(
  config: Config,
  platform: Platform,
  options: { sandbox: boolean; now: () => Date; fetch?: typeof fetch },
): ProviderAdapter {
  if (options.sandbox)
    return createSandboxAdapter(platform, { publicUrl: config.publicUrl, now: options.now });
  return FACTORIES[platform]({
    endpoints: resolveEndpoints(config, platform),
    now: options.now,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
