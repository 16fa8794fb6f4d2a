import type { Middleware } from 'koa';
import { ApiError } from '../errors.js';
import type { AppState } from '../types.js';

/**
 * Reads and parses a JSON request body into `ctx.state.body`, refusing oversized bodies with 413
 * before reading them when Content-Length says so, and as soon as the stream passes the limit
 * otherwise. An empty body parses as `{}`.
 */
export function jsonBody(limitBytes: number): Middleware<AppState> {
  return async (ctx, next) => {
    const tooLarge = () =>
      new ApiError('payload_too_large', `Request body exceeds the limit of ${limitBytes} bytes`);
    const declared = Number(ctx.get('Content-Length') || 0);
    if (declared > limitBytes) {
      // Do not read a body we will refuse; close the connection so the client stops sending it.
      ctx.set('Connection', 'close');
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) {
        ctx.set('Connection', 'close');
        throw tooLarge();
      }
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') {
      ctx.state.body = {};
      return next();
    }
    const type = ctx.get('Content-Type');
    // curl's `-d` without a header sends application/x-www-form-urlencoded; treat it as JSON so
    // a forgotten header is not an error, but refuse any other declared type.
    const acceptable = !type || /^application\/([a-z.+-]*\+)?json\b/i.test(type) || /^application\/x-www-form-urlencoded\b/i.test(type);
    if (!acceptable) {
      throw new ApiError('unsupported_media_type', 'Send the body as JSON with Content-Type: application/json');
    }
    try {
      ctx.state.body = JSON.parse(text);
    } catch {
      throw new ApiError('invalid_json', 'The request body is not valid JSON');
    }
    return next();
  };
}
