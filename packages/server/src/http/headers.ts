import type { IncomingMessage } from 'node:http';

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
