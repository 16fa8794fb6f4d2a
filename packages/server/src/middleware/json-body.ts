import type { Context, Middleware } from 'koa';
import { ApiError } from '../errors.js';
import { requestHeader } from '../http/headers.js';
import type { AppState } from '../types.js';

/** No request body of the API nests anywhere near this deep; deeper ones only exhaust the stack. */
export const MAX_JSON_DEPTH = 64;

/** Whether `text` has more than `max` of the characters `{` and `[`, counted natively. */
function opensMoreThan(text: string, max: number): boolean {
  let count = 0;
  for (const open of ['{', '[']) {
    for (let at = text.indexOf(open); at !== -1; at = text.indexOf(open, at + 1)) {
      count += 1;
      if (count > max) return true;
    }
  }
  return false;
}

/** Whether valid JSON text nests objects and arrays deeper than `max`, scanned without recursion. */
function nestsDeeperThan(text: string, max: number): boolean {
  // Nesting deeper than `max` takes more than `max` opening brackets: most bodies have a handful,
  // and counting them is far cheaper than walking the text character by character.
  if (!opensMoreThan(text, max)) return false;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      // A backslash escapes the next character; an unescaped quote ends the string.
      if (code === 0x5c) index += 1;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (code === 0x7d || code === 0x5d) {
      depth -= 1;
    }
  }
  return false;
}

/**
 * The path of the first `__proto__` key in a parsed body, if any. JSON.parse keeps it as a plain
 * key, but copying it onto another object (as schema validation does) replaces that object's
 * prototype instead, silently dropping the value; refuse it rather than store something else.
 */
function findProtoKey(value: unknown): string | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (!Array.isArray(current) && Object.hasOwn(current, '__proto__'))
      return [...path, '__proto__'].join('.');
    for (const [key, child] of Object.entries(current)) stack.push({ value: child, path: [...path, key] });
  }
  return undefined;
}

const BODY_TOO_LARGE = Symbol('body too large');

/** Collects the request body with plain stream events (cheaper than async iteration), up to a limit. */
function readBody(req: NodeJS.ReadableStream, limitBytes: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.removeListener('data', onData);
        req.resume();
        reject(BODY_TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks));
    req.once('error', reject);
  });
}

const JSON_TYPE = /^application\/([a-z.+-]*\+)?json\b/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\b/i;

/** Whether a body is empty or only whitespace (parsed as `{}`), without trimming a copy of it. */
function isBlank(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    // What String.prototype.trim removes, in the ASCII range; anything beyond falls back to it.
    if (code > 0x7f) return text.trim() === '';
    if (code !== 0x20 && (code < 0x09 || code > 0x0d)) return false;
  }
  return true;
}

/**
 * Reads and parses the JSON request body, refusing oversized bodies with 413 before reading them
 * when Content-Length says so, and as soon as the stream passes the limit otherwise. An empty body
 * parses as `{}`.
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  const tooLarge = () =>
    new ApiError('payload_too_large', `Request body exceeds the limit of ${limitBytes} bytes`);
  const declared = Number(requestHeader(ctx, 'content-length') || 0);
  if (declared > limitBytes) {
    // Do not read a body we will refuse; close the connection so the client stops sending it.
    ctx.set('Connection', 'close');
    throw tooLarge();
  }
  const chunks = await readBody(ctx.req, limitBytes).catch((error: unknown) => {
    if (error === BODY_TOO_LARGE) {
      ctx.set('Connection', 'close');
      throw tooLarge();
    }
    throw error;
  });
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  if (isBlank(text)) return {};
  const type = requestHeader(ctx, 'content-type');
  // curl's `-d` without a header sends application/x-www-form-urlencoded; treat it as JSON so
  // a forgotten header is not an error, but refuse any other declared type.
  const acceptable = !type || JSON_TYPE.test(type) || FORM_TYPE.test(type);
  if (!acceptable) {
    throw new ApiError('unsupported_media_type', 'Send the body as JSON with Content-Type: application/json');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError('invalid_json', 'The request body is not valid JSON');
  }
  // Validation (metadata's size check serialises it) recurses: bound the depth before it runs.
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new ApiError(
      'validation_error',
      `Invalid request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
      [{ field: '', message: `nested deeper than ${MAX_JSON_DEPTH} levels` }],
    );
  }
  const protoKey = text.includes('__proto__') ? findProtoKey(parsed) : undefined;
  if (protoKey !== undefined) {
    throw new ApiError('validation_error', `Invalid request: ${protoKey}: reserved field name`, [
      { field: protoKey, message: 'reserved field name' },
    ]);
  }
  return parsed;
}

/** {@link readJsonBody} as a middleware: the parsed body goes to `ctx.state.body`. */
export function jsonBody(limitBytes: number): Middleware<AppState> {
  return async (ctx, next) => {
    ctx.state.body = await readJsonBody(ctx, limitBytes);
    return next();
  };
}
