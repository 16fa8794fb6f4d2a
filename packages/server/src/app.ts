import Router from '@koa/router';
import Koa from 'koa';
import { type Clock, systemClock } from './clock.js';
import type { Db } from './db/database.js';
import type { Config } from './env.js';
import { ApiError } from './errors.js';
import { mountRoutes } from './http/define-route.js';
import type { Logger } from './logger.js';
import { accessLog } from './middleware/access-log.js';
import { adminAuth, apiKeyAuth } from './middleware/auth.js';
import { errorHandler } from './middleware/error-handler.js';
import { rateLimit } from './middleware/rate-limit.js';
import { adminRoutes, opsRoutes, publicRoutes } from './routes/index.js';
import { mountOpenApi } from './routes/ops/openapi.js';
import { mountHostedPages } from './connect/index.js';
import { RequestLogBuffer } from './services/request-log-buffer.js';
import type { AppState } from './types.js';
import { VERSION } from './version.js';

/** Encrypts stored secrets; bound to a row and column through the associated data. */
export interface SecretCipher {
  encrypt(plaintext: string, aad: string): string;
  decrypt(ciphertext: string, aad: string): string;
}

/** Everything the HTTP application needs, passed in so tests build it exactly as main.ts does. */
export interface AppDeps {
  config: Config;
  db: Db;
  secrets: SecretCipher;
  logger: Logger;
  adminToken: string;
  clock: Clock;
  version: string;
  /** True once shutdown has begun; `/readyz` then answers 503. */
  shuttingDown: () => boolean;
}

export interface CreateAppOptions extends Omit<AppDeps, 'clock' | 'version' | 'shuttingDown'> {
  clock?: Clock;
  version?: string;
}

export interface MyPostShareApp {
  koa: Koa<AppState>;
  deps: AppDeps;
  requestLog: RequestLogBuffer;
  /** Marks the app as draining (readyz 503) and flushes buffered request logs. */
  close(): Promise<void>;
}

/**
 * Builds the Koa application. No `listen`, no timers beyond the request-log flush: main.ts and the
 * tests both call this and then serve `koa.callback()` themselves.
 */
export function createApp(options: CreateAppOptions): MyPostShareApp {
  let draining = false;
  const deps: AppDeps = {
    ...options,
    clock: options.clock ?? systemClock,
    version: options.version ?? VERSION,
    shuttingDown: () => draining,
  };
  const requestLog = new RequestLogBuffer(deps.db, deps.clock, deps.logger);
  const koa = new Koa<AppState>({ proxy: false });
  // Koa logs errors on its own unless told otherwise; ours are already rendered and logged.
  koa.silent = true;

  const ops = new Router<AppState>();
  mountRoutes(ops, opsRoutes, deps);
  mountOpenApi(ops, [...opsRoutes, ...publicRoutes, ...adminRoutes], deps);

  const publicApi = new Router<AppState>();
  publicApi.use('/api/v1', apiKeyAuth(deps.db), rateLimit(deps.config.rateLimit, deps.clock));
  mountRoutes(publicApi, publicRoutes, deps);

  const hosted = new Router<AppState>();
  mountHostedPages(hosted, deps);

  const adminApi = new Router<AppState>();
  adminApi.use('/admin/v1', adminAuth(deps.adminToken));
  mountRoutes(adminApi, adminRoutes, deps);

  const methodNotAllowed = () => new ApiError('method_not_allowed', 'This route does not accept that method');
  koa.use(accessLog(deps.logger, requestLog));
  koa.use(errorHandler(deps.logger));
  koa.use(async (ctx, next) => {
    // API responses are per-caller and never cacheable; nothing here is meant to be sniffed or framed.
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    // While draining, finish this request but do not keep its connection for another.
    if (draining) ctx.set('Connection', 'close');
    await next();
  });
  for (const router of [ops, hosted, publicApi, adminApi]) {
    koa.use(router.routes());
    koa.use(router.allowedMethods({ throw: true, methodNotAllowed, notImplemented: methodNotAllowed }));
  }

  return {
    koa,
    deps,
    requestLog,
    async close() {
      draining = true;
      await requestLog.close();
    },
  };
}
