import { ApiError } from '../errors.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks a redirect URI an operator wants to allowlist and returns it in canonical form. It must
 * be absolute, `https:` (or `http:` on a loopback host), with no userinfo, no fragment, and no
 * dot segments or encoded separators that could make two spellings of one path differ.
 */
export function canonicalRedirectUri(value: string): string {
  const refuse = (why: string) =>
    new ApiError('validation_error', `Invalid redirect URI: ${why}`, [{ field: 'uri', message: why }]);
  // The parser silently strips tabs, newlines and surrounding spaces and reads `\` as `/`, so
  // `https://app.com/x/..\cb` or `https://app.com/x/.<tab>./cb` would resolve to `/cb` behind the
  // dot-segment check below: refuse such spellings outright.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\s\\\u0000-\u001f\u007f]/.test(value))
    throw refuse('must not contain whitespace, control characters or backslashes');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse('must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('must use https');
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw refuse('http is allowed only for localhost, 127.0.0.1 and [::1]; use https');
  }
  if (url.username || url.password || /^[a-z]+:\/\/[^/]*@/i.test(value))
    throw refuse('must not contain userinfo');
  if (value.includes('#')) throw refuse('must not contain a fragment');
  // The parser silently resolves dot segments, so look for them in what was written.
  if (/\/\.\.?(\/|\?|$)/.test(value)) throw refuse('must not contain . or .. path segments');
  if (/%2f|%5c|%2e/i.test(value)) throw refuse('must not contain encoded slashes or dots');
  // Stored in the parser's canonical form (lower-case host, default port dropped) so that exact
  // matching later compares like with like.
  return url.href;
}
