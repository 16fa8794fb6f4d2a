import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { MyPostShareAdmin } from '../src/admin.js';
import { MyPostShare } from '../src/index.js';

/** The mock server's origin; the public API lives under `/api`, the admin API under `/admin`. */
export const ORIGIN = 'https://api.mypostshare.test';
export const BASE_URL = `${ORIGIN}/api`;
export const API_KEY = 'mps_test_0123456789abcdef';
export const ADMIN_TOKEN = 'mps_admin_fedcba9876543210';

/** What the mock server saw of a request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Headers;
  /** The raw request body ('' when there is none). */
  body: string;
  /** When the request started, in ms since the epoch. */
  at: number;
}

/**
 * An msw server for one test file that fails on any request without a handler, and a log of every
 * request that reached it (so tests can assert that none did).
 */
export function mockApi() {
  const server = setupServer();
  const requests: SeenRequest[] = [];
  server.events.on('request:start', ({ request }) => {
    const seen: SeenRequest = {
      method: request.method,
      url: request.url,
      headers: new Headers(request.headers),
      body: '',
      at: Date.now(),
    };
    requests.push(seen);
    // A clone, so the handler can still read the body.
    void request
      .clone()
      .text()
      .then((text) => {
        seen.body = text;
      });
  });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => {
    requests.length = 0;
  });
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return { server, requests };
}

export function url(path: string): string {
  return `${BASE_URL}${path}`;
}

export function makeClient(options: ConstructorParameters<typeof MyPostShare>[0] = {}): MyPostShare {
  return new MyPostShare({ apiKey: API_KEY, baseUrl: BASE_URL, ...options });
}

export function makeAdmin(options: ConstructorParameters<typeof MyPostShareAdmin>[0] = {}): MyPostShareAdmin {
  return new MyPostShareAdmin({ adminToken: ADMIN_TOKEN, serverUrl: ORIGIN, ...options });
}

/** A JSON answer whose body is exactly `text` (so documented examples are served byte for byte). */
export function jsonText(text: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** The server's error body, as the contract defines it. */
export function errorBody(code: string, message: string, requestId = 'req_test_1') {
  return { error: { code, message, requestId } };
}
