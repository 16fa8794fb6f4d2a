import Router from '@koa/router';
import Koa from 'koa';
import { type Clock, systemClock } from './clock.js';
import { mountHostedPages } from './connect/index.js';
import type { Db } from './db/database.js';
import type { Config } from './env.js';
import { ApiError } from './errors.js';
import { mountRoutes } from './http/define-route.js';
import { requestPipeline } from './http/pipeline.js';
import type { AccessLog, Logger } from './logger.js';
import { createRateLimiter } from './middleware/rate-limit.js';
import { PublishingRuntime } from './publishing/runtime.js';
import { adminRoutes, opsRoutes, publicRoutes } from './routes/index.js';
import { mountOpenApi } from './routes/ops/openapi.js';
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
  /** The background worker's heartbeat, written by the worker and read by `/readyz`. */
  worker: { lastTickAt?: Date };
  /** The operator request log's write buffer. */
  requestLog: RequestLogBuffer;
  /** True once shutdown has begun; `/readyz` then answers 503. */
  shuttingDown: () => boolean;
  /** This process's publishing: lease owner id, running deliveries, media fetchers. */
  publishing: PublishingRuntime;
}

export interface CreateAppOptions
  extends Omit<AppDeps, 'clock' | 'version' | 'shuttingDown' | 'requestLog' | 'worker' | 'publishing'> {
  clock?: Clock;
  /** Where the one line per request goes (createLoggers makes it with `logger`). */
  accessLog: AccessLog;
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
 * Every route on one router (one match per request instead of one per router), in the order the
 * request pipeline's direct dispatch relies on.
 */
export function buildRouter(deps: AppDeps): Router<AppState> {
  const router = new Router<AppState>();
  mountRoutes(router, opsRoutes, deps);
  mountOpenApi(router, [...opsRoutes, ...publicRoutes, ...adminRoutes], deps);
  mountHostedPages(router, deps);
  mountRoutes(router, publicRoutes, deps);
  mountRoutes(router, adminRoutes, deps);
  return router;
}

/**
 * Builds the Koa application. No `listen`, no timers beyond the request-log flush: main.ts and the
 * tests both call this and then serve `koa.callback()` themselves.
 */
export function createApp(options: CreateAppOptions): MyPostShareApp {
  let draining = false;
  const { accessLog, ...rest } = options;
  const clock = options.clock ?? systemClock;
  const requestLog = new RequestLogBuffer(options.db, clock, options.logger);
  const deps: AppDeps = {
    ...rest,
    clock,
    version: options.version ?? VERSION,
    requestLog,
    worker: {},
    shuttingDown: () => draining,
    publishing: new PublishingRuntime({
      db: options.db,
      config: options.config,
      clock,
      logger: options.logger,
    }),
  };
  const koa = new Koa<AppState>({ proxy: false });
  // Koa logs errors on its own unless told otherwise; ours are already rendered and logged.
  koa.silent = true;

  const router = buildRouter(deps);

  const methodNotAllowed = () => new ApiError('method_not_allowed', 'This route does not accept that method');
  // Request id, security headers, authentication, rate limit, direct dispatch of the contract's
  // routes, the uniform error body and the access log, in one middleware (see http/pipeline.ts);
  // whatever it does not dispatch itself goes on to the router.
  koa.use(
    requestPipeline({
      router,
      db: deps.db,
      adminToken: deps.adminToken,
      rateLimit:
        deps.config.rateLimit.rps > 0 ? createRateLimiter(deps.config.rateLimit, deps.clock) : undefined,
      logger: deps.logger,
      accessLog,
      requestLog,
      draining: () => draining,
    }),
  );
  koa.use(router.routes());
  koa.use(router.allowedMethods({ throw: true, methodNotAllowed, notImplemented: methodNotAllowed }));

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
