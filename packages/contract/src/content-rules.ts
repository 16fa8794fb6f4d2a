import type { Platform } from './platforms.js';
import { PLATFORMS } from './platforms.js';

/*
 * Each platform's content rules (docs/providers.md), checked before anything is stored or sent.
 * They live in the contract so the server and the SDK apply exactly the same rules. Rules that need
 * the media file itself (type, size, duration) are checked by the server when it fetches the file.
 */

/** One platform's limits and capabilities, as `GET /v1/platforms` reports them. */
export interface PlatformLimits {
  platform: Platform;
  name: string;
  maxTextLength: number;
  textLengthUnit: 'characters' | 'weighted_characters' | 'bytes';
  requiresMedia: boolean;
  requiresTitle: boolean;
  supportsTitle: boolean;
  maxTitleLength: number | null;
  /** Kinds of media the platform takes: `image`, `video`. */
  mediaTypes: string[];
  maxMediaCount: number;
  /** Keys `platformOptions.<platform>` accepts. */
  options: string[];
}

export const PLATFORM_LIMITS: Record<Platform, PlatformLimits> = {
  linkedin: {
    platform: 'linkedin',
    name: 'LinkedIn',
    maxTextLength: 3000,
    textLengthUnit: 'characters',
    requiresMedia: false,
    requiresTitle: false,
    supportsTitle: true,
    maxTitleLength: null,
    mediaTypes: ['image', 'video'],
    maxMediaCount: 20,
    options: ['content', 'visibility'],
  },
  facebook: {
    platform: 'facebook',
    name: 'Facebook',
    maxTextLength: 63_206,
    textLengthUnit: 'characters',
    requiresMedia: false,
    requiresTitle: false,
    supportsTitle: true,
    maxTitleLength: null,
    mediaTypes: ['image', 'video'],
    maxMediaCount: 10,
    options: ['content'],
  },
  instagram: {
    platform: 'instagram',
    name: 'Instagram',
    maxTextLength: 2200,
    textLengthUnit: 'characters',
    requiresMedia: true,
    requiresTitle: false,
    supportsTitle: false,
    maxTitleLength: null,
    mediaTypes: ['image', 'video'],
    maxMediaCount: 10,
    options: ['content', 'mediaType'],
  },
  twitter: {
    platform: 'twitter',
    name: 'X',
    maxTextLength: 280,
    textLengthUnit: 'weighted_characters',
    requiresMedia: false,
    requiresTitle: false,
    supportsTitle: false,
    maxTitleLength: null,
    mediaTypes: ['image', 'video'],
    maxMediaCount: 4,
    options: ['content'],
  },
  youtube: {
    platform: 'youtube',
    name: 'YouTube',
    maxTextLength: 5000,
    textLengthUnit: 'bytes',
    requiresMedia: true,
    requiresTitle: true,
    supportsTitle: true,
    maxTitleLength: 100,
    mediaTypes: ['video'],
    maxMediaCount: 1,
    options: ['content', 'privacyStatus', 'tags', 'madeForKids'],
  },
};

/** The weight X gives every URL, whatever its length (t.co wrapping). */
export const TWITTER_URL_WEIGHT = 23;

// Code points that weigh 1 in twitter-text v3; every other code point weighs 2.
const LIGHT_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x0000, 0x10ff],
  [0x2000, 0x200d],
  [0x2010, 0x201f],
  [0x2032, 0x2037],
];

// URLs as X recognises them: with a scheme, or a bare domain with a common top-level domain.
const URL_PATTERN =
  /(?:https?:\/\/[^\s<>"]+|(?<![\w@.-])(?:www\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|org|net|io|co|dev|app|ai|me|ly|info|biz|edu|gov|tv|us|uk|de|fr|es|it|nl|jp|ca|au|in|br)(?::\d+)?(?:\/[^\s<>"]*)?(?![\w-]))/giu;

/** Strips punctuation that ends a sentence rather than the URL. */
const trimUrl = (url: string) => url.replace(/[.,:;!?'")\]]+$/u, '');

/**
 * A text's length as X counts it (twitter-text v3, docs/providers.md): NFC-normalised; code points
 * in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1, every other one 2;
 * every URL weighs 23.
 *
 * @example
 * ```ts
 * twitterWeightedLength('hello'); // 5
 * twitterWeightedLength('日本'); // 4
 * twitterWeightedLength('see https://example.com/a/very/long/path'); // 4 + 23
 * ```
 */
export function twitterWeightedLength(text: string): number {
  const normalized = text.normalize('NFC');
  let weight = 0;
  let rest = '';
  let last = 0;
  for (const match of normalized.matchAll(URL_PATTERN)) {
    const url = trimUrl(match[0]);
    rest += normalized.slice(last, match.index);
    weight += TWITTER_URL_WEIGHT;
    last = match.index + url.length;
  }
  rest += normalized.slice(last);
  for (const char of rest) {
    const code = char.codePointAt(0) ?? 0;
    weight += LIGHT_RANGES.some(([from, to]) => code >= from && code <= to) ? 1 : 2;
  }
  return weight;
}

/** What the content rules look at: the shared publish body's fields. */
export interface PostContentInput {
  content: string;
  title?: string | undefined;
  platforms: readonly Platform[];
  mediaUrl?: string | undefined;
  mediaUrls?: readonly string[] | undefined;
  thumbnailUrl?: string | undefined;
  platformOptions?:
    | Partial<Record<Platform, ({ content?: string | undefined } & Record<string, unknown>) | undefined>>
    | undefined;
}

export interface ContentProblem {
  rule: string;
  message: string;
}

export interface PlatformContentCheck {
  platform: Platform;
  errors: ContentProblem[];
  warnings: ContentProblem[];
}

/** The text a platform receives: its `platformOptions.<platform>.content` override, else `content`. */
export const textFor = (input: PostContentInput, platform: Platform): string =>
  input.platformOptions?.[platform]?.content ?? input.content;

/** Every media URL of the request, `mediaUrl` first. */
export const mediaUrlsOf = (input: PostContentInput): string[] => [
  ...(input.mediaUrl ? [input.mediaUrl] : []),
  ...(input.mediaUrls ?? []),
];

const characters = (text: string) => [...text].length;
const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;
const LINKEDIN_RESERVED = /[\\|{}@[\]()<>#*_~]/u;

/**
 * Checks one platform's rules. Errors make the request fail with 422 `content_invalid`; warnings
 * only inform (the validate route reports them).
 */
export function checkPlatformContent(input: PostContentInput, platform: Platform): PlatformContentCheck {
  const limits = PLATFORM_LIMITS[platform];
  const errors: ContentProblem[] = [];
  const warnings: ContentProblem[] = [];
  const text = textFor(input, platform);
  const media = mediaUrlsOf(input);
  const options = (input.platformOptions?.[platform] ?? {}) as Record<string, unknown>;
  const error = (rule: string, message: string) => errors.push({ rule, message });
  const warn = (rule: string, message: string) => warnings.push({ rule, message });

  if (text.trim() === '' && media.length === 0 && platform !== 'youtube') {
    error('text_required', `${limits.name} needs text or media`);
  }
  if (limits.requiresMedia && media.length === 0) {
    error(
      'media_required',
      platform === 'youtube'
        ? 'YouTube needs a video in mediaUrl'
        : `${limits.name} needs an image or a video`,
    );
  }
  if (media.length > limits.maxMediaCount) {
    error(
      'media_count',
      `${limits.name} takes at most ${limits.maxMediaCount} media files, got ${media.length}`,
    );
  }

  switch (platform) {
    case 'twitter': {
      const weight = twitterWeightedLength(text);
      if (weight > limits.maxTextLength) {
        error(
          'max_length',
          `X allows ${limits.maxTextLength} weighted characters, this text weighs ${weight} (URLs count 23, wide characters 2)`,
        );
      }
      break;
    }
    case 'linkedin':
    case 'facebook':
    case 'instagram': {
      const length = characters(text);
      if (length > limits.maxTextLength) {
        error(
          'max_length',
          `${limits.name} allows ${limits.maxTextLength} characters, this text has ${length}`,
        );
      }
      break;
    }
    case 'youtube': {
      const bytes = utf8Bytes(text);
      if (bytes > limits.maxTextLength) {
        error('description_length', `YouTube descriptions are at most 5000 bytes, this one is ${bytes}`);
      }
      if (/[<>]/u.test(text)) error('angle_brackets', 'YouTube descriptions may not contain < or >');
      break;
    }
  }

  if (platform === 'youtube') {
    const title = input.title;
    if (title === undefined || title.trim() === '') {
      error('title_required', 'YouTube needs a title');
    } else {
      if (characters(title) > 100) {
        error('title_length', `YouTube titles are at most 100 characters, this one has ${characters(title)}`);
      }
      if (/[<>]/u.test(title)) error('angle_brackets', 'YouTube titles may not contain < or >');
    }
    const tags = (options.tags as string[] | undefined) ?? [];
    const tagsLength = tags.reduce((sum, tag) => sum + characters(tag) + (tag.includes(' ') ? 2 : 0), 0);
    if (tagsLength > 500) error('tags_length', 'YouTube tags may total at most 500 characters');
    if ((options.privacyStatus ?? 'public') === 'public') {
      warn(
        'privacy_forced',
        'Videos uploaded by API projects YouTube has not audited are made private whatever privacyStatus says',
      );
    }
  } else if (input.title !== undefined && !limits.supportsTitle) {
    warn('title_ignored', `${limits.name} has no title field; the title is not sent`);
  }

  if (platform === 'instagram') {
    const mediaType = options.mediaType as string | undefined;
    if (mediaType === 'carousel' && (media.length < 2 || media.length > 10)) {
      error('carousel_size', 'An Instagram carousel needs 2 to 10 media files');
    }
    if ((mediaType === 'reel' || mediaType === 'story' || mediaType === 'image') && media.length > 1) {
      error('media_count', `An Instagram ${mediaType} takes exactly one media file`);
    }
    const hashtags = text.match(/#[\p{L}\p{N}_]+/gu)?.length ?? 0;
    if (hashtags > 30)
      error('hashtags', `Instagram allows at most 30 hashtags, this caption has ${hashtags}`);
  }
  if (platform === 'linkedin' && LINKEDIN_RESERVED.test(text)) {
    warn(
      'escaped_characters',
      'LinkedIn reserves \\ | { } @ [ ] ( ) < > # * _ ~; they are escaped so they show as typed (no mentions or hashtag links)',
    );
  }
  if (input.thumbnailUrl !== undefined && platform !== 'youtube') {
    warn('thumbnail_ignored', `${limits.name} does not take a separate thumbnail; it is not sent`);
  }
  return { platform, errors, warnings };
}

/** Checks every platform of the request, in request order. */
export function checkPostContent(input: PostContentInput): PlatformContentCheck[] {
  return input.platforms.map((platform) => checkPlatformContent(input, platform));
}

/** Every platform's limits, in the contract's platform order. */
export const platformLimitsList = (): PlatformLimits[] =>
  PLATFORMS.map((platform) => PLATFORM_LIMITS[platform]);
