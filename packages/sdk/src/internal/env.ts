import { MyPostShareError } from '../errors.js';

/**
 * Reads an environment variable where there is one. Edge runtimes have no `process`, and Deno
 * throws on `process.env` without `--allow-env`: there the options must be passed explicitly.
 */
export function readEnv(name: string): string | undefined {
  try {
    if (typeof process === 'undefined') return undefined;
    const value = process.env?.[name]?.trim();
    return value ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Checks an http(s) URL option and returns it without a trailing slash, so paths can be appended. */
export function normalizeUrl(option: string, value: string, example: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MyPostShareError(`${option} must be an absolute URL such as ${example}, got "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new MyPostShareError(`${option} must be an http(s) URL, got "${value}"`);
  }
  if (url.search || url.hash) {
    throw new MyPostShareError(`${option} must not carry a query or a fragment, got "${value}"`);
  }
  return url.href.replace(/\/+$/, '');
}
