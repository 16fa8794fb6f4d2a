import type { OperationId, RouteDefinition } from '@mypostshare/contract';
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
import { loadContract } from './contract.js';
import { buildPath, toSearchParams } from './paths.js';
import { backoffDelay, isRetryableMethod, isRetryableStatus, retryDelay, sleep } from './retry.js';
import { checkInteger, parseOrThrow } from './validate.js';

/** The largest delay `setTimeout` honours; longer timeouts would fire at once. */
export const MAX_TIMEOUT_MS = 2_147_483_647;
export const MAX_RETRIES_LIMIT = 10;

// The server's own rule for the header: 1 to 255 visible ASCII characters.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface TransportConfig {
  /** The bearer token: an app API key or the admin token. */
  token: string;
  /** Where relative paths start, without a trailing slash. */
  baseUrl: string;
  /**
   * The part of the contract's route paths the base URL already stands for: `/api/` for the public
   * API (whose base URL ends in `/api`), `/` for the admin client (whose base URL is the origin).
   */
  pathPrefix: string;
  timeout: number;
  maxRetries: number;
  fetch?: typeof globalThis.fetch | undefined;
}

/** What one method call sends. Values are checked against the route's contract schemas first. */
export interface Call {
  params?: Record<string, unknown>;
  query?: Record<string, unknown> | undefined;
  /**
   * A query taken as is from a `Link` header the server sent, instead of `query`: it is the
   * server's own, filters and cursor included, so it is not validated again.
   */
  rawQuery?: URLSearchParams | undefined;
  body?: unknown;
  /** Statuses besides 2xx whose body is the answer rather than an error (`/readyz`'s 503). */
  okStatuses?: readonly number[];
}

/** A successful answer. */
export interface Reply<T> {
  data: T;
  status: number;
  headers: Headers;
}

type Outcome = { ok: true; reply: Reply<unknown> } | { ok: false; error: APIError };

function newIdempotencyKey(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID !== 'function') {
    throw new MyPostShareError(
      'globalThis.crypto.randomUUID is unavailable; pass idempotencyKey explicitly (or null to send none)',
    );
  }
  return crypto.randomUUID();
}

function resolveIdempotencyKey(option: string | null | undefined): string | undefined {
  if (option === null) return undefined;
  if (option === undefined) return newIdempotencyKey();
  if (typeof option !== 'string' || !IDEMPOTENCY_KEY.test(option)) {
    throw new ValidationError([
      { field: 'idempotencyKey', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  return option;
}

/**
 * Sends the contract's operations with ky and owns the retry loop. ky's own retries are off so
 * that exactly the SDK's rules apply: which methods, which statuses, how long to wait, and the
 * same Idempotency-Key on every attempt.
 */
export class Transport {
  readonly #ky: KyInstance;
  readonly #baseUrl: string;
  readonly #pathPrefix: string;
  readonly #timeout: number;
  readonly #maxRetries: number;

  constructor(config: TransportConfig) {
    this.#baseUrl = config.baseUrl;
    this.#pathPrefix = config.pathPrefix;
    this.#timeout = config.timeout;
    this.#maxRetries = config.maxRetries;
    this.#ky = ky.create({
      prefixUrl: config.baseUrl,
      retry: 0,
      // The timeout is ours: ky's stops at the headers, ours also covers reading the body.
      timeout: false,
      throwHttpErrors: false,
      headers: { authorization: `Bearer ${config.token}`, accept: 'application/json' },
      ...(config.fetch ? { fetch: config.fetch } : {}),
    });
  }

  /** The base URL relative `Link` targets resolve against. */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  /**
   * Validates a call against the operation's contract schemas, sends it (retrying where safe) and
   * resolves with the parsed JSON body (undefined for 204) and the response headers.
   */
  async call<T>(operationId: OperationId, call: Call = {}, options: RequestOptions = {}): Promise<Reply<T>> {
    const { routes } = await loadContract();
    const route: RouteDefinition = routes[operationId];
    const method = route.method.toUpperCase();

    // Everything is checked before the first byte goes out: a ValidationError never reached the network.
    const params = route.params
      ? parseOrThrow<Record<string, unknown>>(route.params, call.params ?? {})
      : undefined;
    let search = call.rawQuery;
    if (!search && route.query) {
      search = toSearchParams(parseOrThrow<Record<string, unknown>>(route.query, call.query ?? {}));
    }
    const body = route.body ? parseOrThrow(route.body, call.body) : undefined;
    const path = buildPath(route.path, this.#pathPrefix, params);
    const timeout = checkInteger('timeout', options.timeout ?? this.#timeout, 1, MAX_TIMEOUT_MS);
    const maxRetries = checkInteger(
      'maxRetries',
      options.maxRetries ?? this.#maxRetries,
      0,
      MAX_RETRIES_LIMIT,
    );
    // Only the routes the contract marks idempotent honour the header; elsewhere a key would
    // promise a safety the server does not give, so none is sent and such a POST is never retried.
    const idempotencyKey = route.idempotent ? resolveIdempotencyKey(options.idempotencyKey) : undefined;
    const retryable = isRetryableMethod(method, idempotencyKey !== undefined);
    const { signal } = options;
    const request: Attempt = { method, path, search, body, idempotencyKey, timeout, signal };

    for (let retryIndex = 0; ; retryIndex++) {
      if (signal?.aborted) throw new AbortError('The request was aborted', { cause: signal.reason });
      const mayRetry = retryable && retryIndex < maxRetries;
      let outcome: Outcome;
      try {
        outcome = await this.#attempt(request, call.okStatuses);
      } catch (error) {
        if (!(error instanceof ConnectionError) || !mayRetry) throw error;
        await this.#wait(backoffDelay(retryIndex), signal);
        continue;
      }
      if (outcome.ok) return outcome.reply as Reply<T>;
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
  async #attempt(request: Attempt, okStatuses: readonly number[] = []): Promise<Outcome> {
    const { method, path, search, body, idempotencyKey, timeout, signal } = request;
    const timer = new AbortController();
    const timeoutId = setTimeout(() => timer.abort(), timeout);
    const combined = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
    let response: Response;
    let text: string;
    try {
      response = await this.#ky(path, {
        method,
        signal: combined,
        ...(search && search.toString() !== '' ? { searchParams: search } : {}),
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

    const { status, headers } = response;
    if (!response.ok && !okStatuses.includes(status)) {
      return { ok: false, error: makeAPIError(status, headers, text) };
    }
    if (status === 204 || text === '') return { ok: true, reply: { data: undefined, status, headers } };
    try {
      return { ok: true, reply: { data: JSON.parse(text), status, headers } };
    } catch (error) {
      throw new MyPostShareError(`The API answered ${status} with a body that is not JSON`, {
        cause: error,
      });
    }
  }
}

interface Attempt {
  method: string;
  path: string;
  search: URLSearchParams | undefined;
  body: unknown;
  idempotencyKey: string | undefined;
  timeout: number;
  signal: AbortSignal | undefined;
}
