import type Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import type { Db } from '../db/database.js';
import type { AccessLog, Logger } from '../logger.js';
import { logRequest } from '../middleware/access-log.js';
import { authenticateAdmin, authenticateApiKey } from '../middleware/auth.js';
import { assignRequestId, noRoute, renderError } from '../middleware/error-handler.js';
import type { RateLimiter } from '../middleware/rate-limit.js';
import type { RequestLogBuffer } from '../services/request-log-buffer.js';
import type { AppState } from '../types.js';
import { directRouter, runDirect } from './define-route.js';

export interface PipelineOptions {
  router: Router<AppState>;
  db: Db;
  adminToken: string;
  /** Per-key rate limit on `/api/v1`; undefined when it is off. */
  rateLimit: RateLimiter | undefined;
  /** Errors nobody expected. */
  logger: Logger;
  /** The one line per request. */
  accessLog: AccessLog;
  requestLog: RequestLogBuffer;
  /** True once shutdown has begun: responses then close their connection. */
  draining: () => boolean;
}

type Ctx = Context & { state: AppState };

/**
 * Everything a request goes through before its route, as one middleware rather than a stack of
 * them (each layer of async middleware costs promises and closures on every request):
 *
 * 1. the request id (the caller's when acceptable) on `ctx.state` and `X-Request-Id`;
 * 2. headers every response carries: not cacheable, not sniffable, not framable;
 * 3. authentication for every path under the API prefixes, matched or not, so an unknown path
 *    answers 401 to strangers instead of telling them which routes exist; then the rate limit;
 * 4. the route: routes mounted with `mountRoutes` are dispatched directly when the request maps
 *    onto one exactly, everything else goes down the Koa stack to the router (`next`);
 * 5. the uniform error body for anything thrown, and 404 for what nothing answered;
 * 6. the access-log line and the operator request-log entry, for every request.
 *
 * The work is synchronous wherever it can be (the key lookup is, on SQLite), so a request costs
 * the promises of its own handler and little else.
 */
export function requestPipeline(options: PipelineOptions): Middleware<AppState> {
  const { db, adminToken, rateLimit, logger, accessLog, requestLog, draining } = options;
  const direct = directRouter(options.router);

  const dispatch = (ctx: Ctx, next: Next, path: string): Promise<unknown> => {
    const match = direct.match(ctx.method, path);
    return match ? runDirect(ctx, match) : next();
  };
  const afterApiKey = (ctx: Ctx, next: Next, path: string): Promise<unknown> => {
    rateLimit?.(ctx);
    return dispatch(ctx, next, path);
  };
  /** Authentication and the route; may throw synchronously. */
  const route = (ctx: Ctx, next: Next): Promise<unknown> => {
    const path = ctx.path;
    if (path.startsWith('/api/v1/') || path === '/api/v1') {
      const pending = authenticateApiKey(db, ctx);
      if (pending) return pending.then(() => afterApiKey(ctx, next, path));
      return afterApiKey(ctx, next, path);
    }
    if (path.startsWith('/admin/v1/') || path === '/admin/v1') authenticateAdmin(adminToken, ctx);
    return dispatch(ctx, next, path);
  };

  return (ctx, next) => {
    const started = performance.now();
    assignRequestId(ctx);
    // API responses are per-caller and never cacheable; nothing here is meant to be sniffed or framed.
    // (Straight on the response: nothing has been sent yet, so Koa's checks around it are moot.)
    const { res } = ctx;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    // While draining, finish this request but do not keep its connection for another.
    if (draining()) res.setHeader('Connection', 'close');
    const finish = () => {
      if (ctx.status === 404 && ctx.body === undefined) renderError(ctx, noRoute(ctx), logger);
      logRequest(ctx, started, accessLog, requestLog);
    };
    const fail = (error: unknown) => {
      renderError(ctx, error, logger);
      logRequest(ctx, started, accessLog, requestLog);
    };
    let pending: Promise<unknown>;
    try {
      pending = route(ctx, next);
    } catch (error) {
      fail(error);
      return Promise.resolve();
    }
    return pending.then(finish, fail);
  };
}
