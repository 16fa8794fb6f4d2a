import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { MyPostShare } from '../src/index.js';

export const BASE_URL = 'https://api.mypostshare.test/api';
export const API_KEY = 'mps_test_0123456789abcdef';

/** What the mock server saw of a request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Headers;
}

/**
 * An msw server for one test file that fails on any request without a handler, and a log of every
 * request that reached it (so tests can assert that none did).
 */
export function mockApi() {
  const server = setupServer();
  const requests: SeenRequest[] = [];
  server.events.on('request:start', ({ request }) => {
    requests.push({ method: request.method, url: request.url, headers: new Headers(request.headers) });
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

/** The server's error body, as the contract defines it. */
export function errorBody(code: string, message: string, requestId = 'req_test_1') {
  return { error: { code, message, requestId } };
}
