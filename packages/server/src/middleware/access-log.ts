import type { Context } from 'koa';
import type { Logger } from '../logger.js';
import type { RequestLogBuffer } from '../services/request-log-buffer.js';
import type { AppState } from '../types.js';

/**
 * Writes the one structured log line of a request, and an operator request-log entry for requests
 * made with an app's key. Only the path is recorded: query strings can carry codes and states.
 * `started` is the `performance.now()` at which the request arrived.
 */
export function logRequest(
  ctx: Context & { state: AppState },
  started: number,
  logger: Logger,
  requestLog: RequestLogBuffer,
): void {
  const durationMs = performance.now() - started;
  const { state } = ctx;
  const auth = state.auth;
  const method = ctx.method;
  const path = state.logPath ?? ctx.path;
  const status = ctx.status;
  if (logger.isLevelEnabled('info')) {
    const rounded = Math.round(durationMs * 100) / 100;
    logger.info(
      auth
        ? {
            requestId: state.requestId,
            method,
            path,
            status,
            durationMs: rounded,
            appId: auth.appId,
            keyPrefix: auth.keyPrefix,
          }
        : { requestId: state.requestId, method, path, status, durationMs: rounded },
      'request',
    );
  }
  if (auth) {
    requestLog.record({
      appId: auth.appId,
      method,
      path,
      status,
      durationMs,
      requestId: state.requestId,
      keyPrefix: auth.keyPrefix,
    });
  }
}
