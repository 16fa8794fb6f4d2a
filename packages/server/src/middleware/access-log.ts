import type { Context } from 'koa';
import type { AccessLog } from '../logger.js';
import type { RequestLogBuffer } from '../services/request-log-buffer.js';
import type { AppState } from '../types.js';

/** Characters a JSON string can hold as they are: printable ASCII but `"` and `\`. */
const PLAIN_JSON_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `value` as a JSON string: quoted as it is when nothing in it needs escaping (almost always). */
function jsonString(value: string): string {
  return PLAIN_JSON_TEXT.test(value) ? `"${value}"` : JSON.stringify(value);
}

/**
 * The access line as pino writes it (`{"level":30,"time":…,<fields>,"msg":"request"}`), so log
 * collectors see one format from every logger of the process. The request id and the method go in
 * unescaped: the id is either ours (`req_` and base64url) or a caller's that matched
 * `[A-Za-z0-9._:-]{8,128}` (middleware/error-handler.ts), and Node's parser accepts only its list
 * of method names. Everything else may hold anything and is escaped when it needs to be.
 */
function accessLine(
  requestId: string,
  method: string,
  path: string,
  status: number,
  durationMs: number,
  auth: AppState['auth'],
): string {
  const app = auth ? `,"appId":${jsonString(auth.appId)},"keyPrefix":${jsonString(auth.keyPrefix)}` : '';
  return `{"level":30,"time":${Date.now()},"requestId":"${requestId}","method":"${method}","path":${jsonString(path)},"status":${status},"durationMs":${durationMs}${app},"msg":"request"}\n`;
}

/**
 * Writes the one structured log line of a request, and an operator request-log entry for requests
 * made with an app's key. Only the path is recorded: query strings can carry codes and states.
 * `started` is the `performance.now()` at which the request arrived.
 */
export function logRequest(
  ctx: Context & { state: AppState },
  started: number,
  accessLog: AccessLog,
  requestLog: RequestLogBuffer,
): void {
  const durationMs = Math.round((performance.now() - started) * 100) / 100;
  const { state } = ctx;
  const auth = state.auth;
  const method = ctx.method;
  const path = state.logPath ?? ctx.path;
  const status = ctx.status;
  if (accessLog.enabled) accessLog.write(accessLine(state.requestId, method, path, status, durationMs, auth));
  if (auth) requestLog.record(auth.appId, method, path, status, durationMs, state.requestId, auth.keyPrefix);
}
