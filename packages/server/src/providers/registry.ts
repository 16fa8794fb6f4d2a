import type { Platform } from '@mypostshare/contract';
import type { Config } from '../env.js';
import { resolveEndpoints } from './endpoints.js';
import { createFacebookAdapter } from './facebook/adapter.js';

import { createFacebookPublisher } from './facebook/publish.js';

import { createInstagramAdapter } from './instagram/adapter.js';

import { createInstagramPublisher } from './instagram/publish.js';

import { createLinkedInAdapter } from './linkedin/adapter.js';
import { createLinkedInPublisher } from './linkedin/publish.js';
import type { PublishAdapter } from './publishing.js';
import { createSandboxAdapter } from './sandbox/adapter.js';
import { createSandboxPublisher } from './sandbox/publish.js';
import { createTwitterAdapter } from './twitter/adapter.js';

import { createTwitterPublisher } from './twitter/publish.js';

import type { AdapterContext, ProviderAdapter } from './types.js';
import { createYouTubeAdapter } from './youtube/adapter.js';

import { createYouTubePublisher } from './youtube/publish.js';

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

const PUBLISHERS: Record<Platform, (ctx: AdapterContext) => PublishAdapter> = {
  linkedin: createLinkedInPublisher,
  facebook: createFacebookPublisher,
  instagram: createInstagramPublisher,
  twitter: createTwitterPublisher,
  youtube: (ctx) => createYouTubePublisher(ctx),
};

/** The publishing half of a platform's adapter: simulated for sandbox apps, the real one otherwise. */
export function publisherFor(
  config: Config,
  platform: Platform,
  options: { sandbox: boolean; now: () => Date; fetch?: typeof fetch },
): PublishAdapter {
  if (options.sandbox) return createSandboxPublisher(platform, { publicUrl: config.publicUrl });
  return PUBLISHERS[platform]({
    endpoints: resolveEndpoints(config, platform),
    now: options.now,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
