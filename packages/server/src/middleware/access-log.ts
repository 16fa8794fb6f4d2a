import type { Middleware } from 'koa';
import type { Logger } from '../logger.js';
import type { RequestLogBuffer } from '../services/request-log-buffer.js';
import type { AppState } from '../types.js';

/**
 * One structured log line per request, and an operator request-log entry for requests made
 * with an app's key. Only the path is recorded: query strings can carry codes and states.
 */
export function accessLog(logger: Logger, requestLog: RequestLogBuffer): Middleware<AppState> {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const durationMs = performance.now() - started;
      const auth = ctx.state.auth;
      if (logger.isLevelEnabled('info')) {
        logger.info(
          {
            requestId: ctx.state.requestId,
            method: ctx.method,
            path: ctx.state.logPath ?? ctx.path,
            status: ctx.status,
            durationMs: Math.round(durationMs * 100) / 100,
            ...(auth ? { appId: auth.appId, keyPrefix: auth.keyPrefix } : {}),
          },
          'request',
        );
      }
      if (auth) {
        requestLog.record({
          appId: auth.appId,
          method: ctx.method,
          path: ctx.state.logPath ?? ctx.path,
          status: ctx.status,
          durationMs,
          requestId: ctx.state.requestId,
          keyPrefix: auth.keyPrefix,
        });
      }
    }
  };
}
