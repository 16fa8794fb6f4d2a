import { describe, expect, it } from 'vitest';
import {
  checkPlatformContent,
  checkPostContent,
  PLATFORM_LIMITS,
  type PostContentInput,
  platformLimitsList,
  twitterWeightedLength,
} from '../src/index.js';

const base = (overrides: Partial<PostContentInput> = {}): PostContentInput => ({
  content: 'Hello',
  platforms: ['linkedin'],
  ...overrides,
});
const rules = (input: PostContentInput, platform: PostContentInput['platforms'][number]) =>
  checkPlatformContent(input, platform).errors.map((error) => error.rule);

describe('X weighted length (twitter-text v3 weights from docs/providers.md)', () => {
  it.each([
    ['plain ASCII', 'hello', 5],
    ['Latin-1 and Latin Extended weigh 1', 'café ñ', 6],
    ['CJK weighs 2 per code point', '日本語', 6],
    ['an emoji code point weighs 2', '👍', 2],
    ['a ZWJ sequence weighs per code point (2 + 1 + 2)', '👩\u200D💻', 5],
    ['general punctuation U+2010–U+201F weighs 1', '\u2013\u201C\u201D', 3],
    ['U+2032–U+2037 weighs 1, U+2038 weighs 2', '\u2032\u2038', 3],
    ['a URL weighs 23 whatever its length', `https://example.com/${'x'.repeat(100)}`, 23],
    ['a short URL also weighs 23', 'http://a.co', 23],
    ['a bare domain counts as a URL', 'see example.com now', 4 + 23 + 4],
    ['sentence punctuation after a URL is text', 'https://example.com.', 24],
    ['NFC normalisation: e + combining acute is one character', 'e\u0301', 1],
  ])('%s', (_name, text, weight) => {
    expect(twitterWeightedLength(text)).toBe(weight);
  });

  it('accepts exactly 280 and rejects 281', () => {
    expect(rules(base({ content: 'a'.repeat(280), platforms: ['twitter'] }), 'twitter')).toEqual([]);
    expect(rules(base({ content: 'a'.repeat(281), platforms: ['twitter'] }), 'twitter')).toEqual([
      'max_length',
    ]);
    expect(rules(base({ content: `${'a'.repeat(278)}日`, platforms: ['twitter'] }), 'twitter')).toEqual([]);
    expect(rules(base({ content: `${'a'.repeat(279)}日`, platforms: ['twitter'] }), 'twitter')).toEqual([
      'max_length',
    ]);
    // 257 + 23 = 280: a long URL still fits.
    const withUrl = `${'a'.repeat(256)} https://example.com/${'p'.repeat(300)}`;
    expect(rules(base({ content: withUrl, platforms: ['twitter'] }), 'twitter')).toEqual([]);
  });

  it('takes at most 4 media', () => {
    const four = Array.from({ length: 3 }, (_, index) => `https://cdn.example.com/${index}.jpg`);
    const input = base({
      platforms: ['twitter'],
      mediaUrl: 'https://cdn.example.com/a.jpg',
      mediaUrls: four,
    });
    expect(rules(input, 'twitter')).toEqual([]);
    expect(rules({ ...input, mediaUrls: [...four, 'https://cdn.example.com/x.jpg'] }, 'twitter')).toEqual([
      'media_count',
    ]);
  });
});

describe('LinkedIn, Facebook, Instagram lengths', () => {
  it.each([
    ['linkedin', 3000],
    ['facebook', 63_206],
    ['instagram', 2200],
  ] as const)('%s accepts %i characters and rejects one more', (platform, limit) => {
    const media = platform === 'instagram' ? { mediaUrl: 'https://cdn.example.com/a.jpg' } : {};
    expect(rules(base({ content: 'a'.repeat(limit), platforms: [platform], ...media }), platform)).toEqual(
      [],
    );
    expect(
      rules(base({ content: 'a'.repeat(limit + 1), platforms: [platform], ...media }), platform),
    ).toEqual(['max_length']);
  });

  it('counts characters, not UTF-16 units (an emoji is one)', () => {
    expect(rules(base({ content: '😀'.repeat(3000) }), 'linkedin')).toEqual([]);
  });

  it('needs text or media on the text platforms', () => {
    expect(rules(base({ content: '   ' }), 'linkedin')).toEqual(['text_required']);
    expect(rules(base({ content: '', mediaUrl: 'https://cdn.example.com/a.jpg' }), 'linkedin')).toEqual([]);
  });

  it('warns that LinkedIn reserved characters are escaped', () => {
    const check = checkPlatformContent(base({ content: 'Ship it (today) #launch' }), 'linkedin');
    expect(check.warnings.map((warning) => warning.rule)).toEqual(['escaped_characters']);
  });
});

describe('Instagram media rules', () => {
  const ig = (overrides: Partial<PostContentInput>) => base({ platforms: ['instagram'], ...overrides });
  it('requires media', () => {
    expect(rules(ig({}), 'instagram')).toEqual(['media_required']);
  });
  it('carousels take 2 to 10 media', () => {
    const carousel = { instagram: { mediaType: 'carousel' } };
    expect(
      rules(ig({ mediaUrl: 'https://cdn.example.com/1.jpg', platformOptions: carousel }), 'instagram'),
    ).toEqual(['carousel_size']);
    expect(
      rules(
        ig({
          mediaUrls: ['https://cdn.example.com/1.jpg', 'https://cdn.example.com/2.jpg'],
          platformOptions: carousel,
        }),
        'instagram',
      ),
    ).toEqual([]);
    const eleven = Array.from({ length: 11 }, (_, index) => `https://cdn.example.com/${index}.jpg`);
    expect(rules(ig({ mediaUrls: eleven, platformOptions: carousel }), 'instagram')).toEqual(
      expect.arrayContaining(['media_count', 'carousel_size']),
    );
  });
  it('a reel or story takes exactly one file', () => {
    const two = ['https://cdn.example.com/1.mp4', 'https://cdn.example.com/2.mp4'];
    expect(
      rules(ig({ mediaUrls: two, platformOptions: { instagram: { mediaType: 'reel' } } }), 'instagram'),
    ).toEqual(['media_count']);
  });
  it('allows 30 hashtags and refuses 31', () => {
    const tags = (count: number) => Array.from({ length: count }, (_, index) => `#tag${index}`).join(' ');
    const media = { mediaUrl: 'https://cdn.example.com/a.jpg' };
    expect(rules(ig({ content: tags(30), ...media }), 'instagram')).toEqual([]);
    expect(rules(ig({ content: tags(31), ...media }), 'instagram')).toEqual(['hashtags']);
  });
});

describe('YouTube rules', () => {
  const yt = (overrides: Partial<PostContentInput>) =>
    base({
      platforms: ['youtube'],
      mediaUrl: 'https://cdn.example.com/v.mp4',
      title: 'A video',
      ...overrides,
    });
  it('requires a video and a title', () => {
    expect(rules(base({ platforms: ['youtube'] }), 'youtube')).toEqual(['media_required', 'title_required']);
  });
  it('title: 100 characters pass, 101 fail, no angle brackets', () => {
    expect(rules(yt({ title: 't'.repeat(100) }), 'youtube')).toEqual([]);
    expect(rules(yt({ title: 't'.repeat(101) }), 'youtube')).toEqual(['title_length']);
    expect(rules(yt({ title: 'a <b> title' }), 'youtube')).toEqual(['angle_brackets']);
  });
  it('description: 5000 bytes pass, 5001 fail (bytes, so multi-byte characters count more)', () => {
    expect(rules(yt({ content: 'a'.repeat(5000) }), 'youtube')).toEqual([]);
    expect(rules(yt({ content: 'a'.repeat(5001) }), 'youtube')).toEqual(['description_length']);
    // 1667 × 3 bytes = 5001.
    expect(rules(yt({ content: '日'.repeat(1667) }), 'youtube')).toEqual(['description_length']);
    expect(rules(yt({ content: 'x > y' }), 'youtube')).toEqual(['angle_brackets']);
  });
  it('takes one video only', () => {
    expect(rules(yt({ mediaUrls: ['https://cdn.example.com/2.mp4'] }), 'youtube')).toEqual(['media_count']);
  });
  it('checks the platform override of the text, not the shared content', () => {
    const input = yt({ content: 'fine', platformOptions: { youtube: { content: 'has <tags>' } } });
    expect(rules(input, 'youtube')).toEqual(['angle_brackets']);
  });
});

describe('the platform table', () => {
  it('lists all five platforms in contract order with the limits the rules use', () => {
    expect(platformLimitsList().map((entry) => entry.platform)).toEqual([
      'linkedin',
      'facebook',
      'instagram',
      'twitter',
      'youtube',
    ]);
    expect(PLATFORM_LIMITS.twitter.maxTextLength).toBe(280);
    expect(PLATFORM_LIMITS.youtube.maxTitleLength).toBe(100);
  });
  it('checks every requested platform, in request order', () => {
    const checks = checkPostContent(base({ platforms: ['twitter', 'linkedin'] }));
    expect(checks.map((check) => check.platform)).toEqual(['twitter', 'linkedin']);
  });
});
