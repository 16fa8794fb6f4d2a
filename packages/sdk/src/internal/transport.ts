import ky, { type KyInstance } from 'ky';
import {
  AbortError,
  type APIError,
  ConnectionError,
  MyPostShareError,
  makeAPIError,
  TimeoutError,
  ValidationError,
} from '../errors.js';
import type { RequestOptions } from '../options.js';
import { buildPath } from './paths.js';
import { backoffDelay, isRetryableMethod, isRetryableStatus, retryDelay, sleep } from './retry.js';
import { checkInteger } from './validate.js';

/** The largest delay `setTimeout` honours; longer timeouts would fire at once. */
export const MAX_TIMEOUT_MS = 2_147_483_647;
export const MAX_RETRIES_LIMIT = 10;

// The server's own rule for the header: 1 to 255 visible ASCII characters.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** What the transport needs of a contract route. */
export interface RouteRef {
  method: string;
  path: string;
}

export interface TransportConfig {
  apiKey: string;
  baseUrl: string;
  timeout: number;
  maxRetries: number;
  fetch?: typeof globalThis.fetch | undefined;
}

interface Call {
  params?: Record<string, string>;
  body?: unknown;
}

type Outcome = { ok: true; data: unknown } | { ok: false; error: APIError };

function newIdempotencyKey(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID !== 'function') {
    throw new MyPostShareError(
      'globalThis.crypto.randomUUID is unavailable; pass idempotencyKey explicitly (or null to send none)',
    );
  }
  return crypto.randomUUID();
}

function resolveIdempotencyKey(method: string, option: string | null | undefined): string | undefined {
  if (method !== 'POST' || option === null) return undefined;
  if (option === undefined) return newIdempotencyKey();
  if (!IDEMPOTENCY_KEY.test(option)) {
    throw new ValidationError([
      { field: 'idempotencyKey', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  return option;
}

/**
 * Sends requests with ky and owns the retry loop. ky's own retries are off so that exactly the
 * SDK's rules apply: which methods, which statuses, how long to wait, and the same
 * Idempotency-Key on every attempt.
 */
export class Transport {
  readonly #ky: KyInstance;
  readonly #timeout: number;
  readonly #maxRetries: number;

  constructor(config: TransportConfig) {
    this.#timeout = config.timeout;
    this.#maxRetries = config.maxRetries;
    this.#ky = ky.create({
      prefixUrl: config.baseUrl,
      retry: 0,
      // The timeout is ours: ky's stops at the headers, ours also covers reading the body.
      timeout: false,
      throwHttpErrors: false,
      headers: { authorization: `Bearer ${config.apiKey}`, accept: 'application/json' },
      ...(config.fetch ? { fetch: config.fetch } : {}),
    });
  }

  /** Sends one call, retrying where safe, and resolves with the parsed JSON body (undefined for 204). */
  async request<T>(route: RouteRef, call: Call = {}, options: RequestOptions = {}): Promise<T> {
    const method = route.method.toUpperCase();
    const path = buildPath(route.path, call.params);
    const timeout = checkInteger('timeout', options.timeout ?? this.#timeout, 1, MAX_TIMEOUT_MS);
    const maxRetries = checkInteger(
      'maxRetries',
      options.maxRetries ?? this.#maxRetries,
      0,
      MAX_RETRIES_LIMIT,
    );
    const idempotencyKey = resolveIdempotencyKey(method, options.idempotencyKey);
    const retryable = isRetryableMethod(method, idempotencyKey !== undefined);
    const { signal } = options;

    for (let retryIndex = 0; ; retryIndex++) {
      if (signal?.aborted) throw new AbortError('The request was aborted', { cause: signal.reason });
      const mayRetry = retryable && retryIndex < maxRetries;
      let outcome: Outcome;
      try {
        outcome = await this.#attempt(method, path, call.body, idempotencyKey, timeout, signal);
      } catch (error) {
        if (!(error instanceof ConnectionError) || !mayRetry) throw error;
        await this.#wait(backoffDelay(retryIndex), signal);
        continue;
      }
      if (outcome.ok) return outcome.data as T;
      const { error } = outcome;
      const delay =
        mayRetry && isRetryableStatus(error.status, error.code)
          ? retryDelay(retryIndex, error.headers)
          : undefined;
      if (delay === undefined) throw error;
      await this.#wait(delay, signal);
    }
  }

  async #wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch {
      throw new AbortError('The request was aborted', { cause: signal?.reason });
    }
  }

  /** One attempt: a network failure throws; an answer, success or error, is returned. */
  async #attempt(
    method: string,
    path: string,
    body: unknown,
    idempotencyKey: string | undefined,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<Outcome> {
    const timer = new AbortController();
    const timeoutId = setTimeout(() => timer.abort(), timeout);
    const combined = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
    let response: Response;
    let text: string;
    try {
      response = await this.#ky(path, {
        method,
        signal: combined,
        ...(body === undefined ? {} : { json: body }),
        ...(idempotencyKey === undefined ? {} : { headers: { 'idempotency-key': idempotencyKey } }),
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw new AbortError('The request was aborted', { cause: signal.reason });
      if (timer.signal.aborted) {
        throw new TimeoutError(`No answer from ${method} ${path} within ${timeout} ms`, { cause: error });
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConnectionError(`Could not reach the mypostshare API (${reason})`, { cause: error });
    } finally {
      clearTimeout(timeoutId);
    }

    if (!response.ok) return { ok: false, error: makeAPIError(response.status, response.headers, text) };
    if (response.status === 204 || text === '') return { ok: true, data: undefined };
    try {
      return { ok: true, data: JSON.parse(text) };
    } catch (error) {
      throw new MyPostShareError(`The API answered ${response.status} with a body that is not JSON`, {
        cause: error,
      });
    }
  }
}
