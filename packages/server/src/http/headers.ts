import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';

/**
 * A request header by its lower-case name, or '' when absent: what Koa's `ctx.get` returns, without
 * lower-casing the name on every call (these run on every request). Node keeps one value for the
 * headers we read (a repeated one is dropped or joined with ", "), so it is always a string.
 */
export function requestHeader(ctx: { req: IncomingMessage }, lowerCaseName: string): string {
  const value = ctx.req.headers[lowerCaseName];
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.join(', ');
}

/**
 * Puts `value` on the response as JSON, as `ctx.body = value` would, but serialised here with its
 * Content-Type set directly: Koa would look the type up by name on every response, then stringify.
 */
export function setJsonBody(ctx: Context, value: unknown): void {
  ctx.res.setHeader('Content-Type', 'application/json; charset=utf-8');
  // A string body with a Content-Type already set: Koa only adds the Content-Length.
  ctx.body = JSON.stringify(value);
}
