import { expect } from 'vitest';
import { readStoredText, type TestServer } from '../harness.js';

import { expectError as expectUniformError } from '../http/expect-error.js';

export { detailFields, sleep } from '../http/expect-error.js';

/**
 * Asserts the uniform error body (`{error: {code, message, details?, requestId}}`, JSON, with
 * `X-Request-Id` equal to `error.requestId`) on a response of `server.request` or `server.admin`.
 */
export const expectError = (
  response: { status: number; headers: Headers; body: any },
  status: number,
  code: string,
) => expectUniformError({ text: '', ...response }, status, code);

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A well-formed id that names nothing. */
export const MISSING_ID = '00000000-0000-4000-8000-000000000000';

/** The target of a `Link: <...>; rel="next"` header, as a route on this server; undefined when absent. */
export function nextLink(server: TestServer, headers: Headers): string | undefined {
  const link = headers.get('link');
  if (!link) return undefined;
  const match = /^<([^>]+)>;\s*rel="next"$/.exec(link);
  expect(match, `malformed Link header: ${link}`).not.toBeNull();
  const url = new URL(match![1]!);
  expect(url.origin).toBe(server.baseUrl);
  return `${url.pathname}${url.search}`;
}

/**
 * Follows an admin list's `Link` headers from `first` until there is no next page. Returns every
 * page's body and the routes it fetched. Each page must be 200, a bare array, and at most `limit` long.
 */
export async function collectPages(server: TestServer, first: string, limit: number) {
  const pages: any[][] = [];
  const routes: string[] = [];
  let route: string | undefined = first;
  while (route) {
    expect(routes.length, 'pagination does not terminate').toBeLessThan(100);
    routes.push(route);
    const response = await server.admin('GET', route);
    expect(response.status).toBe(200);
    expect(Array.isArray(response.body)).toBe(true);
    expect(response.body.length).toBeLessThanOrEqual(limit);
    pages.push(response.body);
    route = nextLink(server, response.headers);
    // A next page is announced only when there is one: never after a short page.
    if (response.body.length < limit) expect(route).toBeUndefined();
  }
  return { pages, routes, items: pages.flat() };
}

/** Asserts a list is newest first: `createdAt` never increases from one item to the next. */
export function expectNewestFirst(items: { createdAt: string }[]) {
  for (let index = 1; index < items.length; index += 1) {
    expect(
      items[index]!.createdAt <= items[index - 1]!.createdAt,
      `item ${index} is newer than item ${index - 1}`,
    ).toBe(true);
  }
}

/**
 * Everything stored, as searchable text: the SQLite file and its WAL (when present) read as
 * latin1, or on PostgreSQL every row of the test schema (see `readStoredText` in the harness).
 */
export function readDatabaseFiles(server: TestServer): Promise<string> {
  return readStoredText(server);
}

/** Creates an app through the admin API and returns its body. */
export async function createApp(server: TestServer, body: Record<string, unknown> = { name: 'App' }) {
  const response = await server.admin('POST', '/admin/v1/apps', body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as {
    id: string;
    name: string;
    sandbox: boolean;
    createdAt: string;
    updatedAt: string;
  };
}
