import * as z from 'zod';

/**
 * The social platforms mypostshare connects and publishes to.
 *
 * @example
 * ```ts
 * import { PLATFORMS } from '@mypostshare/contract';
 * PLATFORMS.includes('linkedin'); // true
 * ```
 */
export const PLATFORMS = ['linkedin', 'facebook', 'instagram', 'twitter', 'youtube'] as const;

/**
 * A platform key: `linkedin`, `facebook`, `instagram`, `twitter` or `youtube`.
 *
 * @example
 * ```ts
 * Platform.parse('twitter'); // 'twitter'
 * ```
 */
export const Platform = z.enum(PLATFORMS).meta({ id: 'Platform', description: 'Provider key.' });
export type Platform = z.infer<typeof Platform>;

/** Human-readable platform names, for pages and CLI output. */
export const PLATFORM_LABELS: Record<Platform, string> = {
  linkedin: 'LinkedIn',
  facebook: 'Facebook',
  instagram: 'Instagram',
  twitter: 'X',
  youtube: 'YouTube',
};
