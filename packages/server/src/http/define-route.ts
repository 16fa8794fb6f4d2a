import type Router from '@koa/router';
import type { OperationId, RouteDefinition } from '@mypostshare/contract';
import type { Context } from 'koa';
import type { z } from 'zod';
import type { AppDeps } from '../app.js';
import { parseOrThrow } from '../errors.js';
import { jsonBody } from '../middleware/json-body.js';
import { withIdempotency } from '../services/idempotency.js';
import type { ApiKeyAuth, AppState } from '../types.js';

type Input<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HandlerInput<R extends RouteDefinition> {
  params: Input<R['params']>;
  query: Input<R['query']>;
  body: Input<R['body']>;
  /** The calling app; present on API-key routes. */
  auth: R['auth'] extends 'apiKey' ? ApiKeyAuth : undefined;
  deps: AppDeps;
  ctx: Context & { state: AppState };
}

type Output<R extends RouteDefinition> = R['success']['schema'] extends z.ZodType
  ? z.input<R['success']['schema']>
  : undefined;

export interface ServerRoute {
  operationId: OperationId;
  definition: RouteDefinition;
  handler: (input: HandlerInput<any>) => Promise<unknown>;
}

/**
 * Binds a contract route to its handler. The handler receives params, query and body already
 * validated against the contract (nothing after this reads the raw request) and returns the
 * success body; the status comes from the contract.
 */
export function defineRoute<Id extends OperationId, R extends RouteDefinition>(
  operationId: Id,
  definition: R,
  handler: (input: HandlerInput<R>) => Promise<Output<R>>,
): ServerRoute {
  return { operationId, definition, handler: handler as ServerRoute['handler'] };
}

/** Registers routes on a router, with body parsing and edge validation in front of each handler. */
export function mountRoutes(router: Router<AppState>, routes: ServerRoute[], deps: AppDeps): void {
  for (const { definition, handler } of routes) {
    const validate = async (ctx: Context & { state: AppState }) => {
      const params = definition.params ? parseOrThrow(definition.params, ctx.params) : undefined;
      const query = definition.query ? parseOrThrow(definition.query, ctx.query) : undefined;
      const body = definition.body ? parseOrThrow(definition.body, ctx.state.body) : undefined;
      const execute = async () => {
        const result = await handler({ params, query, body, auth: ctx.state.auth, deps, ctx });
        // Koa's status stays 404 until something sets it; a handler may set another (readyz's 503).
        return { status: ctx.status === 404 ? definition.success.status : ctx.status, body: result };
      };
      const auth = ctx.state.auth;
      const outcome =
        definition.idempotent && auth
          ? await withIdempotency(
              deps,
              ctx,
              // The concrete path, not the template: the same key on another post's retry is another request.
              { appId: auth.appId, method: definition.method, route: ctx.path, body: ctx.state.body },
              execute,
            )
          : await execute();
      ctx.status = outcome.status;
      const replayedError =
        outcome.status >= 400 ? (outcome.body as { error?: object } | undefined) : undefined;
      if (replayedError?.error) {
        // A replayed client error gets this request's id, like every error body.
        ctx.body = { error: { ...replayedError.error, requestId: ctx.state.requestId } };
      } else if (definition.success.schema) {
        ctx.body = outcome.body;
      }
    };
    const middlewares = definition.body ? [jsonBody(deps.config.bodyLimitBytes), validate] : [validate];
    router.register(definition.path, [definition.method.toUpperCase()], middlewares as never);
  }
}
