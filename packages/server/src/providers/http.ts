import type { Platform } from '@mypostshare/contract';
import { type ErrorClass, ProviderError } from './types.js';

/** Joins a configured base (which may carry a path prefix) and a provider path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

export interface ProviderResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  json: unknown;
  text: string;
}

/**
 * Calls a provider and reads the whole response. Network failures and timeouts become a `retry`
 * ProviderError; the caller classifies HTTP error statuses with the provider's own rules.
 * Never puts the request (which may hold tokens) into the error.
 */
export async function providerFetch(
  platform: Platform,
  url: string,
  init: RequestInit & { timeoutMs?: number },
  fetchImpl: typeof fetch = fetch,
): Promise<ProviderResponse> {
  const { timeoutMs = 30_000, ...rest } = init;
  let response: Response;
  try {
    response = await fetchImpl(url, { ...rest, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const name = (error as Error).name;
    const message =
      name === 'TimeoutError' ? 'provider did not answer in time' : 'could not reach the provider';
    throw new ProviderError(platform, { kind: 'retry', message }, undefined, undefined, !neverSent(error));
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    // The provider answered and then the connection broke: what it did is unknown.
    throw new ProviderError(
      platform,
      { kind: 'retry', message: "the provider's answer was cut off" },
      response.status,
      undefined,
      true,
    );
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** Network errors that happen before a request can have left this machine. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

/** Whether a fetch failure certainly happened before the provider saw the request. */
function neverSent(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code !== undefined && NOT_SENT_CODES.has(cause.code);
}

/** A form-encoded body, as OAuth token endpoints expect. */
export const form = (fields: Record<string, string | undefined>) => {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) body.set(name, value);
  return body;
};

/** Default classification of an HTTP status when the provider's body says nothing more specific. */
export function classifyStatus(status: number, message: string, retryAfterMs?: number): ErrorClass {
  if (status === 401) return { kind: 'reconnect', message };
  if (status === 408 || status === 429 || status >= 500) {
    return retryAfterMs === undefined ? { kind: 'retry', message } : { kind: 'retry', message, retryAfterMs };
  }
  return { kind: 'permanent', message };
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), if present and sane. */
export function retryAfterMs(headers: Headers, now: Date): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/** Converts a provider's `expires_in` (seconds) into an absolute time. */
export function expiresAt(now: Date, expiresIn: unknown): Date | undefined {
  const seconds = Number(expiresIn);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(now.getTime() + seconds * 1000) : undefined;
}
