import type { Platform } from '@mypostshare/contract';
import { classifyStatus, type ProviderResponse, retryAfterMs } from './http.js';
import { type ErrorClass, ProviderError } from './types.js';

/*
 * Classification of Meta Graph API errors, shared by the Facebook and Instagram adapters
 * (docs/providers.md, Facebook Pages → Errors and Instagram → Errors). Graph errors look like
 * `{"error":{"message","type","code","error_subcode","fbtrace_id"}}`; Instagram's legacy token
 * endpoint (api.instagram.com) answers `{"error_type","code","error_message"}` instead.
 */

/** Cool-off for "posting too fast" (368, 1390008): Meta gives no hint, and retrying early prolongs the block. */
export const POSTING_TOO_FAST_COOL_OFF_MS = 60 * 60_000;
/** Cool-off for Instagram's publishing quota (subcode 2207042): the quota is a rolling 24 h window. */
export const DAILY_LIMIT_COOL_OFF_MS = 60 * 60_000;

/** Codes meaning the grant is dead: invalid/expired token, session, permission removed. */
const RECONNECT_CODES = new Set([190, 102, 10]);
/** Transient codes: unknown/service errors and the app, user, page and business use-case rate limits. */
const RETRY_CODES = new Set([1, 2, 4, 17, 32, 613]);
/** "You are posting too fast" / spam throttle: retry only after a long cool-off. */
const POSTING_TOO_FAST = new Set([368, 1390008]);
/** Instagram subcodes that will fail the same way however often they are retried. */
const INSTAGRAM_PERMANENT_SUBCODES = new Set([2207003, 2207020, 2207009, 2207010, 2207001, 2207050]);
const INSTAGRAM_DAILY_LIMIT_SUBCODE = 2207042;

/** A Graph error body, normalised. Absent fields stay undefined. */
export interface GraphErrorDetails {
  message?: string;
  type?: string;
  code?: number;
  subcode?: number;
  fbtraceId?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const toInt = (value: unknown): number | undefined => {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  if (typeof value === 'string' && !/^-?\d+$/.test(value.trim())) return undefined;
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : undefined;
};

const toText = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/** Reads a Graph error body (`{error:{…}}`, or Instagram's legacy `{error_type, error_message}`). */
export function parseGraphError(json: unknown): GraphErrorDetails | undefined {
  if (!isObject(json)) return undefined;
  const { error } = json;
  if (isObject(error)) {
    const details: GraphErrorDetails = {};
    const message = toText(error.message);
    const type = toText(error.type);
    const code = toInt(error.code);
    const subcode = toInt(error.error_subcode);
    const fbtraceId = toText(error.fbtrace_id);
    if (message !== undefined) details.message = message;
    if (type !== undefined) details.type = type;
    if (code !== undefined) details.code = code;
    if (subcode !== undefined) details.subcode = subcode;
    if (fbtraceId !== undefined) details.fbtraceId = fbtraceId;
    return details;
  }
  // api.instagram.com/oauth/access_token: `code` there is the HTTP status, not a Graph code.
  const legacyType = toText(json.error_type);
  const legacyMessage = toText(json.error_message);
  if (legacyType !== undefined || legacyMessage !== undefined) {
    const details: GraphErrorDetails = {};
    if (legacyType !== undefined) details.type = legacyType;
    if (legacyMessage !== undefined) details.message = legacyMessage;
    return details;
  }
  // Plain OAuth 2 shape, should a proxy or a future endpoint answer with it.
  const oauthError = toText(error);
  if (oauthError !== undefined) {
    const details: GraphErrorDetails = { type: oauthError };
    const description = toText(json.error_description);
    if (description !== undefined) details.message = description;
    return details;
  }
  return undefined;
}

/**
 * The retry hint of the `X-Business-Use-Case-Usage` header: JSON keyed by business (page, IG user)
 * id, each an array of `{type, call_count, …, estimated_time_to_regain_access}` (minutes). The
 * longest wait wins; undefined when absent, malformed or zero.
 */
export function businessUseCaseRetryAfterMs(headers: Headers): number | undefined {
  const raw = headers.get('x-business-use-case-usage');
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  let minutes = 0;
  for (const entries of Object.values(parsed)) {
    const list = Array.isArray(entries) ? entries : [entries];
    for (const entry of list) {
      if (!isObject(entry)) continue;
      const value = Number(entry.estimated_time_to_regain_access);
      if (Number.isFinite(value) && value > minutes) minutes = value;
    }
  }
  return minutes > 0 ? minutes * 60_000 : undefined;
}

/** Long runs of token-ish characters: access tokens, codes, secrets, proofs. */
const TOKENISH = /[A-Za-z0-9_\-.|%~+/=]{24,}/g;

/**
 * A provider message made safe to log and store: known secrets and anything token-shaped removed,
 * length capped. Meta's messages do not normally echo credentials, but nothing guarantees it.
 */
export function safeProviderMessage(message: string, redact: readonly string[] = []): string {
  let safe = message;
  for (const value of redact) if (value) safe = safe.split(value).join('[redacted]');
  safe = safe.replace(TOKENISH, '[redacted]').replace(/\s+/g, ' ').trim();
  return safe.length > 200 ? `${safe.slice(0, 199)}…` : safe;
}

export interface GraphErrorInput {
  status: number;
  headers: Headers;
  json: unknown;
}

export interface GraphClassification {
  classification: ErrorClass;
  /** `code`, `code/subcode`, or the error type when there is no numeric code. */
  providerCode?: string;
}

const retry = (message: string, after: number | undefined): ErrorClass =>
  after === undefined ? { kind: 'retry', message } : { kind: 'retry', message, retryAfterMs: after };

/**
 * Classifies a failed Graph response (docs/providers.md):
 * - reconnect: code 190 (any subcode), 102, 10, 200–299;
 * - retry: codes 1, 2, 4, 17, 32, 613 and the business use-case limits 80000–80014 (hint from
 *   `X-Business-Use-Case-Usage`, else `Retry-After`); 368 / 1390008 after a long cool-off;
 *   Instagram subcode 2207042 (publishing quota); any 5xx;
 * - permanent: Instagram subcodes 2207003, 2207020, 2207009, 2207010, 2207001, 2207050 and any
 *   other 4xx. A 429 without a known code is still a retry (the HTTP meaning is unambiguous).
 * Subcodes are checked before codes: Instagram reuses generic codes for its 2207xxx subcodes.
 */
export function classifyGraphError(
  response: GraphErrorInput,
  now: Date,
  options: { redact?: readonly string[] } = {},
): GraphClassification {
  const details = parseGraphError(response.json);
  const hint = businessUseCaseRetryAfterMs(response.headers) ?? retryAfterMs(response.headers, now);
  if (!details) {
    const message = `provider answered HTTP ${response.status}`;
    return { classification: classifyStatus(response.status, message, hint) };
  }

  const { code, subcode } = details;
  const label =
    code !== undefined
      ? `Graph API error ${code}${subcode !== undefined ? `/${subcode}` : ''}`
      : 'Graph API error';
  const type = details.type ? ` (${details.type})` : '';
  const text = details.message ? `: ${safeProviderMessage(details.message, options.redact)}` : '';
  const message = `${label}${type}${text}`;
  const providerCode =
    code !== undefined ? `${code}${subcode !== undefined ? `/${subcode}` : ''}` : details.type;
  const result = (classification: ErrorClass): GraphClassification =>
    providerCode === undefined ? { classification } : { classification, providerCode };

  if (subcode === INSTAGRAM_DAILY_LIMIT_SUBCODE) {
    return result(retry(message, Math.max(hint ?? 0, DAILY_LIMIT_COOL_OFF_MS)));
  }
  if (subcode !== undefined && INSTAGRAM_PERMANENT_SUBCODES.has(subcode)) {
    return result({ kind: 'permanent', message });
  }
  if (
    (code !== undefined && POSTING_TOO_FAST.has(code)) ||
    (subcode !== undefined && POSTING_TOO_FAST.has(subcode))
  ) {
    return result(retry(message, Math.max(hint ?? 0, POSTING_TOO_FAST_COOL_OFF_MS)));
  }
  if (code !== undefined) {
    if (RECONNECT_CODES.has(code) || (code >= 200 && code <= 299))
      return result({ kind: 'reconnect', message });
    if (RETRY_CODES.has(code) || (code >= 80000 && code <= 80014)) return result(retry(message, hint));
  }
  if (response.status >= 500 || response.status === 429 || response.status === 408) {
    return result(retry(message, hint));
  }
  return result({ kind: 'permanent', message });
}

/** Whether a Graph response is a failure: a non-2xx status, or a 2xx that still carries an error body. */
export function isGraphFailure(response: GraphErrorInput): boolean {
  if (response.status < 200 || response.status >= 300) return true;
  return isObject(response.json) && isObject(response.json.error);
}

/** The classified ProviderError for a failed Graph response. */
export function graphError(
  platform: Platform,
  response: ProviderResponse | GraphErrorInput,
  now: Date,
  options: { redact?: readonly string[] } = {},
): ProviderError {
  const { classification, providerCode } = classifyGraphError(response, now, options);
  return new ProviderError(platform, classification, response.status, providerCode);
}

/**
 * The ProviderError for a failed call that creates a post (Facebook feed, photo and video posts,
 * Instagram `media_publish`). As {@link graphError}, but marked `outcomeUnknown` when the answer did
 * not come from Graph itself: a 504, or a 5xx without a Graph error body, is a gateway that gave up
 * while Graph may have gone on and created the post. A Graph error body is Graph's own refusal and
 * is trusted.
 */
export function graphCreateError(
  platform: Platform,
  response: ProviderResponse | GraphErrorInput,
  now: Date,
  options: { redact?: readonly string[] } = {},
): ProviderError {
  const error = graphError(platform, response, now, options);
  const fromGateway =
    response.status === 504 || (response.status >= 500 && parseGraphError(response.json) === undefined);
  if (!fromGateway) return error;
  return new ProviderError(platform, error.classification, error.status, error.providerCode, true);
}
